package gateway

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/keys/fle"
)

// TestQuickstart serves the bundled quickstart config (on ephemeral
// ports) and checks what the README tells a newcomer to curl.
func TestQuickstart(t *testing.T) {
	src, err := os.ReadFile("../testdata/quickstart/edgeward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := filepath.Abs("../testdata/quickstart")
	text := string(src)
	// What `edgeward origin echo` does for the README's FLE curl: answer
	// with the body the gateway forwarded.
	echo := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.Copy(w, r.Body)
	}))
	for old, repl := range map[string]string{
		"http: 127.0.0.1:8080":              "http: 127.0.0.1:0",
		"admin: 127.0.0.1:9901":             "admin: 127.0.0.1:0",
		"token_file: admin.token":           "token_file: " + filepath.Join(qs, "admin.token"),
		"dir: site":                         "dir: " + filepath.Join(qs, "site"),
		"path: stdout":                      "path: off",
		"public_key: keys/demo.pub.pem":     "public_key: " + filepath.Join(qs, "keys", "demo.pub.pem"),
		"public_key: keys/fle-demo.pub.pem": "public_key: " + filepath.Join(qs, "keys", "fle-demo.pub.pem"),
		"url: http://127.0.0.1:8081":        "url: " + echo,
		"geo_policy: policies/":             "geo_policy: " + filepath.Join(qs, "policies") + "/",
		"waf_policy: policies/":             "waf_policy: " + filepath.Join(qs, "policies") + "/",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("quickstart config no longer contains %q; update this test", old)
		}
		text = strings.ReplaceAll(text, old, repl)
	}
	s := startGateway(t, writeConfig(t, "", text))
	base := "http://" + s.Addr()

	for _, c := range []struct {
		name, method, path string
		hdr                http.Header
		status             int
		contains           string
	}{
		{"default root object", "GET", "/", nil, 200, "Edgeward is serving this page"},
		{"static file", "GET", "/static/hello.txt", nil, 200, "Hello from the Edgeward quickstart origin."},
		{"range", "GET", "/static/hello.txt", http.Header{"Range": {"bytes=0-4"}}, 206, "Hello"},
		{"custom 404 page", "GET", "/missing", nil, 404, "custom error page"},
		{"POST refused", "POST", "/static/hello.txt", nil, 405, "method not allowed"},
		{"traversal refused", "GET", "/static/../../edgeward.yaml", nil, 400, "path"},
		{"private unsigned", "GET", "/private/report.txt", nil, 403, "<Code>MissingKey</Code>"},
		{"private signed", "GET", quickstartSigned(t, qs, "/private/report.txt"), nil, 200, "fetched it with a signed URL"},
		// The README's geo curls: this machine has no country; a viewer
		// named by the (demo) trusted proxy is looked up in the bundled
		// DB-IP data.
		{"geo: localhost refused", "GET", "/eu/hello.txt", nil, 451, "db-ip.com"},
		{"geo: a viewer in DE", "GET", "/eu/hello.txt", http.Header{"X-Forwarded-For": {"141.1.1.1"}}, 200, "your country is on the list"},
		{"geo: a viewer in GB", "GET", "/eu/hello.txt", http.Header{"X-Forwarded-For": {"81.2.69.142"}}, 451, "not available in your country"},
		// The README's WAF curls.
		{"waf: XSS refused", "GET", "/?q=%3Cscript%3Ealert(1)%3C/script%3E", nil, 403, "request blocked by the WAF"},
		{"waf: SQL injection refused", "GET", "/static/hello.txt?id=1%27%20OR%20%271%27=%271", nil, 403, "request blocked by the WAF"},
		{"waf: benign query", "GET", "/static/hello.txt?q=hello", nil, 200, "Hello from"},
		// The README's FLE curls (the body is in quickstartFLE).
		{"fle: plain HTTP refused", "POST", "/checkout/pay", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, 403, "HTTPS"},
		{"fle: encrypted", "POST", "/checkout/pay", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Forwarded-Proto": {"https"}}, 200, "card_number=ENC:v1:fle-demo:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.method == "POST" {
				body = strings.NewReader(quickstartFLE)
			}
			req, _ := http.NewRequest(c.method, base+"/", body)
			req.URL.Opaque = c.path
			req.Host = "localhost:8080"
			for k, v := range c.hdr {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 4096)
			n, _ := readFull(resp.Body, b)
			resp.Body.Close()
			if resp.StatusCode != c.status || !strings.Contains(string(b[:n]), c.contains) {
				t.Fatalf("status %d body %q, want %d containing %q", resp.StatusCode, b[:n], c.status, c.contains)
			}
			if strings.HasPrefix(c.name, "fle: encrypted") {
				quickstartDecrypt(t, qs, b[:n])
			}
		})
	}
}

// quickstartFLE is the README's form for the FLE demo.
const quickstartFLE = "name=Alice&card_number=4111111111111111&cvv=123"

// quickstartDecrypt opens what the echo origin got with the demo private
// key, as the README's `edgeward fle decrypt` line does.
func quickstartDecrypt(t *testing.T, qs string, got []byte) {
	t.Helper()
	if bytes.Contains(got, []byte("4111111111111111")) || !strings.HasPrefix(string(got), "name=Alice&") {
		t.Fatalf("the origin got %q", got)
	}
	pem, err := os.ReadFile(filepath.Join(qs, "keys", "fle-demo.pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := fle.ParsePrivateKeyPEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	d, err := fle.NewDecryptor(k)
	if err != nil {
		t.Fatal(err)
	}
	plain, n, err := d.DecryptBody("application/x-www-form-urlencoded", got, fle.Binding{Distribution: "demo", Method: "POST", Path: "/checkout/pay"})
	if err != nil || n != 2 || string(plain) != quickstartFLE {
		t.Fatalf("decrypted %d fields: %q, %v; want %q", n, plain, err, quickstartFLE)
	}
}

// quickstartSigned signs path for the quickstart's host with its demo key,
// as the README's `edgeward sign url` line does.
func quickstartSigned(t *testing.T, qs, path string) string {
	t.Helper()
	signed, err := testSignerFile(t, "KDEMOKEY", filepath.Join(qs, "keys", "demo.pem")).SignURL("http://localhost:8080"+path, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(signed, "http://localhost:8080")
}
