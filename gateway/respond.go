package gateway

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/origin"
)

// fetchOrigin sends req to o, noting in x which origin answered: for an
// origin group, the member (and whether it was a failover), for the access
// log.
func fetchOrigin(x *Exchange, o origin.Origin, req *http.Request) (*http.Response, error) {
	x.originID = o.ID()
	if !origin.IsGroup(o) {
		return o.Fetch(req) // no request copy for the common case
	}
	var served origin.Served
	resp, err := o.Fetch(req.WithContext(origin.WithServed(req.Context(), &served)))
	if served.ID != "" {
		x.originID = served.ID
		x.failover = served.Failover
	}
	return resp, err
}

// serveOrigin fetches the response from the behavior's origin and streams
// it to the viewer.
func (h *handler) serveOrigin(w http.ResponseWriter, rt *runtime, x *Exchange) {
	start := time.Now()
	resp, err := fetchOrigin(x, x.Behavior.origin, originRequest(w, rt, x))
	x.Behavior.originLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		h.originFailed(w, rt, x, err)
		return
	}
	defer resp.Body.Close()
	if !h.inspectResponse(w, rt, x, resp) {
		return
	}

	if _, ok := x.Dist.errorPages[resp.StatusCode]; ok {
		if h.serveErrorPage(w, rt, x, resp.StatusCode) {
			return
		}
	}
	x.result = "Miss"
	if resp.StatusCode >= 400 {
		x.result = "Error"
	}
	x.detailedResult = x.result
	h.relay(w, rt, x, resp)
}

// relay copies an origin response to the viewer without storing it.
func (h *handler) relay(w http.ResponseWriter, rt *runtime, x *Exchange, resp *http.Response) {
	h.relayFill(w, rt, x, resp, nil)
}

// originFailed answers when no response could be had from the origin:
// 502 when it is unreachable, 504 when it timed out.
func (h *handler) originFailed(w http.ResponseWriter, rt *runtime, x *Exchange, err error) {
	oe, ok := origin.AsError(err)
	if !ok {
		oe = &origin.Error{Origin: x.originID, Kind: origin.KindBadResponse, Err: err}
	}
	x.result, x.detailedResult = "Error", oe.DetailedResult()
	if oe.Kind == origin.KindCanceled {
		h.log.Info("viewer went away before the origin answered", "request_id", x.ID, "origin", x.originID)
		return
	}
	reason := "origin unreachable"
	if oe.Kind == origin.KindTimeout {
		reason = "origin timeout"
	} else if oe.Kind == origin.KindBadResponse {
		reason = "bad origin response"
	}
	h.log.Warn("origin request failed", "request_id", x.ID, "origin", x.originID, "error", err.Error())
	d := &Denial{Status: oe.Status(), Reason: reason, Detail: err.Error(), stage: "origin",
		Result: "Error", DetailedResult: oe.DetailedResult()}
	x.denial = d
	if h.serveErrorPage(w, rt, x, d.Status) {
		return
	}
	h.writeErrorBody(w, x, d)
}

// relayFill copies an origin response to the viewer: headers less the
// hop-by-hop ones, plus the gateway's own, then the body as it arrives.
// With f set, the body is also written to the cache; the object is stored
// only when all of it arrived.
func (h *handler) relayFill(w http.ResponseWriter, rt *runtime, x *Exchange, resp *http.Response, f *cache.Fill) {
	dst := w.Header()
	removeHopByHop(resp.Header)
	for k, v := range resp.Header {
		dst[k] = v
	}
	setGatewayHeaders(dst, rt, x)
	if x.cache != nil {
		dst["Cache-Status"] = []string{cacheStatusHeader(x.cache.status, nil, h.now())}
	} else {
		dst["Cache-Status"] = []string{"edgeward; fwd=bypass"}
	}
	x.contentType = resp.Header.Get("Content-Type")
	x.contentLength = resp.ContentLength
	if resp.StatusCode == http.StatusPartialContent {
		x.rangeStart, x.rangeEnd = parseContentRange(resp.Header.Get("Content-Range"))
	}
	x.writeHeader(w, resp.StatusCode, h.now())

	flush := resp.ContentLength < 0 || strings.HasPrefix(x.contentType, "text/event-stream")
	if err := copyBody(w, resp.Body, x, rt.limits.writeTimeout, flush, f); err != nil {
		// Headers are gone; the only honest signal left is to abort the
		// connection so the viewer sees a truncated response, never a
		// complete-looking short one.
		h.log.Warn("response body copy failed", "request_id", x.ID, "origin", x.originID, "error", err.Error())
		if oe, ok := origin.AsError(err); ok {
			x.detailedResult = oe.DetailedResult()
		} else if errors.Is(err, errClientGone) {
			x.detailedResult = "ClientCommunicationError"
		}
		panic(http.ErrAbortHandler)
	}
}

