package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

// The PROXY protocol tests run over real loopback connections: 127.0.0.1
// is the trusted load balancer, 127.0.0.2 an untrusted client (Linux routes
// all of 127/8 to the loopback interface).
var (
	ppTrustedIP   = net.IPv4(127, 0, 0, 1)
	ppUntrustedIP = net.IPv4(127, 0, 0, 2)
)

// ppGuard bounds how long a test waits for a connection to be served or
// closed. It is a hang guard, never an assertion about timing.
const ppGuard = 30 * time.Second

func ppTrustLoopback() func() *trustedProxies {
	set := newTrustedProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	return func() *trustedProxies { return set }
}

func ppListen(t *testing.T, trusted func() *trustedProxies, headerTimeout time.Duration) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pl := newProxyListener(ln, trusted, headerTimeout)
	t.Cleanup(func() { pl.Close() })
	return pl
}

func ppDial(t *testing.T, addr net.Addr, from net.IP) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: ppGuard}
	c, err := d.Dial("tcp4", addr.String())
	if err != nil {
		t.Skipf("cannot dial from %s (needs 127/8 on loopback): %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(ppGuard)); err != nil {
		t.Fatal(err)
	}
	return c
}

// ppV1 is a v1 header line.
func ppV1(line string) []byte { return []byte(line + "\r\n") }

// ppV2 formats a v2 header.
func ppV2(tb testing.TB, cmd proxyproto.ProtocolVersionAndCommand, tp proxyproto.AddressFamilyAndProtocol, src, dst net.Addr) []byte {
	tb.Helper()
	h := &proxyproto.Header{Version: 2, Command: cmd, TransportProtocol: tp, SourceAddr: src, DestinationAddr: dst}
	b, err := h.Format()
	if err != nil {
		tb.Fatalf("format v2 header: %v", err)
	}
	return b
}

func ppTCP(ip string, port int) *net.TCPAddr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }

// ppHeaders are the headers the table and fuzz tests share.
func ppHeaders(tb testing.TB) map[string][]byte {
	udp := func(ip string, port int) *net.UDPAddr { return &net.UDPAddr{IP: net.ParseIP(ip), Port: port} }
	return map[string][]byte{
		"v1 tcp4":        ppV1("PROXY TCP4 203.0.113.7 192.0.2.1 4711 80"),
		"v1 tcp6":        ppV1("PROXY TCP6 2001:db8::7 2001:db8::1 4711 443"),
		"v1 unknown":     ppV1("PROXY UNKNOWN"),
		"v2 tcp4":        ppV2(tb, proxyproto.PROXY, proxyproto.TCPv4, ppTCP("203.0.113.8", 5000), ppTCP("192.0.2.1", 80)),
		"v2 tcp6":        ppV2(tb, proxyproto.PROXY, proxyproto.TCPv6, ppTCP("2001:db8::8", 5000), ppTCP("2001:db8::1", 443)),
		"v2 tcp6 mapped": ppV2(tb, proxyproto.PROXY, proxyproto.TCPv6, ppTCP("::ffff:203.0.113.9", 5001), ppTCP("::ffff:192.0.2.1", 443)),
		"v2 local":       ppV2(tb, proxyproto.LOCAL, proxyproto.UNSPEC, nil, nil),
		"v2 local with addresses": ppV2(tb, proxyproto.LOCAL, proxyproto.TCPv4,
			ppTCP("203.0.113.10", 5000), ppTCP("192.0.2.1", 80)),
		"v2 udp4":        ppV2(tb, proxyproto.PROXY, proxyproto.UDPv4, udp("203.0.113.11", 5000), udp("192.0.2.1", 80)),
		"v2 unix":        ppV2(tb, proxyproto.PROXY, proxyproto.UnixStream, &net.UnixAddr{Net: "unix", Name: "/a"}, &net.UnixAddr{Net: "unix", Name: "/b"}),
		"v2 unspecified": ppV2(tb, proxyproto.PROXY, proxyproto.TCPv4, ppTCP("0.0.0.0", 5000), ppTCP("192.0.2.1", 80)),
	}
}

