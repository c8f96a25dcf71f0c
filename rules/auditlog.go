package rules

import (
	"encoding/json"
	"time"

	"github.com/corazawaf/coraza/v3/types"
)

// The audit log has one JSON object per refused request (or response),
// written when its transaction ends. It names the request and every rule
// that matched and logs, with the rule's message and data; it carries no
// headers, cookies or bodies (they may hold secrets).

type auditRequest struct {
	ID     string `json:"request_id"`
	Client string `json:"client"`
	Method string `json:"method"`
	URI    string `json:"uri"`
	Host   string `json:"host,omitempty"`
}

type auditRecord struct {
	Time    string       `json:"time"`
	Request auditRequest `json:"request"`
	Status  int          `json:"status"`
	Reason  string       `json:"reason"`
	Detail  string       `json:"detail"`
	Rules   []auditMatch `json:"rules"`
}

type auditMatch struct {
	ID       int    `json:"id"`
	Phase    int    `json:"phase"`
	Severity string `json:"severity,omitempty"`
	Msg      string `json:"msg,omitempty"`
	Data     string `json:"data,omitempty"`
}

func (e *Engine) writeAudit(v *Verdict, tx types.Transaction, now time.Time) {
	rec := auditRecord{Time: now.UTC().Format(time.RFC3339Nano), Request: v.req, Status: v.Status, Reason: v.Reason, Detail: v.Detail, Rules: []auditMatch{}}
	if v.response != nil { // refused in the response phases
		rec.Status, rec.Reason, rec.Detail = v.response.Status, v.response.Reason, v.response.Detail
	}
	for _, mr := range tx.MatchedRules() {
		if l, ok := mr.(logs); ok && !l.Log() {
			continue
		}
		r := mr.Rule()
		msg, data := mr.Message(), mr.Data()
		if v.redact {
			msg, data = safeMessage(mr, msg), safeMessage(mr, data)
		}
		rec.Rules = append(rec.Rules, auditMatch{ID: r.ID(), Phase: int(r.Phase()), Severity: r.Severity().String(), Msg: msg, Data: data})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	_, _ = e.auditLog.Write(append(b, '\n'))
}
