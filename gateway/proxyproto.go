package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pires/go-proxyproto"
)

// PROXY protocol (v1 and v2) on the viewer listener.
//
// A load balancer in front that speaks the PROXY protocol opens every
// connection with a header naming the client it accepted. Only trusted
// proxies may do that, and they must:
//
//   - a connection from a trusted peer must start with a PROXY header;
//     without one, or with a malformed one, or with none complete within
//     the header timeout, the connection's first read fails and the server
//     closes it. The header's source address becomes RemoteAddr. A LOCAL
//     header (the balancer's own health check) and v1 "PROXY UNKNOWN" keep
//     the peer's address.
//   - a connection from any other peer is served exactly as it arrived: its
//     bytes are not searched for a header (proxyproto.SKIP), so a client
//     cannot claim an address; a header it sends is a malformed HTTP
//     request (or TLS handshake) like any other.
//
// The trusted set is read for each accepted connection, so a reload that
// changes trusted_proxies applies to the next connection.
//
// The listener must wrap the TCP listener, below TLS. RemoteAddr on a
// connection from a trusted peer waits for the header (at most the header
// timeout); http.Server calls it in the connection's own goroutine, so
// ConnState and ConnContext hooks, which run in the accept loop, should not.

// proxyListener wraps the viewer's TCP listener with PROXY protocol
// handling for trusted peers (see above).
type proxyListener struct {
	pl proxyproto.Listener
}

var _ net.Listener = (*proxyListener)(nil)

// newProxyListener wraps ln. trusted is called for every accepted
// connection and returns the current trusted set (a nil func, or a nil
// set, trusts nobody: every connection is served as it is). headerTimeout bounds the wait for a
// trusted peer's header; it must be positive (zero or less means
// proxyproto's default, 10s, never "no limit").
func newProxyListener(ln net.Listener, trusted func() *trustedProxies, headerTimeout time.Duration) net.Listener {
	if headerTimeout <= 0 {
		headerTimeout = proxyproto.DefaultReadHeaderTimeout
	}
	if trusted == nil {
		trusted = func() *trustedProxies { return nil }
	}
	return &proxyListener{pl: proxyproto.Listener{
		Listener: ln,
		ConnPolicy: func(o proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
			if peer, ok := tcpPeer(o.Upstream); ok && trusted().Trusted(peer) {
				return proxyproto.REQUIRE, nil
			}
			return proxyproto.SKIP, nil
		},
		ValidateHeader:    validateProxyHeader,
		ReadHeaderTimeout: headerTimeout,
	}}
}

// Accept returns the next connection: a trusted peer's wrapped for its
// header, any other peer's as it is.
func (l *proxyListener) Accept() (net.Conn, error) {
	c, err := l.pl.Accept()
	if err != nil {
		return nil, err
	}
	if pc, ok := c.(*proxyproto.Conn); ok {
		return &proxyConn{Conn: pc}, nil
	}
	return c, nil
}

func (l *proxyListener) Close() error   { return l.pl.Close() }
func (l *proxyListener) Addr() net.Addr { return l.pl.Addr() }

// proxyConn adds CloseWrite to proxyproto.Conn, so http.Server can half-close
// a connection before closing it (as it does on a plain TCP connection)
// rather than resetting it under a response the viewer has not read yet.
type proxyConn struct {
	*proxyproto.Conn
}

func (c *proxyConn) CloseWrite() error {
	if tc, ok := c.TCPConn(); ok {
		return tc.CloseWrite()
	}
	return nil
}

// tcpPeer returns the address of a connection's peer, unmapped.
func tcpPeer(a net.Addr) (netip.Addr, bool) {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(ta.IP)
		return ip.Unmap().WithZone(ta.Zone), ok
	}
	if a == nil {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	return ap.Addr().Unmap(), err == nil
}

var errProxyHeader = errors.New("PROXY header")

// validateProxyHeader accepts LOCAL headers (and v1 UNKNOWN, which the
// library reads as LOCAL): they keep the peer's address. A PROXY header
// must be TCP over IPv4 or IPv6 with a source address that is neither
// unspecified nor zoned: a UDP or Unix-socket source over a TCP connection
// is a misconfigured balancer, and is refused rather than guessed at.
func validateProxyHeader(h *proxyproto.Header) error {
	if h.Command.IsLocal() {
		return nil
	}
	src, _, ok := h.TCPAddrs()
	if !ok || (h.TransportProtocol != proxyproto.TCPv4 && h.TransportProtocol != proxyproto.TCPv6) {
		return fmt.Errorf("%w: transport %#x from a trusted proxy: want TCP over IPv4 or IPv6", errProxyHeader, byte(h.TransportProtocol))
	}
	ip, ok := netip.AddrFromSlice(src.IP)
	if !ok || ip.Unmap().IsUnspecified() || src.Zone != "" {
		return fmt.Errorf("%w: source address %q is not a viewer address", errProxyHeader, src.String())
	}
	return nil
}
