package gateway

import (
	"io"
	"net/http"

	"github.com/edgeward/edgeward/gateway/cache"
	"github.com/edgeward/edgeward/gateway/httpcache"
)

// serveErrorPage answers with the distribution's custom error page for
// status, if one is configured: the page is fetched through the behavior
// matching its path (without the security stages: the operator chose the
// page), from the cache when that behavior caches, and sent with the
// configured response code. When the page cannot be had it returns false
// and the caller sends its own error, as CloudFront falls back to the
// original response.
func (h *handler) serveErrorPage(w http.ResponseWriter, rt *runtime, x *Exchange, status int) bool {
	if x.Dist == nil {
		return false
	}
	ce, ok := x.Dist.errorPages[status]
	if !ok {
		return false
	}
	return h.servePage(w, rt, x, ce.Page, ce.ResponseCode)
}

// servePage answers x with the page at path, fetched through the
// distribution, sent with status code; false when it cannot be had.
func (h *handler) servePage(w http.ResponseWriter, rt *runtime, x *Exchange, page string, code int) bool {
	if x.Dist == nil || x.behaviors == nil || x.errorPage {
		return false
	}
	pr := x.Req.Clone(x.Req.Context())
	pr.Method = http.MethodGet
	pr.Body = http.NoBody
	pr.ContentLength = 0
	pr.URL.RawQuery = ""
	for _, name := range conditionalHeaders {
		pr.Header.Del(name)
	}
	b := x.behaviors.Match(page)
	px := &Exchange{
		Req: pr, ID: x.ID, Start: x.Start, Path: page, ViewerPath: x.ViewerPath,
		Viewer: x.Viewer, viewerIP: x.viewerAddr(), peer: x.peer, Scheme: x.Scheme,
		Dist: x.Dist, Behavior: b, behaviors: x.behaviors,
		errorPage: true, statusOverride: code,
		contentLength: -1, rangeStart: -1, rangeEnd: -1,
	}
	defer x.adopt(px)
	if !h.fetchErrorPage(w, rt, px) {
		return false
	}
	x.result = "Error"
	if code < 400 {
		x.result = "Miss"
		if px.result == "Hit" {
			x.result = "Hit"
		}
	}
	x.detailedResult = x.result
	return true
}

// fetchErrorPage serves the page of px from the cache or its origin; it
// returns false, having written nothing, when no 200 page can be had.
func (h *handler) fetchErrorPage(w http.ResponseWriter, rt *runtime, px *Exchange) bool {
	b := px.Behavior
	if b.cache != nil && rt.cache != nil && b.cache.keyer.Shareable(px.Req) {
		px.cache = &cacheState{key: b.cache.keyer.Key(keySpace(px), px.Path, px.Req)}
		if obj, ok := h.lookup(rt.cache, px); ok {
			defer obj.Release()
			if obj.Meta().Status == http.StatusOK && h.now().Before(obj.Meta().Fresh) {
				px.cache.status.Hit = true
				h.serveHit(w, rt, px, obj, "Hit")
				return true
			}
		}
	}
	var req *http.Request
	if px.cache != nil {
		req = cachedOriginRequest(w, rt, px, nil, true)
	} else {
		req = originRequest(w, rt, px)
	}
	resp, err := fetchOrigin(px, b.origin, req)
	if err != nil {
		h.log.Warn("custom error page unavailable", "request_id", px.ID, "page", px.Path, "error", err.Error())
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.log.Warn("custom error page unavailable", "request_id", px.ID, "page", px.Path, "status", resp.StatusCode)
		return false
	}
	if px.cache != nil {
		px.cache.status.Fwd, px.cache.status.FwdStatus = httpcache.FwdMiss, resp.StatusCode
	}
	f := h.startPageFill(rt, px, resp)
	// Validators of the page must not make a viewer cache it as the
	// requested object.
	resp.Header.Del("ETag")
	resp.Header.Del("Last-Modified")
	resp.Header.Del("Accept-Ranges")
	px.result = "Miss"
	h.relayFill(w, rt, px, resp, f)
	return true
}

// startPageFill stores the page when its behavior caches.
func (h *handler) startPageFill(rt *runtime, px *Exchange, resp *http.Response) *cache.Fill {
	if px.cache == nil {
		return nil
	}
	return h.startFill(rt, px, resp)
}

// adopt takes the outcome of a sub-request (an error page) into the
// viewer's exchange, for the access log and metrics.
func (x *Exchange) adopt(px *Exchange) {
	if px.status == 0 {
		return
	}
	x.status = px.status
	x.respHeader = px.respHeader
	x.bodyBytes += px.bodyBytes
	x.firstByte = px.firstByte
	x.contentType = px.contentType
	x.contentLength = px.contentLength
}

// drainInto stores the rest of an origin response whose viewer got
// something else (a custom error page), so the next request hits.
func drainInto(f *cache.Fill, body io.Reader) {
	if f == nil {
		return
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	if _, err := io.CopyBuffer(fillWriter{f}, body, *bp); err != nil {
		f.Abort()
		return
	}
	_ = f.Commit()
}

type fillWriter struct{ f *cache.Fill }

func (w fillWriter) Write(p []byte) (int, error) { return w.f.Write(p) }
