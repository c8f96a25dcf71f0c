package httpcache

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"

	"github.com/edgeward/edgeward/policy"
)

// Keyer computes cache keys for the requests of one cache behavior. It is
// built once from the behavior's cache policy (NewKeyer) and is safe for
// concurrent use: Key only reads it.
type Keyer struct {
	query   selector
	cookies selector
	// headers are the keyed request headers: canonical names, sorted,
	// without duplicates.
	headers       []string
	authorization bool // Authorization is among headers
}

// Key is a request's cache key and what the origin receives for it.
type Key struct {
	// Primary is the cache key: the distribution, the canonical path, and
	// the keyed query parameters, headers and cookies, in an unambiguous
	// encoding (see the package documentation). It contains keyed cookie
	// and header values as they are, so it must not be logged.
	Primary string
	// OriginQuery is the query string to send to the origin (without "?";
	// "" for none): exactly the keyed parameters, in the order received.
	OriginQuery string
	// OriginCookie is the Cookie header to send to the origin ("" for
	// none): exactly the keyed cookies, in the order received, joined with
	// "; ".
	OriginCookie string
}

// NewKeyer compiles a cache policy's key settings; nil means CloudFront's
// defaults (all query parameters, no cookies, no headers). Header names are
// case-insensitive; query parameter and cookie names are case-sensitive, as
// in CloudFront. An unknown KeyMode keys (and so forwards) nothing.
func NewKeyer(p *policy.CachePolicy) *Keyer {
	p = orDefault(p)
	k := &Keyer{
		query:   newSelector(p.QueryStrings),
		cookies: newSelector(p.Cookies),
	}
	for _, h := range p.Headers {
		h = textproto.TrimString(h)
		if h == "" {
			continue
		}
		k.headers = append(k.headers, http.CanonicalHeaderKey(h))
	}
	slices.Sort(k.headers)
	k.headers = slices.Compact(k.headers)
	k.authorization = slices.Contains(k.headers, "Authorization")
	return k
}

// Headers returns the keyed request header names (canonical, sorted). The
// gateway forwards these headers to the origin on cached requests.
func (k *Keyer) Headers() []string { return slices.Clone(k.headers) }

// Shareable reports whether a response to r may be stored and shared: not
// when r carries an Authorization header that is not part of the key (RFC
// 9111 3.5; CloudFront drops Authorization unless it is keyed). A request
// that is not shareable bypasses the cache.
func (k *Keyer) Shareable(r *http.Request) bool {
	return k.authorization || len(r.Header["Authorization"]) == 0
}