// setGatewayHeaders adds the headers every gateway response carries.
func setGatewayHeaders(h http.Header, rt *runtime, x *Exchange) {
	result := x.result
	if result == "" {
		result = "Error"
	}
	via := rt.via
	if prior := h["Via"]; len(prior) > 0 {
		via = strings.Join(prior, ", ") + ", " + rt.via
	}
	xc, ok := xCacheValues[result]
	if !ok {
		xc = result + " from edgeward"
	}
	vals := []string{x.ID, via, xc}
	h["X-Request-Id"] = vals[0:1:1]
	h["Via"] = vals[1:2:2]
	h["X-Cache"] = vals[2:3:3]
}

// xCacheValues are the X-Cache header values, made once.
var xCacheValues = map[string]string{
	"Hit": "Hit from edgeward", "Miss": "Miss from edgeward", "RefreshHit": "RefreshHit from edgeward",
	"Error": "Error from edgeward", "Redirect": "Redirect from edgeward",
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// copyBody streams src to the viewer, and into the cache fill f when
// there is one. Each write gets its own deadline (a slow reader cannot hold
// the response forever, yet a large download on a good connection is never
// cut off by a whole-response timeout). The fill is committed only when
// the whole body arrived and abandoned on any error, so an incomplete body
// is never stored; a fill that outgrows the cache is abandoned while the
// viewer's copy goes on.
func copyBody(w http.ResponseWriter, src io.Reader, x *Exchange, writeTimeout time.Duration, flush bool, f *cache.Fill) (err error) {
	if f != nil {
		defer func() {
			if err != nil {
				f.Abort()
			}
		}()
	}
	ctl := http.NewResponseController(w)
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if f != nil {
				if _, ferr := f.Write(buf[:n]); ferr != nil {
					f.Abort()
					f = nil
				}
			}
			if writeTimeout > 0 {
				_ = ctl.SetWriteDeadline(time.Now().Add(writeTimeout))
			}
			m, werr := w.Write(buf[:n])
			x.bodyBytes += int64(m)
			if werr != nil {
				return errClientGone
			}
			if flush {
				if err := ctl.Flush(); err != nil {
					return errClientGone
				}
			}
		}
		if rerr == io.EOF {
			if f != nil {
				if cerr := f.Commit(); cerr != nil && x.cache != nil {
					x.cache.status.Stored = false
				}
			}
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// writeHeader sends the status line and headers, noting what the access
// log needs.
func (x *Exchange) writeHeader(w http.ResponseWriter, status int, now time.Time) {
	if x.statusOverride != 0 {
		status = x.statusOverride
	}
	x.status = status
	x.firstByte = now.Sub(x.Start)
	if x.Scheme == "https" && x.Dist != nil && x.Dist.hsts != nil {
		w.Header()["Strict-Transport-Security"] = x.Dist.hsts // ours, over the origin's
	}
	x.respHeader = w.Header() // sized for the access log only when a line is written
	w.WriteHeader(status)
}

// headerSize estimates the bytes of a response head on the wire.
func headerSize(h http.Header, status int) int64 {
	n := len("HTTP/1.1 000 ") + len(http.StatusText(status)) + 2 + 2
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return int64(n)
}

// writeErrorBody writes a gateway-generated error: the status, the short
// reason and the request id, nothing more. The detail went to the log.
func (h *handler) writeErrorBody(w http.ResponseWriter, x *Exchange, d *Denial) {
	hdr := w.Header()
	body := d.Body
	ct := d.ContentType
	if body == nil {
		body = []byte(strconv.Itoa(d.Status) + " " + http.StatusText(d.Status) + ": " + d.Reason + "\nRequest ID: " + x.ID + "\n")
		ct = "text/plain; charset=utf-8"
	}
	hdr.Set("Content-Type", ct)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Request-Id", x.ID)
	if d.Status >= 400 {
		hdr.Set("X-Cache", "Error from edgeward")
	} else {
		hdr.Set("X-Cache", "Redirect from edgeward")
	}
	x.contentType = ct
	x.contentLength = int64(len(body))
	x.writeHeader(w, d.Status, h.now())
	n, _ := w.Write(body)
	x.bodyBytes += int64(n)
}

// parseContentRange reads "bytes first-last/size" for the access log.
func parseContentRange(v string) (first, last int64) {
	v, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return -1, -1
	}
	span, _, _ := strings.Cut(v, "/")
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return -1, -1
	}
	f, err1 := strconv.ParseInt(a, 10, 64)
	l, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return -1, -1
	}
	return f, l
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strconv.Quote(s)
}
