package gateway

import "net/http"

// inspectResponse runs the WAF's response phases on an origin response
// when the behavior's policy asks for them (response_inspection: true);
// otherwise it does nothing and the response streams as it comes
// (Server-Sent Events, downloads). It reports whether the response may
// be sent: when refused, the viewer has been answered with the refusal
// instead, and nothing of the response is stored in the cache.
//
// Only origin responses are inspected. A cache hit serves an object
// whose response was inspected when it was fetched (a refused response
// is never stored).
func (h *handler) inspectResponse(w http.ResponseWriter, rt *runtime, x *Exchange, resp *http.Response) bool {
	if !x.inspectsResponse() {
		return true
	}
	rv := x.waf.InspectResponse(resp.StatusCode, resp.Proto, resp.Header, resp.Body)
	if len(rv.RuleIDs) > 0 {
		x.wafRules = rv.RuleIDs
	}
	if !rv.Allowed {
		h.deny(w, rt, x, &Denial{Status: rv.Status, Reason: rv.Reason, Detail: rv.Detail, stage: "waf"})
		return false
	}
	if rv.Body != nil && rv.Body != resp.Body {
		resp.Body = replayBody{Reader: rv.Body, Closer: resp.Body}
	}
	return true
}

// inspectsResponse reports whether the request's WAF verdict asks for
// the response phases.
func (x *Exchange) inspectsResponse() bool { return x.waf != nil && x.waf.InspectsResponse() }
