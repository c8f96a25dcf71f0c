package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// --- helpers (prefixed tlsT so they stay out of other tests' way) ---

// tlsTFile is the path of a file in testdata/tls.
func tlsTFile(name string) string { return filepath.Join("..", "testdata", "tls", name) }

// tlsTCert loads testdata/tls/<name>.pem and <name>-key.pem the way policy
// does (Pair with Leaf set).
func tlsTCert(t testing.TB, name string) policy.Certificate {
	t.Helper()
	c := policy.Certificate{Cert: tlsTFile(name + ".pem"), Key: tlsTFile(name + "-key.pem")}
	pair, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		t.Fatal(err)
	}
	if pair.Leaf == nil {
		if pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	c.Pair = &pair
	return c
}

// tlsTMint makes a self-signed ECDSA certificate for dns and ips, loaded
// as policy would; add it to a client's roots to trust it.
func tlsTMint(t testing.TB, dns []string, ips ...net.IP) policy.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cn := "ip"
	if len(dns) > 0 {
		cn = dns[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2120, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return policy.Certificate{Cert: "minted:" + cn, Key: "minted:" + cn, Pair: &tls.Certificate{
		Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf,
	}}
}

// tlsTRoots trusts the test CA and any extra (self-signed) certificates.
func tlsTRoots(t testing.TB, extra ...policy.Certificate) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(tlsTFile("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("ca.pem: no certificate")
	}
	for _, c := range extra {
		pool.AddCert(c.Pair.Leaf)
	}
	return pool
}

// tlsTRuntime builds a runtime or fails the test.
func tlsTRuntime(t testing.TB, min string, acme tlsACME, certs ...policy.Certificate) *tlsRuntime {
	t.Helper()
	rt, err := newTLSRuntime(&policy.TLS{MinVersion: min, Certificates: certs}, acme)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// tlsTFrontWith returns a front serving rt.
func tlsTFrontWith(rt *tlsRuntime) *tlsFront {
	f := newTLSFront()
	f.Swap(rt)
	return f
}

// tlsTListen accepts TLS connections with f's config on loopback; each
// server-side handshake's error (nil on success) goes to the returned
// channel, and the connection is then closed by the client's choice: the
// server echoes lines until EOF.
func tlsTListen(t testing.TB, f *tlsFront) (addr string, serverErrs <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				tc := tls.Server(c, f.Config())
				err := tc.Handshake()
				errs <- err
				if err == nil {
					_, _ = io.Copy(tc, tc)
				}
			})
		}
	})
	return ln.Addr().String(), errs
}

// tlsTHandshake dials addr with cfg and returns the client's state and
// error and the server's handshake error.
func tlsTHandshake(t testing.TB, addr string, serverErrs <-chan error, cfg *tls.Config) (tls.ConnectionState, error, error) {
	t.Helper()
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 10 * time.Second}, Config: cfg}
	c, err := d.Dial("tcp", addr)
	var cs tls.ConnectionState
	if err == nil {
		cs = c.(*tls.Conn).ConnectionState()
		// A round trip makes sure the server finished its side too
		// (in TLS 1.3 the client finishes first).
		if _, err = c.Write([]byte("x")); err == nil {
			_, err = io.ReadFull(c, make([]byte, 1))
		}
		c.Close()
	}
	return cs, err, <-serverErrs
}

// tlsTServeHTTP serves "ok <proto>" over HTTPS with f (http.Server.ServeTLS,
// as the gateway does) and returns the address.
func tlsTServeHTTP(t testing.TB, f *tlsFront, configure func(*http.Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "ok %s", r.Proto)
		}),
		TLSConfig:         f.Config(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if configure != nil {
		configure(srv)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

// tlsTClient is an HTTPS client that trusts roots and names serverName.
func tlsTClient(roots *x509.CertPool, serverName string, cache tls.ClientSessionCache, keepAlive bool) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: serverName, ClientSessionCache: cache},
		ForceAttemptHTTP2: true,
		DisableKeepAlives: !keepAlive,
	}}
}

// tlsTGet GETs url and returns the response (body read) and its body.
func tlsTGet(t testing.TB, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, string(b)
}