// TestProxyListenerConn accepts straight from the wrapped listener and
// checks each connection's RemoteAddr and first bytes, or the exact error
// its first read fails with.
func TestProxyListenerConn(t *testing.T) {
	hdr := ppHeaders(t)
	tests := []struct {
		name       string
		from       net.IP
		send       []byte
		wantRemote string // "peer": the TCP peer's address
		wantErr    error
	}{
		{name: "v1 tcp4", from: ppTrustedIP, send: hdr["v1 tcp4"], wantRemote: "203.0.113.7:4711"},
		{name: "v1 tcp6", from: ppTrustedIP, send: hdr["v1 tcp6"], wantRemote: "[2001:db8::7]:4711"},
		{name: "v1 unknown keeps the peer", from: ppTrustedIP, send: hdr["v1 unknown"], wantRemote: "peer"},
		{name: "v2 tcp4", from: ppTrustedIP, send: hdr["v2 tcp4"], wantRemote: "203.0.113.8:5000"},
		{name: "v2 tcp6", from: ppTrustedIP, send: hdr["v2 tcp6"], wantRemote: "[2001:db8::8]:5000"},
		{name: "v2 tcp6 with a mapped source reads as IPv4", from: ppTrustedIP, send: hdr["v2 tcp6 mapped"], wantRemote: "203.0.113.9:5001"},
		{name: "v2 local keeps the peer", from: ppTrustedIP, send: hdr["v2 local"], wantRemote: "peer"},
		{name: "v2 local with addresses keeps the peer", from: ppTrustedIP, send: hdr["v2 local with addresses"], wantRemote: "peer"},

		{name: "trusted peer without a header", from: ppTrustedIP, send: nil, wantErr: proxyproto.ErrNoProxyProtocol},
		{name: "v2 udp refused", from: ppTrustedIP, send: hdr["v2 udp4"], wantErr: errProxyHeader},
		{name: "v2 unix refused", from: ppTrustedIP, send: hdr["v2 unix"], wantErr: errProxyHeader},
		{name: "v2 unspecified source refused", from: ppTrustedIP, send: hdr["v2 unspecified"], wantErr: errProxyHeader},
		{name: "v1 wrong field count", from: ppTrustedIP, send: ppV1("PROXY TCP4 203.0.113.7 192.0.2.1 4711"), wantErr: proxyproto.ErrCantReadAddressFamilyAndProtocol},
		{name: "v1 bad address", from: ppTrustedIP, send: ppV1("PROXY TCP4 203.0.113.999 192.0.2.1 4711 80"), wantErr: proxyproto.ErrInvalidAddress},
		{name: "v1 family mismatch", from: ppTrustedIP, send: ppV1("PROXY TCP4 2001:db8::7 192.0.2.1 4711 80"), wantErr: proxyproto.ErrInvalidAddress},
		{name: "v1 bad port", from: ppTrustedIP, send: ppV1("PROXY TCP4 203.0.113.7 192.0.2.1 99999 80"), wantErr: proxyproto.ErrInvalidPortNumber},
		{name: "v1 too long", from: ppTrustedIP, send: []byte("PROXY " + strings.Repeat("A", 120) + "\r\n"), wantErr: proxyproto.ErrVersion1HeaderTooLong},
		{name: "v1 without CR", from: ppTrustedIP, send: []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4711 80\n"), wantErr: proxyproto.ErrLineMustEndWithCrlf},
		{name: "v1 cut short", from: ppTrustedIP, send: []byte("PROXY TCP4 203.0.113.7"), wantErr: proxyproto.ErrCantReadVersion1Header},
		{name: "v2 bad command", from: ppTrustedIP, send: append(append([]byte{}, proxyproto.SIGV2...), 0x2f, 0x11, 0, 0), wantErr: proxyproto.ErrUnsupportedProtocolVersionAndCommand},
		{name: "v2 bad family", from: ppTrustedIP, send: append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x13, 0, 12), wantErr: proxyproto.ErrUnsupportedAddressFamilyAndProtocol},
		{name: "v2 bad length", from: ppTrustedIP, send: append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x11, 0, 3), wantErr: proxyproto.ErrInvalidLength},

		{name: "untrusted peer's v1 header is just bytes", from: ppUntrustedIP, send: hdr["v1 tcp4"], wantRemote: "peer"},
		{name: "untrusted peer's v2 header is just bytes", from: ppUntrustedIP, send: hdr["v2 tcp4"], wantRemote: "peer"},
		{name: "untrusted peer without a header", from: ppUntrustedIP, send: nil, wantRemote: "peer"},
	}
	ln := ppListen(t, ppTrustLoopback(), ppGuard)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const payload = "hello"
			c := ppDial(t, ln.Addr(), tt.from)
			if _, err := c.Write(append(append([]byte{}, tt.send...), payload...)); err != nil {
				t.Fatal(err)
			}
			s, err := ln.Accept()
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			defer s.Close()
			if err := s.SetDeadline(time.Now().Add(ppGuard)); err != nil {
				t.Fatal(err)
			}
			want := tt.wantRemote
			if want == "peer" || tt.wantErr != nil {
				want = c.LocalAddr().String()
			}
			if got := s.RemoteAddr().String(); got != want {
				t.Errorf("RemoteAddr = %s, want %s", got, want)
			}
			buf := make([]byte, 512)
			if tt.wantErr != nil {
				n, err := s.Read(buf)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Read = %d, %v; want error %v", n, err, tt.wantErr)
				}
				return
			}
			wantData := payload
			if tt.from.Equal(ppUntrustedIP) {
				wantData = string(tt.send) + payload // never parsed, delivered as sent
			}
			if _, err := io.ReadFull(s, buf[:len(wantData)]); err != nil || string(buf[:len(wantData)]) != wantData {
				t.Errorf("read %q, %v; want %q", buf[:len(wantData)], err, wantData)
			}
		})
	}
}

