package gateway

import (
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/edgeward/edgeward/gateway/acmetest"
)

func acmeFreePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestACMEThroughGateway: the gateway obtains a certificate from a real ACME
// server (pebble) for a distribution host, once through TLS-ALPN-01 on its
// HTTPS listener and once through HTTP-01 on its HTTP listener.
func TestACMEThroughGateway(t *testing.T) {
	for _, mode := range []string{"tls-alpn", "http"} {
		t.Run(mode, func(t *testing.T) {
			httpPort, httpsPort := acmeFreePort(t), acmeFreePort(t)
			ph, pt := httpPort, httpsPort
			if mode == "http" {
				pt = 0
			} else {
				ph = 0
			}
			p := acmetest.Start(t, ph, pt)
			dir := t.TempDir()
			cfg := writeConfig(t, dir, fmt.Sprintf(`
listen: {http: 127.0.0.1:%d, https: 127.0.0.1:%d, admin: "off"}
access_log: {path: off}
tls:
  acme: {email: ops@example.com, cache_dir: %s, directory: %s, directory_ca: %s}
distributions:
  - name: d
    hosts: [a.acme.test, b.acme.test]
    origins: [{id: o, url: http://127.0.0.1:1}]
    default_behavior: {origin: o}
`, httpPort, httpsPort, filepath.Join(dir, "acme"), p.DirectoryURL(), p.CAFile()))
			s := startGateway(t, cfg)
			conn, err := tls.Dial("tcp", s.HTTPSAddr(), &tls.Config{ServerName: "a.acme.test", RootCAs: p.IssuerRoots(t), NextProtos: []string{"h2", "http/1.1"}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			cs := conn.ConnectionState()
			t.Logf("%s: got %v from %v, proto %s", mode, cs.PeerCertificates[0].DNSNames, cs.PeerCertificates[0].Issuer, cs.NegotiatedProtocol)
		})
	}
}
