package rules

import (
	"strings"
	"testing"
)

// TestRedact: a request marked Redact (a behavior with field-level
// encryption) leaves no matched value in the match log, the audit log or
// the refusal's detail, even from rules whose messages expand the matched
// variable; the same request unmarked does (so the check can fail); the
// rule ids and the rules' own texts stay.
func TestRedact(t *testing.T) {
	const secret = "4111111111111111"
	const site = `SecRule ARGS_POST:note "@rx hello" "id:100502,phase:2,pass,log,msg:'Static note message',logdata:'static data'"
SecRule ARGS_POST:card_number "@rx ^4[0-9]{15}$" "id:100501,phase:2,deny,status:403,log,msg:'card %{MATCHED_VAR} in %{MATCHED_VAR_NAME}',logdata:'seen %{MATCHED_VAR}'"
`
	for _, redact := range []bool{true, false} {
		e, matchLog := siteEngine(t, site)
		audit := &syncBuffer{}
		e.auditLog = audit
		r := post("/checkout", "application/x-www-form-urlencoded", "note=hello&card_number="+secret)
		r.ID, r.Redact = "req-redact", redact
		v := e.Inspect(r)
		detail := v.Detail
		if v.Allowed || v.Rule != 100501 {
			t.Fatalf("redact=%v: verdict %+v, want refused by 100501", redact, v)
		}
		v.Close()
		logs := map[string]string{"match log": matchLog.String(), "audit log": audit.String(), "detail": detail}
		for name, text := range logs {
			if got := strings.Contains(text, secret); got == redact {
				t.Errorf("redact=%v: %s holds the card number: %v\n%s", redact, name, got, text)
			}
		}
		if !redact {
			continue
		}
		ml := matchLog.String()
		for _, want := range []string{`[id "100501"]`, `[msg "` + Withheld + `"]`, `[data "` + Withheld + `"]`,
			`[id "100502"]`, `[msg "Static note message"]`, `[data "static data"]`, `[unique_id "req-redact"]`} {
			if !strings.Contains(ml, want) {
				t.Errorf("the redacted match log lacks %s:\n%s", want, ml)
			}
		}
		if e.redact.has("req-redact") {
			t.Error("the transaction is still marked for redaction after Close")
		}
	}
}