// TestProxyListenerConnTypes checks that a trusted peer's connection is
// wrapped (and can half-close, as http.Server expects of TCP) and an
// untrusted peer's is the raw TCP connection.
func TestProxyListenerConnTypes(t *testing.T) {
	ln := ppListen(t, ppTrustLoopback(), ppGuard)
	for _, tc := range []struct {
		from    net.IP
		wrapped bool
	}{{ppTrustedIP, true}, {ppUntrustedIP, false}} {
		ppDial(t, ln.Addr(), tc.from)
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		_, isProxy := s.(*proxyConn)
		_, isTCP := s.(*net.TCPConn)
		if isProxy != tc.wrapped || isTCP == tc.wrapped {
			t.Errorf("from %s: connection is %T, want wrapped=%v", tc.from, s, tc.wrapped)
		}
		if _, ok := s.(interface{ CloseWrite() error }); !ok {
			t.Errorf("from %s: %T has no CloseWrite", tc.from, s)
		}
		s.Close()
	}
}

// TestProxyListenerHeaderTimeout: a trusted peer that never finishes its
// header has its first read fail once the header timeout passes (the test
// would hang, up to ppGuard, if it did not).
func TestProxyListenerHeaderTimeout(t *testing.T) {
	tests := []struct {
		name    string
		send    []byte
		wantErr error
	}{
		{"nothing sent", nil, proxyproto.ErrNoProxyProtocol},
		{"v2 signature only", proxyproto.SIGV2, proxyproto.ErrCantReadProtocolVersionAndCommand},
		{"v2 cut before the length", append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x11), proxyproto.ErrCantReadLength},
		{"v2 cut in the addresses", append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x11, 0, 12, 203, 0), proxyproto.ErrInvalidAddress},
	}
	ln := ppListen(t, ppTrustLoopback(), 50*time.Millisecond)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ppDial(t, ln.Addr(), ppTrustedIP)
			if len(tt.send) > 0 {
				if _, err := c.Write(tt.send); err != nil {
					t.Fatal(err)
				}
			}
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			n, err := s.Read(make([]byte, 16))
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Read = %d, %v; want error %v", n, err, tt.wantErr)
			}
			if got, want := s.RemoteAddr().String(), c.LocalAddr().String(); got != want {
				t.Errorf("RemoteAddr = %s, want the peer %s", got, want)
			}
		})
	}
}

// ppServe runs an http.Server on a wrapped listener; its handler echoes
// r.RemoteAddr.
func ppServe(t *testing.T, trusted func() *trustedProxies, headerTimeout time.Duration) net.Addr {
	t.Helper()
	ln := ppListen(t, trusted, headerTimeout)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.RemoteAddr)
		}),
		ReadHeaderTimeout: ppGuard,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr()
}

const ppGet = "GET / HTTP/1.1\r\nHost: edge.test\r\n\r\n"

// ppRequest sends prefix and then each request on one connection and
// returns the responses' status and body ("closed" when the server closed
// the connection without a response).
func ppRequest(t *testing.T, addr net.Addr, from net.IP, prefix []byte, requests ...string) (conn net.Conn, results []string) {
	t.Helper()
	c := ppDial(t, addr, from)
	br := bufio.NewReader(c)
	for i, req := range requests {
		out := []byte(req)
		if i == 0 {
			// One write, so a server that refuses the request has read all
			// of it and does not reset the connection under its response.
			out = append(append([]byte{}, prefix...), req...)
		}
		if _, err := c.Write(out); err != nil {
			results = append(results, "closed")
			break
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("reading response: %v (want a response or the connection closed)", err)
			}
			results = append(results, "closed")
			break
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, fmt.Sprintf("%d %s", resp.StatusCode, body))
	}
	return c, results
}

