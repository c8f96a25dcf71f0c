package gateway

import (
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/edgeward/edgeward/rules"
)

// Exchange is one request's state as it moves through the gateway. Stages
// read the request and the route from it; the handler records the outcome
// for the access log and metrics.
type Exchange struct {
	Req   *http.Request
	ID    string    // request id: returned to the viewer, sent to the origin, logged
	Start time.Time // when the request arrived
	// Path is the canonical request path (percent-decoded once, dot
	// segments resolved, default root object applied). Routing, the
	// origin request and every stage use this one value.
	Path string
	// ViewerPath is the canonical path before the default root object.
	ViewerPath string
	// Viewer is the viewer's address: the TCP peer (or the PROXY protocol
	// source), unless a trusted proxy names another in X-Forwarded-For.
	Viewer netip.AddrPort
	// peer is the address the request came from: the viewer, or the
	// trusted proxy that forwarded it. It is what X-Forwarded-For gets.
	peer     netip.AddrPort
	viewerIP string // Viewer's address as text, formatted on first use
	// Scheme is "https" when the viewer connection is TLS, else "http".
	Scheme string

	Dist     *distribution
	Behavior *behavior
	// behaviors is the distribution's behavior list, for sub-requests
	// (custom error pages) that route another path.
	behaviors behaviorMatcher
	// cache is set when the request may be answered from the cache.
	cache *cacheState
	// errorPage marks the sub-request that fetches a custom error page;
	// statusOverride is the status it is sent with.
	errorPage      bool
	statusOverride int

	// Outcome, filled as the request is answered.
	status     int
	respHeader http.Header // the response head as sent
	bodyBytes  int64
	// received counts the request body bytes read (nil: none read). The
	// origin transport's writer goroutine may still be reading when the
	// response has been relayed (an origin that answers before reading
	// the whole body), so it is atomic.
	received       *atomic.Int64
	firstByte      time.Duration
	result         string
	detailedResult string
	originID       string
	failover       bool // an origin group's fallback member answered
	denial         *Denial
	// waf is the WAF's verdict on the request, whose transaction ends
	// when the request is finished; wafRules are the ids of the rules
	// that matched, for the access log.
	waf      *rules.Verdict
	wafRules []int
	// fleStatus and fleFields are the FLE stage's outcome, for the access
	// log's fle-status and fle-encrypted-fields.
	fleStatus     string
	fleFields     int
	contentType   string
	contentLength int64
	rangeStart    int64
	rangeEnd      int64
}

func newExchange(r *http.Request, id string, now time.Time) *Exchange {
	x := &Exchange{
		Req:           r,
		ID:            id,
		Start:         now,
		Scheme:        "http",
		contentLength: -1,
		rangeStart:    -1,
		rangeEnd:      -1,
	}
	if r.TLS != nil {
		x.Scheme = "https"
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		x.Viewer = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return x
}

// bodyReceived is the number of request body bytes read so far.
func (x *Exchange) bodyReceived() int64 {
	if x.received == nil {
		return 0
	}
	return x.received.Load()
}

// behaviorMatcher picks the behavior for a path within a distribution.
type behaviorMatcher interface {
	Match(path string) *behavior
}

// viewerAddr is the viewer's address as text, formatted once and only when
// something (an origin request, a log line) needs it.
func (x *Exchange) viewerAddr() string {
	if x.viewerIP == "" && x.Viewer.IsValid() {
		x.viewerIP = x.Viewer.Addr().String()
	}
	return x.viewerIP
}
