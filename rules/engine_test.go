package rules

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestInspectBlockMode(t *testing.T) {
	e := engine(t, baseSpec())
	cases := []struct {
		name    string
		req     *Request
		allowed bool
		status  int
		rule    int // a rule id that must be among the matched ones
	}{
		{"benign GET", get("/index.html?page=2", nil), true, 0, 0},
		{"benign form POST", post("/login", "application/x-www-form-urlencoded", "user=alice&password=hunter2"), true, 0, 0},
		{"SQL injection in the query", get("/search?q="+sqli, nil), false, 403, 942100},
		{"XSS in the query", get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", nil), false, 403, 941100},
		{"SQL injection in a form body", post("/login", "application/x-www-form-urlencoded", "user=admin'--&password=x%27%20or%20%271%27=%271"), false, 403, 942100},
		{"path traversal", get("/download?file=../../../../etc/passwd", nil), false, 403, 930100},
		{"unparsable JSON body (Coraza's rule 200002)", post("/api", "application/json", `{"a":`), false, 400, 200002},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := inspect(t, e, c.req)
			if v.Allowed != c.allowed || v.Status != c.status {
				t.Fatalf("allowed %v status %d (%s), want %v %d; rules %v", v.Allowed, v.Status, v.Detail, c.allowed, c.status, v.RuleIDs)
			}
			if c.rule != 0 && !slices.Contains(v.RuleIDs, c.rule) {
				t.Errorf("rules %v, want %d among them", v.RuleIDs, c.rule)
			}
			if !c.allowed && c.status == 403 {
				if v.Reason != reasonBlocked || v.Rule != 949110 || !strings.HasPrefix(v.Detail, "rule 949110 deny: Inbound Anomaly Score Exceeded") {
					t.Errorf("reason %q rule %d detail %q", v.Reason, v.Rule, v.Detail)
				}
			}
			if c.allowed {
				if v.Body != c.req.Body && c.req.Body != nil {
					if got, _ := io.ReadAll(v.Body); len(got) == 0 {
						t.Error("the body for the origin is empty")
					}
				}
			}
		})
	}
}

func TestInspectDetectMode(t *testing.T) {
	s := baseSpec()
	s.Mode = Detect
	v := inspect(t, engine(t, s), get("/search?q="+sqli, nil))
	if !v.Allowed || !slices.Contains(v.RuleIDs, 942100) || !slices.Contains(v.RuleIDs, 949110) {
		t.Fatalf("detect mode: allowed %v rules %v; want allowed with 942100 and 949110 logged", v.Allowed, v.RuleIDs)
	}
}

func TestInspectOff(t *testing.T) {
	s := baseSpec()
	s.Mode = Off
	r := get("/search?q="+sqli, nil)
	v := inspect(t, engine(t, s), r)
	if !v.Allowed || len(v.RuleIDs) != 0 || v.InspectsResponse() {
		t.Fatalf("off: allowed %v rules %v inspects response %v", v.Allowed, v.RuleIDs, v.InspectsResponse())
	}
}

// TestExclusions: a rule removed for a path pattern, and a target of a
// rule removed for another; elsewhere both still block. Patterns match
// the canonical path, never the raw target.
func TestExclusions(t *testing.T) {
	s := baseSpec()
	s.Exclusions = []Exclusion{
		{Path: "/api/sql/*", RemoveRules: []int{949110}},
		{Path: "/search", RemoveTargets: map[int][]string{942100: {"ARGS:q"}}},
		{Path: "/item/?", RemoveRules: []int{949110}},
	}
	e := engine(t, s)
	for _, c := range []struct {
		name    string
		req     *Request
		allowed bool
		has942  bool
	}{
		{"excluded path", get("/api/sql/run?q="+sqli, nil), true, true},
		{"another path", get("/other?q="+sqli, nil), false, true},
		{"? is one character", get("/item/7?q="+sqli, nil), true, true},
		{"? is not two", get("/item/77?q="+sqli, nil), false, true},
		{"target removed", get("/search?q="+sqli, nil), true, false},
		{"other targets kept", get("/search?other="+sqli, nil), false, true},
		{"target name is case-insensitive", get("/search?Q="+sqli, nil), true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := inspect(t, e, c.req)
			if v.Allowed != c.allowed || slices.Contains(v.RuleIDs, 942100) != c.has942 {
				t.Errorf("allowed %v rules %v; want allowed %v, 942100 matched %v", v.Allowed, v.RuleIDs, c.allowed, c.has942)
			}
		})
	}
	// The raw target climbs out of the excluded prefix; the canonical
	// path (what the request is routed on) is /admin: not excluded.
	r := get("/api/sql/../../admin?q="+sqli, nil)
	r.Path = "/admin"
	if v := inspect(t, e, r); v.Allowed {
		t.Errorf("a raw target inside the excluded prefix, routed elsewhere, was let through: rules %v", v.RuleIDs)
	}
}

