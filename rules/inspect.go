package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/corazawaf/coraza/v3/types"
)

// Verdict is what the WAF decided about a request. A Verdict that holds
// a transaction must be closed (Close) once the response is sent.
type Verdict struct {
	Allowed bool
	// Status, Reason and Detail, when refused: Reason is short and safe
	// for the viewer, Detail is for the log.
	Status int
	Reason string
	Detail string
	// Rule is the rule that refused the request (0: none, or a refusal
	// that is not a rule's, such as the body limit).
	Rule int
	// RuleIDs are the rules that matched and log, in the order they
	// matched, for the access log.
	RuleIDs []int
	// Body, when allowed, is the whole request body for the origin: what
	// was read for inspection, then the rest.
	Body io.Reader

	e        *Engine
	tx       types.Transaction
	req      auditRequest
	recheck  string           // the recheck cache key, or ""
	refused  bool             // by the request or the response phases
	redact   bool             // Request.Redact
	response *ResponseVerdict // the response phases' refusal
	pruned   int              // rules pruning took out (prune.go)
}

// Inspect runs the request phases (headers, then body) on r. It never
// returns nil, and any failure inside the engine is a refusal (fail
// closed), a panic included.
func (e *Engine) Inspect(r *Request) (v *Verdict) {
	if e.spec.Mode == Off {
		return &Verdict{Allowed: true, Body: r.Body}
	}
	var key string
	if e.recheck != nil {
		if key = recheckKey(r); key != "" && e.recheck.allowed(key) {
			return &Verdict{Allowed: true, Body: r.Body}
		}
	}
	tx := e.newTransaction(r.ID)
	v = &Verdict{e: e, tx: tx, recheck: key, redact: r.Redact}
	if r.Redact {
		e.redact.add(tx.ID()) // until Close, after the logging phase
	}
	if e.auditLog != nil {
		v.req = auditRequest{ID: tx.ID(), Client: addrString(r.Client.Addr()), Method: r.Method, URI: r.URI, Host: r.Host}
	}
	defer func() {
		if p := recover(); p != nil {
			// The transaction's state is unknown: it is dropped, not
			// returned to Coraza's pool.
			if r.Redact {
				e.redact.remove(tx.ID())
			}
			v.tx = nil
			e.release()
			v = &Verdict{Status: http.StatusForbidden, Reason: reasonFailed, Detail: fmt.Sprintf("panic in the WAF: %v", p)}
		}
	}()
	applyExclusions(e.exclusions, tx, r.path())
	h := e.headerFeed(tx)
	defer h.done()
	tx.ProcessConnection(addrString(r.Client.Addr()), int(r.Client.Port()), addrString(r.Server.Addr()), int(r.Server.Port()))
	tx.ProcessURI(r.URI, r.Method, r.Proto)
	h.target(r.Method, r.URI, r.Proto)
	// net/http moves Host out of the header map. HTTP/1.1 requires the
	// header (net/http refuses a request without one), so an empty Host
	// there was sent empty (CRS 920290), not left out (920280).
	if r.Host != "" || r.Proto == "HTTP/1.1" {
		h.add("Host", r.Host)
		tx.SetServerName(hostOnly(r.Host))
	}
	for k, vs := range r.Header {
		for _, val := range vs {
			h.add(k, val)
		}
	}
	for _, te := range r.TransferEncoding {
		h.add("Transfer-Encoding", te)
	}
	h.pruneEarly()
	v.pruned = h.pruned
	if it := tx.ProcessRequestHeaders(); it != nil {
		return v.refuse(it)
	}
	body, err := e.requestBody(v, tx, r)
	if err != nil {
		return v
	}
	h.pruneLate(body[:min(int64(len(body)), e.spec.RequestBodyLimit)]) // what Coraza was given
	v.pruned = h.pruned
	it, err := tx.ProcessRequestBody()
	switch {
	case err != nil:
		return v.fail("inspecting the request body: " + err.Error())
	case it != nil:
		return v.refuse(it)
	case tx.IsInterrupted(): // defensive: an interruption no call returned
		return v.refuse(tx.Interruption())
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

// errDecided says requestBody has set the verdict.
var errDecided = errors.New("decided")

// requestBody reads at most the limit of r's body and hands it to the
// transaction. It returns what it read (to be replayed to the origin),
// or errDecided with the verdict set (refused, or a read failure).
func (e *Engine) requestBody(v *Verdict, tx types.Transaction, r *Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	limit := e.spec.RequestBodyLimit
	reject := e.spec.BodyLimitAction == RejectOverLimit && !e.spec.detectOnly()
	if r.ContentLength > limit && reject {
		v.tooLarge(fmt.Sprintf("Content-Length %d is over the inspection limit of %d bytes", r.ContentLength, limit))
		return nil, errDecided
	}
	body, err := readAtMost(r.Body, limit+1, r.ContentLength)
	if err != nil {
		v.fail("reading the request body: " + err.Error())
		return nil, errDecided
	}
	inspect := body
	if int64(len(body)) > limit {
		if reject {
			v.tooLarge(fmt.Sprintf("the body is over the inspection limit of %d bytes", limit))
			return nil, errDecided
		}
		inspect = body[:limit]
	}
	if len(inspect) > 0 {
		it, _, err := tx.WriteRequestBody(inspect)
		switch {
		case err != nil:
			v.fail("inspecting the request body: " + err.Error())
			return nil, errDecided
		case it != nil:
			v.refuse(it)
			return nil, errDecided
		}
	}
	return body, nil
}

// readAtMost reads up to n bytes of r, sizing its buffer from the
// declared length when there is one.
func readAtMost(r io.Reader, n, declared int64) ([]byte, error) {
	size := int64(512)
	if declared >= 0 {
		size = declared + 1 // room to see EOF without growing
	}
	buf := make([]byte, 0, min(size, n))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(cap(buf)), n-int64(len(buf)))))
		}
		m, err := r.Read(buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

const (
	reasonBlocked  = "request blocked by the WAF"
	reasonFailed   = "request could not be inspected"
	reasonTooLarge = "request body too large to inspect"
)

// refuse sets the verdict for an interruption.
func (v *Verdict) refuse(it *types.Interruption) *Verdict {
	v.Allowed, v.refused = false, true
	v.Status, v.Reason, v.Rule = interruptionStatus(it), reasonBlocked, it.RuleID
	v.RuleIDs = matchedIDs(v.tx)
	v.Detail = interruptionDetail(v.tx, it, v.redact)
	return v
}

// interruptionStatus is the status a refusal answers: the rule's own 4xx
// or 5xx (Coraza's request-body parsing rules say 400), else 403. A
// redirect or a drop is refused plainly: the gateway answers, not Coraza.
func interruptionStatus(it *types.Interruption) int {
	if it.Action == "deny" && it.Status >= 400 && it.Status < 600 {
		return it.Status
	}
	return http.StatusForbidden
}

func interruptionDetail(tx types.Transaction, it *types.Interruption, redact bool) string {
	d := "rule " + strconv.Itoa(it.RuleID) + " " + it.Action
	for _, mr := range tx.MatchedRules() {
		if mr.Rule().ID() == it.RuleID && mr.Message() != "" {
			msg, data := mr.Message(), mr.Data()
			if redact {
				msg, data = safeMessage(mr, msg), safeMessage(mr, data)
			}
			d += ": " + msg
			if data != "" {
				d += " (" + data + ")"
			}
			return d
		}
	}
	if it.Data != "" {
		if redact {
			return d + ": " + Withheld
		}
		d += ": " + it.Data
	}
	return d
}

func (v *Verdict) tooLarge(detail string) *Verdict {
	v.Allowed, v.refused = false, true
	v.Status, v.Reason, v.Detail = http.StatusRequestEntityTooLarge, reasonTooLarge, detail
	return v
}

// fail refuses a request whose inspection failed.
func (v *Verdict) fail(detail string) *Verdict {
	v.Allowed, v.refused = false, true
	v.Status, v.Reason, v.Detail = http.StatusForbidden, reasonFailed, detail
	return v
}

// Close ends the transaction: the logging phase (phase 5), the audit log
// record of a refused request, then release. Call it once the response
// has been sent, or at once for a refusal; more calls do nothing.
func (v *Verdict) Close() {
	if v.tx == nil {
		return
	}
	tx := v.tx
	v.tx = nil
	defer func() {
		if p := recover(); p != nil {
			// A transaction that panics is not returned to Coraza's
			// pool; the engine is released all the same.
			v.e.release()
		}
	}()
	tx.ProcessLogging()
	if v.refused && v.e.auditLog != nil {
		v.e.writeAudit(v, tx, time.Now())
	}
	if v.redact {
		v.e.redact.remove(tx.ID())
	}
	if v.recheck != "" && !v.refused && v.Allowed && !tx.IsInterrupted() && len(matchedIDs(tx)) == 0 {
		v.e.recheck.remember(v.recheck)
	}
	_ = tx.Close()
	v.e.release()
}

// logs reports whether a matched rule logs (Coraza's rules that say
// nolog, such as the CRS's setup rules, do not).
type logs interface{ Log() bool }

// matchedIDs are the ids of the rules that matched and log, in order.
func matchedIDs(tx types.Transaction) []int {
	var ids []int
	for _, mr := range tx.MatchedRules() {
		if l, ok := mr.(logs); ok && !l.Log() || !ok && mr.Message() == "" {
			continue
		}
		ids = append(ids, mr.Rule().ID())
	}
	return ids
}
