package rules

import (
	"bytes"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
)

func baseSpec() Spec {
	return Spec{Mode: Block, ParanoiaLevel: 1, InboundAnomalyThreshold: 5, OutboundAnomalyThreshold: 4, RequestBodyLimit: 16 << 10}
}

var (
	engMu    sync.Mutex
	engCache = map[string]*Engine{}
)

// engine builds (once per spec, the CRS takes a while to compile) an
// engine for tests.
func engine(t testing.TB, s Spec) *Engine {
	t.Helper()
	engMu.Lock()
	defer engMu.Unlock()
	if e, ok := engCache[s.Key()]; ok {
		return e
	}
	e, err := NewEngine(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	engCache[s.Key()] = e
	return e
}

func get(uri string, hdr http.Header) *Request {
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) edgeward-test")
	hdr.Set("Accept", "text/html")
	return &Request{Method: "GET", URI: uri, Proto: "HTTP/1.1", Host: "d.test", Header: hdr,
		Client: netip.MustParseAddrPort("192.0.2.10:5000"), Server: netip.MustParseAddrPort("127.0.0.1:8080"), ContentLength: -1}
}

func post(uri, contentType, body string) *Request {
	r := get(uri, http.Header{"Content-Type": {contentType}})
	r.Method = "POST"
	r.Body = strings.NewReader(body)
	r.ContentLength = int64(len(body))
	return r
}

func inspect(t *testing.T, e *Engine, r *Request) *Verdict {
	t.Helper()
	v := e.Inspect(r)
	t.Cleanup(v.Close)
	return v
}

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
		{"SQL injection in the query", get("/search?q=1%27%20OR%201=1--", nil), false, 403, 942100},
		{"XSS in the query", get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", nil), false, 403, 941100},
		{"SQL injection in a form body", post("/login", "application/x-www-form-urlencoded", "user=admin'--&password=x%27%20or%20%271%27=%271"), false, 403, 942100},
		{"path traversal", get("/download?file=../../../../etc/passwd", nil), false, 403, 930100},
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
			if !c.allowed && (v.Reason != "request blocked by the WAF" || !strings.HasPrefix(v.Detail, "rule 949110 deny")) {
				t.Errorf("reason %q detail %q", v.Reason, v.Detail)
			}
		})
	}
}

func TestInspectDetectMode(t *testing.T) {
	s := baseSpec()
	s.Mode = Detect
	v := inspect(t, engine(t, s), get("/search?q=1%27%20OR%201=1--", nil))
	if !v.Allowed || !slices.Contains(v.RuleIDs, 942100) {
		t.Fatalf("detect mode: allowed %v rules %v; want allowed with 942100 logged", v.Allowed, v.RuleIDs)
	}
}

func TestInspectOff(t *testing.T) {
	s := baseSpec()
	s.Mode = Off
	v := inspect(t, engine(t, s), get("/search?q=1%27%20OR%201=1--", nil))
	if !v.Allowed || len(v.RuleIDs) != 0 {
		t.Fatalf("off: allowed %v rules %v", v.Allowed, v.RuleIDs)
	}
}

// TestExclusions: a rule removed for a path pattern, and a target of a
// rule removed for another; elsewhere both still block.
func TestExclusions(t *testing.T) {
	s := baseSpec()
	s.Exclusions = []Exclusion{
		{Path: "/api/sql/*", RemoveRules: []int{942100, 942190, 942260, 942340, 942370, 942330, 942390, 942300, 942360, 942430, 942440, 942370, 949110}},
		{Path: "/search", RemoveTargets: map[int][]string{942100: {"ARGS:q"}}},
	}
	e := engine(t, s)
	attack := "?q=1%27%20OR%201=1--"
	if v := inspect(t, e, get("/api/sql/run"+attack, nil)); !v.Allowed || slices.Contains(v.RuleIDs, 942100) {
		t.Errorf("excluded path: allowed %v rules %v", v.Allowed, v.RuleIDs)
	}
	if v := inspect(t, e, get("/other"+attack, nil)); v.Allowed {
		t.Errorf("another path is not excluded: allowed, rules %v", v.RuleIDs)
	}
	if v := inspect(t, e, get("/search"+attack, nil)); slices.Contains(v.RuleIDs, 942100) {
		t.Errorf("942100 still inspects ARGS:q on /search: rules %v", v.RuleIDs)
	}
	if v := inspect(t, e, get("/search?other=1%27%20OR%201=1--", nil)); !slices.Contains(v.RuleIDs, 942100) {
		t.Errorf("942100 no longer inspects other arguments on /search: rules %v", v.RuleIDs)
	}
}

