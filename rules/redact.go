package rules

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/corazawaf/coraza/v3/types"
)

// Withheld is what the logs say instead of a rule's message or data when
// the request's fields must not be logged (Request.Redact).
const Withheld = "withheld: field-level encryption"

// redactions are the ids of the open transactions whose requests carry
// fields that must not be logged: Coraza's match callback gets only the
// matched rule, whose transaction id says which request it belongs to.
type redactions struct{ ids sync.Map }

func (r *redactions) add(id string)           { r.ids.Store(id, struct{}{}) }
func (r *redactions) remove(id string)        { r.ids.Delete(id) }
func (r *redactions) has(id string) (ok bool) { _, ok = r.ids.Load(id); return ok }

// ruleText reports whether s, a match's message or data, is the rule's own
// text: no macro put anything of the request into it. Anything else may
// carry a field's value and is withheld from a redacted request's logs.
func ruleText(mr types.MatchedRule, s string) bool {
	return s == "" || strings.Contains(mr.Rule().Raw(), s)
}

// safeMessage is s, a message or data of mr, or Withheld when it is not
// the rule's own text.
func safeMessage(mr types.MatchedRule, s string) string {
	if ruleText(mr, s) {
		return s
	}
	return Withheld
}

// redactedErrorLog is mr's match-log line in the format of
// MatchedRule.ErrorLog (ModSecurity's error log), with every message and
// data that is not the rule's own text withheld. Nothing of the request
// but its URI, which field-level encryption does not cover (the fields
// are in the body), is written.
func redactedErrorLog(mr types.MatchedRule) string {
	r := mr.Rule()
	var b strings.Builder
	fmt.Fprintf(&b, "[client %q] ", mr.ClientIPAddress())
	if mr.Disruptive() {
		fmt.Fprintf(&b, "Coraza: Disruptive action (phase %d). ", r.Phase())
	} else {
		b.WriteString("Coraza: Warning. ")
	}
	mds := mr.MatchedDatas()
	msg, data := "", ""
	if len(mds) > 0 {
		msg, data = mds[0].Message(), mds[0].Data()
		for _, md := range mds { // the first message of a chain, as ErrorLog
			if md.Message() != "" {
				msg = md.Message()
				break
			}
		}
	}
	msg, data = safeMessage(mr, msg), safeMessage(mr, data)
	b.WriteString(msg)
	fmt.Fprintf(&b, " [file %q] [line %q] [id %q] [rev %q] [msg %q] [data %q] [severity %q] [ver %q] [maturity %q] [accuracy %q]",
		r.File(), strconv.Itoa(r.Line()), strconv.Itoa(r.ID()), r.Revision(), msg, data, r.Severity().String(), r.Version(),
		strconv.Itoa(r.Maturity()), strconv.Itoa(r.Accuracy()))
	for _, t := range r.Tags() {
		fmt.Fprintf(&b, " [tag %q]", t)
	}
	fmt.Fprintf(&b, " [hostname %q] [uri %q] [unique_id %q]", mr.ServerIPAddress(), mr.URI(), mr.TransactionID())
	for n, md := range mds {
		if n > 0 && (md.Message() != "" || md.Data() != "") {
			fmt.Fprintf(&b, "[msg_match_%d %q] [data_match_%d %q]", n, safeMessage(mr, md.Message()), n, safeMessage(mr, md.Data()))
		}
	}
	return b.String()
}
