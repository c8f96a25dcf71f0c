package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/edgeward/edgeward/policy"
)

// certStore chooses among the configured certificates by SNI.
//
// Matching, case-insensitive and ignoring one trailing dot:
//  1. exact DNS names;
//  2. a one-label wildcard: *.example.com matches a.example.com, not
//     a.b.example.com and not example.com;
//  3. IP-address names match an SNI that is an IP literal (clients should
//     not send one, RFC 6066) and, for a client that sends no SNI (which is
//     what clients do when they dial an IP address), the local address the
//     client connected to.
//
// Several certificates may cover one name (an ECDSA and an RSA one, say):
// the first, in config order, that the client can use wins.
//
// The first certificate is the default: it answers clients without SNI
// that no IP name matches, and names no certificate covers. Serving it
// rather than failing the handshake is deliberate. CloudFront's sni-only
// mode drops clients without SNI, but a gateway serving its own names has
// no such clients it must protect: the default is what an operator puts
// first, a client asking for an unknown name fails its own name check (a
// clear "certificate is for default.example" error rather than an opaque
// handshake failure), and the HTTP layer answers 421 for a host no
// distribution serves. A scanner learns nothing it could not learn by
// connecting without SNI.
type certStore struct {
	def   *tls.Certificate
	exact map[string][]*tls.Certificate     // "a.example.com"
	wild  map[string][]*tls.Certificate     // "example.com" for *.example.com
	ips   map[netip.Addr][]*tls.Certificate // unmapped, no zone
}

// newCertStore indexes certs, which policy has loaded (Pair set). The
// first is the default.
func newCertStore(certs []policy.Certificate) (*certStore, error) {
	if len(certs) == 0 {
		return nil, errors.New("tls.certificates: none given")
	}
	s := &certStore{
		exact: make(map[string][]*tls.Certificate),
		wild:  make(map[string][]*tls.Certificate),
		ips:   make(map[netip.Addr][]*tls.Certificate),
	}
	for i := range certs {
		c := &certs[i]
		at := fmt.Sprintf("tls.certificates[%d] (%s)", i, c.Cert)
		pair := c.Pair
		if pair == nil || len(pair.Certificate) == 0 || pair.PrivateKey == nil {
			return nil, fmt.Errorf("%s: not loaded: the certificate and key must be validated by policy first", at)
		}
		leaf := pair.Leaf
		if leaf == nil {
			var err error
			if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
				return nil, fmt.Errorf("%s: %v", at, err)
			}
		}
		if n := s.add(pair, leaf); n == 0 {
			return nil, fmt.Errorf("%s: names no host a client could ask for (no usable DNS or IP subject alternative name)", at)
		}
		if i == 0 {
			s.def = pair
		}
	}
	return s, nil
}

// add indexes pair under leaf's names and says how many it used. DNS
// names with a wildcard anywhere but as the whole first label are skipped:
// clients do not accept them either.
func (s *certStore) add(pair *tls.Certificate, leaf *x509.Certificate) int {
	n := 0
	for _, name := range leaf.DNSNames {
		name = tlsNormalizeName(name)
		if rest, ok := strings.CutPrefix(name, "*."); ok {
			if rest == "" || strings.Contains(rest, "*") {
				continue
			}
			s.wild[rest] = tlsAppendOnce(s.wild[rest], pair)
		} else {
			if name == "" || strings.Contains(name, "*") {
				continue
			}
			s.exact[name] = tlsAppendOnce(s.exact[name], pair)
		}
		n++
	}
	for _, ip := range leaf.IPAddresses {
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		addr = addr.Unmap()
		s.ips[addr] = tlsAppendOnce(s.ips[addr], pair)
		n++
	}
	return n
}

func tlsAppendOnce(list []*tls.Certificate, c *tls.Certificate) []*tls.Certificate {
	for _, have := range list {
		if have == c {
			return list
		}
	}
	return append(list, c)
}

// certificate returns the certificate for hello: a matching one, else the
// default. It never fails.
func (s *certStore) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := s.match(hello); c != nil {
		return c, nil
	}
	return s.def, nil
}

// has reports whether a certificate covers name (a host without a port)
// exactly or by wildcard, or, for an IP literal, by IP name. The default
// certificate does not count unless it names name.
func (s *certStore) has(name string) bool {
	return s != nil && len(s.lookup(name)) > 0
}

// match returns the certificate covering hello's server name, or without
// SNI its local address; nil when none does.
func (s *certStore) match(hello *tls.ClientHelloInfo) *tls.Certificate {
	var list []*tls.Certificate
	if hello.ServerName != "" {
		list = s.lookup(hello.ServerName)
	} else if hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			list = s.ips[a.AddrPort().Addr().Unmap().WithZone("")]
		}
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	for _, c := range list {
		if hello.SupportsCertificate(c) == nil {
			return c
		}
	}
	return list[0]
}

// lookup returns the certificates for name: exact, then wildcard; IP
// literals only by IP name.
func (s *certStore) lookup(name string) []*tls.Certificate {
	name = tlsNormalizeName(name)
	if name == "" || strings.Contains(name, "*") {
		return nil
	}
	if c := name[0]; '0' <= c && c <= '9' || strings.Contains(name, ":") {
		if addr, err := netip.ParseAddr(name); err == nil {
			return s.ips[addr.Unmap().WithZone("")]
		}
	}
	if list := s.exact[name]; list != nil {
		return list
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return s.wild[name[i+1:]]
	}
	return nil
}

// tlsNormalizeName lower-cases a host name and drops one trailing dot.
func tlsNormalizeName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}
