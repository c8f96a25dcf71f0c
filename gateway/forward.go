package gateway

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/edgeward/edgeward/gateway/route"
)

// hopByHop are the headers that describe one connection, not the message
// (RFC 9110 section 7.6.1); a proxy never forwards them.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHopByHop deletes hop-by-hop headers, including those the
// Connection header names.
func removeHopByHop(h http.Header) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopByHop {
		delete(h, name)
	}
}

// originRequest builds the request sent to the origin from the viewer's:
// the canonical path, the viewer's query, cleaned headers, and the
// gateway's own: X-Forwarded-For (appended), X-Forwarded-Proto,
// X-Forwarded-Host, Via and the request id. Values a viewer sends for the
// headers the gateway sets are replaced, never trusted.
func originRequest(w http.ResponseWriter, rt *runtime, x *Exchange) *http.Request {
	r := x.Req
	out := new(http.Request)
	*out = *r // keeps the context; every field changed below is replaced, not mutated
	out.RequestURI = ""
	out.Host = ""
	out.URL = &url.URL{Path: x.Path, RawQuery: r.URL.RawQuery}
	if esc := route.EscapePath(x.Path); esc != x.Path {
		out.URL.RawPath = esc
	}
	h := r.Header.Clone()
	out.Header = h
	removeHopByHop(h)
	// One backing array for the values the gateway sets.
	vals := make([]string, 5)
	set := func(i int, name, v string) {
		vals[i] = v
		h[name] = vals[i : i+1 : i+1]
	}
	if x.peer.IsValid() {
		// The hop that reached us, after what earlier hops wrote: behind
		// a trusted proxy that is the proxy, not the viewer again.
		ip := x.viewerAddr()
		if x.peer != x.Viewer {
			ip = x.peer.Addr().String()
		}
		if prior := h["X-Forwarded-For"]; len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		set(0, "X-Forwarded-For", ip)
	}
	set(1, "X-Forwarded-Proto", x.Scheme)
	set(2, "X-Forwarded-Host", r.Host)
	via := rt.via
	if prior := h["Via"]; len(prior) > 0 {
		via = strings.Join(prior, ", ") + ", " + rt.via
	}
	set(3, "Via", via)
	set(4, "X-Request-Id", x.ID)
	if r.Body != nil && r.Body != http.NoBody {
		if x.received == nil {
			x.received = new(atomic.Int64)
		}
		out.Body = &viewerBody{rc: r.Body, ctl: http.NewResponseController(w), timeout: rt.limits.readTimeout, x: x}
	}
	return out
}

// viewerBody reads the viewer's request body for the origin, counting the
// bytes and bounding the wait for each read so a client that stops sending
// mid-body cannot hold a connection to the origin forever.
type viewerBody struct {
	rc      io.ReadCloser
	ctl     *http.ResponseController
	timeout time.Duration
	x       *Exchange
}

func (b *viewerBody) Read(p []byte) (int, error) {
	if b.timeout > 0 && b.ctl != nil {
		_ = b.ctl.SetReadDeadline(time.Now().Add(b.timeout))
	}
	n, err := b.rc.Read(p)
	b.x.received.Add(int64(n))
	return n, err
}

func (b *viewerBody) Close() error { return b.rc.Close() }
