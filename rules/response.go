package rules

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/corazawaf/coraza/v3/types"
)

// ResponseVerdict is what the WAF decided about an origin's response.
type ResponseVerdict struct {
	Allowed bool
	// Status, Reason and Detail, when refused (the gateway answers the
	// status instead of the origin's response).
	Status int
	Reason string
	Detail string
	Rule   int
	// RuleIDs are the rules that matched and log, request phases
	// included, for the access log.
	RuleIDs []int
	// Body, when allowed, is the whole response body: what was read for
	// inspection, then the rest.
	Body io.Reader
}

// InspectsResponse reports whether InspectResponse has work to do: the
// request was allowed and the policy asks for response inspection. When
// false the gateway streams the response untouched (Server-Sent Events,
// downloads) and need not call InspectResponse.
func (v *Verdict) InspectsResponse() bool {
	return v.tx != nil && v.Allowed && v.e.spec.inspectsResponses()
}

// InspectResponse runs the response phases: headers (phase 3), then the
// body (phase 4). Only bodies of the types Coraza inspects (text/plain,
// text/html, text/xml) are read, at most the response body limit of
// them, then replayed ahead of the rest; any other body streams as it
// comes. A failure is a refusal (fail closed).
func (v *Verdict) InspectResponse(status int, proto string, h http.Header, body io.Reader) (rv *ResponseVerdict) {
	if !v.InspectsResponse() {
		return &ResponseVerdict{Allowed: true, Body: body}
	}
	tx := v.tx
	defer func() {
		if p := recover(); p != nil {
			rv = v.responseFailed(fmt.Sprintf("panic in the WAF: %v", p))
		}
	}()
	for k, vs := range h {
		for _, val := range vs {
			tx.AddResponseHeader(k, val)
		}
	}
	if it := tx.ProcessResponseHeaders(status, proto); it != nil {
		return v.responseRefused(it)
	}
	var read []byte
	if body != nil && body != http.NoBody && tx.IsResponseBodyProcessable() {
		limit := v.e.spec.responseBodyLimit()
		b, err := readAtMost(body, limit, -1)
		if err != nil {
			return v.responseFailed("reading the response body: " + err.Error())
		}
		read = b
		if len(b) > 0 {
			it, _, err := tx.WriteResponseBody(b)
			switch {
			case err != nil:
				return v.responseFailed("inspecting the response body: " + err.Error())
			case it != nil:
				return v.responseRefused(it)
			}
		}
	}
	it, err := tx.ProcessResponseBody()
	switch {
	case err != nil:
		return v.responseFailed("inspecting the response body: " + err.Error())
	case it != nil:
		return v.responseRefused(it)
	case tx.IsInterrupted():
		return v.responseRefused(tx.Interruption())
	}
	rv = &ResponseVerdict{Allowed: true, RuleIDs: matchedIDs(tx), Body: body}
	if read != nil {
		rv.Body = io.MultiReader(bytes.NewReader(read), body)
	}
	return rv
}

func (v *Verdict) responseRefused(it *types.Interruption) *ResponseVerdict {
	v.refused = true
	v.response = &ResponseVerdict{Status: interruptionStatus(it), Reason: "response blocked by the WAF", Detail: interruptionDetail(v.tx, it, v.redact),
		Rule: it.RuleID, RuleIDs: matchedIDs(v.tx)}
	return v.response
}

func (v *Verdict) responseFailed(detail string) *ResponseVerdict {
	v.refused = true
	v.response = &ResponseVerdict{Status: http.StatusBadGateway, Reason: "response could not be inspected", Detail: detail}
	return v.response
}
