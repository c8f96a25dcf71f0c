package rules

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"

	"github.com/corazawaf/coraza/v3/types"
)

// Request is what the WAF inspects of one viewer request.
type Request struct {
	Method string
	// URI is the canonical path, percent-encoded, with the query:
	// REQUEST_FILENAME (and so exclusions) match the path the gateway
	// routes on.
	URI    string
	Proto  string // "HTTP/1.1"
	Host   string
	Header http.Header
	Client netip.AddrPort
	Server netip.AddrPort
	// Body is the request body (nil or http.NoBody for none), with its
	// declared length (-1 unknown).
	Body          io.Reader
	ContentLength int64
}

// Verdict is what the WAF decided about a request.
type Verdict struct {
	Allowed bool
	// Status, Reason and Detail, when refused: Reason is short and safe
	// for the viewer, Detail for the log.
	Status int
	Reason string
	Detail string
	// RuleIDs are the rules that matched (the one that interrupted
	// first), for the access log.
	RuleIDs []int
	// Body, when allowed, is the whole request body for the origin: what
	// was read for inspection, then the rest.
	Body io.Reader

	tx types.Transaction
}

// Close ends the transaction: the logging phase, then release. Call it
// once the response has been sent (or at once for a refusal).
func (v *Verdict) Close() {
	if v.tx == nil {
		return
	}
	v.tx.ProcessLogging()
	_ = v.tx.Close()
	v.tx = nil
}

// Inspect runs the request phases (headers, then body) on r. It never
// returns nil; any error inside the engine is a refusal (fail closed).
func (e *Engine) Inspect(r *Request) *Verdict {
	if e.spec.Mode == Off {
		return &Verdict{Allowed: true, Body: r.Body}
	}
	tx := e.waf.NewTransaction()
	v := &Verdict{tx: tx}
	tx.ProcessConnection(r.Client.Addr().String(), int(r.Client.Port()), r.Server.Addr().String(), int(r.Server.Port()))
	tx.ProcessURI(r.URI, r.Method, r.Proto)
	tx.AddRequestHeader("Host", r.Host)
	tx.SetServerName(hostOnly(r.Host))
	for k, vs := range r.Header {
		for _, val := range vs {
			tx.AddRequestHeader(k, val)
		}
	}
	if it := tx.ProcessRequestHeaders(); it != nil {
		return e.refuse(v, it)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		limit := e.spec.RequestBodyLimit
		if r.ContentLength > limit && e.spec.BodyLimitAction == RejectOverLimit {
			return e.tooLarge(v, fmt.Sprintf("Content-Length %d is over the inspection limit of %d bytes", r.ContentLength, limit))
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return e.failed(v, "reading the request body: "+err.Error())
		}
		inspect := body
		if int64(len(body)) > limit {
			if e.spec.BodyLimitAction == RejectOverLimit {
				return e.tooLarge(v, fmt.Sprintf("the body is over the inspection limit of %d bytes", limit))
			}
			inspect = body[:limit]
		}
		if it, _, err := tx.WriteRequestBody(inspect); err != nil {
			return e.failed(v, "inspecting the request body: "+err.Error())
		} else if it != nil {
			return e.refuse(v, it)
		}
	}
	it, err := tx.ProcessRequestBody()
	if err != nil {
		return e.failed(v, "inspecting the request body: "+err.Error())
	}
	if it != nil {
		return e.refuse(v, it)
	}
	v.Allowed = true
	v.RuleIDs = matchedIDs(tx)
	switch {
	case body == nil:
		v.Body = r.Body
	default:
		v.Body = io.MultiReader(bytes.NewReader(body), r.Body)
	}
	return v
}

// refuse is the verdict for an interruption.
func (e *Engine) refuse(v *Verdict, it *types.Interruption) *Verdict {
	v.Status = it.Status
	if v.Status < 400 { // a deny without a status, or a redirect/allow action: refuse plainly
		v.Status = http.StatusForbidden
	}
	v.RuleIDs = matchedIDs(v.tx)
	v.Reason = "request blocked by the WAF"
	v.Detail = "rule " + strconv.Itoa(it.RuleID) + " " + it.Action
	if it.Data != "" {
		v.Detail += ": " + it.Data
	}
	return v
}

func (e *Engine) tooLarge(v *Verdict, detail string) *Verdict {
	v.Status, v.Reason, v.Detail = http.StatusRequestEntityTooLarge, "request body too large to inspect", detail
	return v
}

// failed refuses a request whose inspection failed.
func (e *Engine) failed(v *Verdict, detail string) *Verdict {
	v.Status, v.Reason, v.Detail = http.StatusForbidden, "request could not be inspected", detail
	return v
}

// matchedIDs are the ids of the rules that matched and log, in order.
func matchedIDs(tx types.Transaction) []int {
	var ids []int
	for _, mr := range tx.MatchedRules() {
		if mr.Message() == "" {
			continue
		}
		ids = append(ids, mr.Rule().ID())
	}
	return ids
}

func hostOnly(h string) string {
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().String()
	}
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == ':' {
			return h[:i]
		}
		if h[i] < '0' || h[i] > '9' {
			break
		}
	}
	return h
}
