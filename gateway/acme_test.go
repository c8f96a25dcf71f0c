package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/edgeward/edgeward/gateway/acmetest"
	"github.com/edgeward/edgeward/policy"
)

// The tests with pebble order real certificates from a local ACME server
// (gateway/acmetest) that validates challenges by connecting to the test's
// listeners. Every name resolves to 127.0.0.1 there.

// acmeTTimeout bounds one handshake that may wait for an issuance (a
// liveness limit, not an assertion about speed).
const acmeTTimeout = 2 * time.Minute

// acmeTConfig is an ACME block for pebble p with a fresh cache directory
// (or dir when given).
func acmeTConfig(t testing.TB, p *acmetest.Pebble, dir string) *policy.ACME {
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "acme")
	}
	return &policy.ACME{Email: "ops@example.com", CacheDir: dir, Directory: p.DirectoryURL(), DirectoryCA: p.CAFile()}
}

func acmeTManager(t testing.TB, cfg *policy.ACME, hosts ...string) (*acmeManager, *acmeTCounter) {
	t.Helper()
	m, err := newACMEManager(cfg, hosts)
	if err != nil {
		t.Fatal(err)
	}
	c := &acmeTCounter{next: m.client.HTTPClient.Transport}
	m.client.HTTPClient.Transport = c
	return m, c
}

// acmeTCounter counts the requests the manager's ACME client makes.
type acmeTCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	urls []string
}

func (c *acmeTCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.urls = append(c.urls, r.Method+" "+r.URL.String())
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *acmeTCounter) count(substr string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, u := range c.urls {
		if strings.Contains(u, substr) {
			n++
		}
	}
	return n
}

// acmeTNewOrderURL is pebble's newOrder URL, from its directory.
func acmeTNewOrderURL(t testing.TB, p *acmetest.Pebble) string {
	t.Helper()
	hc, err := acmeHTTPClient(p.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := (&acme.Client{DirectoryURL: p.DirectoryURL(), HTTPClient: hc}).Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return dir.OrderURL
}

// acmeTServer is a TLS listener whose certificates come from an
// acmeManager, as the gateway's HTTPS listener (ALPN h2, http/1.1 and
// acme-tls/1). It records every GetCertificate call.
type acmeTServer struct {
	addr string
	mu   sync.Mutex
	seen []acmeTCall
}

type acmeTCall struct {
	name   string
	protos []string
	err    error
}

func acmeTServe(t testing.TB, m *acmeManager) *acmeTServer {
	t.Helper()
	return acmeTServeOn(t, m, acmeTListen(t))
}

func acmeTListen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func acmeTServeOn(t testing.TB, m *acmeManager, ln net.Listener) *acmeTServer {
	s := &acmeTServer{addr: ln.Addr().String()}
	cfg := &tls.Config{
		NextProtos: []string{"h2", "http/1.1", acme.ALPNProto},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			c, err := m.GetCertificate(hello)
			s.mu.Lock()
			s.seen = append(s.seen, acmeTCall{hello.ServerName, slices.Clone(hello.SupportedProtos), err})
			s.mu.Unlock()
			return c, err
		},
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(acmeTTimeout))
				_ = tls.Server(c, cfg).Handshake()
			})
		}
	})
	return s
}

