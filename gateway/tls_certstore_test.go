package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/policy"
)

// tlsTLocalConn is a net.Conn that only knows its local address.
type tlsTLocalConn struct {
	net.Conn
	local net.Addr
}

func (c tlsTLocalConn) LocalAddr() net.Addr { return c.local }

func tlsTStore(t testing.TB, certs ...policy.Certificate) *certStore {
	t.Helper()
	s, err := newCertStore(certs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCertStoreCertificate: the choice for each kind of hello, with the
// default first and with it last (so an IP match is told apart from the
// default).
func TestCertStoreCertificate(t *testing.T) {
	def, a, wild := tlsTCert(t, "default"), tlsTCert(t, "a"), tlsTCert(t, "wild-b")
	local := func(ip string) net.Conn {
		return tlsTLocalConn{local: &net.TCPAddr{IP: net.ParseIP(ip), Port: 443}}
	}
	for _, c := range []struct {
		name  string
		certs []policy.Certificate
		hello tls.ClientHelloInfo
		want  string
	}{
		{"exact", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "a.test"}, "a.test"},
		{"exact, upper case", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "A.Test"}, "a.test"},
		{"exact, trailing dot", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "a.test."}, "a.test"},
		{"wildcard", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "x.b.test"}, "*.b.test"},
		{"wildcard, upper case and trailing dot", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "X.B.TEST."}, "*.b.test"},
		{"wildcard not across two labels", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "x.y.b.test"}, "default.test"},
		{"wildcard not the bare parent", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "b.test"}, "default.test"},
		{"wildcard not an empty label", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: ".b.test"}, "default.test"},
		{"a literal * is no wildcard in a name asked for", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{ServerName: "*.b.test"}, "a.test"},
		{"unknown name gets the default", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "nope.test"}, "default.test"},
		{"unknown name gets the first, whatever it is", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{ServerName: "nope.test"}, "a.test"},
		{"no SNI, no connection: the default", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{}, "a.test"},
		{"no SNI, local IPv4 is an IP name", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{Conn: local("127.0.0.1")}, "default.test"},
		{"no SNI, local IPv6 is an IP name", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{Conn: local("::1")}, "default.test"},
		{"no SNI, local IPv4-mapped address", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{Conn: local("::ffff:127.0.0.1")}, "default.test"},
		{"no SNI, local IP no certificate names", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{Conn: local("127.0.0.2")}, "a.test"},
		{"IP literal as SNI", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{ServerName: "127.0.0.1"}, "default.test"},
		{"IPv6 literal as SNI", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{ServerName: "::1"}, "default.test"},
		{"IP literal no certificate names", []policy.Certificate{a, wild, def}, tls.ClientHelloInfo{ServerName: "10.0.0.1"}, "a.test"},
		{"SNI wins over the local IP", []policy.Certificate{def, a, wild}, tls.ClientHelloInfo{ServerName: "a.test", Conn: local("127.0.0.1")}, "a.test"},
	} {
		got, err := tlsTStore(t, c.certs...).certificate(&c.hello)
		if err != nil || got == nil {
			t.Errorf("%s: %v, %v; want %s", c.name, got, err, c.want)
		} else if cn := got.Leaf.Subject.CommonName; cn != c.want {
			t.Errorf("%s: got the certificate for %s, want %s", c.name, cn, c.want)
		}
	}
}

// TestCertStoreHas: has is what ACME asks before answering for a name.
func TestCertStoreHas(t *testing.T) {
	s := tlsTStore(t, tlsTCert(t, "default"), tlsTCert(t, "a"), tlsTCert(t, "wild-b"))
	for name, want := range map[string]bool{
		"a.test":           true,
		"A.TEST.":          true,
		"x.b.test":         true,
		"default.test":     true,
		"127.0.0.1":        true,
		"::1":              true,
		"::ffff:127.0.0.1": true,
		"x.y.b.test":       false,
		"b.test":           false,
		".b.test":          false,
		"*.b.test":         false,
		"nope.test":        false,
		"127.0.0.2":        false,
		"":                 false,
		"a.test..":         false,
	} {
		if got := s.has(name); got != want {
			t.Errorf("has(%q) = %v, want %v", name, got, want)
		}
	}
	var none *certStore
	if none.has("a.test") {
		t.Error("a nil store has nothing")
	}
}