// TestBodyLimit: over the limit, refused (413) or only the prefix is
// inspected; the origin always gets the whole body. Detect mode never
// refuses for size.
func TestBodyLimit(t *testing.T) {
	s := baseSpec()
	s.RequestBodyLimit = 64
	big := "a=" + strings.Repeat("x", 100) + "&b=" + sqli
	for _, c := range []struct {
		name          string
		contentLength int64
	}{{"declared length", int64(len(big))}, {"chunked", -1}} {
		r := post("/f", "application/x-www-form-urlencoded", big)
		r.ContentLength = c.contentLength
		if v := inspect(t, engine(t, s), r); v.Allowed || v.Status != 413 || v.Reason != reasonTooLarge {
			t.Errorf("reject, %s: allowed %v status %d reason %q", c.name, v.Allowed, v.Status, v.Reason)
		}
	}
	exact := "a=" + strings.Repeat("x", 62)
	if v := inspect(t, engine(t, s), post("/f", "application/x-www-form-urlencoded", exact)); !v.Allowed {
		t.Errorf("a body of exactly the limit was refused: %s", v.Detail)
	}

	for _, mode := range []Mode{Block, Detect} {
		p := s
		p.Mode = mode
		if mode == Block {
			p.BodyLimitAction = InspectPrefix
		}
		v := inspect(t, engine(t, p), post("/f", "application/x-www-form-urlencoded", big))
		if !v.Allowed {
			t.Fatalf("mode %d: refused (%s); the attack is past the inspected prefix", mode, v.Detail)
		}
		got, _ := io.ReadAll(v.Body)
		if string(got) != big {
			t.Fatalf("mode %d: the origin would get %q, want the whole %d bytes", mode, got, len(big))
		}
	}
	s.BodyLimitAction = InspectPrefix
	if v := inspect(t, engine(t, s), post("/f", "application/x-www-form-urlencoded", "b="+sqli)); v.Allowed {
		t.Fatal("prefix: an attack inside the limit was not blocked")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

type panickingReader struct{}

func (panickingReader) Read([]byte) (int, error) { panic("broken reader") }

// TestFailClosed: an error or a panic while inspecting refuses the
// request with 403, never lets it through.
func TestFailClosed(t *testing.T) {
	e := engine(t, baseSpec())
	for _, c := range []struct {
		name   string
		body   io.Reader
		detail string
	}{
		{"read error", io.MultiReader(strings.NewReader("a=1&b="), failingReader{}), "reading the request body: unexpected EOF"},
		{"panic", panickingReader{}, "panic in the WAF: broken reader"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := post("/f", "application/x-www-form-urlencoded", "")
			r.Body, r.ContentLength = c.body, -1
			v := inspect(t, e, r)
			if v.Allowed || v.Status != 403 || v.Reason != reasonFailed || v.Detail != c.detail {
				t.Fatalf("allowed %v status %d reason %q detail %q", v.Allowed, v.Status, v.Reason, v.Detail)
			}
		})
	}
	if n := e.refs.Load(); n != 1 {
		t.Errorf("%d references held after failed inspections, want 1 (the owner's)", n-1)
	}
}

// TestMatchLog: one line per matched rule, written while the request is
// inspected (before the verdict is returned), request id as unique_id.
func TestMatchLog(t *testing.T) {
	var buf syncBuffer
	s := baseSpec()
	s.MatchLog = &buf
	s.LogName = "match-log-test"
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := get("/search?q="+sqli, nil)
	r.ID = "req-1234"
	v := e.Inspect(r)
	written := buf.String()
	v.Close()
	if !strings.Contains(written, `[id "942100"]`) || !strings.Contains(written, `[msg "`) || !strings.Contains(written, `[unique_id "req-1234"]`) {
		t.Errorf("match log before the verdict:\n%s", written)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(v.RuleIDs)+1 { // the logging phase adds 980170's summary
		t.Errorf("%d lines for %d matched rules:\n%s", len(lines), len(v.RuleIDs), buf.String())
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, `[client "192.0.2.10"] Coraza: Access denied`) && !strings.HasPrefix(line, `[client "192.0.2.10"] Coraza: Warning.`) {
			t.Errorf("not a ModSecurity error-log line: %q", line)
		}
	}
}

// TestMatchLogOneLinePerMatch: a message carrying a line break from the
// request stays on one line.
func TestMatchLogOneLinePerMatch(t *testing.T) {
	var buf syncBuffer
	s := baseSpec()
	s.MatchLog = &buf
	s.Rules = []RuleFile{{Name: "site.conf", Data: []byte(`SecRule ARGS:note "@rx ." "id:100010,phase:2,pass,log,msg:'note %{MATCHED_VAR}'"` + "\n")}}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Inspect(post("/f", "application/x-www-form-urlencoded", "note=a%0Ab%0D%0Ac")).Close()
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "[client ") {
			t.Errorf("a line broken by the request's data: %q", line)
		}
	}
	if !strings.Contains(buf.String(), `note a\nb\r\nc`) {
		t.Errorf("message not escaped:\n%s", buf.String())
	}
}

