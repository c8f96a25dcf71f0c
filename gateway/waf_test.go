package gateway

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
	"github.com/edgeward/edgeward/rules"
)

// wafOrigin answers every request with what it received: the method,
// path, query and a digest of the body, and counts requests. A few
// paths answer something else (see newWAFOrigin).
type wafOrigin struct {
	url  string
	hits atomic.Int64
	// release lets the streaming response (/sse/) finish.
	release chan struct{}
}

const sqlLeak = "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1"

func newWAFOrigin(t *testing.T) *wafOrigin {
	o := &wafOrigin{release: make(chan struct{})}
	o.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "/leak"):
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>"+sqlLeak+"</body></html>")
			return
		case strings.HasPrefix(r.URL.Path, "/sse/"):
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: first\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-o.release:
			case <-time.After(10 * time.Second):
			}
			io.WriteString(w, "data: last\n\n")
			return
		}
		b, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(b)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s q=%s len=%d sha=%s", r.Method, r.URL.Path, r.URL.RawQuery, len(b), hex.EncodeToString(sum[:8]))
	}))
	return o
}

// wafConfig writes a config whose distribution d uses policies/block.yaml
// by default, with behaviors for the other policies:
//
//	/detect/*  detect.yaml: detect mode, its own match log
//	/prefix/*  prefix.yaml: a 1 KiB body limit, inspect the prefix
//	/resp/*    resp.yaml: response inspection
//	/open/*    no WAF (waf_policy: none)
//	default    block.yaml: block mode, a rule file, exclusions, IP sets,
//	           rate limits, match and audit logs
func wafConfig(t *testing.T, dir, originURL string) string {
	t.Helper()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site.conf", `# the site's own rules
SecRule ARGS:probe "@streq bad" "id:10001,phase:1,deny,status:403,log,msg:'probe is bad'"
`)
	write("bad-ips.txt", "# addresses denied outright\n127.0.0.2\n203.0.113.0/24 # documentation range\n")
	write("block.yaml", `kind: waf
mode: block
crs:
  paranoia_level: 1
  exclusions:
    - {path: /excluded/*, remove_rules: [10001]}
    - {path: /search, remove_targets: {10001: ["ARGS:probe"]}}
request_body_limit: 16KiB
rules: [site.conf]
ip_sets:
  deny: [bad-ips.txt]
  allow: [127.0.0.3]
rate_limits:
  - {name: login, path: /login*, methods: [POST], limit: 3, window: 1m}
  - {name: api, path: /api/*, limit: 2, window: 1m, key: "header:X-Api-Key", action: 403}
  - {name: query, path: /q/*, limit: 2, window: 1m, key: "query:user"}
  - {name: cookie, path: /c/*, limit: 2, window: 1m, key: "cookie:session"}
  - {name: path, path: /p/*, limit: 2, window: 1m, key: path}
log: waf.log
audit_log: waf-audit.log
`)
	write("detect.yaml", "kind: waf\nmode: detect\nlog: detect.log\n")
	write("prefix.yaml", "kind: waf\nrequest_body_limit: 1KiB\nrequest_body_over_limit: inspect_prefix\n")
	write("resp.yaml", "kind: waf\nresponse_inspection: true\n")
	return writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
access_log: {path: {{DIR}}/access.log, format: json}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: `+originURL+`}]
    waf_policy: block.yaml
    default_behavior: {origin: o, cache: disabled, allowed_methods: [ALL]}
    behaviors:
      - {path: /detect/*, origin: o, cache: disabled, allowed_methods: [ALL], waf_policy: detect.yaml}
      - {path: /prefix/*, origin: o, cache: disabled, allowed_methods: [ALL], waf_policy: prefix.yaml}
      - {path: /resp/*, origin: o, cache: disabled, waf_policy: resp.yaml}
      - {path: /open/*, origin: o, cache: disabled, waf_policy: none}
`)
}

type wafFixture struct {
	dir    string
	origin *wafOrigin
	s      *Server
	base   string
	clock  *fakeClock
}

func startWAF(t *testing.T) *wafFixture {
	t.Helper()
	f := &wafFixture{dir: t.TempDir(), origin: newWAFOrigin(t)}
	// Start a minute into a window, so window boundaries are where the
	// tests put them.
	f.clock = &fakeClock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	f.s = startGatewayWith(t, wafConfig(t, f.dir, f.origin.url), Options{Now: f.clock.Now})
	f.base = "http://" + f.s.Addr()
	return f
}

func (f *wafFixture) do(t *testing.T, client *http.Client, method, target string, hdr http.Header, body string) (*http.Response, string) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
		if hdr == nil {
			hdr = http.Header{}
		}
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	return do(t, client, method, f.base+target, "d.test", hdr, r)
}

// accessLog reads the JSON access log after the gateway stopped.
func (f *wafFixture) accessLog(t *testing.T) []map[string]any {
	t.Helper()
	_ = f.s.Shutdown(t.Context())
	raw, err := os.ReadFile(filepath.Join(f.dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

var (
	xssQuery  = "/?q=" + url.QueryEscape("<script>alert(1)</script>")
	sqliQuery = "/?id=" + url.QueryEscape("1' OR '1'='1")
)

func TestWAFBlockAndAllow(t *testing.T) {
	f := startWAF(t)
	cases := []struct {
		name   string
		method string
		target string
		body   string
		status int
		want   string // in the body: the origin's echo, or the gateway's reason
	}{
		{"benign GET", "GET", "/index.html?q=hello", "", 200, "GET /index.html q=q=hello"},
		{"benign form POST reaches the origin whole", "POST", "/form", "name=alice&comment=hello+world", 200, "POST /form q= len=30"},
		{"XSS in the query", "GET", xssQuery, "", 403, "request blocked by the WAF"},
		{"SQL injection in the query", "GET", sqliQuery, "", 403, "request blocked by the WAF"},
		{"XSS in a form field", "POST", "/form", "comment=" + url.QueryEscape("<script>alert(1)</script>"), 403, "request blocked by the WAF"},
		{"operator rule", "GET", "/x?probe=bad", "", 403, "request blocked by the WAF"},
		{"operator rule removed for a path", "GET", "/excluded/x?probe=bad", "", 200, "GET /excluded/x"},
		{"operator rule target removed for a path", "GET", "/search?probe=bad", "", 200, "GET /search"},
		{"target removal is exact to the path", "GET", "/search/more?probe=bad", "", 403, "request blocked by the WAF"},
		{"exclusions match the canonical path", "GET", "/excluded/../x?probe=bad", "", 403, "request blocked by the WAF"},
		{"body over the limit", "POST", "/form", "a=" + strings.Repeat("b", 17<<10), 413, "request body too large to inspect"},
		{"no WAF on an opted-out behavior", "GET", "/open/" + xssQuery, "", 200, "GET /open/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.origin.hits.Load()
			resp, body := f.do(t, nil, c.method, c.target, nil, c.body)
			if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s %s: %d %q, want %d with %q", c.method, c.target, resp.StatusCode, body, c.status, c.want)
			}
			reached := f.origin.hits.Load() > before
			if reached != (c.status == 200) {
				t.Errorf("origin reached: %v, want %v", reached, c.status == 200)
			}
			if c.status != 200 {
				id := resp.Header.Get("X-Request-Id")
				if id == "" || !strings.Contains(body, "Request ID: "+id) {
					t.Errorf("refusal without the request id: %q (X-Request-Id %q)", body, id)
				}
			}
		})
	}

	// The access log names the stage and the rules that decided; the
	// match log has a line per matched rule, tagged with the request id.
	logs := f.accessLog(t)
	var xss map[string]any
	for _, l := range logs {
		if strings.Contains(fmt.Sprint(l["query"]), "script") && l["status"] == 403.0 && l["path"] == "/" {
			xss = l
		}
	}
	if xss == nil {
		t.Fatalf("no access log line for the XSS refusal:\n%v", logs)
	}
	if xss["denied_by"] != "waf" || !strings.Contains(fmt.Sprint(xss["waf_rules"]), "941100") || !strings.Contains(fmt.Sprint(xss["waf_rules"]), "949110") {
		t.Errorf("XSS refusal logged as %v", xss)
	}
	match, err := os.ReadFile(filepath.Join(f.dir, "waf.log"))
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(xss["request_id"])
	var lines int
	for _, l := range strings.Split(string(match), "\n") {
		if strings.Contains(l, `[unique_id "`+id+`"]`) {
			lines++
			if !strings.Contains(l, `[id "`) || !strings.Contains(l, `[msg "`) {
				t.Errorf("match log line not in the ModSecurity format: %s", l)
			}
		}
	}
	if lines < 2 {
		t.Errorf("%d match log lines for request %s, want one per matched rule (941100, 949110, ...):\n%s", lines, id, match)
	}
	audit, err := os.ReadFile(filepath.Join(f.dir, "waf-audit.log"))
	if err != nil || !bytes.Contains(audit, []byte(`"request_id":"`+id+`"`)) {
		t.Errorf("no audit record for request %s: %v\n%s", id, err, audit)
	}
}

func TestWAFDetectMode(t *testing.T) {
	f := startWAF(t)
	resp, body := f.do(t, nil, "GET", "/detect"+xssQuery, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(body, "GET /detect/") {
		t.Fatalf("detect mode: %d %q, want the origin's answer", resp.StatusCode, body)
	}
	logs := f.accessLog(t)
	last := logs[len(logs)-1]
	if !strings.Contains(fmt.Sprint(last["waf_rules"]), "941100") || last["denied_by"] != nil {
		t.Errorf("detect mode logged %v, want the matched rules and no denial", last)
	}
	match, _ := os.ReadFile(filepath.Join(f.dir, "detect.log"))
	if !bytes.Contains(match, []byte(`[id "941100"]`)) {
		t.Errorf("detect mode match log has no 941100 line:\n%s", match)
	}
}

func TestWAFIPSets(t *testing.T) {
	f := startWAF(t)
	cases := []struct {
		name   string
		from   string
		header http.Header
		target string
		status int
		want   string
	}{
		{"denied address", "127.0.0.2", nil, "/index.html", 403, reasonIPDenied},
		{"allowed address skips the CRS", "127.0.0.3", nil, xssQuery, 200, "GET /"},
		{"allowed address skips operator rules", "127.0.0.3", nil, "/x?probe=bad", 200, "GET /x"},
		{"other address is inspected", "127.0.0.1", nil, xssQuery, 403, "request blocked by the WAF"},
		// X-Forwarded-For from an untrusted peer names nobody.
		{"forwarded-for is not trusted", "127.0.0.1", http.Header{"X-Forwarded-For": {"127.0.0.3"}}, xssQuery, 403, "request blocked by the WAF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.do(t, clientFrom(c.from), "GET", c.target, c.header, "")
			if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%d %q, want %d with %q", resp.StatusCode, body, c.status, c.want)
			}
		})
	}
	// The allow set does not exempt from rate limits.
	c3 := clientFrom("127.0.0.3")
	for i, want := range []int{200, 200, 200, 429} {
		if resp, body := f.do(t, c3, "POST", "/login", nil, "user=a"); resp.StatusCode != want {
			t.Fatalf("allowed address, login POST %d: %d %q, want %d", i+1, resp.StatusCode, body, want)
		}
	}
}

func TestWAFRateLimits(t *testing.T) {
	f := startWAF(t)
	type step struct {
		advance time.Duration // the clock moves first
		client  string
		method  string
		target  string
		header  http.Header
		status  int
	}
	key := func(v string) http.Header { return http.Header{"X-Api-Key": {v}} }
	cookie := func(v string) http.Header { return http.Header{"Cookie": {"session=" + v}} }
	cases := []struct {
		name  string
		steps []step
	}{
		{"ip: the fourth POST within the window is refused, other methods are not counted", []step{
			{0, "127.0.0.1", "POST", "/login", nil, 200},
			{0, "127.0.0.1", "GET", "/login", nil, 200},
			{0, "127.0.0.1", "POST", "/login", nil, 200},
			{0, "127.0.0.1", "POST", "/login/x", nil, 200},
			{0, "127.0.0.1", "POST", "/login", nil, 429},
			{0, "127.0.0.4", "POST", "/login", nil, 200}, // another address has its own count
		}},
		{"ip: counts slide out of the window and reset", []step{
			{2 * time.Minute, "127.0.0.5", "POST", "/login", nil, 200},
			{0, "127.0.0.5", "POST", "/login", nil, 200},
			{0, "127.0.0.5", "POST", "/login", nil, 200},
			{0, "127.0.0.5", "POST", "/login", nil, 429},
			// Half-way into the next window, half of the last window's 3
			// still count: one more request fits under the limit of 3.
			{90 * time.Second, "127.0.0.5", "POST", "/login", nil, 200},
			{0, "127.0.0.5", "POST", "/login", nil, 429},
			// Two windows later nothing counts any more.
			{2 * time.Minute, "127.0.0.5", "POST", "/login", nil, 200},
			{0, "127.0.0.5", "POST", "/login", nil, 200},
		}},
		{"header key, action 403; requests without the header are not counted", []step{
			{0, "127.0.0.1", "GET", "/api/a", key("k1"), 200},
			{0, "127.0.0.1", "GET", "/api/b", key("k1"), 200},
			{0, "127.0.0.1", "GET", "/api/c", key("k1"), 403},
			{0, "127.0.0.1", "GET", "/api/c", key("k2"), 200},
			{0, "127.0.0.1", "GET", "/api/c", nil, 200},
			{0, "127.0.0.1", "GET", "/api/c", nil, 200},
			{0, "127.0.0.1", "GET", "/api/c", nil, 200},
		}},
		{"query key", []step{
			{0, "127.0.0.1", "GET", "/q/a?user=u1", nil, 200},
			{0, "127.0.0.1", "GET", "/q/a?user=u1&x=1", nil, 200},
			{0, "127.0.0.1", "GET", "/q/b?user=u1", nil, 429},
			{0, "127.0.0.1", "GET", "/q/b?user=u2", nil, 200},
		}},
		{"cookie key", []step{
			{0, "127.0.0.1", "GET", "/c/a", cookie("s1"), 200},
			{0, "127.0.0.1", "GET", "/c/a", cookie("s1"), 200},
			{0, "127.0.0.2", "GET", "/c/a", cookie("s1"), 403}, // the deny set comes first
			{0, "127.0.0.1", "GET", "/c/a", cookie("s1"), 429},
			{0, "127.0.0.1", "GET", "/c/a", cookie("s2"), 200},
		}},
		{"path key: the canonical path", []step{
			{0, "127.0.0.1", "GET", "/p/a", nil, 200},
			{0, "127.0.0.4", "GET", "/p/./a", nil, 200},
			{0, "127.0.0.5", "GET", "/p/%61", nil, 429},
			{0, "127.0.0.1", "GET", "/p/b", nil, 200},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, st := range c.steps {
				f.clock.Advance(st.advance)
				resp, body := f.do(t, clientFrom(st.client), st.method, st.target, st.header, "")
				if resp.StatusCode != st.status {
					t.Fatalf("step %d (%s %s from %s): %d %q, want %d", i, st.method, st.target, st.client, resp.StatusCode, body, st.status)
				}
				if st.status == 429 && !strings.Contains(body, reasonRateLimited) {
					t.Errorf("step %d: 429 without the reason: %q", i, body)
				}
			}
		})
	}
}

func TestWAFBodyLimitInspectPrefix(t *testing.T) {
	f := startWAF(t)
	big := "a=" + strings.Repeat("b", 4<<10)
	sum := sha256.Sum256([]byte(big))
	resp, body := f.do(t, nil, "POST", "/prefix/form", nil, big)
	want := fmt.Sprintf("len=%d sha=%s", len(big), hex.EncodeToString(sum[:8]))
	if resp.StatusCode != 200 || !strings.Contains(body, want) {
		t.Fatalf("over-limit body with inspect_prefix: %d %q, want the whole body at the origin (%s)", resp.StatusCode, body, want)
	}
	// An attack inside the inspected prefix is still refused.
	attack := "comment=" + url.QueryEscape("<script>alert(1)</script>") + "&pad=" + strings.Repeat("b", 4<<10)
	if resp, body := f.do(t, nil, "POST", "/prefix/form", nil, attack); resp.StatusCode != 403 {
		t.Fatalf("attack in the prefix: %d %q, want 403", resp.StatusCode, body)
	}
}

// TestWAFFailsClosed: a body the engine cannot read is refused with 403,
// never passed on, and never the empty 200 Coraza's middleware answers.
func TestWAFFailsClosed(t *testing.T) {
	f := startWAF(t)
	conn, err := net.Dial("tcp", f.s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	// A chunked body whose second chunk size is not hex: reading it fails.
	io.WriteString(conn, "POST /form HTTP/1.1\r\nHost: d.test\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\na=bcd\r\nzz\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(string(b), "request could not be inspected") {
		t.Fatalf("unreadable body: %d %q, want 403 request could not be inspected", resp.StatusCode, b)
	}
	if n := f.origin.hits.Load(); n != 0 {
		t.Errorf("the origin got %d requests", n)
	}
}

func TestWAFResponseInspection(t *testing.T) {
	f := startWAF(t)
	if resp, body := f.do(t, nil, "GET", "/resp/ok", nil, ""); resp.StatusCode != 200 {
		t.Fatalf("benign response: %d %q", resp.StatusCode, body)
	}
	resp, body := f.do(t, nil, "GET", "/resp/leak", nil, "")
	if resp.StatusCode != 403 || strings.Contains(body, "SQL syntax") {
		t.Fatalf("SQL error leak: %d %q, want 403 without the origin's body", resp.StatusCode, body)
	}
	// Without response inspection the same response goes out.
	if resp, body := f.do(t, nil, "GET", "/leak", nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "SQL syntax") {
		t.Fatalf("no response inspection: %d %q", resp.StatusCode, body)
	}
}

// TestWAFStreamsResponses: with response inspection off, a Server-Sent
// Events response reaches the viewer as it is written.
func TestWAFStreamsResponses(t *testing.T) {
	f := startWAF(t)
	req, _ := http.NewRequest("GET", f.base+"/sse/events", nil)
	req.Host = "d.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("first event: %q %v", line, err)
	}
	close(f.origin.release) // only now may the origin finish
}

// TestWAFBadRulesRefused: a rule file Coraza cannot compile is refused at
// its file:line, at start, by Compile (policy check) and by a reload,
// which keeps the running configuration.
func TestWAFBadRulesRefused(t *testing.T) {
	f := startWAF(t)
	good, _ := os.ReadFile(filepath.Join(f.dir, "site.conf"))
	bad := string(good) + "\n# a typo\nSecRule ARGS \"@nosuchop x\" \"id:10002,phase:1,deny\"\n"
	if err := os.WriteFile(filepath.Join(f.dir, "site.conf"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(f.dir, "site.conf") + ":5: "
	if err := f.s.Reload(); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("reload with a bad rule file: %v, want an error at %s", err, want)
	}
	if resp, body := f.do(t, nil, "GET", xssQuery, nil, ""); resp.StatusCode != 403 {
		t.Fatalf("after the failed reload: %d %q, want the running WAF's 403", resp.StatusCode, body)
	}
	if resp, body := f.do(t, nil, "GET", "/x?probe=bad", nil, ""); resp.StatusCode != 403 {
		t.Fatalf("after the failed reload, the running rule file: %d %q", resp.StatusCode, body)
	}
	cfg, err := policy.Load(f.s.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compile(cfg); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Compile: %v, want an error at %s", err, want)
	}
	if _, err := New(f.s.path, Options{Logger: discardLogger()}); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("New: %v, want an error at %s", err, want)
	}
}

// TestWAFEngineSharing: one engine per distinct policy content, shared by
// behaviors and distributions, kept by reloads that do not change it;
// rate limit counts survive such reloads too.
func TestWAFEngineSharing(t *testing.T) {
	f := startWAF(t)
	// Same content under another name, used by a second distribution.
	block, _ := os.ReadFile(filepath.Join(f.dir, "block.yaml"))
	os.WriteFile(filepath.Join(f.dir, "copy.yaml"), block, 0o644)
	cfg, _ := os.ReadFile(f.s.path)
	cfg = append(cfg, []byte(`  - name: e
    hosts: [e.test]
    origins: [{id: o, url: `+f.origin.url+`}]
    default_behavior: {origin: o, cache: disabled, allowed_methods: [ALL], waf_policy: copy.yaml}
    behaviors:
      - {path: /x/*, origin: o, cache: disabled, waf_policy: block.yaml}
`)...)
	os.WriteFile(f.s.path, cfg, 0o644)

	// Count a login POST, then reload.
	if resp, _ := f.do(t, nil, "POST", "/login", nil, "a=1"); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	before := f.s.holder.cur.Load().waf
	if err := f.s.Reload(); err != nil {
		t.Fatal(err)
	}
	after := f.s.holder.cur.Load().waf
	// block.yaml and copy.yaml compile to one engine (their rate limits
	// count separately: they are different files); detect, prefix and
	// resp are three more.
	if len(after.engines) != 4 {
		t.Errorf("%d engines, want 4", len(after.engines))
	}
	for key, e := range after.engines {
		if before.engines[key] != e {
			t.Errorf("engine %s was rebuilt by a reload that did not change it", key[:8])
		}
	}
	var blockPlan, copyPlan *wafPlan
	for pol, p := range after.byPolicy {
		switch filepath.Base(pol.File) {
		case "block.yaml":
			blockPlan = p
		case "copy.yaml":
			copyPlan = p
		}
	}
	if blockPlan == nil || copyPlan == nil || blockPlan.engine != copyPlan.engine {
		t.Errorf("block.yaml and copy.yaml do not share an engine")
	}
	// The count of 1 survived: two more POSTs fit under the limit of 3,
	// the third does not.
	for i, want := range []int{200, 200, 429} {
		if resp, _ := f.do(t, nil, "POST", "/login", nil, "a=1"); resp.StatusCode != want {
			t.Fatalf("login POST %d after the reload: %d, want %d", i+2, resp.StatusCode, want)
		}
	}
}

// TestWAFReloadsDoNotLeak: 50 reloads that each change the policy (so
// each builds a new engine and retires the old one) leave the heap flat
// and no log file descriptors behind.
func TestWAFReloadsDoNotLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("50 CRS compilations")
	}
	dir := t.TempDir()
	o := newWAFOrigin(t)
	pol := filepath.Join(dir, "waf.yaml")
	writePol := func(i int) {
		text := fmt.Sprintf("kind: waf\ncrs: {paranoia_level: %d}\nlog: waf.log\n", 1+i%2)
		if err := os.WriteFile(pol, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writePol(0)
	s := startGateway(t, writeConfig(t, dir, oneOriginConfig(o.url, "", "", ", cache: disabled, waf_policy: waf.yaml")))
	base := "http://" + s.Addr()
	heap := func() uint64 {
		goruntime.GC()
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var at10 uint64
	for i := 1; i <= 50; i++ {
		writePol(i)
		var old []*rules.Engine
		for _, e := range s.holder.cur.Load().waf.engines {
			old = append(old, e.eng)
		}
		if err := s.Reload(); err != nil {
			t.Fatal(err)
		}
		for _, e := range old {
			if !e.Released() {
				t.Fatalf("reload %d: the replaced engine was not released", i)
			}
		}
		if resp, _ := do(t, http.DefaultClient, "GET", base+xssQuery, "d.test", nil, nil); resp.StatusCode != 403 {
			t.Fatalf("reload %d: the attack got %d", i, resp.StatusCode)
		}
		if i == 10 {
			at10 = heap()
		}
	}
	at50 := heap()
	t.Logf("heap after 10 reloads %d MiB, after 50 %d MiB", at10>>20, at50>>20)
	// One engine is about 20 MiB: forty leaked engines would be 800.
	if at50 > at10+30<<20 {
		t.Errorf("heap grew from %d MiB to %d MiB over 40 reloads", at10>>20, at50>>20)
	}
	if n := openFilesNamed(t, filepath.Join(dir, "waf.log")); n > 2 {
		t.Errorf("%d descriptors open on waf.log, want at most 2 (the running engine's and one being retired)", n)
	}
}

// openFilesNamed counts this process's file descriptors open on path.
func openFilesNamed(t *testing.T, path string) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == path {
			n++
		}
	}
	return n
}

// TestWAFLogReopen: after logrotate moves the match log, SIGUSR1
// (ReopenLogs) makes the WAF write to a new file at the path.
func TestWAFLogReopen(t *testing.T) {
	f := startWAF(t)
	logPath := filepath.Join(f.dir, "waf.log")
	f.do(t, nil, "GET", xssQuery, nil, "")
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReopenLogs(); err != nil {
		t.Fatal(err)
	}
	resp, _ := f.do(t, nil, "GET", "/x?probe=bad", nil, "")
	id := resp.Header.Get("X-Request-Id")
	b, err := os.ReadFile(logPath)
	if err != nil || !bytes.Contains(b, []byte(`[unique_id "`+id+`"]`)) {
		t.Fatalf("the reopened match log lacks request %s: %v\n%s", id, err, b)
	}
	old, _ := os.ReadFile(logPath + ".1")
	if bytes.Contains(old, []byte(id)) {
		t.Errorf("request %s was written to the rotated file", id)
	}
}