func TestProxyProtocolHTTP(t *testing.T) {
	hdr := ppHeaders(t)
	addr := ppServe(t, ppTrustLoopback(), ppGuard)
	tests := []struct {
		name   string
		from   net.IP
		prefix []byte
		want   []string // "peer" in a body: the client's own address
	}{
		{"v1 header sets RemoteAddr for every request on the connection", ppTrustedIP, hdr["v1 tcp4"],
			[]string{"200 203.0.113.7:4711", "200 203.0.113.7:4711"}},
		{"v1 tcp6", ppTrustedIP, hdr["v1 tcp6"], []string{"200 [2001:db8::7]:4711"}},
		{"v2 header sets RemoteAddr", ppTrustedIP, hdr["v2 tcp4"], []string{"200 203.0.113.8:5000", "200 203.0.113.8:5000"}},
		{"v2 tcp6", ppTrustedIP, hdr["v2 tcp6"], []string{"200 [2001:db8::8]:5000"}},
		{"LOCAL health check keeps the peer", ppTrustedIP, hdr["v2 local"], []string{"200 peer"}},
		{"v1 UNKNOWN keeps the peer", ppTrustedIP, hdr["v1 unknown"], []string{"200 peer"}},
		{"trusted peer without a header is refused", ppTrustedIP, nil, []string{"closed"}},
		{"trusted peer's malformed header closes the connection", ppTrustedIP, ppV1("PROXY TCP4 nonsense"), []string{"closed"}},
		{"trusted peer's UDP header closes the connection", ppTrustedIP, hdr["v2 udp4"], []string{"closed"}},
		{"untrusted peer's v1 header is a bad request", ppUntrustedIP, hdr["v1 tcp4"], []string{"400 400 Bad Request"}},
		{"untrusted peer's v2 header is a bad request", ppUntrustedIP, hdr["v2 tcp4"], []string{"400 400 Bad Request"}},
		{"untrusted peer is served as it is", ppUntrustedIP, nil, []string{"200 peer", "200 peer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs := make([]string, len(tt.want))
			for i := range reqs {
				reqs[i] = ppGet
			}
			c, got := ppRequest(t, addr, tt.from, tt.prefix, reqs...)
			want := strings.Join(tt.want, "\n")
			want = strings.ReplaceAll(want, "peer", c.LocalAddr().String())
			if g := strings.Join(got, "\n"); g != want {
				t.Errorf("got\n%s\nwant\n%s", g, want)
			}
		})
	}
}

// TestProxyProtocolHTTPSlowPeer: a trusted peer that sends no header is
// closed once the header timeout passes.
func TestProxyProtocolHTTPSlowPeer(t *testing.T) {
	addr := ppServe(t, ppTrustLoopback(), 50*time.Millisecond)
	c := ppDial(t, addr, ppTrustedIP)
	n, err := c.Read(make([]byte, 1))
	if n != 0 || (!errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET)) {
		t.Fatalf("Read = %d, %v; want the connection closed", n, err)
	}
	// The listener is still serving.
	if _, got := ppRequest(t, addr, ppUntrustedIP, nil, ppGet); len(got) != 1 || !strings.HasPrefix(got[0], "200 ") {
		t.Errorf("after a timed-out peer: %v, want a 200", got)
	}
}

// TestProxyListenerReload: the trusted set is read per connection, so a
// reload applies to the next one.
func TestProxyListenerReload(t *testing.T) {
	var cur atomic.Pointer[trustedProxies]
	addr := ppServe(t, cur.Load, ppGuard)
	hdr := ppV1("PROXY TCP4 203.0.113.7 192.0.2.1 4711 80")

	c, got := ppRequest(t, addr, ppTrustedIP, nil, ppGet)
	if want := "200 " + c.LocalAddr().String(); len(got) != 1 || got[0] != want {
		t.Errorf("trusting nobody, no header: %v, want %s", got, want)
	}
	if _, got := ppRequest(t, addr, ppTrustedIP, hdr, ppGet); len(got) != 1 || got[0] != "400 400 Bad Request" {
		t.Errorf("trusting nobody, header: %v, want a 400", got)
	}

	cur.Store(ppTrustLoopback()())
	if _, got := ppRequest(t, addr, ppTrustedIP, hdr, ppGet); len(got) != 1 || got[0] != "200 203.0.113.7:4711" {
		t.Errorf("after reload, header: %v, want 200 203.0.113.7:4711", got)
	}
	if _, got := ppRequest(t, addr, ppTrustedIP, nil, ppGet); len(got) != 1 || got[0] != "closed" {
		t.Errorf("after reload, no header: %v, want closed", got)
	}
}

