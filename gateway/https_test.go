package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// tlsTestFile is the absolute path of a test certificate or key.
func tlsTestFile(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "tls", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRedirectKeepsHTTPSPort: the Location names the HTTPS listener's
// port unless it is 443.
func TestRedirectKeepsHTTPSPort(t *testing.T) {
	for _, c := range []struct{ listen, want string }{
		{"127.0.0.1:8443", "https://d.test:8443/p?q"},
		{":443", "https://d.test/p?q"},
		{"", "https://d.test/p?q"},
	} {
		cfg := &policy.Config{Listen: policy.Listen{HTTPS: c.listen}}
		st, err := newHTTPSStage(&behaviorSpec{global: cfg, cfg: &policy.Behavior{ViewerProtocol: policy.ViewerRedirectToHTTPS, RedirectCode: 301}})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := http.NewRequest("GET", "http://d.test:8080/p?q", nil)
		r.RequestURI = "/p?q"
		x := newExchange(r, "id", time.Now())
		d := st.Check(x)
		if d == nil || d.Status != 301 || d.Header.Get("Location") != c.want {
			t.Errorf("listen.https %q: %+v, want Location %q", c.listen, d, c.want)
		}
	}
}

// TestViewerProtocolPolicy: redirect codes per method and protocol
// version, the Location kept exact, and https-only refusals.
func TestViewerProtocolPolicy(t *testing.T) {
	o := newCountingOrigin(t)
	cfg := writeConfig(t, "", `
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, admin: "off"}
access_log: {path: off}
tls:
  certificates: [{cert: `+tlsTestFile(t, "default.pem")+`, key: `+tlsTestFile(t, "default-key.pem")+`}]
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: `+o.URL+`}]
    default_behavior: {origin: o, allowed_methods: [ALL], viewer_protocol: redirect-to-https}
    behaviors:
      - {path: /only/*, origin: o, viewer_protocol: https-only}
      - {path: /perm/*, origin: o, allowed_methods: [ALL], viewer_protocol: redirect-to-https, redirect_code: 308}
      - {path: /open/*, origin: o}
`)
	s := startGateway(t, cfg)
	for _, c := range []struct {
		method, target string
		status         int
		location       string
	}{
		{"GET", "/a/b?x=1&y=%20", 301, "https://d.test/a/b?x=1&y=%20"},
		{"HEAD", "/a", 301, "https://d.test/a"},
		{"POST", "/a", 307, "https://d.test/a"},
		{"DELETE", "/a", 307, "https://d.test/a"},
		{"GET", "/perm/a", 308, "https://d.test/perm/a"},
		{"PUT", "/perm/a", 308, "https://d.test/perm/a"},
		{"GET", "/only/a", 403, ""},
	} {
		req, _ := http.NewRequest(c.method, "http://"+s.Addr()+c.target, nil)
		req.Host = "d.test:8080"
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location {
			t.Errorf("%s %s: %d Location %q, want %d %q", c.method, c.target, resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS on a plain-HTTP response", c.method, c.target)
		}
	}
	if n := o.count("/a") + o.count("/only/a"); n != 0 {
		t.Errorf("the origin saw %d requests that should have been redirected or refused", n)
	}
	if resp, _ := do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/open/x", "d.test", nil, nil); resp.StatusCode != 404 {
		t.Errorf("allow-all: %d, want the origin's 404", resp.StatusCode)
	}

	// HTTP/1.0 has no 307: a POST there is refused.
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("POST /a HTTP/1.0\r\nHost: d.test\r\nContent-Length: 0\r\n\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 403 || !strings.Contains(resp.Header.Get("X-Cache"), "Error") {
		t.Errorf("POST over HTTP/1.0: %d, want 403", resp.StatusCode)
	}
}

// httpsClient trusts the test CA and dials addr whatever the URL's host,
// sending SNI for the URL's host.
func httpsClient(t testing.TB, addr string, h2 bool) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(tlsTestFile(t, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: h2,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestHTTPSListener: TLS with SNI certificates, HTTP/2, HSTS on HTTPS only,
// TLS fields in the access log, redirect-to-https satisfied by HTTPS, and
// a trusted proxy's X-Forwarded-Proto believed while an untrusted
// client's is not.
func TestHTTPSListener(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/a", static("hello", "Strict-Transport-Security", "max-age=1"))
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	cfg := writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, admin: "off"}
access_log: {path: `+logPath+`, format: json}
trusted_proxies: [127.0.0.1/32]
tls:
  certificates:
    - {cert: `+tlsTestFile(t, "default.pem")+`, key: `+tlsTestFile(t, "default-key.pem")+`}
    - {cert: `+tlsTestFile(t, "a.pem")+`, key: `+tlsTestFile(t, "a-key.pem")+`}
    - {cert: `+tlsTestFile(t, "wild-b.pem")+`, key: `+tlsTestFile(t, "wild-b-key.pem")+`}
distributions:
  - name: d
    hosts: [a.test, "*.b.test", default.test]
    origins: [{id: o, url: `+o.URL+`}]
    response_headers: {hsts: {max_age: 31536000, include_subdomains: true}}
    default_behavior: {origin: o, viewer_protocol: redirect-to-https, cache: disabled}
`)
	s := startGateway(t, cfg)
	for _, c := range []struct {
		host, wantCN string
		h2           bool
	}{
		{"a.test", "a.test", true},
		{"x.b.test", "*.b.test", false},
		{"default.test", "default.test", true},
	} {
		resp, err := httpsClient(t, s.HTTPSAddr(), c.h2).Get("https://" + c.host + "/a")
		if err != nil {
			t.Fatalf("%s: %v", c.host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", c.host, resp.StatusCode)
		}
		if got := resp.TLS.PeerCertificates[0].DNSNames[0]; got != c.wantCN {
			t.Errorf("%s: certificate for %q, want %q", c.host, got, c.wantCN)
		}
		if want := map[bool]int{true: 2, false: 1}[c.h2]; resp.ProtoMajor != want {
			t.Errorf("%s: HTTP/%d, want HTTP/%d", c.host, resp.ProtoMajor, want)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s: HSTS %q, want the distribution's (over the origin's)", c.host, got)
		}
	}

	// Plain HTTP from a trusted proxy that says the viewer used HTTPS.
	resp, _ := do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/a", "a.test", http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-For": {"198.51.100.7"}}, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("trusted X-Forwarded-Proto: %d, HSTS %q; want 200 with HSTS", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// The same from an untrusted address (127.0.0.2) is redirected.
	untrusted := &http.Client{
		Transport:     &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, _ = do(t, untrusted, "GET", "http://"+s.Addr()+"/a", "a.test", http.Header{"X-Forwarded-Proto": {"https"}}, nil)
	if resp.StatusCode != 301 {
		t.Errorf("untrusted X-Forwarded-Proto: %d, want 301", resp.StatusCode)
	}

	s.Shutdown(t.Context())
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"ssl_protocol":"TLSv1.3"`) || !strings.Contains(string(raw), `"protocol_version":"HTTP/2.0"`) {
		t.Errorf("the access log lacks TLS fields:\n%s", raw)
	}
	if !strings.Contains(string(raw), `"client_ip":"198.51.100.7"`) {
		t.Errorf("the trusted proxy's X-Forwarded-For did not name the viewer:\n%s", raw)
	}
}

// TestTLSOldVersionsRefused: TLS 1.0 and 1.1 handshakes fail.
func TestTLSOldVersionsRefused(t *testing.T) {
	o := newCountingOrigin(t)
	cfg := writeConfig(t, "", `
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, admin: "off"}
access_log: {path: off}
tls: {certificates: [{cert: `+tlsTestFile(t, "default.pem")+`, key: `+tlsTestFile(t, "default-key.pem")+`}]}
distributions:
  - {name: d, hosts: [default.test], origins: [{id: o, url: `+o.URL+`}], default_behavior: {origin: o}}
`)
	s := startGateway(t, cfg)
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		c, err := tls.Dial("tcp", s.HTTPSAddr(), &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		if err == nil {
			c.Close()
			t.Errorf("a TLS %x handshake succeeded", v)
		}
	}
}

// TestTLSCertificateReload: a reload with new certificates serves them on
// new connections while a connection opened before keeps working.
func TestTLSCertificateReload(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/a", static("hello"))
	conf := func(cert, key string) string {
		return `
listen: {http: 127.0.0.1:0, https: 127.0.0.1:0, admin: "off"}
access_log: {path: off}
tls: {certificates: [{cert: ` + tlsTestFile(t, cert) + `, key: ` + tlsTestFile(t, key) + `}]}
distributions:
  - {name: d, hosts: [default.test, a.test], origins: [{id: o, url: ` + o.URL + `}], default_behavior: {origin: o, cache: disabled}}
`
	}
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, conf("default.pem", "default-key.pem"))
	s := startGateway(t, cfgPath)

	held := httpsClient(t, s.HTTPSAddr(), false) // keeps its connection alive
	get := func(c *http.Client, host string) *http.Response {
		t.Helper()
		resp, err := c.Get("https://" + host + "/a")
		if err != nil {
			t.Fatalf("GET %s: %v", host, err)
		}
		io.Copy(io.Discard, resp.Body) // read to the end, so the connection is kept
		resp.Body.Close()
		return resp
	}
	if resp := get(held, "default.test"); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	writeConfig(t, dir, conf("a.pem", "a-key.pem"))
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	// The held connection: same TLS session, still served.
	resp := get(held, "default.test")
	if resp.StatusCode != 200 || resp.TLS.PeerCertificates[0].DNSNames[0] != "default.test" {
		t.Fatalf("held connection after reload: %d %v", resp.StatusCode, resp.TLS.PeerCertificates[0].DNSNames)
	}
	// A new connection gets the new certificate.
	fresh := httpsClient(t, s.HTTPSAddr(), false)
	if resp := get(fresh, "a.test"); resp.TLS.PeerCertificates[0].DNSNames[0] != "a.test" {
		t.Fatalf("new connection after reload: %v", resp.TLS.PeerCertificates[0].DNSNames)
	}
}

