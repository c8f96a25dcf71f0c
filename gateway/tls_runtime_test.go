package gateway

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// tlsTFakeACME stands in for autocert: it manages names, answers
// challenges with its own certificate, and records what it was asked.
type tlsTFakeACME struct {
	names     map[string]bool
	cert      *tls.Certificate
	challenge *tls.Certificate
	err       error // returned for every non-challenge request when set

	mu      sync.Mutex
	handles []string
}

var _ tlsACME = (*tlsTFakeACME)(nil)

func (a *tlsTFakeACME) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if slices.Contains(hello.SupportedProtos, tlsALPNACME) {
		return a.challenge, nil
	}
	if a.err != nil {
		return nil, a.err
	}
	return a.cert, nil
}

func (a *tlsTFakeACME) Handles(name string) bool {
	a.mu.Lock()
	a.handles = append(a.handles, name)
	a.mu.Unlock()
	return a.names[name]
}

func newTLSTFakeACME(t testing.TB, names ...string) *tlsTFakeACME {
	a := &tlsTFakeACME{names: map[string]bool{},
		cert:      tlsTMint(t, []string{"acme.test"}).Pair,
		challenge: tlsTMint(t, []string{"challenge.acme.test"}).Pair,
	}
	for _, n := range names {
		a.names[n] = true
	}
	return a
}

// TestTLSRuntimeSelectionOrder: challenge -> ACME; a name the
// certificates cover -> them; a name ACME manages -> ACME; else the
// default, or a failed handshake when there are no certificates.
func TestTLSRuntimeSelectionOrder(t *testing.T) {
	def, a := tlsTCert(t, "default"), tlsTCert(t, "a")
	challenge := []string{"acme-tls/1"}
	acmeErr := errors.New("acme: rate limited")
	for _, c := range []struct {
		name    string
		certs   []policy.Certificate
		acme    *tlsTFakeACME
		hello   tls.ClientHelloInfo
		want    string // common name, or the error
		handles []string
	}{
		{"challenge for a name the certificates cover", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test", "a.test"),
			tls.ClientHelloInfo{ServerName: "a.test", SupportedProtos: challenge}, "challenge.acme.test", nil},
		{"challenge among other protocols", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "acme.test", SupportedProtos: []string{"h2", "acme-tls/1"}}, "challenge.acme.test", nil},
		{"certificates before ACME, even for a name ACME manages", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test", "a.test"),
			tls.ClientHelloInfo{ServerName: "a.test", SupportedProtos: []string{"h2"}}, "a.test", nil},
		{"a name only ACME manages", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "acme.test"}, "acme.test", []string{"acme.test"}},
		{"ACME asked in lower case without the trailing dot", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "ACME.Test."}, "acme.test", []string{"acme.test"}},
		{"a name nobody manages: the default", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "other.test"}, "default.test", []string{"other.test"}},
		{"no SNI: the default, ACME not asked", []policy.Certificate{def, a}, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{}, "default.test", nil},
		{"ACME's error fails the handshake", []policy.Certificate{def, a}, &tlsTFakeACME{names: map[string]bool{"acme.test": true}, err: acmeErr},
			tls.ClientHelloInfo{ServerName: "acme.test"}, acmeErr.Error(), []string{"acme.test"}},
		{"ACME only: its name", nil, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "acme.test"}, "acme.test", []string{"acme.test"}},
		{"ACME only: a challenge", nil, newTLSTFakeACME(t),
			tls.ClientHelloInfo{ServerName: "new.test", SupportedProtos: challenge}, "challenge.acme.test", nil},
		{"ACME only: another name fails", nil, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{ServerName: "other.test"}, `tls: no certificate for server name "other.test"`, []string{"other.test"}},
		{"ACME only: no SNI fails", nil, newTLSTFakeACME(t, "acme.test"),
			tls.ClientHelloInfo{}, `tls: no certificate for server name ""`, nil},
		{"no ACME: acme-tls/1 means nothing", []policy.Certificate{def, a}, nil,
			tls.ClientHelloInfo{ServerName: "a.test", SupportedProtos: challenge}, "a.test", nil},
	} {
		var hook tlsACME
		if c.acme != nil {
			hook = c.acme
		}
		rt := tlsTRuntime(t, "", hook, c.certs...)
		got, err := rt.certificate(&c.hello)
		var name string
		switch {
		case err != nil:
			name = err.Error()
		case got == nil:
			name = "(nil certificate)"
		default:
			name = got.Leaf.Subject.CommonName
		}
		if name != c.want {
			t.Errorf("%s: got %s, want %s", c.name, name, c.want)
		}
		if c.acme != nil && !slices.Equal(c.acme.handles, c.handles) {
			t.Errorf("%s: ACME asked about %q, want %q", c.name, c.acme.handles, c.handles)
		}
	}
}

