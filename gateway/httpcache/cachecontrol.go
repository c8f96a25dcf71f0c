package httpcache

import (
	"strings"
	"time"
)

// maxDelta is the largest delta-seconds value kept: RFC 9111 1.2.2 says a
// larger value is to be taken as 2^31 seconds (about 68 years).
const maxDelta = (1 << 31) * time.Second

// CacheControl is a response's Cache-Control header, parsed. Only the
// directives the edge cache acts on are kept; unknown ones are ignored.
//
// Delta-seconds directives (max-age, s-maxage, stale-while-revalidate,
// stale-if-error) carry a Has flag telling whether the directive was
// present. When a directive appears more than once, the first occurrence
// wins (RFC 9111 4.2.1). A present directive whose argument is not a
// delta-seconds (missing, empty, negative, fractional, not a number) counts
// as present with the value 0: RFC 9111 4.2.1 asks caches to treat invalid
// freshness information as stale, and 0 is the most restrictive reading of
// every one of these directives, so a malformed header can never make the
// edge keep or serve a response longer than the origin asked. Values too
// large to represent are taken as 2^31 seconds (RFC 9111 1.2.2).
//
// The field-name forms no-cache="Set-Cookie" and private="X" are treated as
// their unqualified forms (RFC 9111 5.2.2.4 and 5.2.2.7 allow it): the edge
// never stores part of a response.
type CacheControl struct {
	NoCache         bool
	NoStore         bool
	Private         bool
	Public          bool
	MustRevalidate  bool
	ProxyRevalidate bool
	NoTransform     bool
	Immutable       bool

	MaxAge                  time.Duration
	SMaxAge                 time.Duration
	StaleWhileRevalidate    time.Duration
	StaleIfError            time.Duration
	HasMaxAge               bool
	HasSMaxAge              bool
	HasStaleWhileRevalidate bool
	HasStaleIfError         bool
}

// ParseCacheControl parses the lines of a Cache-Control header (as
// http.Header.Values returns them), each a comma-separated list of
// directives. Directive names are case-insensitive; whitespace around
// names, "=" and values is allowed; arguments may be tokens or quoted
// strings (a quoted comma does not end a directive); anything it does not
// understand is skipped up to the next comma. It never fails and does not
// allocate.
func ParseCacheControl(values []string) CacheControl {
	var cc CacheControl
	for _, v := range values {
		for v != "" {
			var name, arg string
			var hasArg bool
			name, arg, hasArg, v = nextDirective(v)
			cc.apply(name, arg, hasArg)
		}
	}
	return cc
}

// apply records one directive.
func (cc *CacheControl) apply(name, arg string, hasArg bool) {
	switch {
	case name == "":
	case strings.EqualFold(name, "no-cache"):
		cc.NoCache = true
	case strings.EqualFold(name, "no-store"):
		cc.NoStore = true
	case strings.EqualFold(name, "private"):
		cc.Private = true
	case strings.EqualFold(name, "public"):
		cc.Public = true
	case strings.EqualFold(name, "must-revalidate"):
		cc.MustRevalidate = true
	case strings.EqualFold(name, "proxy-revalidate"):
		cc.ProxyRevalidate = true
	case strings.EqualFold(name, "no-transform"):
		cc.NoTransform = true
	case strings.EqualFold(name, "immutable"):
		cc.Immutable = true
	case strings.EqualFold(name, "max-age"):
		setDelta(&cc.MaxAge, &cc.HasMaxAge, arg, hasArg)
	case strings.EqualFold(name, "s-maxage"):
		setDelta(&cc.SMaxAge, &cc.HasSMaxAge, arg, hasArg)
	case strings.EqualFold(name, "stale-while-revalidate"):
		setDelta(&cc.StaleWhileRevalidate, &cc.HasStaleWhileRevalidate, arg, hasArg)
	case strings.EqualFold(name, "stale-if-error"):
		setDelta(&cc.StaleIfError, &cc.HasStaleIfError, arg, hasArg)
	}
}

// setDelta records the first occurrence of a delta-seconds directive; an
// invalid argument is 0.
func setDelta(d *time.Duration, has *bool, arg string, hasArg bool) {
	if *has {
		return
	}
	*has = true
	if !hasArg {
		*d = 0
		return
	}
	*d, _ = parseDelta(arg)
}

// parseDelta parses delta-seconds: one or more ASCII digits. ok is false for
// anything else (and the value is 0). Values beyond 2^31 s saturate.
func parseDelta(s string) (d time.Duration, ok bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < 1<<31 {
			n = n*10 + int64(c-'0')
		}
	}
	if n > 1<<31 {
		n = 1 << 31
	}
	return time.Duration(n) * time.Second, true
}

// nextDirective splits the first directive off a Cache-Control line. It
// returns the directive's name (possibly "" for garbage), its argument with
// quotes removed (escapes are left in place: no argument the cache reads
// may contain one), whether there was an "=", and the rest of the line
// after the next top-level comma.
func nextDirective(v string) (name, arg string, hasArg bool, rest string) {
	i := skipOWS(v, 0)
	// Name: up to "=", ",", or whitespace.
	start := i
	for i < len(v) && v[i] != '=' && v[i] != ',' && v[i] != ' ' && v[i] != '\t' && v[i] != '"' {
		i++
	}
	name = v[start:i]
	i = skipOWS(v, i)
	if i < len(v) && v[i] == '=' {
		hasArg = true
		i = skipOWS(v, i+1)
		if i < len(v) && v[i] == '"' {
			j := i + 1
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(v) {
				// Unterminated quoted string: the argument is invalid
				// and the rest of the line belongs to it.
				return name, "\x00", true, ""
			}
			arg = v[i+1 : j]
			i = j + 1
		} else {
			j := i
			for j < len(v) && v[j] != ',' && v[j] != ' ' && v[j] != '\t' && v[j] != '"' {
				j++
			}
			arg = v[i:j]
			i = j
		}
	}
	// Skip whatever follows up to the next comma that is not in quotes.
	for i < len(v) && v[i] != ',' {
		if v[i] == '"' {
			i++
			for i < len(v) && v[i] != '"' {
				if v[i] == '\\' {
					i++
				}
				i++
			}
		}
		i++
	}
	if i < len(v) {
		i++ // the comma
	}
	return name, arg, hasArg, v[min(i, len(v)):]
}

// skipOWS returns the index of the first byte at or after i that is not a
// space or a tab.
func skipOWS(v string, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}