// TestProxyProtocolListener: with proxy_protocol on, a trusted load
// balancer's PROXY header names the viewer (in the origin's
// X-Forwarded-For), and an untrusted peer's header is not believed.
func TestProxyProtocolListener(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/a", static("hello"))
	cfg := writeConfig(t, "", `
listen: {http: 127.0.0.1:0, admin: "off", proxy_protocol: true}
access_log: {path: off}
trusted_proxies: [127.0.0.1]
distributions:
  - {name: d, hosts: [d.test], origins: [{id: o, url: `+o.URL+`}], default_behavior: {origin: o, cache: disabled}}
`)
	s := startGateway(t, cfg)
	send := func(from net.IP, head string) (int, string) {
		t.Helper()
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: from}}).Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte(head + "GET /a HTTP/1.1\r\nHost: d.test\r\nConnection: close\r\n\r\n"))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0, ""
		}
		resp.Body.Close()
		xff := ""
		if r := o.lastRequest("/a"); r != nil {
			xff = r.Header.Get("X-Forwarded-For")
		}
		return resp.StatusCode, xff
	}
	if code, xff := send(net.IPv4(127, 0, 0, 1), "PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\n"); code != 200 || xff != "203.0.113.9" {
		t.Errorf("trusted PROXY header: %d, origin saw X-Forwarded-For %q; want 203.0.113.9", code, xff)
	}
	if code, _ := send(net.IPv4(127, 0, 0, 1), ""); code != 0 {
		t.Errorf("a trusted peer without a PROXY header got %d; its connection must be closed", code)
	}
	if code, _ := send(net.IPv4(127, 0, 0, 2), "PROXY TCP4 203.0.113.66 127.0.0.1 5555 80\r\n"); code != 400 {
		t.Errorf("an untrusted PROXY header got %d, want 400 (it is not parsed)", code)
	}
}