// TestTLSACMEChallengeHandshake: over a real handshake, a TLS-ALPN-01
// validator negotiates acme-tls/1 and gets ACME's challenge certificate;
// without ACME the protocol is refused.
func TestTLSACMEChallengeHandshake(t *testing.T) {
	validator := &tls.Config{ServerName: "acme.test", NextProtos: []string{"acme-tls/1"}, InsecureSkipVerify: true}

	addr, errs := tlsTListen(t, tlsTFrontWith(tlsTRuntime(t, "", newTLSTFakeACME(t, "acme.test"), tlsTCert(t, "default"))))
	cs, cerr, serr := tlsTHandshake(t, addr, errs, validator)
	if cerr != nil || serr != nil || cs.NegotiatedProtocol != "acme-tls/1" || tlsTPeer(cs) != "challenge.acme.test" {
		t.Errorf("with ACME: %v / %v, ALPN %q, certificate %s; want acme-tls/1 and the challenge certificate", cerr, serr, cs.NegotiatedProtocol, tlsTPeer(cs))
	}

	addr, errs = tlsTListen(t, tlsTFrontWith(tlsTRuntime(t, "", nil, tlsTCert(t, "default"))))
	_, cerr, serr = tlsTHandshake(t, addr, errs, validator)
	const wantC, wantS = "remote error: tls: no application protocol", `tls: client requested unsupported application protocols (["acme-tls/1"])`
	if tlsTErrString(cerr) != wantC || tlsTErrString(serr) != wantS {
		t.Errorf("without ACME: client %v, server %v; want %s / %s", cerr, serr, wantC, wantS)
	}
}

// TestTLSACMEConnGetsNoHTTP: net/http closes a connection whose ALPN
// protocol it has no TLSNextProto entry for, so an acme-tls/1 connection
// (RFC 8737: no application data after the handshake) is never served
// HTTP, with no wiring; ordinary clients still get h2.
func TestTLSACMEConnGetsNoHTTP(t *testing.T) {
	addr := tlsTServeHTTP(t, tlsTFrontWith(tlsTRuntime(t, "", newTLSTFakeACME(t, "acme.test"), tlsTCert(t, "default"))), nil)
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
		&tls.Config{ServerName: "acme.test", NextProtos: []string{"acme-tls/1"}, InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: acme.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); line != "" || err != io.EOF {
		t.Errorf("acme-tls/1 connection: read %q, %v; want nothing and EOF", line, err)
	}
	resp, body := tlsTGet(t, tlsTClient(tlsTRoots(t), "default.test", nil, false), "https://"+addr+"/")
	if resp.ProtoMajor != 2 || body != "ok HTTP/2.0" {
		t.Errorf("ordinary client: %s %q; want HTTP/2", resp.Proto, body)
	}
}

// TestTLSSettings: the defaults and the two minimum versions.
func TestTLSSettings(t *testing.T) {
	wantSuites := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	wantCurves := []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	for _, c := range []struct {
		cfg  *policy.TLS
		want uint16
	}{
		{nil, tls.VersionTLS12},
		{&policy.TLS{}, tls.VersionTLS12},
		{&policy.TLS{MinVersion: "1.2"}, tls.VersionTLS12},
		{&policy.TLS{MinVersion: "1.3"}, tls.VersionTLS13},
	} {
		got, err := tlsSettings(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got.MinVersion != c.want || got.MaxVersion != 0 || !slices.Equal(got.CipherSuites, wantSuites) ||
			!slices.Equal(got.CurvePreferences, wantCurves) || !slices.Equal(got.NextProtos, []string{"h2", "http/1.1"}) ||
			got.Certificates != nil || got.GetCertificate != nil {
			t.Errorf("%+v: %s, suites %x, curves %v, ALPN %q", c.cfg, tls.VersionName(got.MinVersion), got.CipherSuites, got.CurvePreferences, got.NextProtos)
		}
		got.CipherSuites[0], got.NextProtos[0] = 0, "x" // each call gets its own slices
	}
	if _, err := tlsSettings(&policy.TLS{MinVersion: "1.1"}); err == nil || err.Error() != `tls.min_version: "1.1": use "1.2" or "1.3"` {
		t.Errorf("min 1.1: %v", err)
	}

	withACME := tlsTRuntime(t, "", newTLSTFakeACME(t), tlsTCert(t, "a"))
	without := tlsTRuntime(t, "", nil, tlsTCert(t, "a"))
	if !slices.Equal(withACME.config.NextProtos, []string{"h2", "http/1.1", "acme-tls/1"}) || !slices.Equal(without.config.NextProtos, []string{"h2", "http/1.1"}) {
		t.Errorf("ALPN with ACME %q, without %q", withACME.config.NextProtos, without.config.NextProtos)
	}
}

// TestNewTLSRuntimeErrors: one failing case per check.
func TestNewTLSRuntimeErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  *policy.TLS
		acme tlsACME
		want string
	}{
		{"no tls block", nil, nil, "tls: no tls block: the HTTPS listener needs certificates or acme"},
		{"bad min version", &policy.TLS{MinVersion: "1.0", Certificates: []policy.Certificate{tlsTCert(t, "a")}}, nil, `tls.min_version: "1.0": use "1.2" or "1.3"`},
		{"nothing to serve with", &policy.TLS{}, nil, "tls: no certificates and no acme: nothing to serve HTTPS with"},
		{"certificate not loaded", &policy.TLS{Certificates: []policy.Certificate{{Cert: "c.pem", Key: "k.pem"}}}, newTLSTFakeACME(t),
			"tls.certificates[0] (c.pem): not loaded: the certificate and key must be validated by policy first"},
	} {
		rt, err := newTLSRuntime(c.cfg, c.acme)
		if rt != nil || err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, %v\n want error %s", c.name, rt, err, c.want)
		}
	}
}