// tlsTClock is a settable clock.
type tlsTClock struct{ ns atomic.Int64 }

func newTLSTClock() *tlsTClock {
	c := &tlsTClock{}
	c.ns.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *tlsTClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *tlsTClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// tlsTPeer names the certificate the server sent (its common name).
func tlsTPeer(cs tls.ConnectionState) string {
	if len(cs.PeerCertificates) == 0 {
		return "(none)"
	}
	return cs.PeerCertificates[0].Subject.CommonName
}

// --- end-to-end over loopback ---

// TestTLSSNISelection: a real handshake gets the certificate for its
// server name: exact, one-label wildcard (not across two labels, not the
// bare parent), case-insensitive; unknown names and clients without SNI
// get the first (default) certificate, unless the address they dialed is
// one of a certificate's IP names.
func TestTLSSNISelection(t *testing.T) {
	def, a, wild := tlsTCert(t, "default"), tlsTCert(t, "a"), tlsTCert(t, "wild-b")
	roots := tlsTRoots(t)
	for _, order := range []struct {
		name  string
		certs []policy.Certificate
		first string // the default's name
	}{
		{"default first", []policy.Certificate{def, a, wild}, "default.test"},
		{"default last", []policy.Certificate{a, wild, def}, "a.test"},
	} {
		addr, errs := tlsTListen(t, tlsTFrontWith(tlsTRuntime(t, "", nil, order.certs...)))
		for _, c := range []struct {
			name, sni string
			verify    bool // the client checks the chain and the name
			want      string
		}{
			{"exact", "a.test", true, "a.test"},
			{"exact, upper case", "A.TEST", true, "a.test"},
			{"wildcard", "x.b.test", true, "*.b.test"},
			{"wildcard, mixed case", "X.b.TEST", true, "*.b.test"},
			{"wildcard spans one label only", "x.y.b.test", false, order.first},
			{"wildcard does not match its parent", "b.test", false, order.first},
			{"unknown name", "nope.test", false, order.first},
			// Go sends no SNI when it dials an IP address; it checks the
			// certificate's IP names instead. The dialed address is
			// 127.0.0.1, an IP name of default.pem, so the default
			// certificate answers even when it is not first.
			{"no SNI, IP name", "", true, "default.test"},
		} {
			cfg := &tls.Config{RootCAs: roots, ServerName: c.sni, InsecureSkipVerify: !c.verify}
			cs, cerr, serr := tlsTHandshake(t, addr, errs, cfg)
			if cerr != nil || serr != nil {
				t.Errorf("%s: %s: client error %v, server error %v", order.name, c.name, cerr, serr)
				continue
			}
			if got := tlsTPeer(cs); got != c.want {
				t.Errorf("%s: %s: SNI %q got the certificate for %s, want %s", order.name, c.name, c.sni, got, c.want)
			}
		}
	}
}

// TestTLSProtocolPolicy: the TLSv1.2_2021 policy on the wire. Old
// versions, TLS 1.2 under min_version 1.3, and TLS 1.2 suites that are
// not ECDHE with an AEAD are refused, each with its exact reason; the six
// allowed suites, TLS 1.3, and CloudFront's four key exchanges work, and
// the access log names what was negotiated.
func TestTLSProtocolPolicy(t *testing.T) {
	certs := []policy.Certificate{tlsTCert(t, "default"), tlsTCert(t, "a")} // RSA, ECDSA
	fronts := map[string]string{}
	errsByMin := map[string]<-chan error{}
	for _, min := range []string{"1.2", "1.3"} {
		fronts[min], errsByMin[min] = tlsTListen(t, tlsTFrontWith(tlsTRuntime(t, min, nil, certs...)))
	}
	roots := tlsTRoots(t)
	tls12 := func(name string, suites ...uint16) *tls.Config {
		return &tls.Config{RootCAs: roots, ServerName: name, MaxVersion: tls.VersionTLS12, CipherSuites: suites}
	}
	noSuite := func(suites ...uint16) string {
		return fmt.Sprintf("tls: no cipher suite supported by both client and server; client offered: %x", suites)
	}
	for _, c := range []struct {
		name   string
		min    string
		client *tls.Config
		// refused:
		clientErr, serverErr string
		// accepted:
		version  uint16
		suite    uint16
		curve    tls.CurveID
		protocol string // access log ssl-protocol
		cipher   string // access log ssl-cipher
	}{
		{name: "TLS 1.0 refused", min: "1.2",
			client:    &tls.Config{RootCAs: roots, ServerName: "default.test", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10},
			clientErr: "remote error: tls: protocol version not supported", serverErr: "tls: client offered only unsupported versions: [301]"},
		{name: "TLS 1.1 refused", min: "1.2",
			client:    &tls.Config{RootCAs: roots, ServerName: "default.test", MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11},
			clientErr: "remote error: tls: protocol version not supported", serverErr: "tls: client offered only unsupported versions: [302]"},
		{name: "TLS 1.2 refused under min 1.3", min: "1.3", client: tls12("default.test"),
			clientErr: "remote error: tls: protocol version not supported", serverErr: "tls: client offered only unsupported versions: [303]"},
		{name: "ECDHE-RSA CBC refused", min: "1.2", client: tls12("default.test", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA),
			clientErr: "remote error: tls: handshake failure", serverErr: noSuite(tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)},
		{name: "ECDHE-ECDSA CBC-SHA256 refused", min: "1.2", client: tls12("a.test", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256),
			clientErr: "remote error: tls: handshake failure", serverErr: noSuite(tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)},
		{name: "3DES refused", min: "1.2", client: tls12("default.test", tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA),
			clientErr: "remote error: tls: handshake failure", serverErr: noSuite(tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA)},
		{name: "static RSA key exchange refused, even with GCM", min: "1.2", client: tls12("default.test", tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384),
			clientErr: "remote error: tls: handshake failure", serverErr: noSuite(tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384)},
		{name: "TLS 1.3 without a shared key exchange refused", min: "1.2",
			client:    &tls.Config{RootCAs: roots, ServerName: "a.test", MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.CurveP521}},
			clientErr: "remote error: tls: handshake failure", serverErr: "tls: no key exchanges supported by both client and server"},

		{name: "ECDHE-RSA-AES128-GCM-SHA256", min: "1.2", client: tls12("default.test", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256"},
		{name: "ECDHE-RSA-AES256-GCM-SHA384", min: "1.2", client: tls12("default.test", tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384"},
		{name: "ECDHE-RSA-CHACHA20-POLY1305", min: "1.2", client: tls12("default.test", tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-RSA-CHACHA20-POLY1305"},
		{name: "ECDHE-ECDSA-AES128-GCM-SHA256", min: "1.2", client: tls12("a.test", tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{name: "ECDHE-ECDSA-AES256-GCM-SHA384", min: "1.2", client: tls12("a.test", tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-AES256-GCM-SHA384"},
		{name: "ECDHE-ECDSA-CHACHA20-POLY1305", min: "1.2", client: tls12("a.test", tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, curve: tls.X25519, protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-CHACHA20-POLY1305"},
		{name: "TLS 1.2 over P-256", min: "1.2",
			client:  &tls.Config{RootCAs: roots, ServerName: "a.test", MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, CurvePreferences: []tls.CurveID{tls.CurveP256}},
			version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, curve: tls.CurveP256, protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{name: "TLS 1.3, post-quantum hybrid key exchange", min: "1.3",
			client:  &tls.Config{RootCAs: roots, ServerName: "a.test", CipherSuites: nil},
			version: tls.VersionTLS13, curve: tls.X25519MLKEM768, protocol: "TLSv1.3"},
		{name: "TLS 1.3 over P-384", min: "1.2",
			client:  &tls.Config{RootCAs: roots, ServerName: "default.test", CurvePreferences: []tls.CurveID{tls.CurveP384}},
			version: tls.VersionTLS13, curve: tls.CurveP384, protocol: "TLSv1.3"},
		{name: "TLS 1.3 over X25519", min: "1.2",
			client:  &tls.Config{RootCAs: roots, ServerName: "default.test", CurvePreferences: []tls.CurveID{tls.X25519}},
			version: tls.VersionTLS13, curve: tls.X25519, protocol: "TLSv1.3"},
	} {
		cs, cerr, serr := tlsTHandshake(t, fronts[c.min], errsByMin[c.min], c.client)
		if c.serverErr != "" {
			if tlsTErrString(cerr) != c.clientErr || tlsTErrString(serr) != c.serverErr {
				t.Errorf("%s:\n client error %v\n   want %s\n server error %v\n   want %s", c.name, cerr, c.clientErr, serr, c.serverErr)
			}
			continue
		}
		if cerr != nil || serr != nil {
			t.Errorf("%s: client error %v, server error %v", c.name, cerr, serr)
			continue
		}
		if cs.Version != c.version || (c.suite != 0 && cs.CipherSuite != c.suite) || cs.CurveID != c.curve {
			t.Errorf("%s: negotiated %s %s over %v, want %s %s over %v", c.name,
				tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), cs.CurveID,
				tls.VersionName(c.version), tls.CipherSuiteName(c.suite), c.curve)
		}
		protocol, cipher := tlsLogFields(&cs)
		wantCipher := c.cipher
		if c.version == tls.VersionTLS13 {
			wantCipher = tls.CipherSuiteName(cs.CipherSuite) // the client's hardware picks the 1.3 suite
		}
		if protocol != c.protocol || cipher != wantCipher {
			t.Errorf("%s: log fields %q %q, want %q %q", c.name, protocol, cipher, c.protocol, wantCipher)
		}
	}
}

func tlsTErrString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestTLSHTTP2: Go's HTTP client negotiates h2 through ALPN over
// http.Server.ServeTLS with the front's config; an HTTP/1.1-only client
// still gets HTTP/1.1.
func TestTLSHTTP2(t *testing.T) {
	addr := tlsTServeHTTP(t, tlsTFrontWith(tlsTRuntime(t, "", nil, tlsTCert(t, "default"), tlsTCert(t, "a"))), nil)
	roots := tlsTRoots(t)
	resp, body := tlsTGet(t, tlsTClient(roots, "a.test", nil, false), "https://"+addr+"/")
	if resp.ProtoMajor != 2 || resp.TLS.NegotiatedProtocol != "h2" || body != "ok HTTP/2.0" {
		t.Errorf("h2 client: %s, ALPN %q, body %q; want HTTP/2.0, h2", resp.Proto, resp.TLS.NegotiatedProtocol, body)
	}
	h1 := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "a.test", NextProtos: []string{"http/1.1"}},
	}}
	resp, body = tlsTGet(t, h1, "https://"+addr+"/")
	if resp.ProtoMajor != 1 || resp.TLS.NegotiatedProtocol != "http/1.1" || body != "ok HTTP/1.1" {
		t.Errorf("http/1.1 client: %s, ALPN %q, body %q; want HTTP/1.1", resp.Proto, resp.TLS.NegotiatedProtocol, body)
	}
}

// TestTLSNotReady: before the first Swap, and after Swap(nil), handshakes
// fail rather than fall back to anything.
func TestTLSNotReady(t *testing.T) {
	f := newTLSFront()
	addr, errs := tlsTListen(t, f)
	cfg := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true}
	if _, cerr, serr := tlsTHandshake(t, addr, errs, cfg); cerr == nil || !errors.Is(serr, errTLSNotReady) {
		t.Errorf("no runtime: client error %v, server error %v; want %v", cerr, serr, errTLSNotReady)
	}
	f.Swap(tlsTRuntime(t, "", nil, tlsTCert(t, "a")))
	if _, cerr, serr := tlsTHandshake(t, addr, errs, cfg); cerr != nil || serr != nil {
		t.Errorf("after Swap: client error %v, server error %v", cerr, serr)
	}
	f.Swap(nil)
	if _, cerr, serr := tlsTHandshake(t, addr, errs, cfg); cerr == nil || !errors.Is(serr, errTLSNotReady) {
		t.Errorf("after Swap(nil): client error %v, server error %v; want %v", cerr, serr, errTLSNotReady)
	}
}