func (s *acmeTServer) calls() []acmeTCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// acmeTHandshake connects to s as a browser would (SNI name, the chain
// verified against roots) and returns the server's leaf certificate.
func acmeTHandshake(t testing.TB, s *acmeTServer, name string, roots *x509.CertPool) (*x509.Certificate, error) {
	t.Helper()
	d := &net.Dialer{Timeout: acmeTTimeout}
	conn, err := tls.DialWithDialer(d, "tcp", s.addr, &tls.Config{ServerName: name, RootCAs: roots, NextProtos: []string{"http/1.1"}})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

// acmeTIssued checks that leaf is for exactly name.
func acmeTIssued(t testing.TB, leaf *x509.Certificate, name string) {
	t.Helper()
	if !slices.Equal(leaf.DNSNames, []string{name}) {
		t.Fatalf("certificate for %v, want [%s]", leaf.DNSNames, name)
	}
}

// acmeTRefused checks that a handshake for name fails because name is not
// an ACME host, and that the CA was not asked.
func acmeTRefused(t testing.TB, s *acmeTServer, c *acmeTCounter, name string, roots *x509.CertPool) {
	t.Helper()
	before := c.count("")
	if _, err := acmeTHandshake(t, s, name, roots); err == nil {
		t.Fatalf("handshake for %s succeeded", name)
	}
	calls := s.calls()
	last := calls[len(calls)-1]
	want := `acme: "` + name + `" is not an ACME host`
	if last.name != name || last.err == nil || last.err.Error() != want {
		t.Fatalf("GetCertificate(%s) = %v, want %q", last.name, last.err, want)
	}
	if n := c.count(""); n != before {
		t.Fatalf("refusing %s made %d requests to the CA", name, n-before)
	}
}

// TestACMEHTTP01: pebble validates over HTTP only (its TLS-ALPN-01 port
// refuses), so the certificate a browser gets for a.acme.test proves the
// HTTP-01 path: HTTPHandler on the plain-HTTP listener, with the Host
// header carrying a port. A second handshake is served from memory (no new
// order), the certificate is in the cache directory, and a name outside
// the hosts is refused without asking pebble.
func TestACMEHTTP01(t *testing.T) {
	t.Parallel()
	httpLn := acmeTListen(t)
	p := acmetest.Start(t, httpLn.Addr().(*net.TCPAddr).Port, 0)
	roots := p.IssuerRoots(t)
	cfg := acmeTConfig(t, p, "")
	m, counter := acmeTManager(t, cfg, "a.acme.test", "b.acme.test")
	newOrder := acmeTNewOrderURL(t, p)

	var answered atomic.Int64 // challenges served 200 to pebble
	challenges := m.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "fallback", http.StatusTeapot)
	}))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		challenges.ServeHTTP(rec, r)
		if rec.Code == http.StatusOK && strings.HasPrefix(r.URL.Path, acmeChallengePrefix) && strings.Contains(r.Host, ":") {
			answered.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})}
	go func() { _ = srv.Serve(httpLn) }()
	t.Cleanup(func() { srv.Close() })
	s := acmeTServe(t, m)

	acmeTRefused(t, s, counter, "other.acme.test", roots)
	if n := counter.count(""); n != 0 {
		t.Fatalf("%d requests to the CA before any handshake for an ACME host", n)
	}

	leaf, err := acmeTHandshake(t, s, "a.acme.test", roots)
	if err != nil {
		t.Fatalf("first handshake: %v", err)
	}
	acmeTIssued(t, leaf, "a.acme.test")
	if answered.Load() == 0 {
		t.Fatal("pebble never fetched an HTTP-01 token, yet a certificate was issued")
	}
	for _, f := range []string{"a.acme.test", "acme_account+key"} {
		st, err := os.Stat(filepath.Join(cfg.CacheDir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("cache file %s: %v %v, want mode 0600", f, st.Mode(), err)
		}
	}
	if st, err := os.Stat(cfg.CacheDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir: %v %v, want mode 0700", st.Mode(), err)
	}

	orders := counter.count("POST " + newOrder)
	again, err := acmeTHandshake(t, s, "A.ACME.TEST", roots)
	if err != nil {
		t.Fatalf("second handshake: %v", err)
	}
	if again.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("second handshake got serial %s, want %s", again.SerialNumber, leaf.SerialNumber)
	}
	if n := counter.count("POST " + newOrder); n != orders {
		t.Fatalf("second handshake placed %d new orders", n-orders)
	}
	acmeTRefused(t, s, counter, "other.acme.test", roots)
}

// TestACMETLSALPN01: pebble validates with TLS-ALPN-01 only (its HTTP port
// refuses, and the manager's HTTP handler is not served), through
// GetCertificate on an ordinary TLS listener that offers acme-tls/1.
func TestACMETLSALPN01(t *testing.T) {
	t.Parallel()
	ln := acmeTListen(t)
	p := acmetest.Start(t, 0, ln.Addr().(*net.TCPAddr).Port)
	m, _ := acmeTManager(t, acmeTConfig(t, p, ""), "a.acme.test")
	s := acmeTServeOn(t, m, ln)

	leaf, err := acmeTHandshake(t, s, "a.acme.test", p.IssuerRoots(t))
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	acmeTIssued(t, leaf, "a.acme.test")
	validated := false
	for _, c := range s.calls() {
		if slices.Equal(c.protos, []string{acme.ALPNProto}) {
			if c.err != nil {
				t.Errorf("TLS-ALPN-01 handshake for %s: %v", c.name, c.err)
			}
			validated = validated || c.name == "a.acme.test" && c.err == nil
		}
	}
	if !validated {
		t.Fatalf("pebble made no acme-tls/1 handshake for a.acme.test; calls: %+v", s.calls())
	}
}

