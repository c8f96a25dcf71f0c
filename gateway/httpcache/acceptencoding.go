package httpcache

import "strings"

// Normalized Accept-Encoding values, as CloudFront forwards them and keys
// on them.
const (
	AcceptBrGzip = "br,gzip"
	AcceptBr     = "br"
	AcceptGzip   = "gzip"
)

// NormalizeAcceptEncoding reduces a request's Accept-Encoding lines to the
// encodings the edge serves: "br,gzip", "br", "gzip", or "" (identity only;
// the origin is then sent "identity", or no Accept-Encoding).
//
// A coding is accepted when it is listed with a q-value above 0 (or no
// q-value), or when it is not listed and "*" is accepted. "x-gzip" is
// gzip (RFC 9110 8.4.1.3). Names are case-insensitive; the first listing of
// a coding wins; q-values follow RFC 9110 12.4.2 ("0" to "1" with at most
// three decimals), and a malformed one makes its coding unacceptable, since
// sending a client an encoding it may not decode is the worse mistake.
// Preferences between accepted codings are ignored, as CloudFront does:
// the edge always prefers Brotli (ChooseEncoding).
func NormalizeAcceptEncoding(values []string) string {
	var br, gzip, star accept
	for _, line := range values {
		for elem := range strings.SplitSeq(line, ",") {
			coding, params, _ := strings.Cut(elem, ";")
			coding = strings.TrimSpace(coding)
			var target *accept
			switch {
			case strings.EqualFold(coding, "br"):
				target = &br
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				target = &gzip
			case coding == "*":
				target = &star
			default:
				continue
			}
			if *target == unlisted {
				*target = acceptedBy(params)
			}
		}
	}
	brOK := br == accepted || (br == unlisted && star == accepted)
	gzipOK := gzip == accepted || (gzip == unlisted && star == accepted)
	switch {
	case brOK && gzipOK:
		return AcceptBrGzip
	case brOK:
		return AcceptBr
	case gzipOK:
		return AcceptGzip
	}
	return ""
}

// ChooseEncoding picks the encoding to serve to a viewer whose normalized
// Accept-Encoding is ae: Brotli when accepted, else gzip, else "" (the
// identity).
func ChooseEncoding(ae string) string {
	switch ae {
	case AcceptBrGzip, AcceptBr:
		return "br"
	case AcceptGzip:
		return "gzip"
	}
	return ""
}

// accept is what one Accept-Encoding line says about a coding.
type accept uint8

const (
	unlisted accept = iota
	accepted
	refused
)

// acceptedBy reads a coding's parameters (after its first ";"): accepted
// unless a q parameter is 0 or malformed.
func acceptedBy(params string) accept {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		if qPositive(strings.TrimSpace(value)) {
			return accepted
		}
		return refused
	}
	return accepted
}

// qPositive reports whether q is a well-formed qvalue above 0.
func qPositive(q string) bool {
	if q == "" || (q[0] != '0' && q[0] != '1') {
		return false
	}
	frac := q[1:]
	if frac != "" {
		if frac[0] != '.' || len(frac) > 4 {
			return false
		}
		frac = frac[1:]
	}
	nonzero := false
	for i := 0; i < len(frac); i++ {
		switch c := frac[i]; {
		case c == '0':
		case c > '0' && c <= '9' && q[0] == '0':
			nonzero = true
		default:
			return false
		}
	}
	return q[0] == '1' || nonzero
}
