package gateway

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/edgeward/edgeward/gateway/route"
)

// handler answers viewer requests: route, stages, origin, respond, log.
type handler struct {
	holder  *runtimeHolder
	metrics *metrics
	log     *slog.Logger
	now     func() time.Time
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := h.holder.acquire()
	defer rt.release()
	h.metrics.inflight.Add(1)
	defer h.metrics.inflight.Add(-1)

	x := newExchange(r, newRequestID(), h.now())
	defer h.finish(rt, x)
	// Behind a trusted proxy, the viewer is who it says; from anyone
	// else its forwarding headers are ignored.
	x.peer = x.Viewer
	x.Viewer, x.Scheme = rt.trusted.viewer(x.Viewer, x.Scheme, r.Header)

	if n := requestHeadSize(r); n > rt.limits.maxHeader {
		h.fail(w, x, http.StatusRequestHeaderFieldsTooLarge, "request header fields too large", "request line and headers are "+itoa(n)+" bytes")
		return
	}
	if len(r.RequestURI) > rt.limits.maxURL {
		h.fail(w, x, http.StatusRequestURITooLong, "URI too long", "request target is "+itoa(len(r.RequestURI))+" bytes")
		return
	}
	if r.Method == http.MethodConnect || r.URL.Path == "" || r.URL.Path[0] != '/' {
		h.fail(w, x, http.StatusBadRequest, "bad request target", "request target "+quote(r.RequestURI))
		return
	}
	// The path exactly as it came on the wire: r.URL.EscapedPath() may
	// re-encode from the decoded form and so hide an encoded slash.
	raw := route.RequestPath(r.RequestURI)
	path, err := route.CanonicalPath(raw)
	if err != nil {
		h.fail(w, x, http.StatusBadRequest, err.Error(), "path "+quote(raw))
		return
	}
	x.ViewerPath, x.Path = path, path

	dist, behaviors, ok := rt.routes.Distribution(r.Host)
	if !ok {
		h.fail(w, x, http.StatusMisdirectedRequest, "unknown host", "no distribution serves host "+quote(r.Host))
		return
	}
	x.Dist = dist
	if path == "/" && dist.defaultRoot != "" {
		x.Path = dist.defaultRoot
	}
	x.behaviors = behaviors
	x.Behavior = behaviors.Match(x.Path)

	// Headers the gateway sets for the origin (the viewer's country) are
	// never taken from the viewer, whatever the behavior.
	stripViewerHeaders(r.Header)
	if d := runStages(x.Behavior.stages, x); d != nil {
		h.deny(w, rt, x, d)
		return
	}
	h.serve(w, rt, x)
}

// fail answers a request the gateway cannot route or parse.
func (h *handler) fail(w http.ResponseWriter, x *Exchange, status int, reason, detail string) {
	h.deny(w, nil, x, &Denial{Status: status, Reason: reason, Detail: detail, stage: "request"})
}

// deny answers with a stage's denial (or the distribution's custom error
// page for its status) and records it.
func (h *handler) deny(w http.ResponseWriter, rt *runtime, x *Exchange, d *Denial) {
	x.denial = d
	x.result = d.Result
	if x.result == "" {
		x.result = "Error"
	}
	x.detailedResult = d.DetailedResult
	if x.detailedResult == "" {
		x.detailedResult = x.result
	}
	h.metrics.denials.WithLabelValues(h.distMetrics(x).name, d.stage, d.Reason).Inc()
	attrs := []any{"request_id", x.ID, "stage", d.stage, "status", d.Status,
		"reason", d.Reason, "detail", d.Detail, "client", x.Viewer.String(), "method", x.Req.Method, "path", x.Req.URL.Path}
	if len(x.wafRules) > 0 {
		attrs = append(attrs, "waf_rules", joinIDs(x.wafRules))
	}
	h.log.Info("request denied", attrs...)
	for k, v := range d.Header {
		w.Header()[k] = v
	}
	if rt != nil && d.Page != "" && h.servePage(w, rt, x, d.Page, d.Status) {
		if d.DetailedResult != "" {
			x.detailedResult = d.DetailedResult
		}
		return
	}
	if rt != nil && h.serveErrorPage(w, rt, x, d.Status) {
		return
	}
	h.writeErrorBody(w, x, d)
}

// finish writes the access log line and the metrics of a request.
func (h *handler) finish(rt *runtime, x *Exchange) {
	if x.waf != nil {
		x.waf.Close() // the logging phase and the audit record
	}
	if err := x.Req.Context().Err(); err != nil && x.status == 0 {
		x.result, x.detailedResult = "Error", "ClientCommunicationError"
	}
	dm := h.distMetrics(x)
	dm.request(x.status, x.result).Inc()
	dm.bytesSent.Add(float64(x.bodyBytes))
	dm.bytesReceived.Add(float64(x.bodyReceived()))
	if x.cache != nil {
		h.metrics.cache.record(dm, x)
	}
	if rt.logOn {
		rt.log.Log(x.logEntry(rt.cfg.NodeName, h.now()))
	}
}

// distMetrics are the series of the request's distribution, or of "-"
// for requests that never reached one.
func (h *handler) distMetrics(x *Exchange) *distMetrics {
	if x.Dist != nil {
		return x.Dist.metrics
	}
	return h.metrics.forDistribution("-")
}

var errClientGone = errors.New("viewer closed the connection")

// requestHeadSize is the size of the request line and headers as sent in
// HTTP/1.1 form ("Name: value\r\n" per field), whatever the protocol.
func requestHeadSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len("HTTP/1.1\r\n") + 2
	n += len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}