func TestNewProxyListenerNilTrusted(t *testing.T) {
	addr := ppServe(t, nil, ppGuard)
	c, got := ppRequest(t, addr, ppTrustedIP, nil, ppGet)
	if want := "200 " + c.LocalAddr().String(); len(got) != 1 || got[0] != want {
		t.Errorf("nil trusted func: %v, want %s", got, want)
	}
}

// ppPipeListener hands out in-memory connections, so the fuzz target runs
// through the wrapped listener without sockets.
type ppPipeListener struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (l *ppPipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *ppPipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *ppPipeListener) Addr() net.Addr { return ppTCP("127.0.0.1", 80) }

// ppPeerConn is a pipe end that says it comes from remote.
type ppPeerConn struct {
	net.Conn
	remote net.Addr
}

func (c *ppPeerConn) RemoteAddr() net.Addr { return c.remote }

// ppPipeServe sends data from peer through ln and returns what the server
// side saw: RemoteAddr, the bytes read, and the read error.
func ppPipeServe(inner *ppPipeListener, ln net.Listener, peer net.Addr, data []byte) (remote string, got []byte, err error) {
	server, client := net.Pipe()
	inner.conns <- &ppPeerConn{Conn: server, remote: peer}
	s, err := ln.Accept()
	if err != nil {
		return "", nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if len(data) > 0 {
			client.Write(data)
		}
		client.Close()
	}()
	remote = s.RemoteAddr().String()
	got, err = io.ReadAll(s)
	s.Close()
	<-done
	return remote, got, err
}

// FuzzProxyHeader feeds arbitrary bytes as the start of a trusted peer's
// connection through the wrapped listener. The connection either yields
// the address the header names (the peer's for LOCAL) and exactly the bytes
// after the header, or fails its first read having delivered nothing and
// kept the peer's address. An untrusted peer always gets its bytes back
// untouched.
func FuzzProxyHeader(f *testing.F) {
	for _, h := range ppHeaders(f) {
		f.Add(append(append([]byte{}, h...), ppGet...))
		f.Add(h)
	}
	f.Add([]byte(ppGet))
	f.Add([]byte{})
	f.Add([]byte("PROXY TCP4 203.0.113.7"))
	f.Add(append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x11, 0, 3))

	inner := &ppPipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	trusted := ppTrustLoopback()
	ln := newProxyListener(inner, trusted, ppGuard)
	defer ln.Close()
	trustedPeer, untrustedPeer := ppTCP("127.0.0.1", 40000), ppTCP("127.0.0.2", 40000)

	f.Fuzz(func(t *testing.T, data []byte) {
		// What the header parser makes of data on its own.
		rd := bytes.NewReader(data)
		br := bufio.NewReaderSize(rd, 256)
		hdr, perr := proxyproto.Read(br)
		if perr == nil {
			perr = validateProxyHeader(hdr)
		}

		remote, got, err := ppPipeServe(inner, ln, trustedPeer, data)
		if perr != nil {
			if err == nil || len(got) != 0 || remote != trustedPeer.String() {
				t.Fatalf("bad header (%v): RemoteAddr %s, read %q, %v; want the peer, nothing, an error", perr, remote, got, err)
			}
		} else {
			wantRemote := trustedPeer.String()
			if !hdr.Command.IsLocal() {
				wantRemote = hdr.SourceAddr.String()
			}
			rest := data[len(data)-rd.Len()-br.Buffered():]
			if err != nil || remote != wantRemote || !bytes.Equal(got, rest) {
				t.Fatalf("good header: RemoteAddr %s, read %q, %v; want %s, %q", remote, got, err, wantRemote, rest)
			}
		}

		remote, got, err = ppPipeServe(inner, ln, untrustedPeer, data)
		if err != nil || remote != untrustedPeer.String() || !bytes.Equal(got, data) {
			t.Fatalf("untrusted peer: RemoteAddr %s, read %q, %v; want the peer and the bytes as sent", remote, got, err)
		}
	})
}
