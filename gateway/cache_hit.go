package gateway

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/httpcache"
)

// serveHit answers from a stored object: its headers plus Age, X-Cache and
// Cache-Status; Range and conditional requests are answered from the stored
// copy; text is compressed at the edge when the policy allows it.
func (h *handler) serveHit(w http.ResponseWriter, rt *runtime, x *Exchange, obj cache.Object, result string) {
	r := x.Req
	m := obj.Meta()
	if _, ok := x.Dist.errorPages[m.Status]; ok && h.serveErrorPage(w, rt, x, m.Status) {
		return
	}
	now := h.now()
	varyAE := false
	// Compressibility was decided when the object was stored; the size is
	// checked here for objects stored without a length.
	if m.Compressible && m.Encoding == "" && m.Size >= httpcache.MinCompressSize && m.Size <= httpcache.MaxCompressSize &&
		x.Behavior.cache != nil && x.Behavior.cache.policy.Compress != nil && *x.Behavior.cache.policy.Compress {
		varyAE = true
		if enc := httpcache.ChooseEncoding(httpcache.NormalizeAcceptEncoding(r.Header["Accept-Encoding"])); enc != "" {
			if cobj, ok := h.compressedVariant(rt, x, obj, enc); ok {
				defer cobj.Release()
				obj, m = cobj, cobj.Meta()
			}
		}
	}
	x.result, x.detailedResult = result, result
	if m.Status >= 400 {
		x.result, x.detailedResult = "Error", "Error"
	}

	hdr := w.Header()
	for k, v := range m.Header {
		hdr[k] = v // stored slices are never modified: every header set below is a new slice
	}
	if varyAE {
		hdr["Vary"] = appendVary(m.Header["Vary"], "Accept-Encoding")
	}
	if x.errorPage {
		// The page's validators must not make a viewer cache it as the
		// object it asked for.
		delete(hdr, "Etag")
		delete(hdr, "Last-Modified")
		delete(hdr, "Accept-Ranges")
	}
	// One backing array for the values the gateway adds to a hit.
	vals := make([]string, 3)
	vals[0] = strconv.Itoa(httpcache.Age(m.Stored, m.Header, now))
	vals[1] = cacheStatusHeader(x.cache.status, m, now)
	if cl := m.Header["Content-Length"]; len(cl) == 1 && parsesTo(cl[0], m.Size) {
		vals[2] = cl[0] // the stored header already says it: no new string
	} else {
		vals[2] = strconv.FormatInt(m.Size, 10)
	}
	hdr["Age"] = vals[0:1:1]
	hdr["Cache-Status"] = vals[1:2:2]
	setGatewayHeaders(hdr, rt, x)
	x.contentType = m.Header.Get("Content-Type")
	x.contentLength = m.Size

	if m.Status == http.StatusOK && (r.Header.Get("Range") != "" || hasConditional(r)) {
		h.serveContent(w, x, obj, m)
		return
	}
	if b := obj.Bytes(); b != nil || m.Size == 0 {
		hdr["Content-Length"] = vals[2:3:3]
		x.writeHeader(w, m.Status, now)
		if r.Method != http.MethodHead {
			n, _ := w.Write(b)
			x.bodyBytes += int64(n)
		}
		return
	}
	body, err := obj.Open()
	if err != nil {
		h.cacheReadFailed(w, rt, x, err)
		return
	}
	defer body.Close()
	hdr["Content-Length"] = vals[2:3:3]
	x.writeHeader(w, m.Status, now)
	if r.Method == http.MethodHead {
		return
	}
	if err := copyObject(w, body, m.Size, x, rt.limits.writeTimeout); err != nil {
		h.log.Warn("serving a cached object failed", "request_id", x.ID, "key_path", m.Path, "error", err.Error())
		if err == cache.ErrCorrupt {
			x.detailedResult = "CacheCorrupt"
		}
		panic(http.ErrAbortHandler)
	}
}