// TestBodyLimit: over the limit, refused (413) or only the prefix is
// inspected; the origin always gets the whole body.
func TestBodyLimit(t *testing.T) {
	s := baseSpec()
	s.RequestBodyLimit = 64
	big := "a=" + strings.Repeat("x", 100) + "&b=1%27%20OR%201=1--"
	if v := inspect(t, engine(t, s), post("/f", "application/x-www-form-urlencoded", big)); v.Allowed || v.Status != 413 {
		t.Fatalf("reject: allowed %v status %d", v.Allowed, v.Status)
	}
	r := post("/f", "application/x-www-form-urlencoded", big)
	r.ContentLength = -1 // chunked: found while reading
	if v := inspect(t, engine(t, s), r); v.Allowed || v.Status != 413 {
		t.Fatalf("reject, unknown length: allowed %v status %d", v.Allowed, v.Status)
	}

	s.BodyLimitAction = InspectPrefix
	v := inspect(t, engine(t, s), post("/f", "application/x-www-form-urlencoded", big))
	if !v.Allowed {
		t.Fatalf("prefix: refused (%s); the attack is past the inspected prefix", v.Detail)
	}
	got, _ := io.ReadAll(v.Body)
	if string(got) != big {
		t.Fatalf("the origin would get %d bytes, want the whole %d", len(got), len(big))
	}
	small := "b=1%27%20OR%201=1--"
	if v := inspect(t, engine(t, s), post("/f", "application/x-www-form-urlencoded", small)); v.Allowed {
		t.Fatal("prefix: an attack inside the limit was not blocked")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestFailClosed: an error while reading the body refuses the request.
func TestFailClosed(t *testing.T) {
	r := post("/f", "application/x-www-form-urlencoded", "")
	r.Body = io.MultiReader(strings.NewReader("a=1&b="), failingReader{})
	v := inspect(t, engine(t, baseSpec()), r)
	if v.Allowed || v.Status != 403 || v.Reason != "request could not be inspected" {
		t.Fatalf("allowed %v status %d reason %q", v.Allowed, v.Status, v.Reason)
	}
}

func TestMatchLog(t *testing.T) {
	var buf bytes.Buffer
	s := baseSpec()
	s.InboundAnomalyThreshold = 6 // a distinct spec: not the cached engine
	e, err := NewEngine(s, Options{MatchLog: &buf})
	if err != nil {
		t.Fatal(err)
	}
	v := e.Inspect(get("/search?q=1%27%20OR%201=1--", nil))
	// Written as the rules match, before the transaction ends.
	if !strings.Contains(buf.String(), `[id "942100"]`) || !strings.Contains(buf.String(), `[msg "`) {
		t.Errorf("match log:\n%s", buf.String())
	}
	v.Close()
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if !strings.Contains(line, `[id "`) {
			t.Errorf("a match log line without a rule id: %q", line)
		}
	}
}

// TestRuleFileErrors: a bad operator rule file is named with its line.
func TestRuleFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, data, want string
	}{
		{"unknown operator", "# site rules\nSecRule ARGS \"@rx ok\" \"id:100001,phase:1,deny,status:403\"\n\nSecRule ARGS \"@nope x\" \\\n  \"id:100002,phase:1,deny\"\n", `site.conf:4: failed to compile the directive "secrule": operator nope not found`},
		{"duplicate id with the CRS", "SecRule ARGS \"@rx x\" \"id:942100,phase:1,deny\"\n", "site.conf:1: "},
		{"unknown directive", "SecFoo bar\n", `site.conf:1: unknown directive "secfoo"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec()
			s.Rules = []RuleFile{{Name: "site.conf", Data: []byte(c.data)}}
			_, err := NewEngine(s, Options{})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error %v, want it to start with %q", err, c.want)
			}
		})
	}
	s := baseSpec()
	s.Rules = []RuleFile{{Name: "site.conf", Data: []byte("SecRule ARGS:secret \"@streq open-sesame\" \"id:100001,phase:1,deny,status:403,log,msg:'site rule'\"\n")}}
	e, err := NewEngine(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := inspect(t, e, get("/x?secret=open-sesame", nil)); v.Allowed || !slices.Contains(v.RuleIDs, 100001) {
		t.Errorf("the site rule did not block: allowed %v rules %v", v.Allowed, v.RuleIDs)
	}
}

func TestSpecValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*Spec)
		want string
	}{
		{"paranoia", func(s *Spec) { s.ParanoiaLevel = 5 }, "paranoia level 5: 1 to 4"},
		{"threshold", func(s *Spec) { s.InboundAnomalyThreshold = 0 }, "anomaly thresholds must be at least 1"},
		{"body limit", func(s *Spec) { s.RequestBodyLimit = 0 }, "the request body limit must be at least 1 byte"},
		{"exclusion path", func(s *Spec) { s.Exclusions = []Exclusion{{Path: "api"}} }, `exclusion path "api" must start with / or *`},
		{"target", func(s *Spec) {
			s.Exclusions = []Exclusion{{Path: "/a", RemoveTargets: map[int][]string{942100: {"ARGS:q\" ,deny"}}}}
		}, `is not VARIABLE or VARIABLE:name`},
	} {
		s := baseSpec()
		c.mod(&s)
		if _, err := NewEngine(s, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestSpecKey(t *testing.T) {
	a, b := baseSpec(), baseSpec()
	a.Exclusions = []Exclusion{{Path: "/s", RemoveTargets: map[int][]string{2: {"ARGS:b"}, 1: {"ARGS:a"}}}}
	b.Exclusions = []Exclusion{{Path: "/s", RemoveTargets: map[int][]string{1: {"ARGS:a"}, 2: {"ARGS:b"}}}}
	if a.Key() != b.Key() {
		t.Error("equal specs have different keys")
	}
	b.ParanoiaLevel = 2
	if a.Key() == b.Key() {
		t.Error("different specs share a key")
	}
}

func BenchmarkInspect(b *testing.B) {
	e := engine(b, baseSpec())
	b.Run("benign-GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v := e.Inspect(get("/products/42?ref=home&page=2", nil))
			if !v.Allowed {
				b.Fatal(v.Detail)
			}
			v.Close()
		}
	})
	b.Run("benign-form-POST", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v := e.Inspect(post("/login", "application/x-www-form-urlencoded", "user=alice&password=correct-horse-battery&remember=1"))
			if !v.Allowed {
				b.Fatal(v.Detail)
			}
			v.Close()
		}
	})
}
