package httpcache

import (
	"net/http"
	"slices"
	"strings"
)

// VaryNames returns the header names a response varies on, canonicalized
// (http.CanonicalHeaderKey), deduplicated and sorted, and whether its Vary
// lists "*" (then the response is never stored: Decide says
// ReasonVaryStar). names is nil when there are none.
//
// Besides the names Vary lists, a response with a Content-Encoding other
// than identity varies on Accept-Encoding whether or not it says so: the
// origin picked the encoding from the Accept-Encoding it was sent, and
// common servers leave Vary out (nginx's gzip_vary is off by default).
// Keying it keeps a compressed body from reaching a viewer that cannot
// decode it. For the same reason, a response the edge compresses varies
// on Accept-Encoding.
func VaryNames(h http.Header) (names []string, star bool) {
	for _, line := range h.Values("Vary") {
		for elem := range strings.SplitSeq(line, ",") {
			elem = strings.TrimSpace(elem)
			switch elem {
			case "":
			case "*":
				star = true
			default:
				names = append(names, http.CanonicalHeaderKey(elem))
			}
		}
	}
	if encoded(h) {
		names = append(names, "Accept-Encoding")
	}
	slices.Sort(names)
	return slices.Compact(names), star
}

// encoded reports whether h has a Content-Encoding other than identity.
func encoded(h http.Header) bool {
	for _, line := range h.Values("Content-Encoding") {
		for elem := range strings.SplitSeq(line, ",") {
			if elem = strings.TrimSpace(elem); elem != "" && !strings.EqualFold(elem, "identity") {
				return true
			}
		}
	}
	return false
}

// hasVaryStar reports whether h's Vary lists "*", without allocating.
func hasVaryStar(h http.Header) bool {
	for _, line := range h.Values("Vary") {
		for elem := range strings.SplitSeq(line, ",") {
			if strings.TrimSpace(elem) == "*" {
				return true
			}
		}
	}
	return false
}

// VariantKey returns the secondary key under which the response to r is
// stored when the origin's response to the primary key varies on names (as
// VaryNames returns them, in that order). It extends primary with r's
// values of those headers, so different values give different keys and a
// header that is absent differs from one that is present and empty (RFC
// 9111 4.1). Accept-Encoding is keyed as NormalizeAcceptEncoding reduces it
// ("br,gzip", "br", "gzip" or ""), so the few variants the edge can serve
// are all that is stored; Host is the request's host. Other values are
// keyed as received, the lines of a repeated header joined with ","
// (Cookie lines with "; ").
//
// The origin can only vary on what it receives: the gateway should pass
// only names it forwards, as CloudFront keeps only Accept-Encoding, Cookie
// and forwarded headers in Vary.
func VariantKey(primary string, names []string, r *http.Request) string {
	type part struct {
		name, value string
		present     bool
	}
	var buf [4]part
	parts := buf[:0]
	size := len(primary)
	for _, name := range names {
		p := part{name: name}
		switch name {
		case "Accept-Encoding":
			p.value, p.present = NormalizeAcceptEncoding(r.Header.Values(name)), true
		case "Host":
			p.value, p.present = r.Host, true
		default:
			if vals := r.Header.Values(name); len(vals) > 0 {
				sep := ","
				if name == "Cookie" {
					sep = "; "
				}
				p.value, p.present = strings.Join(vals, sep), true
			}
		}
		size += 1 + fieldLen(p.name)
		if p.present {
			size += fieldLen(p.value)
		}
		parts = append(parts, p)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(primary)
	for _, p := range parts {
		if p.present {
			b.WriteByte('v')
			writeField(&b, p.name)
			writeField(&b, p.value)
		} else {
			b.WriteByte('w')
			writeField(&b, p.name)
		}
	}
	return b.String()
}