// TestACMERestart: a new manager on the same cache directory serves the
// stored certificate with pebble stopped; a host it has no certificate for
// fails (the CA is gone) and is then not retried until its backoff passes.
func TestACMERestart(t *testing.T) {
	t.Parallel()
	ln := acmeTListen(t)
	p := acmetest.Start(t, 0, ln.Addr().(*net.TCPAddr).Port)
	roots := p.IssuerRoots(t)
	cfg := acmeTConfig(t, p, "")
	m, _ := acmeTManager(t, cfg, "a.acme.test", "b.acme.test")
	leaf, err := acmeTHandshake(t, acmeTServeOn(t, m, ln), "a.acme.test", roots)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	p.Stop()

	m2, counter := acmeTManager(t, cfg, "a.acme.test", "b.acme.test")
	s := acmeTServe(t, m2)
	again, err := acmeTHandshake(t, s, "a.acme.test", roots)
	if err != nil {
		t.Fatalf("handshake after restart: %v", err)
	}
	if again.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("after restart: serial %s, want the stored %s", again.SerialNumber, leaf.SerialNumber)
	}
	if n := counter.count(""); n != 0 {
		t.Fatalf("serving the stored certificate made %d requests to the CA", n)
	}

	if _, err := acmeTHandshake(t, s, "b.acme.test", roots); err == nil {
		t.Fatal("b.acme.test: a certificate without a CA")
	}
	asked := counter.count("")
	if asked == 0 {
		t.Fatal("b.acme.test: the CA was not asked")
	}
	if _, err := acmeTHandshake(t, s, "b.acme.test", roots); err == nil {
		t.Fatal("b.acme.test: a certificate without a CA")
	}
	calls := s.calls()
	if last := calls[len(calls)-1]; last.err == nil || !strings.HasPrefix(last.err.Error(), `acme: not asking the CA for "b.acme.test" again before `) {
		t.Fatalf("second b.acme.test handshake: %v, want the backoff error", last.err)
	}
	if n := counter.count(""); n != asked {
		t.Fatalf("backing off, yet %d more requests to the CA", n-asked)
	}
}

// TestACMEBackoff: after an issuance fails, handshakes for that name fail
// at once, without reaching autocert, for a minute, then two, ... up to an
// hour; other names and TLS-ALPN-01 challenge handshakes are not held
// back.
func TestACMEBackoff(t *testing.T) {
	ca := acmeTListen(t) // a "CA" that closes every connection
	go func() {
		for {
			c, err := ca.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ca.Close() })
	cfg := &policy.ACME{CacheDir: t.TempDir(), Directory: "https://" + ca.Addr().String() + "/dir"}
	m, counter := acmeTManager(t, cfg, "a.acme.test", "b.acme.test")
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	m.now = func() time.Time { return now }
	hello := func(name string, protos ...string) *tls.ClientHelloInfo {
		return &tls.ClientHelloInfo{ServerName: name, SupportedProtos: protos,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
	}
	get := func(name string) (asked int, err error) {
		before := counter.count("")
		_, err = m.GetCertificate(hello(name))
		return counter.count("") - before, err
	}

	asked, first := get("a.acme.test")
	if first == nil || asked == 0 {
		t.Fatalf("first attempt: %v after %d requests, want a failure from the CA", first, asked)
	}
	for _, step := range []struct {
		at      time.Duration
		backoff string // "" means passed on to autocert
	}{
		{0, "2026-01-02T03:05:05Z"},
		{59 * time.Second, "2026-01-02T03:05:05Z"},
		{time.Minute, ""},
		{time.Minute, "2026-01-02T03:07:05Z"},
		{3*time.Minute - time.Second, "2026-01-02T03:07:05Z"},
		{3 * time.Minute, ""},
		{3 * time.Minute, "2026-01-02T03:11:05Z"},
	} {
		now = t0.Add(step.at)
		asked, err := get("a.acme.test")
		if step.backoff == "" {
			// autocert itself holds a failed name for a minute of real
			// time, so it answers without asking the CA.
			if asked != 0 || err == nil || err.Error() != "acme/autocert: missing certificate" {
				t.Fatalf("at +%s: %v after %d requests, want autocert's answer", step.at, err, asked)
			}
			continue
		}
		want := `acme: not asking the CA for "a.acme.test" again before ` + step.backoff + "; the last attempt failed: "
		if asked != 0 || err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("at +%s: %v after %d requests, want %q...", step.at, err, asked, want)
		}
	}
	if asked, err := get("b.acme.test"); asked == 0 || strings.Contains(err.Error(), "not asking") {
		t.Fatalf("b.acme.test held back by a.acme.test's failure: %v", err)
	}
	if _, err := m.GetCertificate(hello("a.acme.test", acme.ALPNProto)); err == nil || err.Error() != `acme/autocert: no token cert for "a.acme.test"` {
		t.Fatalf("challenge handshake during backoff: %v, want autocert's answer", err)
	}

	// The wait doubles up to an hour.
	m.failed["a.acme.test"] = acmeFailure{until: now, wait: 50 * time.Minute, err: first}
	m.fail("a.acme.test", first)
	if f := m.failed["a.acme.test"]; f.wait != time.Hour || !f.until.Equal(now.Add(time.Hour)) {
		t.Fatalf("after 50m: wait %s until %s, want 1h", f.wait, f.until)
	}
	m.succeed("a.acme.test")
	if _, ok := m.failed["a.acme.test"]; ok {
		t.Fatal("success did not clear the backoff")
	}
}

