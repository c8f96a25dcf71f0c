package gateway

import (
	"net/http"
	"net/netip"
	"strings"
)

// The viewer's address and scheme behind trusted proxies.
//
// The viewer is the TCP peer (or the source of a PROXY protocol header,
// proxyproto.go), unless that peer is a configured trusted proxy. Only then
// do X-Forwarded-For and X-Forwarded-Proto count: anyone else could write
// them. X-Forwarded-For is read with the rightmost-untrusted rule: each
// trusted proxy appends the address it received from, so walking from the
// right, the first address that is not a trusted proxy is the last one a
// trusted proxy vouched for; everything to its left is whatever the client
// sent and is never looked at.
//
// RFC 7239 Forwarded is ignored, on purpose: a proxy that appends
// X-Forwarded-For usually passes Forwarded through untouched, so believing
// it would let a client behind that proxy write its own address. Supporting
// it would need a per-proxy setting saying which header the proxy owns.

const (
	// maxXFFEntries bounds the X-Forwarded-For entries inspected per
	// request (empty ones included), so a long header costs no more than a
	// short one.
	maxXFFEntries = 64
	// maxXFFEntry bounds one entry's bytes; a longer entry is malformed.
	// The longest address form accepted ("[v6]:port") is 47 bytes.
	maxXFFEntry = 64
)

// trustedProxies answers which peers' forwarding headers count. It is
// immutable once built; a reload builds a new one. A nil or empty set trusts
// nobody.
type trustedProxies struct {
	v4, v6 []netip.Prefix // masked, IPv4-mapped prefixes turned into IPv4 ones
}

// newTrustedProxies builds the set from validated, masked prefixes
// (policy.Config.TrustedPrefixes). An invalid prefix is dropped: it trusts
// nobody, which is the safe reading of a prefix that means nothing. A
// prefix inside ::ffff:0:0/96 is turned into the IPv4 prefix it names, so
// "::ffff:10.0.0.0/104" trusts 10.0.0.0/8. Any other IPv6 prefix, ::/0
// included, trusts no IPv4 peer: write IPv4 prefixes for those.
func newTrustedProxies(prefixes []netip.Prefix) *trustedProxies {
	t := &trustedProxies{}
	for _, p := range prefixes {
		if !p.IsValid() {
			continue
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		if p.Addr().Is4() {
			t.v4 = addPrefix(t.v4, p)
		} else {
			t.v6 = addPrefix(t.v6, p)
		}
	}
	return t
}

// addPrefix appends p unless a prefix already in list covers it, and drops
// those p covers, so lookups scan no redundant prefixes.
func addPrefix(list []netip.Prefix, p netip.Prefix) []netip.Prefix {
	for _, q := range list {
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return list
		}
	}
	out := list[:0]
	for _, q := range list {
		if !(p.Bits() <= q.Bits() && p.Contains(q.Addr())) {
			out = append(out, q)
		}
	}
	return append(out, p)
}

// Trusted reports whether a is a trusted proxy. An IPv4-mapped IPv6
// address is looked up as the IPv4 address it carries. An address with a
// zone is never trusted: the configuration cannot name one.
func (t *trustedProxies) Trusted(a netip.Addr) bool {
	if t == nil || !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	list := t.v6
	if a.Is4() {
		list = t.v4
	}
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// viewer returns the viewer's address and scheme for a request that arrived
// from peer over a connection whose own scheme is connScheme ("http" or
// "https"):
//
//   - peer not trusted: (peer, connScheme); the headers are ignored.
//   - peer trusted: the address is the rightmost X-Forwarded-For entry that
//     is not a trusted proxy (all header lines, in order, as one list).
//     A malformed entry stops the walk: the last good address seen (a
//     trusted one) is the viewer, or the peer if there was none. If every
//     inspected entry is trusted, the leftmost of them is the viewer. No
//     X-Forwarded-For: the peer.
//   - peer trusted: the last X-Forwarded-Proto value, when it is "http" or
//     "https" (any case), is the scheme; any other value is ignored.
//
// The returned port is the peer's when the peer is the viewer, else 0.
// Addresses come back unmapped (IPv4-mapped IPv6 as IPv4).
//
// An X-Forwarded-For entry is an IP address without a zone, optionally
// with a port ("192.0.2.1:4711", "[2001:db8::1]:4711", as some load
// balancers write it; the port is dropped); not the unspecified address;
// at most maxXFFEntry bytes counting its leading whitespace. Empty list
// elements are skipped (RFC 9110 5.6.1) but count towards maxXFFEntries.
// The walk looks at no more than maxXFFEntries entries and
// maxXFFEntry+1 bytes of each, however long the header is.
func (t *trustedProxies) viewer(peer netip.AddrPort, connScheme string, h http.Header) (addr netip.AddrPort, scheme string) {
	peer = netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())
	if !t.Trusted(peer.Addr()) {
		return peer, connScheme
	}
	scheme = connScheme
	if s, ok := forwardedProto(h["X-Forwarded-Proto"]); ok {
		scheme = s
	}
	if a, ok := rightmostUntrusted(t, h["X-Forwarded-For"]); ok {
		return netip.AddrPortFrom(a, 0), scheme
	}
	return peer, scheme
}

// rightmostUntrusted walks the X-Forwarded-For lines from the right and
// returns the viewer they name, or false when they name none (no entries,
// or the rightmost one is malformed).
func rightmostUntrusted(t *trustedProxies, lines []string) (netip.Addr, bool) {
	var last netip.Addr // last good (trusted) address seen
	inspected := 0
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			if inspected == maxXFFEntries {
				return last, last.IsValid()
			}
			inspected++
			entry, more, ok := lastElement(rest)
			if !ok {
				return last, last.IsValid()
			}
			if entry != "" {
				a, ok := parseXFFEntry(entry)
				if !ok {
					return last, last.IsValid()
				}
				if !t.Trusted(a) {
					return a, true
				}
				last = a
			}
			if more < 0 {
				break
			}
			rest = rest[:more]
		}
	}
	return last, last.IsValid()
}

// lastElement returns the last comma-separated element of s, trimmed of
// optional whitespace, and the index of the comma before it (-1 when it is
// the first element). It looks at no more than maxXFFEntry+1 bytes (after
// trailing whitespace): an element longer than maxXFFEntry is not
// returned (ok false).
func lastElement(s string) (elem string, comma int, ok bool) {
	s = strings.TrimRight(s, " \t")
	lo := max(0, len(s)-maxXFFEntry-1)
	comma = strings.LastIndexByte(s[lo:], ',')
	if comma >= 0 {
		comma += lo
	} else if lo > 0 {
		return "", -1, false
	}
	elem = strings.TrimLeft(s[comma+1:], " \t")
	if len(elem) > maxXFFEntry {
		return "", -1, false
	}
	return elem, comma, true
}

// parseXFFEntry parses one non-empty X-Forwarded-For entry: an address, or
// an address and port. The result is unmapped; zones and the unspecified
// address are rejected.
func parseXFFEntry(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	if a.Zone() != "" || a.IsUnspecified() {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// forwardedProto returns the scheme the last X-Forwarded-Proto value names:
// the last element of the last line, which must be "http" or "https" in
// any case. Anything else (empty, "wss", "https, ") names none.
func forwardedProto(lines []string) (string, bool) {
	if len(lines) == 0 {
		return "", false
	}
	v := lines[len(lines)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	v = strings.Trim(v, " \t")
	switch {
	case strings.EqualFold(v, "https"):
		return "https", true
	case strings.EqualFold(v, "http"):
		return "http", true
	}
	return "", false
}
