package gateway

import (
	"net/http"
)

// serveErrorPage answers with the distribution's custom error page for
// status, if one is configured: the page is fetched through the behavior
// matching its path (without the security stages: the operator chose the
// page) and sent with the configured response code. When the page cannot
// be had it returns false and the caller sends its own error, as CloudFront
// falls back to the original response.
func (h *handler) serveErrorPage(w http.ResponseWriter, rt *runtime, x *Exchange, status int) bool {
	if x.Dist == nil || x.behaviors == nil {
		return false
	}
	ce, ok := x.Dist.errorPages[status]
	if !ok {
		return false
	}
	pr := x.Req.Clone(x.Req.Context())
	pr.Method = http.MethodGet
	pr.Body = http.NoBody
	pr.ContentLength = 0
	for _, name := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} {
		pr.Header.Del(name)
	}
	px := *x
	px.Req = pr
	px.Path = ce.Page
	b := x.behaviors.Match(ce.Page)
	resp, err := b.origin.Fetch(originRequest(w, rt, &px))
	if err != nil {
		h.log.Warn("custom error page unavailable", "request_id", x.ID, "page", ce.Page, "error", err.Error())
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.log.Warn("custom error page unavailable", "request_id", x.ID, "page", ce.Page, "status", resp.StatusCode)
		return false
	}
	resp.StatusCode = ce.ResponseCode
	if x.result == "" || x.result == "Miss" {
		x.result = "Error"
		if ce.ResponseCode < 400 {
			x.result = "Miss"
		}
	}
	if x.detailedResult == "" {
		x.detailedResult = x.result
	}
	// Validators of the page must not make a viewer cache it as the
	// requested object.
	resp.Header.Del("ETag")
	resp.Header.Del("Last-Modified")
	resp.Header.Del("Accept-Ranges")
	h.relay(w, rt, x, resp)
	return true
}