// Key computes the cache key of r, routed to distribution dist with
// canonical path path. Query parameters are the "&"-separated pieces of the
// raw query; a piece's name is the text before its first "=" (all of it
// when there is none), compared with the policy's names after
// percent-decoding, and the piece is keyed and forwarded exactly as
// received. Cookies are the ";"-separated pieces of every Cookie line,
// trimmed, with names compared as they are. Empty pieces are dropped.
//
// Inside the key, parameters and cookies are sorted by name (a stable
// sort: the order of pieces with the same name is kept, because origins
// commonly read only the first or the last of them), so "?a=1&b=2" and
// "?b=2&a=1" share an entry while "?id=1&id=2" and "?id=2&id=1" do not.
// A keyed header's lines are joined with ","; an absent header is not
// keyed; Accept-Encoding is keyed as NormalizeAcceptEncoding reduces it and
// Host as the request's host.
//
// For the common case (no query, no keyed headers or cookies) Key makes a
// single allocation.
func (k *Keyer) Key(dist, path string, r *http.Request) Key {
	noQuery := k.query.mode == policy.KeyNone || r.URL == nil || r.URL.RawQuery == ""
	if noQuery && len(k.headers) == 0 && k.cookies.mode == policy.KeyNone {
		// The common case: the key is the distribution and the path.
		var b strings.Builder
		b.Grow(fieldLen(dist) + fieldLen(path))
		writeField(&b, dist)
		writeField(&b, path)
		return Key{Primary: b.String()}
	}

	var out Key
	size := fieldLen(dist) + fieldLen(path)

	var qbuf [8]piece
	query := qbuf[:0]
	if !noQuery {
		raw := r.URL.RawQuery
		whole := true // every piece is kept: forward raw unchanged
		for rest, more := raw, true; more; {
			var s string
			s, rest, more = strings.Cut(rest, "&")
			name, _, _ := strings.Cut(s, "=")
			if s == "" || !k.query.keepsParam(name) {
				whole = false
				continue
			}
			query = append(query, piece{name: name, text: s})
			size += 1 + fieldLen(s)
		}
		if whole {
			out.OriginQuery = raw
		} else {
			out.OriginQuery = joinPieces(query, "&")
		}
		slices.SortStableFunc(query, byName)
	}

	var hbuf [4]piece
	headers := hbuf[:0]
	for _, name := range k.headers {
		v, ok := headerValue(name, r)
		if !ok {
			continue
		}
		headers = append(headers, piece{name: name, text: v})
		size += 1 + fieldLen(name) + fieldLen(v)
	}

	var cbuf [8]piece
	cookies := cbuf[:0]
	if k.cookies.mode != policy.KeyNone {
		lines := r.Header["Cookie"]
		whole := len(lines) == 1 // forward the one line unchanged
		for _, line := range lines {
			first := true
			for rest, more := line, true; more; {
				var s string
				s, rest, more = strings.Cut(rest, ";")
				t := textproto.TrimString(s)
				name, _, _ := strings.Cut(t, "=")
				name = textproto.TrimString(name)
				if t == "" || !k.cookies.keeps(name) {
					whole = false
					continue
				}
				// The line is in canonical form when pieces are
				// separated by exactly "; ".
				if first {
					whole = whole && s == t
				} else {
					whole = whole && len(s) == len(t)+1 && s[0] == ' '
				}
				first = false
				cookies = append(cookies, piece{name: name, text: t})
				size += 1 + fieldLen(t)
			}
		}
		if whole {
			out.OriginCookie = lines[0]
		} else {
			out.OriginCookie = joinPieces(cookies, "; ")
		}
		slices.SortStableFunc(cookies, byName)
	}

	var b strings.Builder
	b.Grow(size)
	writeField(&b, dist)
	writeField(&b, path)
	for _, p := range query {
		b.WriteByte('q')
		writeField(&b, p.text)
	}
	for _, p := range headers {
		b.WriteByte('h')
		writeField(&b, p.name)
		writeField(&b, p.text)
	}
	for _, p := range cookies {
		b.WriteByte('c')
		writeField(&b, p.text)
	}
	out.Primary = b.String()
	return out
}

// headerValue is the keyed value of header name in r, and whether it is
// present. name is canonical, and so are the keys of a request's Header
// (net/http canonicalizes them), so the map is read directly: the hot path
// does not canonicalize names.
func headerValue(name string, r *http.Request) (string, bool) {
	switch name {
	case "Host":
		return r.Host, true
	case "Accept-Encoding":
		return NormalizeAcceptEncoding(r.Header[name]), true
	}
	vals := r.Header[name]
	switch len(vals) {
	case 0:
		return "", false
	case 1:
		return vals[0], true
	}
	return strings.Join(vals, ","), true
}

// piece is one query parameter, cookie or header: its name, and its text
// as keyed and forwarded.
type piece struct{ name, text string }

func byName(a, b piece) int { return strings.Compare(a.name, b.name) }

// joinPieces joins the pieces' texts with sep.
func joinPieces(ps []piece, sep string) string {
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0].text
	}
	n := len(sep) * (len(ps) - 1)
	for _, p := range ps {
		n += len(p.text)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range ps {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// selector is a compiled policy.KeyValues.
type selector struct {
	mode  policy.KeyMode
	names map[string]struct{}
}

func newSelector(kv policy.KeyValues) selector {
	s := selector{mode: kv.Mode}
	switch kv.Mode {
	case policy.KeyNone, policy.KeyAll:
	case policy.KeyAllow, policy.KeyExcept:
		s.names = make(map[string]struct{}, len(kv.Names))
		for _, n := range kv.Names {
			s.names[n] = struct{}{}
		}
	default:
		s.mode = policy.KeyNone
	}
	return s
}

// keeps reports whether name is keyed.
func (s *selector) keeps(name string) bool {
	switch s.mode {
	case policy.KeyAll:
		return true
	case policy.KeyAllow:
		_, ok := s.names[name]
		return ok
	case policy.KeyExcept:
		_, ok := s.names[name]
		return !ok
	}
	return false
}

// keepsParam is keeps for a raw query parameter name, which is compared
// percent-decoded (so an all-except list of "utm_source" also drops
// "utm%5Fsource"); a name that does not decode is compared as it is.
func (s *selector) keepsParam(raw string) bool {
	if s.mode == policy.KeyAll || s.mode == policy.KeyNone || !strings.ContainsAny(raw, "%+") {
		return s.keeps(raw)
	}
	if name, err := url.QueryUnescape(raw); err == nil {
		return s.keeps(name)
	}
	return s.keeps(raw)
}