// TestACMEHTTPHandler: challenge paths for ACME hosts (any case, a port,
// a trailing dot) go to autocert; everything else to the fallback.
func TestACMEHTTPHandler(t *testing.T) {
	m, err := newACMEManager(&policy.ACME{CacheDir: t.TempDir()}, []string{"a.acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "fallback for "+r.Host, http.StatusTeapot)
	})
	for _, tc := range []struct {
		host, path string
		nilFB      bool
		code       int
		body       string
	}{
		{"a.acme.test", "/", false, http.StatusTeapot, "fallback for a.acme.test"},
		{"a.acme.test", "/.well-known/acme-challenge", false, http.StatusTeapot, "fallback for a.acme.test"},
		{"other.acme.test", "/.well-known/acme-challenge/tok", false, http.StatusTeapot, "fallback for other.acme.test"},
		{"a.acme.test.evil", "/.well-known/acme-challenge/tok", false, http.StatusTeapot, "fallback for a.acme.test.evil"},
		{"a.acme.test", "/.well-known/acme-challenge/tok", false, http.StatusNotFound, "acme/autocert: certificate cache miss"},
		{"A.Acme.Test.:8080", "/.well-known/acme-challenge/tok", false, http.StatusNotFound, "acme/autocert: certificate cache miss"},
		{"other.acme.test", "/", true, http.StatusNotFound, "404 page not found"},
	} {
		t.Run(tc.host+tc.path, func(t *testing.T) {
			var fb http.Handler = fallback
			if tc.nilFB {
				fb = nil
			}
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "http://"+tc.host+tc.path, nil)
			m.HTTPHandler(fb).ServeHTTP(rec, r)
			if body := strings.TrimSpace(rec.Body.String()); rec.Code != tc.code || body != tc.body {
				t.Fatalf("%d %q, want %d %q", rec.Code, body, tc.code, tc.body)
			}
		})
	}
}