// copyObject sends a disk object's body. A verified file goes out with
// sendfile, in chunks so each gets its own write deadline.
func copyObject(w http.ResponseWriter, body cache.Body, size int64, x *Exchange, writeTimeout time.Duration) error {
	f, off := body.File()
	if f == nil {
		return copyBody(w, body, x, writeTimeout, false, nil)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	ctl := http.NewResponseController(w)
	const chunk = 4 << 20
	for remaining := size; remaining > 0; {
		n := min(remaining, chunk)
		if writeTimeout > 0 {
			_ = ctl.SetWriteDeadline(time.Now().Add(writeTimeout))
		}
		m, err := io.Copy(w, &io.LimitedReader{R: f, N: n})
		x.bodyBytes += m
		remaining -= m
		if err != nil {
			return errClientGone
		}
		if m < n {
			return io.ErrUnexpectedEOF
		}
	}
	return nil
}

// serveContent answers Range and conditional requests from a stored 200.
func (h *handler) serveContent(w http.ResponseWriter, x *Exchange, obj cache.Object, m *cache.Meta) {
	var rs io.ReadSeeker
	if b := obj.Bytes(); b != nil || m.Size == 0 {
		rs = bytesReader(b)
	} else {
		body, err := obj.Open()
		if err != nil {
			h.cacheReadFailed(w, nil, x, err)
			return
		}
		defer body.Close()
		rs = body
	}
	modtime, _ := http.ParseTime(m.Header.Get("Last-Modified"))
	sw := &statusWriter{ResponseWriter: w, x: x, now: h.now}
	http.ServeContent(sw, x.Req, "", modtime, rs)
	if x.status == http.StatusPartialContent {
		x.rangeStart, x.rangeEnd = parseContentRange(w.Header().Get("Content-Range"))
	}
}

// cacheReadFailed answers when a stored body cannot be read (a disk error
// or a failed checksum): the object is dropped and the viewer gets a 502
// rather than wrong bytes.
func (h *handler) cacheReadFailed(w http.ResponseWriter, rt *runtime, x *Exchange, err error) {
	h.log.Warn("cached object unreadable", "request_id", x.ID, "error", err.Error())
	d := &Denial{Status: http.StatusBadGateway, Reason: "cache read error", Detail: err.Error(), stage: "cache"}
	x.denial = d
	h.writeErrorBody(w, x, d)
}

// compressedVariant returns the object compressed with enc, compressing
// and storing it once if needed (concurrent requests share one
// compression).
func (h *handler) compressedVariant(rt *runtime, x *Exchange, obj cache.Object, enc string) (cache.Object, bool) {
	c := rt.cache
	key := x.cache.objKey + "\x00enc=" + enc
	if v, ok := c.store.Get(key); ok {
		return v, true // released by the caller
	}
	v, err, _ := compressions.Do(key, func() (any, error) {
		m := obj.Meta()
		src := obj.Bytes()
		if src == nil {
			body, err := obj.Open()
			if err != nil {
				return nil, err
			}
			defer body.Close()
			if src, err = io.ReadAll(io.LimitReader(body, m.Size+1)); err != nil {
				return nil, err
			}
		}
		out, err := httpcache.Compress(enc, src)
		if err != nil {
			return nil, err
		}
		cm := *m
		cm.Header = m.Header.Clone()
		cm.Header.Set("Content-Encoding", enc)
		cm.Header.Del("Content-Length")
		if etag := httpcache.WeakETag(m.Header.Get("ETag")); etag != "" {
			cm.Header.Set("ETag", etag)
		} else {
			cm.Header.Del("ETag")
		}
		cm.Header["Vary"] = appendVary(m.Header["Vary"], "Accept-Encoding")
		cm.Encoding = enc
		cm.Size = int64(len(out))
		if err := c.store.Put(key, &cm, out); err != nil {
			return nil, err
		}
		got, ok := c.store.Get(key)
		if !ok {
			return nil, cache.ErrTooLarge
		}
		got.Release() // shared by every waiter: each caller Gets its own below
		return got, nil
	})
	if err != nil {
		return nil, false
	}
	return v.(cache.Object), true
}

var compressions singleflight.Group

func hasConditional(r *http.Request) bool {
	h := r.Header
	return h["If-None-Match"] != nil || h["If-Modified-Since"] != nil || h["If-Match"] != nil || h["If-Unmodified-Since"] != nil
}

// appendVary returns vary with name added, or vary itself when one of its
// comma-separated values already names it (no allocation then).
func appendVary(vary []string, name string) []string {
	for _, v := range vary {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(item), name) || strings.TrimSpace(item) == "*" {
				return vary
			}
		}
	}
	out := make([]string, 0, len(vary)+1)
	return append(append(out, vary...), name)
}

// statusWriter records the status http.ServeContent writes.
type statusWriter struct {
	http.ResponseWriter
	x   *Exchange
	now func() time.Time
}

func (s *statusWriter) WriteHeader(code int) {
	s.x.writeHeader(s.ResponseWriter, code, s.now())
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.x.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	n, err := s.ResponseWriter.Write(p)
	s.x.bodyBytes += int64(n)
	return n, err
}

// parsesTo reports whether the decimal s is n, without allocating.
func parsesTo(s string, n int64) bool {
	v, err := strconv.ParseInt(s, 10, 64)
	return err == nil && v == n
}