// TestAuditLog: one JSON object per refused request, none for allowed
// ones; no headers or bodies in it.
func TestAuditLog(t *testing.T) {
	var buf syncBuffer
	s := baseSpec()
	s.AuditLog = &buf
	s.LogName = "audit-log-test"
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Inspect(get("/ok", nil)).Close()
	r := get("/search?q="+sqli, http.Header{"Cookie": {"session=secret-cookie"}})
	r.ID = "req-9"
	e.Inspect(r).Close()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d audit records, want 1:\n%s", len(lines), buf.String())
	}
	var rec auditRecord
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Request.ID != "req-9" || rec.Status != 403 || rec.Request.Client != "192.0.2.10" || rec.Request.URI != "/search?q="+sqli || len(rec.Rules) < 2 {
		t.Errorf("record %+v", rec)
	}
	if strings.Contains(lines[0], "secret-cookie") {
		t.Error("the audit record carries a cookie")
	}
}

// TestRuleFileErrors: a bad operator rule file is named with its line.
func TestRuleFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, data, want string
	}{
		{"unknown operator", "# site rules\nSecRule ARGS \"@rx ok\" \"id:100001,phase:1,deny,status:403\"\n\nSecRule ARGS \"@nope x\" \\\n  \"id:100002,phase:1,deny\"\n",
			`site.conf:4: failed to compile the directive "secrule": operator nope not found`},
		{"duplicate id with the CRS", "SecRule ARGS \"@rx x\" \"id:942100,phase:1,deny\"\n",
			`site.conf:1: failed to compile the directive "secrule": duplicated rule id 942100`},
		{"duplicate id in the file", "SecRule ARGS \"@rx x\" \"id:100001,phase:1,deny\"\n#\nSecRule ARGS \"@rx y\" \"id:100001,phase:1,deny\"\n",
			`site.conf:3: failed to compile the directive "secrule": duplicated rule id 100001`},
		{"unknown directive", "SecFoo bar\n", `site.conf:1: unknown directive "secfoo"`},
		{"bad regular expression", "SecRule ARGS \"@rx (\" \"id:100003,phase:1,deny\"\n", "site.conf:1: failed to compile the directive \"secrule\": error parsing regexp: missing closing ): `(?sm)(`"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec()
			s.Rules = []RuleFile{{Name: "other.conf", Data: []byte("# nothing\n")}, {Name: "site.conf", Data: []byte(c.data)}}
			_, err := NewEngine(s)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error\n %v\nwant\n %s", err, c.want)
			}
		})
	}
	s := baseSpec()
	s.Rules = []RuleFile{{Name: "site.conf", Data: []byte("SecRule ARGS:secret \"@streq open-sesame\" \"id:100001,phase:1,deny,status:403,log,msg:'site rule'\"\n")}}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if v := inspect(t, e, get("/x?secret=open-sesame", nil)); v.Allowed || v.Rule != 100001 || v.Detail != "rule 100001 deny: site rule" {
		t.Errorf("the site rule did not decide: allowed %v rule %d detail %q", v.Allowed, v.Rule, v.Detail)
	}
}

func TestSpecValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*Spec)
		want string
	}{
		{"mode", func(s *Spec) { s.Mode = 7 }, "mode 7: Block, Detect or Off"},
		{"paranoia", func(s *Spec) { s.ParanoiaLevel = 5 }, "paranoia level 5: 1 to 4"},
		{"threshold", func(s *Spec) { s.InboundAnomalyThreshold = 0 }, "anomaly thresholds must be at least 1"},
		{"body limit", func(s *Spec) { s.RequestBodyLimit = 0 }, "the request body limit must be at least 1 byte"},
		{"body limit action", func(s *Spec) { s.BodyLimitAction = 3 }, "body limit action 3: RejectOverLimit or InspectPrefix"},
		{"response body limit", func(s *Spec) { s.ResponseBodyLimit = -1 }, "the response body limit cannot be negative"},
		{"exclusion path", func(s *Spec) { s.Exclusions = []Exclusion{{Path: "api", RemoveRules: []int{1}}} }, `exclusion path "api" must start with / or *`},
		{"exclusion rule", func(s *Spec) { s.Exclusions = []Exclusion{{Path: "/a", RemoveRules: []int{0}}} }, "exclusion /a: 0 is not a rule id"},
		{"target syntax", func(s *Spec) {
			s.Exclusions = []Exclusion{{Path: "/a", RemoveTargets: map[int][]string{942100: {"ARGS:q\" ,deny"}}}}
		}, `exclusion /a: rule 942100: target "ARGS:q\" ,deny": write VARIABLE or VARIABLE:name, a name of letters, digits and _.-[]`},
		{"target variable", func(s *Spec) {
			s.Exclusions = []Exclusion{{Path: "/a", RemoveTargets: map[int][]string{942100: {"NOPE:q"}}}}
		}, `exclusion /a: rule 942100: target "NOPE:q": "NOPE" is not a SecLang variable such as ARGS or REQUEST_COOKIES`},
		{"rule file name", func(s *Spec) { s.Rules = []RuleFile{{Data: []byte("#")}} }, "a rule file needs a name (for error messages)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec()
			c.mod(&s)
			if _, err := NewEngine(s); err == nil || err.Error() != c.want {
				t.Errorf("%v, want %q", err, c.want)
			}
		})
	}
}

func TestSpecKey(t *testing.T) {
	a, b := baseSpec(), baseSpec()
	a.Exclusions = []Exclusion{{Path: "/s", RemoveTargets: map[int][]string{2: {"ARGS:b"}, 1: {"ARGS:a"}}}}
	b.Exclusions = []Exclusion{{Path: "/s", RemoveTargets: map[int][]string{1: {"ARGS:a"}, 2: {"ARGS:b"}}}}
	b.MatchLog = io.Discard // a writer is not content
	if a.Key() != b.Key() {
		t.Error("equal specs have different keys")
	}
	for name, mod := range map[string]func(*Spec){
		"paranoia":  func(s *Spec) { s.ParanoiaLevel = 2 },
		"rule data": func(s *Spec) { s.Rules = []RuleFile{{Name: "a", Data: []byte("x")}} },
		"log name":  func(s *Spec) { s.LogName = "/var/log/other.log" },
		"test mode": func(s *Spec) { s.TestMode = true },
	} {
		c := b
		mod(&c)
		if a.Key() == c.Key() {
			t.Errorf("%s: different specs share a key", name)
		}
	}
}