// TestACMEHandles: names are compared without case and trailing dot.
func TestACMEHandles(t *testing.T) {
	m, err := newACMEManager(&policy.ACME{CacheDir: t.TempDir()}, []string{"A.Acme.Test.", "b.acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"a.acme.test": true, "A.ACME.TEST": true, "a.acme.test.": true, "b.acme.test": true,
		"c.acme.test": false, "acme.test": false, "x.a.acme.test": false, "": false, "a.acme.test..": false,
	} {
		if got := m.Handles(name); got != want {
			t.Errorf("Handles(%q) = %v, want %v", name, got, want)
		}
	}
	if _, err := m.GetCertificate(&tls.ClientHelloInfo{}); err == nil ||
		err.Error() != "acme: no server name (SNI) in the handshake: ACME certificates are chosen by name" {
		t.Errorf("no SNI: %v", err)
	}
}

// TestNewACMEManager: one case per check, with the exact reason.
func TestNewACMEManager(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	notPEM := filepath.Join(dir, "not.pem")
	big := filepath.Join(dir, "big.pem")
	groupWritable := filepath.Join(dir, "group-writable")
	readOnly := filepath.Join(dir, "read-only")
	for name, data := range map[string]string{file: "x", notPEM: "not a certificate", big: strings.Repeat("x", acmeMaxCAFile+1)} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, mode := range map[string]os.FileMode{groupWritable: 0o770, readOnly: 0o500} {
		if err := os.Mkdir(name, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = os.Chmod(readOnly, 0o700) })
	cache := filepath.Join(dir, "cache")
	ok := func(edit func(*policy.ACME)) *policy.ACME {
		a := &policy.ACME{Email: "ops@example.com", CacheDir: cache, Directory: "https://acme.example/dir"}
		if edit != nil {
			edit(a)
		}
		return a
	}
	hosts := []string{"a.acme.test"}
	for _, tc := range []struct {
		name  string
		cfg   *policy.ACME
		hosts []string
		want  string
	}{
		{"nil config", nil, hosts, "tls.acme: no acme settings"},
		{"no hosts", ok(nil), nil, "tls.acme: no host names to get certificates for: set tls.acme.hosts, or give a distribution an exact host name"},
		{"wildcard", ok(nil), []string{"*.acme.test"}, `tls.acme: host "*.acme.test": a wildcard needs DNS-01, which Edgeward does not do: name each host`},
		{"IPv4", ok(nil), []string{"192.0.2.1"}, `tls.acme: host "192.0.2.1": an IP address: ACME certificates here are for DNS names`},
		{"IPv6", ok(nil), []string{"[2001:db8::1]"}, `tls.acme: host "[2001:db8::1]": an IP address: ACME certificates here are for DNS names`},
		{"single label", ok(nil), []string{"intranet"}, `tls.acme: host "intranet": a single-label name: a public CA issues only for names with a dot`},
		{"too long", ok(nil), []string{strings.Repeat("a.", 127) + "test"}, `tls.acme: host "` + strings.Repeat("a.", 127) + `test": longer than 253 characters`},
		{"empty label", ok(nil), []string{"a..test"}, `tls.acme: host "a..test": labels must be 1 to 63 characters`},
		{"long label", ok(nil), []string{strings.Repeat("a", 64) + ".test"}, `tls.acme: host "` + strings.Repeat("a", 64) + `.test": labels must be 1 to 63 characters`},
		{"hyphen", ok(nil), []string{"-a.acme.test"}, `tls.acme: host "-a.acme.test": label "-a" starts or ends with '-'`},
		{"underscore", ok(nil), []string{"a_b.acme.test"}, `tls.acme: host "a_b.acme.test": '_' is not allowed (letters, digits and '-'; write internationalized names as xn--)`},
		{"unicode", ok(nil), []string{"bücher.example"}, `tls.acme: host "bücher.example": 'ü' is not allowed (letters, digits and '-'; write internationalized names as xn--)`},
		{"numeric TLD", ok(nil), []string{"host.123"}, `tls.acme: host "host.123": the last label is all digits`},
		{"no cache dir", ok(func(a *policy.ACME) { a.CacheDir = "" }), hosts, "tls.acme.cache_dir: required: a directory where the account and certificates are kept"},
		{"relative cache dir", ok(func(a *policy.ACME) { a.CacheDir = "acme" }), hosts, "tls.acme.cache_dir: acme: want an absolute path"},
		{"cache dir is a file", ok(func(a *policy.ACME) { a.CacheDir = file }), hosts, "tls.acme.cache_dir: mkdir " + file + ": not a directory"},
		{"cache dir writable by group", ok(func(a *policy.ACME) { a.CacheDir = groupWritable }), hosts,
			"tls.acme.cache_dir: " + groupWritable + " is writable by group or others (mode 0770): it holds private keys; chmod 700 it"},
		{"cache dir read-only", ok(func(a *policy.ACME) { a.CacheDir = readOnly }), hosts,
			"tls.acme.cache_dir: " + readOnly + " is not writable: open " + readOnly + "/.edgeward-probe-*: permission denied"},
		{"bad email", ok(func(a *policy.ACME) { a.Email = "ops" }), hosts, `tls.acme.email: "ops": want a plain address such as ops@example.com`},
		{"email with a name", ok(func(a *policy.ACME) { a.Email = "Ops <ops@example.com>" }), hosts, `tls.acme.email: "Ops <ops@example.com>": want a plain address such as ops@example.com`},
		{"http directory", ok(func(a *policy.ACME) { a.Directory = "http://acme.example/dir" }), hosts, `tls.acme.directory: "http://acme.example/dir": want the https:// URL of an ACME directory`},
		{"directory without host", ok(func(a *policy.ACME) { a.Directory = "https:///dir" }), hosts, `tls.acme.directory: "https:///dir": want the https:// URL of an ACME directory`},
		{"relative CA", ok(func(a *policy.ACME) { a.DirectoryCA = "ca.pem" }), hosts, "tls.acme.directory_ca: ca.pem: want an absolute path"},
		{"missing CA", ok(func(a *policy.ACME) { a.DirectoryCA = filepath.Join(dir, "missing.pem") }), hosts,
			"tls.acme.directory_ca: open " + filepath.Join(dir, "missing.pem") + ": no such file or directory"},
		{"CA not PEM", ok(func(a *policy.ACME) { a.DirectoryCA = notPEM }), hosts, "tls.acme.directory_ca: " + notPEM + " holds no PEM certificate"},
		{"CA too big", ok(func(a *policy.ACME) { a.DirectoryCA = big }), hosts, "tls.acme.directory_ca: " + big + ": larger than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "cache dir read-only" && os.Geteuid() == 0 {
				t.Skip("root writes to read-only directories")
			}
			m, err := newACMEManager(tc.cfg, tc.hosts)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant %s", err, tc.want)
			}
			if m != nil {
				t.Fatal("a manager with the error")
			}
		})
	}
}