// TestCertStoreBothKeyTypes: with an ECDSA and an RSA certificate for the
// same name, each client gets the first one it can use.
func TestCertStoreBothKeyTypes(t *testing.T) {
	ec := tlsTMint(t, []string{"default.test"}, net.IPv4(127, 0, 0, 1))
	rsa := tlsTCert(t, "default")
	addr, errs := tlsTListen(t, tlsTFrontWith(tlsTRuntime(t, "", nil, ec, rsa)))
	roots := tlsTRoots(t, ec)
	for _, c := range []struct {
		name   string
		client *tls.Config
		want   *x509.Certificate
	}{
		{"TLS 1.3 client: the first", &tls.Config{RootCAs: roots, ServerName: "default.test"}, ec.Pair.Leaf},
		{"ECDHE-ECDSA client", &tls.Config{RootCAs: roots, ServerName: "default.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}, ec.Pair.Leaf},
		{"ECDHE-RSA-only client", &tls.Config{RootCAs: roots, ServerName: "default.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, rsa.Pair.Leaf},
		{"no SNI, ECDHE-RSA-only client, by IP name", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, rsa.Pair.Leaf},
	} {
		cs, cerr, serr := tlsTHandshake(t, addr, errs, c.client)
		if cerr != nil || serr != nil {
			t.Errorf("%s: client error %v, server error %v", c.name, cerr, serr)
			continue
		}
		if !cs.PeerCertificates[0].Equal(c.want) {
			t.Errorf("%s: got the %T certificate, want the %T one", c.name, cs.PeerCertificates[0].PublicKey, c.want.PublicKey)
		}
	}
}

// TestNewCertStoreErrors: one failing case per check, each with its
// exact message.
func TestNewCertStoreErrors(t *testing.T) {
	good := tlsTCert(t, "a")
	noKey := tlsTCert(t, "a")
	noKey.Pair = &tls.Certificate{Certificate: noKey.Pair.Certificate, Leaf: noKey.Pair.Leaf}
	junk := policy.Certificate{Cert: "junk.pem", Key: "junk-key.pem", Pair: &tls.Certificate{Certificate: [][]byte{[]byte("junk")}, PrivateKey: good.Pair.PrivateKey}}
	_, junkErr := x509.ParseCertificate([]byte("junk"))
	noNames := tlsTMint(t, []string{"a.*.test", "*", "*.*.test", "*."})
	for _, c := range []struct {
		name  string
		certs []policy.Certificate
		want  string
	}{
		{"none", nil, "tls.certificates: none given"},
		{"not loaded", []policy.Certificate{good, {Cert: "/etc/x.pem", Key: "/etc/x-key.pem"}},
			"tls.certificates[1] (/etc/x.pem): not loaded: the certificate and key must be validated by policy first"},
		{"no private key", []policy.Certificate{noKey},
			"tls.certificates[0] (" + noKey.Cert + "): not loaded: the certificate and key must be validated by policy first"},
		{"no chain", []policy.Certificate{{Cert: "empty.pem", Pair: &tls.Certificate{PrivateKey: good.Pair.PrivateKey}}},
			"tls.certificates[0] (empty.pem): not loaded: the certificate and key must be validated by policy first"},
		{"unparsable leaf", []policy.Certificate{junk}, "tls.certificates[0] (junk.pem): " + junkErr.Error()},
		{"no usable name", []policy.Certificate{good, noNames},
			"tls.certificates[1] (minted:a.*.test): names no host a client could ask for (no usable DNS or IP subject alternative name)"},
	} {
		s, err := newCertStore(c.certs)
		if s != nil || err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, %v\n want error %s", c.name, s, err, c.want)
		}
	}
	// A pair without Leaf (loaded by something other than policy) is parsed.
	noLeaf := tlsTCert(t, "a")
	noLeaf.Pair = &tls.Certificate{Certificate: noLeaf.Pair.Certificate, PrivateKey: noLeaf.Pair.PrivateKey}
	if s, err := newCertStore([]policy.Certificate{noLeaf}); err != nil || !s.has("a.test") {
		t.Errorf("pair without Leaf: %v", err)
	}
}

// FuzzCertStoreHas: ASCII case and one trailing dot never change the answer,
// and certificate always answers.
func FuzzCertStoreHas(f *testing.F) {
	for _, seed := range []string{"a.test", "A.TEST.", "x.b.test", "x.y.b.test", "b.test", ".b.test", "*.b.test", "127.0.0.1", "::1", "::ffff:127.0.0.1", "", "."} {
		f.Add(seed)
	}
	s := tlsTStore(f, tlsTCert(f, "default"), tlsTCert(f, "a"), tlsTCert(f, "wild-b"))
	f.Fuzz(func(t *testing.T, name string) {
		got := s.has(name)
		up := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}, name)
		if s.has(up) != got {
			t.Errorf("has(%q) = %v but has(%q) = %v", name, got, up, !got)
		}
		if !strings.HasSuffix(name, ".") && s.has(name+".") != got {
			t.Errorf("has(%q) = %v but has(%q) = %v", name, got, name+".", !got)
		}
		if c, err := s.certificate(&tls.ClientHelloInfo{ServerName: name}); c == nil || err != nil {
			t.Errorf("certificate(%q): %v, %v", name, c, err)
		}
	})
}

// BenchmarkTLSCertificate is the per-handshake lookup.
func BenchmarkTLSCertificate(b *testing.B) {
	rt := tlsTRuntime(b, "", nil, tlsTCert(b, "default"), tlsTCert(b, "a"), tlsTCert(b, "wild-b"))
	for _, c := range []struct {
		name  string
		hello tls.ClientHelloInfo
	}{
		{"exact", tls.ClientHelloInfo{ServerName: "a.test"}},
		{"wildcard", tls.ClientHelloInfo{ServerName: "x.b.test"}},
		{"unknown", tls.ClientHelloInfo{ServerName: "nope.test"}},
		{"mixed-case", tls.ClientHelloInfo{ServerName: "A.Test"}},
		{"no-sni", tls.ClientHelloInfo{Conn: tlsTLocalConn{local: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rt.certificate(&c.hello); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
