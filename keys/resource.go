package keys

import "strings"

// maxHostLen bounds the Host header the verifier puts in a resource URL:
// a 253-byte DNS name, or a bracketed IPv6 literal, plus a port.
const maxHostLen = 300

// requestURL returns the URL a policy's Resource is about:
// scheme://host + raw path + ("?" + the query without signing parameters,
// if anything is left). It refuses requests whose parts could not have
// come from a well-formed request line: a scheme other than http or https,
// a Host with characters no host or port has (a '/' or '@' in the Host
// would move the boundary between host and path in the URL), a path that
// does not start with '/' or holds '?', '#', spaces, control or non-ASCII
// bytes, and such bytes in the query.
func requestURL(r *Request) (string, *Error) {
	if r.Scheme != "http" && r.Scheme != "https" {
		return "", errRequest("scheme %s is not http or https", clip(r.Scheme))
	}
	if !validHost(r.Host) {
		return "", errRequest("Host %s is not a host name or address with an optional port", clip(r.Host))
	}
	if r.RawPath == "" || r.RawPath[0] != '/' {
		return "", errRequest("path %s does not start with '/'", clip(r.RawPath))
	}
	if i := badURLByte(r.RawPath, "?#"); i >= 0 {
		return "", errRequest("path byte %d (%q) cannot be in a request path", i, r.RawPath[i])
	}
	q, kept := stripQuery(r.RawQuery)
	if i := badURLByte(q, "#"); i >= 0 {
		return "", errRequest("query byte %d (%q) cannot be in a request query", i, q[i])
	}
	var b strings.Builder
	b.Grow(len(r.Scheme) + 3 + len(r.Host) + len(r.RawPath) + 1 + len(q))
	b.WriteString(r.Scheme)
	b.WriteString("://")
	b.WriteString(r.Host)
	b.WriteString(r.RawPath)
	if kept {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

func errRequest(format string, args ...any) *Error {
	return newError(ReasonMalformed, MessageAccessDenied, "request: "+format, args...)
}

// validHost accepts letters, digits, '-', '.', '_', ':' and the brackets of
// an IPv6 literal.
func validHost(h string) bool {
	if h == "" || len(h) > maxHostLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == ':', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}

// badURLByte returns the index of the first byte of s that is a control
// byte, a space, non-ASCII or one of extra, or -1.
func badURLByte(s, extra string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(extra, c) >= 0 {
			return i
		}
	}
	return -1
}

// ambiguousPath reports whether a raw path could name a different object
// once an origin decodes and normalizes it: a dot-segment ("." or "..",
// also percent-encoded, also with ";params" as some servers strip them),
// an encoded '/' or '\', or a '\'. A wildcard Resource such as
// "https://h/public/*" must not match "/public/../private/x".
func ambiguousPath(p string) bool {
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\':
			return true
		case p[i] == '%' && i+2 < len(p):
			switch p[i+1 : i+3] {
			case "2f", "2F", "5c", "5C":
				return true
			}
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		seg, _, _ = strings.Cut(seg, ";")
		if dotSegment(seg) {
			return true
		}
	}
	return false
}

// dotSegment reports whether seg is "." or "..", each dot possibly written
// as %2e or %2E.
func dotSegment(seg string) bool {
	dots := 0
	for i := 0; i < len(seg); {
		switch {
		case seg[i] == '.':
			i++
		case strings.HasPrefix(seg[i:], "%2e"), strings.HasPrefix(seg[i:], "%2E"):
			i += 3
		default:
			return false
		}
		dots++
	}
	return dots == 1 || dots == 2
}