// TestNewACMEManagerDefaults: Let's Encrypt's directory by default, the
// system's roots without directory_ca, a missing cache dir made 0700.
func TestNewACMEManagerDefaults(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "state", "acme")
	m, err := newACMEManager(&policy.ACME{CacheDir: cache}, []string{"a.acme.test", "A.acme.test."})
	if err != nil {
		t.Fatal(err)
	}
	if m.client.DirectoryURL != acme.LetsEncryptURL {
		t.Errorf("directory %s, want %s", m.client.DirectoryURL, acme.LetsEncryptURL)
	}
	if tr := m.client.HTTPClient.Transport.(*http.Transport); tr.TLSClientConfig.RootCAs != nil {
		t.Error("roots set without directory_ca")
	}
	if len(m.hosts) != 1 {
		t.Errorf("hosts %v, want one", m.hosts)
	}
	if m.mgr.RenewBefore != 0 || m.mgr.Email != "" {
		t.Errorf("RenewBefore %s Email %q, want autocert's default and none", m.mgr.RenewBefore, m.mgr.Email)
	}
	st, err := os.Stat(cache)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir: %v %v, want a 0700 directory", st, err)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("cache dir holds %v after the probe", entries)
	}
}

// FuzzACMEHosts: any accepted host is handled in any case and with a
// trailing dot, and its normal form is accepted again.
func FuzzACMEHosts(f *testing.F) {
	for _, s := range []string{"a.acme.test", "A.Acme.Test.", "*.acme.test", "192.0.2.1", "[2001:db8::1]", "intranet",
		"a..test", "-a.acme.test", "a_b.acme.test", "bücher.example", "host.123", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := acmeHostSet([]string{s})
		if err != nil {
			return
		}
		m := &acmeManager{hosts: set}
		name := acmeNormalize(s)
		for _, v := range []string{s, strings.ToUpper(s), name, name + "."} {
			if !m.Handles(v) {
				t.Fatalf("accepted %q but Handles(%q) is false", s, v)
			}
		}
		if err := acmeCheckName(name); err != nil {
			t.Fatalf("accepted %q but not its normal form %q: %v", s, name, err)
		}
		if _, err := acmeHostSet([]string{name}); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkACMEHandles is the per-handshake name check.
func BenchmarkACMEHandles(b *testing.B) {
	m, err := newACMEManager(&policy.ACME{CacheDir: b.TempDir()}, []string{"a.acme.test", "b.acme.test", "c.acme.test"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !m.Handles("b.acme.test") || m.Handles("Other.Acme.Test") {
			b.Fatal("wrong answer")
		}
	}
}
