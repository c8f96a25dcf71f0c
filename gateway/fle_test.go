package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/policy"
)

// fleOrigin records every request body it receives, by request id, and
// checks that Content-Length matches the body.
type fleOrigin struct {
	url    string
	mu     sync.Mutex
	bodies map[string]fleReceived
}

type fleReceived struct {
	body          []byte
	contentType   string
	contentLength int64
	lengthOK      bool
}

func newFLEOrigin(t *testing.T) *fleOrigin {
	o := &fleOrigin{bodies: map[string]fleReceived{}}
	o.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		cl, _ := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
		o.mu.Lock()
		o.bodies[r.Header.Get("X-Request-Id")] = fleReceived{body: b, contentType: r.Header.Get("Content-Type"),
			contentLength: r.ContentLength, lengthOK: r.ContentLength == int64(len(b)) && cl == int64(len(b)) && len(r.TransferEncoding) == 0}
		o.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	return o
}

func (o *fleOrigin) received(id string) (fleReceived, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.bodies[id]
	return r, ok
}

func (o *fleOrigin) all() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	var all [][]byte
	for _, r := range o.bodies {
		all = append(all, r.body)
	}
	return all
}

// fleKeyPair writes a key pair of kem under dir and returns the private key.
func fleKeyPair(t *testing.T, dir, kem, id string) *fle.PrivateKey {
	t.Helper()
	k, err := fle.GenerateKey(kem, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := fle.WriteKeyPair(filepath.Join(dir, id), k); err != nil {
		t.Fatal(err)
	}
	return k
}

// Plaintexts the tests send in configured fields; none may reach the
// origin or any log.
const (
	flePAN     = "4111111111111111"
	fleCVV     = "737"
	fleSSN     = "078-05-1120"
	fleJSONPAN = "5500005555555559"
	// fleControl is sent in a field of a behavior without FLE, to a WAF
	// rule that logs the matched value: it must show in the logs, or the
	// no-plaintext check proves nothing.
	fleControl = "4000056655665556"
)

type fleGateway struct {
	s       *Server
	origin  *fleOrigin
	client  *http.Client
	dec     *fle.Decryptor
	logs    []string // files
	slogBuf *lockedBuffer
}

// startFLEGateway starts a gateway with FLE profiles; withWAF puts a WAF
// (the CRS and logging site rules) in front of them. The WAF runs first
// and refuses much of what FLE would (malformed bodies, content types the
// CRS does not allow), so the FLE stage's own checks are tested without it.
func startFLEGateway(t *testing.T, withWAF bool) *fleGateway {
	t.Helper()
	dir := t.TempDir()
	o := newFLEOrigin(t)
	k1 := fleKeyPair(t, dir, "hpke-x25519", "fle-2026-11")
	k2 := fleKeyPair(t, dir, "hpke-mlkem768x25519", "fle-pq-1")
	dec, err := fle.NewDecryptor(k1, k2)
	if err != nil {
		t.Fatal(err)
	}
	// A WAF rule that logs the value it matched, in its message and data,
	// on every configured field name: the match log and the audit log are
	// where a careless gateway would write the plaintext.
	site := `SecRule ARGS|ARGS_POST "@rx ^[0-9]{3}[0-9-]*$" "id:100701,phase:2,pass,log,msg:'number %{MATCHED_VAR} in %{MATCHED_VAR_NAME}',logdata:'value %{MATCHED_VAR}'"
SecRule ARGS_POST:cvv "@streq 000" "id:100702,phase:2,deny,status:403,log,msg:'bad cvv %{MATCHED_VAR}'"
`
	for name, text := range map[string]string{
		"site.conf": site,
		"waf.yaml": "kind: waf\nmode: block\ncrs: {paranoia_level: 1}\nrules: [site.conf]\nlog: " + filepath.Join(dir, "waf-match.log") +
			"\naudit_log: " + filepath.Join(dir, "waf-audit.log") + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	accessLog := filepath.Join(dir, "access.log")
	wafLine := ""
	if withWAF {
		wafLine = "waf_policy: waf.yaml"
	}
	cfg := writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, admin: "off"}
access_log: {path: `+accessLog+`, format: json}
tls:
  certificates: [{cert: `+tlsTestFile(t, "default.pem")+`, key: `+tlsTestFile(t, "default-key.pem")+`}]
fle_profiles:
  payments:
    key_id: fle-2026-11
    public_key: fle-2026-11.pub.pem
    fields: [card_number, cvv, "ssn*", /payment/card]
    content_types: [application/x-www-form-urlencoded, multipart/form-data, application/json]
  pq:
    key_id: fle-pq-1
    public_key: fle-pq-1.pub.pem
    fields: [card_number, /payment/card]
    content_types: [application/x-www-form-urlencoded, multipart/form-data, application/json]
  small:
    key_id: fle-2026-11
    public_key: fle-2026-11.pub.pem
    fields: [card_number]
    content_types: [application/x-www-form-urlencoded, application/json]
    max_body: 300
    max_field: 20
  forward:
    key_id: fle-2026-11
    public_key: fle-2026-11.pub.pem
    fields: [card_number]
    forward_unmatched_content_types: true
distributions:
  - name: shop
    hosts: [default.test]
    origins: [{id: o, url: `+o.url+`}]
    `+wafLine+`
    default_behavior: {origin: o, allowed_methods: [ALL], cache: disabled}
    behaviors:
      - {path: /checkout/*, origin: o, allowed_methods: [ALL], viewer_protocol: https-only, fle_profile: payments, cache: disabled}
      - {path: /pq/*, origin: o, allowed_methods: [ALL], viewer_protocol: https-only, fle_profile: pq, cache: disabled}
      - {path: /small/*, origin: o, allowed_methods: [ALL], viewer_protocol: https-only, fle_profile: small, cache: disabled}
      - {path: /fwd/*, origin: o, allowed_methods: [ALL], viewer_protocol: https-only, fle_profile: forward, cache: disabled}
`)
	buf := &lockedBuffer{}
	s := startGatewayWith(t, cfg, Options{Logger: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return &fleGateway{s: s, origin: o, client: httpsClient(t, s.HTTPSAddr(), false), dec: dec, slogBuf: buf,
		logs: []string{accessLog, filepath.Join(dir, "waf-match.log"), filepath.Join(dir, "waf-audit.log")}}
}

// post sends a body over HTTPS and returns the response, its body and the
// request id.
func (g *fleGateway) post(t *testing.T, path, contentType string, body []byte, chunked bool) (*http.Response, string, string) {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // hides the length: sent chunked
	}
	req, err := http.NewRequest("POST", "https://default.test"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), resp.Header.Get("X-Request-Id")
}

func multipartBody(t *testing.T, fields [][2]string) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// TestFLERoundTrips: each content type and both KEMs. The origin gets
// ciphertext in the configured fields (prefix patterns and JSON pointers
// included), every other byte as sent, and a Content-Length that fits;
// the origin's private keys give the plaintexts back, bound to the
// distribution, method, path and field.
func TestFLERoundTrips(t *testing.T) {
	g := startFLEGateway(t, true)
	mp, mpType := multipartBody(t, [][2]string{{"name", "Alice"}, {"card_number", flePAN}, {"ssn_last", fleSSN}})
	pq, pqType := multipartBody(t, [][2]string{{"name", "Alice"}, {"card_number", flePAN}, {"note", "see you"}})
	for _, c := range []struct {
		name, path, ct string
		body           []byte
		encrypted      int
		want           map[string]string // field -> plaintext, after decryption
		keep           []string          // substrings that reach the origin unchanged
	}{
		{"urlencoded", "/checkout/pay", "application/x-www-form-urlencoded",
			[]byte("name=Alice+Smith&card_number=" + flePAN + "&cvv=" + fleCVV + "&ssn=" + fleSSN + "&note=hi%21"), 3,
			map[string]string{"card_number": flePAN, "cvv": fleCVV, "ssn": fleSSN}, []string{"name=Alice+Smith&", "&note=hi%21"}},
		{"multipart", "/checkout/pay", mpType, mp, 2,
			map[string]string{"card_number": flePAN, "ssn_last": fleSSN}, []string{"Alice"}},
		{"json", "/checkout/pay", "application/json",
			[]byte(`{"name": "Alice", "card_number": "` + flePAN + `", "payment": {"card": "` + fleJSONPAN + `", "exp": "12/29"}, "ssnx": ` + "123" + `}`), 3,
			map[string]string{"/card_number": flePAN, "/payment/card": fleJSONPAN, "/ssnx": "123"}, []string{`{"name": "Alice", "card_number": "ENC:v1:fle-2026-11:`, `"exp": "12/29"}`}},
		{"post-quantum KEM", "/pq/pay", "application/x-www-form-urlencoded",
			[]byte("card_number=" + flePAN + "&cvv=" + fleCVV), 1,
			map[string]string{"card_number": flePAN}, []string{"&cvv=" + fleCVV}},
		{"post-quantum KEM, multipart", "/pq/pay", pqType, pq, 1,
			map[string]string{"card_number": flePAN}, []string{"Alice", "see you"}},
		{"post-quantum KEM, json", "/pq/pay", "application/json",
			[]byte(`{"card_number": "` + flePAN + `", "payment": {"card": "` + fleJSONPAN + `"}}`), 2,
			map[string]string{"/card_number": flePAN, "/payment/card": fleJSONPAN}, []string{`{"card_number": "ENC:v1:fle-pq-1:`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body, id := g.post(t, c.path, c.ct, c.body, false)
			if resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("status %d %q", resp.StatusCode, body)
			}
			got, ok := g.origin.received(id)
			if !ok {
				t.Fatal("the origin did not get the request")
			}
			if !got.lengthOK {
				t.Errorf("Content-Length %d for a body of %d bytes", got.contentLength, len(got.body))
			}
			for _, p := range []string{flePAN, fleSSN, fleJSONPAN} {
				if bytes.Contains(got.body, []byte(p)) {
					t.Errorf("the origin got the plaintext %s:\n%s", p, got.body)
				}
			}
			for _, k := range c.keep {
				if !bytes.Contains(got.body, []byte(k)) {
					t.Errorf("the origin's body lacks %q:\n%s", k, got.body)
				}
			}
			bind := fle.Binding{Distribution: "shop", Method: "POST", Path: c.path}
			plain, n, err := g.dec.DecryptBody(got.contentType, got.body, bind)
			if err != nil {
				t.Fatalf("DecryptBody: %v", err)
			}
			if n != c.encrypted {
				t.Errorf("%d values decrypted, want %d", n, c.encrypted)
			}
			if c.name != "json" && !bytes.Equal(plain, c.body) {
				t.Errorf("decrypted body differs from what was sent:\n got %s\nwant %s", plain, c.body)
			}
			// Binding: every value opens under its own field, none under another.
			for field, want := range c.want {
				v := fieldValue(t, got.contentType, got.body, field)
				b := bind
				b.Field = field
				pt, err := g.dec.Open(b, v)
				if err != nil || string(pt) != want {
					t.Errorf("%s: %q, %v; want %q", field, pt, err, want)
				}
				b.Field = "other"
				if _, err := g.dec.Open(b, v); err == nil {
					t.Errorf("%s: the ciphertext opens as another field", field)
				}
				b.Field, b.Path = field, "/checkout/other"
				if _, err := g.dec.Open(b, v); err == nil {
					t.Errorf("%s: the ciphertext opens for another path", field)
				}
			}
			e := accessLogEntry(t, g.logs[0], id)
			if e["fle_status"] != "Processed" || e["fle_encrypted_fields"] != float64(c.encrypted) {
				t.Errorf("access log fle_status %v, fle_encrypted_fields %v; want Processed, %d", e["fle_status"], e["fle_encrypted_fields"], c.encrypted)
			}
		})
	}
}

// fieldValue finds field's (first) value in a body the origin received.
func fieldValue(t *testing.T, contentType string, body []byte, field string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(contentType, "application/json"):
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, tok := range strings.Split(field, "/")[1:] {
			doc = doc.(map[string]any)[tok]
		}
		s, _ := doc.(string)
		return s
	case strings.HasPrefix(contentType, "multipart/"):
		req := &http.Request{Method: "POST", Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(bytes.NewReader(body))}
		if err := req.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		return req.FormValue(field)
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return q.Get(field)
}

// accessLogEntry is the JSON access log line of request id.
func accessLogEntry(t *testing.T, file, id string) map[string]any {
	t.Helper()
	for range 50 { // the line is written as the request ends
		f, err := os.Open(file)
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var e map[string]any
				if json.Unmarshal(sc.Bytes(), &e) == nil && e["request_id"] == id {
					f.Close()
					return e
				}
			}
			f.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no access log line for request %s", id)
	return nil
}

// TestFLERejections: one failing case per check. Each is refused with 400
// (or forwarded, where the profile says so) and a short reason, the
// access log names CloudFront's fle-status, and a refused body never
// reaches the origin.
func TestFLERejections(t *testing.T) {
	g := startFLEGateway(t, false)
	badMP := []byte("--b\r\nContent-Disposition: form-data; name=\"card_number\"\r\n\r\n" + flePAN + "\r\n") // no closing delimiter
	for _, c := range []struct {
		name, path, ct string
		body           []byte
		chunked        bool
		status         int
		reason, fle    string
		forwarded      bool
	}{
		{"content type not covered", "/checkout/pay", "text/plain", []byte("card_number=" + flePAN), false, 400, reasonFLEContentType, "RejectedByContentType", false},
		{"no content type", "/checkout/pay", "", []byte("card_number=" + flePAN), false, 400, reasonFLEContentType, "RejectedByContentType", false},
		{"content type forwarded", "/fwd/pay", "text/plain", []byte("hello"), false, 200, "", "ForwardedByContentType", true},
		{"multipart without boundary", "/checkout/pay", "multipart/form-data", badMP, false, 400, reasonFLEContentType, "MalformedContentTypeClientError", false},
		{"multipart without closing delimiter", "/checkout/pay", "multipart/form-data; boundary=b", badMP, false, 400, reasonFLEMalformed, "MalformedInputClientError", false},
		{"bad percent escape", "/checkout/pay", "application/x-www-form-urlencoded", []byte("card_number=41%zz11"), false, 400, reasonFLEMalformed, "MalformedInputClientError", false},
		{"malformed JSON", "/checkout/pay", "application/json", []byte(`{"card_number": "` + flePAN + `"`), false, 400, reasonFLEMalformed, "MalformedInputClientError", false},
		{"JSON field not a string or number", "/checkout/pay", "application/json", []byte(`{"card_number": {"n": "` + flePAN + `"}}`), false, 400, reasonFLEMalformed, "MalformedInputClientError", false},
		{"field over max_field", "/small/pay", "application/x-www-form-urlencoded", []byte("card_number=" + flePAN + flePAN), false, 400, reasonFLEFieldTooLong, "FieldLengthLimitClientError", false},
		{"body over max_body", "/small/pay", "application/x-www-form-urlencoded", []byte("card_number=" + flePAN + "&pad=" + strings.Repeat("x", 300)), false, 400, reasonFLEBodyTooLong, "RequestLengthLimitClientError", false},
		{"chunked body over max_body", "/small/pay", "application/x-www-form-urlencoded", []byte("card_number=" + flePAN + "&pad=" + strings.Repeat("x", 300)), true, 400, reasonFLEBodyTooLong, "RequestLengthLimitClientError", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body, id := g.post(t, c.path, c.ct, c.body, c.chunked)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d %q, want %d", resp.StatusCode, body, c.status)
			}
			if c.reason != "" && !strings.Contains(body, c.reason) {
				t.Errorf("body %q, want the reason %q", body, c.reason)
			}
			if strings.Contains(body, flePAN) {
				t.Errorf("the answer repeats the plaintext: %q", body)
			}
			if _, got := g.origin.received(id); got != c.forwarded {
				t.Errorf("origin got the request: %v, want %v", got, c.forwarded)
			}
			if e := accessLogEntry(t, g.logs[0], id); e["fle_status"] != c.fle {
				t.Errorf("access log fle_status %v, want %s", e["fle_status"], c.fle)
			}
		})
	}
	// A compressed form could reach an origin that decompresses it with
	// the fields in the clear: refused. "identity" is no encoding.
	for _, c := range []struct {
		encoding string
		status   int
		fle      string
	}{{"gzip", 400, "RejectedByContentType"}, {"identity", 200, "Processed"}} {
		req, _ := http.NewRequest("POST", "https://default.test/checkout/pay", strings.NewReader("card_number="+flePAN))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Content-Encoding", c.encoding)
		resp, err := g.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if resp.StatusCode != c.status || (c.status == 400 && !strings.Contains(string(b), reasonFLEEncoding)) {
			t.Errorf("Content-Encoding %s: %d %q, want %d", c.encoding, resp.StatusCode, b, c.status)
		}
		if _, got := g.origin.received(id); got != (c.status == 200) {
			t.Errorf("Content-Encoding %s: origin got the request: %v", c.encoding, got)
		}
		if e := accessLogEntry(t, g.logs[0], id); e["fle_status"] != c.fle {
			t.Errorf("Content-Encoding %s: fle_status %v, want %s", c.encoding, e["fle_status"], c.fle)
		}
	}
	// Plain HTTP never reaches the FLE stage: https-only refuses it.
	resp, _ := do(t, http.DefaultClient, "POST", "http://"+g.s.Addr()+"/checkout/pay", "default.test",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader("card_number="+flePAN))
	if resp.StatusCode != 403 {
		t.Errorf("POST over HTTP: %d, want 403 (https-only)", resp.StatusCode)
	}
}

// TestFLENoPlaintextInLogs sends configured fields through every path that
// logs (allowed, refused by the WAF with a rule whose message holds the
// matched value, refused by FLE) and greps every log (the access log, the
// WAF's match and audit logs, the gateway's debug log) and everything the
// origin received for the plaintexts. A value sent in a behavior without
// FLE does show up in the WAF's logs, so the grep can find what it looks
// for.
func TestFLENoPlaintextInLogs(t *testing.T) {
	g := startFLEGateway(t, true)
	form := "application/x-www-form-urlencoded"
	mp, mpType := multipartBody(t, [][2]string{{"card_number", flePAN}, {"ssn", fleSSN}})
	for _, r := range []struct {
		path, ct, body string
		status         int
	}{
		{"/checkout/pay", form, "card_number=" + flePAN + "&ssn=" + fleSSN + "&cvv=" + fleCVV, 200},
		{"/checkout/pay", mpType, string(mp), 200},
		{"/checkout/pay", "application/json", `{"card_number":"` + flePAN + `","payment":{"card":"` + fleJSONPAN + `"}}`, 200},
		{"/checkout/pay", form, "card_number=" + flePAN + "&cvv=000", 403},            // the WAF refuses
		{"/small/pay", form, "card_number=" + flePAN + strings.Repeat("9", 30), 400},  // over max_field
		{"/checkout/pay", "application/json", `{"card_number":"` + flePAN + `"`, 400}, // malformed
		{"/plain/pay", form, "card_number=" + fleControl, 200},                        // no FLE: the control
	} {
		resp, body, _ := g.post(t, r.path, r.ct, []byte(r.body), false)
		if resp.StatusCode != r.status {
			t.Fatalf("POST %s %.40q: %d %q, want %d", r.path, r.body, resp.StatusCode, body, r.status)
		}
	}
	g.s.Shutdown(t.Context()) // flushes and closes the logs
	texts := map[string]string{"gateway log": g.slogBuf.String()}
	for _, f := range g.logs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(b)
	}
	for i, b := range g.origin.all() {
		texts[fmt.Sprintf("origin body %d", i)] = string(b)
	}
	for name, text := range texts {
		for _, p := range []string{flePAN, fleSSN, fleJSONPAN, url.QueryEscape(fleSSN)} {
			if strings.Contains(text, p) {
				t.Errorf("%s holds the plaintext %s:\n%s", name, p, text)
			}
		}
	}
	if !strings.Contains(texts["waf-match.log"], fleControl) || !strings.Contains(texts["waf-match.log"], `[id "100701"]`) {
		t.Errorf("the match log lacks the control value %s sent without FLE: the check would not see a leak:\n%s", fleControl, texts["waf-match.log"])
	}
	if !strings.Contains(texts["waf-audit.log"], "100702") {
		t.Errorf("the audit log lacks the refusal by rule 100702:\n%s", texts["waf-audit.log"])
	}
}

// TestFLEKeyProblems: a public key file that is not an HPKE public key,
// or whose Key-Id header contradicts key_id, is reported at the profile's
// file:line, every one at once, by Compile (`edgeward policy check`) and
// New; a reload to such a config keeps the running one.
func TestFLEKeyProblems(t *testing.T) {
	dir := t.TempDir()
	priv := fleKeyPair(t, dir, "hpke-x25519", "fle-a")
	privPEM, err := priv.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "garbage.pem"), []byte("not a key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := func(profiles string) string {
		return `
listen: {http: 127.0.0.1:0, admin: "off"}
access_log: {path: "off"}
fle_profiles:
` + profiles + `
distributions:
  - name: shop
    hosts: [shop.test]
    origins: [{id: o, url: "http://127.0.0.1:9"}]
    default_behavior: {origin: o}
`
	}
	good := "  good: {key_id: fle-a, public_key: fle-a.pub.pem, fields: [card_number]}\n"
	bad := good +
		"  private: {key_id: fle-p, public_key: fle-a.pem, fields: [card_number]}\n" +
		"  garbage: {key_id: fle-g, public_key: garbage.pem, fields: [card_number]}\n" +
		"  other-id: {key_id: fle-b, public_key: fle-a.pub.pem, fields: [card_number]}\n"
	cfgPath := writeConfig(t, dir, body(bad))
	cfg, err := policy.Load(cfgPath)
	if err != nil {
		t.Fatalf("policy validation: %v (the keys are the gateway's to parse)", err)
	}
	for _, check := range []struct {
		name string
		err  func() error
	}{
		{"Compile", func() error { return Compile(cfg) }},
		{"New", func() error { _, err := New(cfgPath, Options{Logger: discardLogger()}); return err }},
	} {
		err := check.err()
		if err == nil {
			t.Fatalf("%s accepted the bad keys", check.name)
		}
		for _, want := range []string{
			`edgeward.yaml:6: fle_profiles["private"].public_key: ` + filepath.Join(dir, "fle-a.pem") + `: this is an "HPKE PRIVATE KEY"; give the public key`,
			`edgeward.yaml:7: fle_profiles["garbage"].public_key: ` + filepath.Join(dir, "garbage.pem") + `: no PEM block`,
			`edgeward.yaml:8: fle_profiles["other-id"].key_id: "fle-b", but ` + filepath.Join(dir, "fle-a.pub.pem") + ` is the key "fle-a" (its Key-Id header)`,
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v\nwant %s", check.name, err, want)
			}
		}
		if strings.Contains(err.Error(), string(privPEM[40:80])) {
			t.Errorf("%s: the error quotes the private key", check.name)
		}
	}
	// A running gateway keeps its profiles when a reload brings bad keys.
	os.WriteFile(cfgPath, []byte(body(good)), 0o644)
	s := startGateway(t, cfgPath)
	os.WriteFile(cfgPath, []byte(body(bad)), 0o644)
	if err := s.Reload(); err == nil || !strings.Contains(err.Error(), `fle_profiles["garbage"]`) {
		t.Fatalf("reload with bad keys: %v", err)
	}
}
