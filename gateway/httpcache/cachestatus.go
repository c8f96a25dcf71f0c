package httpcache

import (
	"strconv"
	"strings"
	"time"
)

// CacheName is the cache's name in Cache-Status.
const CacheName = "edgeward"

// Fwd is why a request was forwarded to the origin (RFC 9211 2.2).
type Fwd string

const (
	FwdBypass   Fwd = "bypass"    // the cache was configured not to handle the request
	FwdMethod   Fwd = "method"    // the request method is not cacheable
	FwdURIMiss  Fwd = "uri-miss"  // nothing stored for the key
	FwdVaryMiss Fwd = "vary-miss" // stored, but not for this request's Vary values
	FwdMiss     Fwd = "miss"      // a miss of an unspecified kind
	FwdRequest  Fwd = "request"   // the request asked for a fresh response
	FwdStale    Fwd = "stale"     // the stored response was stale
	FwdPartial  Fwd = "partial"   // only part of the response was stored
)

// Outcome is what the cache did with one request, for Cache-Status.
type Outcome struct {
	// Hit: the response came from the cache without going to the origin.
	Hit bool
	// Fwd, when not "", says why the request went to the origin, and
	// FwdStatus (when not 0) what the origin answered.
	Fwd       Fwd
	FwdStatus int
	// TTL is the response's remaining freshness: negative when a stale
	// response was served. It is sent with a hit or a stored response, or
	// when not 0.
	TTL time.Duration
	// Stored: the origin's response was stored. Collapsed: the request
	// waited for another request's origin fetch of the same key.
	Stored    bool
	Collapsed bool
	// Detail is free text for the operator (e.g. a Decision.Reason).
	Detail string
}

// CacheStatus renders an Outcome as this cache's member of an RFC 9211
// Cache-Status header, e.g. `edgeward; hit; ttl=376` or
// `edgeward; fwd=uri-miss; fwd-status=200; ttl=3600; stored`. ttl is in
// whole seconds, rounded toward zero. A Fwd that is not a token is left
// out; Detail is sent as a token when it is one, else as a quoted string
// with characters outside printable ASCII replaced by "?".
func CacheStatus(o Outcome) string {
	var b strings.Builder
	b.Grow(64 + len(o.Detail))
	b.WriteString(CacheName)
	if o.Hit {
		b.WriteString("; hit")
	}
	if o.Fwd != "" && isToken(string(o.Fwd)) {
		b.WriteString("; fwd=")
		b.WriteString(string(o.Fwd))
		if o.FwdStatus > 0 {
			b.WriteString("; fwd-status=")
			b.WriteString(strconv.Itoa(o.FwdStatus))
		}
	}
	if o.Hit || o.Stored || o.TTL != 0 {
		b.WriteString("; ttl=")
		b.WriteString(strconv.FormatInt(int64(o.TTL/time.Second), 10))
	}
	if o.Stored {
		b.WriteString("; stored")
	}
	if o.Collapsed {
		b.WriteString("; collapsed")
	}
	if o.Detail != "" {
		b.WriteString("; detail=")
		writeSFValue(&b, o.Detail)
	}
	return b.String()
}

// writeSFValue writes s as a structured-field token (RFC 9651 3.3.4) when
// it is one, else as a string (3.3.3).
func writeSFValue(b *strings.Builder, s string) {
	if isToken(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// isToken reports whether s is a structured-field token: ALPHA or "*",
// then tchar, ":" or "/".
func isToken(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~:/", c) >= 0:
		default:
			return false
		}
	}
	return true
}
