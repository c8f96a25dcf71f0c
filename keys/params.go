package keys

import (
	"net/url"
	"strings"
)

// The signing parameters, by index.
const (
	pExpires = iota
	pPolicy
	pSignature
	pKeyPairID
	pHashAlgorithm
	numParams
)

var queryNames = [numParams]string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

var cookieNames = [numParams]string{"CloudFront-Expires", "CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id", "CloudFront-Hash-Algorithm"}

// SigningQueryParams returns the query parameter names that carry a
// CloudFront signature: Expires, Policy, Signature, Key-Pair-Id and
// Hash-Algorithm. Names are matched exactly (case-sensitive, as sent).
func SigningQueryParams() []string { return append([]string(nil), queryNames[:]...) }

// SigningCookies returns the cookie names that carry a CloudFront signature:
// CloudFront-Expires, -Policy, -Signature, -Key-Pair-Id and -Hash-Algorithm.
func SigningCookies() []string { return append([]string(nil), cookieNames[:]...) }

func queryIndex(name string) int {
	switch name {
	case "Expires":
		return pExpires
	case "Policy":
		return pPolicy
	case "Signature":
		return pSignature
	case "Key-Pair-Id":
		return pKeyPairID
	case "Hash-Algorithm":
		return pHashAlgorithm
	}
	return -1
}

func cookieIndex(name string) int {
	if rest, ok := strings.CutPrefix(name, "CloudFront-"); ok {
		return queryIndex(rest)
	}
	return -1
}

// Source of the signing parameters a Grant was made from.
const (
	SourceURL    = "url"
	SourceCookie = "cookie"
)

// params are the signing parameters of one request, still encoded.
type params struct {
	source string
	has    [numParams]bool
	val    [numParams]string
}

func (p *params) any() bool {
	for _, h := range p.has {
		if h {
			return true
		}
	}
	return false
}

// Limits on the raw parameter values, checked before any decoding.
const (
	// maxPolicyBytes bounds a decoded custom policy.
	maxPolicyBytes = 4096
	// maxPolicyParam is the CloudFront base64 length of maxPolicyBytes.
	maxPolicyParam = (maxPolicyBytes + 2) / 3 * 4
	// maxSignatureParam: an RSA-4096 signature (512 bytes) in base64; DER
	// ECDSA P-256 signatures are at most 72 bytes.
	maxSignatureParam = (MaxRSABits/8 + 2) / 3 * 4
	maxExpiresParam   = 20
	maxHashParam      = 16
)

var paramLimits = [numParams]int{
	pExpires:       maxExpiresParam,
	pPolicy:        maxPolicyParam,
	pSignature:     maxSignatureParam,
	pKeyPairID:     MaxKeyIDLen,
	pHashAlgorithm: maxHashParam,
}

// queryParams extracts the signing parameters from a raw query. The query
// splits on '&' only; a parameter's name is what precedes its first '='.
// Names are compared exactly as sent. A name that is a signing parameter
// only after percent-decoding ("Expire%73") is refused: the gateway would
// forward it, and an origin would read it as the real one. Values are
// percent-decoded ('+' stays '+'); every signing value is plain ASCII.
func queryParams(rawQuery string) (params, *Error) {
	p := params{source: SourceURL}
	for rest := rawQuery; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		name, value, _ := strings.Cut(seg, "=")
		i := queryIndex(name)
		if i < 0 {
			if strings.IndexByte(name, '%') >= 0 {
				if dn, err := url.PathUnescape(name); err == nil && queryIndex(dn) >= 0 {
					return p, errMalformed("query parameter %s is an encoded %s", clip(name), dn)
				}
			}
			continue
		}
		if p.has[i] {
			return p, errMalformed("%s appears more than once in the query", queryNames[i])
		}
		if len(value) > 3*paramLimits[i] {
			return p, errMalformed("%s is %d bytes, more than the %d allowed", queryNames[i], len(value), paramLimits[i])
		}
		if strings.IndexByte(value, '%') >= 0 {
			dv, err := url.PathUnescape(value)
			if err != nil {
				return p, errMalformed("%s has a bad percent-encoding", queryNames[i])
			}
			value = dv
		}
		if len(value) > paramLimits[i] {
			return p, errMalformed("%s is %d bytes, more than the %d allowed", queryNames[i], len(value), paramLimits[i])
		}
		p.has[i], p.val[i] = true, value
	}
	return p, nil
}

// cookieParams extracts the signing cookies from the request's Cookie
// header lines. A cookie is "name=value" between ';'; surrounding spaces
// and tabs are trimmed and a value in double quotes is unquoted, as
// net/http does. Values are not percent-decoded. The same signing cookie
// twice (in one line or across lines) is malformed: a browser sends two
// when cookies were set for two paths or domains, and the verifier will
// not pick one.
func cookieParams(lines []string) (params, *Error) {
	p := params{source: SourceCookie}
	for _, line := range lines {
		for rest := line; rest != ""; {
			var c string
			c, rest, _ = strings.Cut(rest, ";")
			name, value, ok := strings.Cut(strings.Trim(c, " \t"), "=")
			if !ok {
				continue
			}
			i := cookieIndex(name)
			if i < 0 {
				continue
			}
			if p.has[i] {
				return p, errMalformed("cookie %s appears more than once", cookieNames[i])
			}
			if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			if len(value) > paramLimits[i] {
				return p, errMalformed("cookie %s is %d bytes, more than the %d allowed", cookieNames[i], len(value), paramLimits[i])
			}
			p.has[i], p.val[i] = true, value
		}
	}
	return p, nil
}

// requestParams picks the request's signing parameters: the URL's if any
// signing parameter is in the query (cookies are then ignored entirely),
// else the cookies'.
func requestParams(rawQuery string, cookies []string) (params, *Error) {
	q, err := queryParams(rawQuery)
	if err != nil || q.any() {
		return q, err
	}
	return cookieParams(cookies)
}

// StripSigningParams returns rawQuery without the signing parameters
// (names matched exactly, as Verify matches them); every other byte is
// kept: the other parameters, their order and their encoding.
func StripSigningParams(rawQuery string) string {
	s, _ := stripQuery(rawQuery)
	return s
}

// stripQuery returns rawQuery without the signing parameters, and whether
// any segment (even an empty one) was left. The resource URL takes a '?'
// exactly when one was: a signer that appended "&Expires=..." to
// "https://h/a?" signed the resource "https://h/a?".
func stripQuery(rawQuery string) (string, bool) {
	if rawQuery == "" {
		return "", false
	}
	if !hasSigningName(rawQuery) {
		return rawQuery, true
	}
	var b strings.Builder
	b.Grow(len(rawQuery))
	kept := false
	for rest, more := rawQuery, true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "&")
		name, _, _ := strings.Cut(seg, "=")
		if queryIndex(name) >= 0 {
			continue
		}
		if kept {
			b.WriteByte('&')
		}
		b.WriteString(seg)
		kept = true
	}
	return b.String(), kept
}

// hasSigningName is a cheap pre-check: could rawQuery hold a signing name?
func hasSigningName(rawQuery string) bool {
	for _, n := range queryNames {
		if strings.Contains(rawQuery, n) {
			return true
		}
	}
	return false
}

// StripSigningCookies returns the Cookie header lines without the signing
// cookies (CloudFront-Expires, -Policy, -Signature, -Key-Pair-Id,
// -Hash-Algorithm). The other cookies are kept in order, joined by "; ";
// a line left empty is dropped. It returns nil when nothing is left.
func StripSigningCookies(cookie []string) []string {
	return StripCookies(cookie, "CloudFront-", func(name string) bool { return cookieIndex(name) >= 0 })
}

// StripCookies returns the Cookie header lines without the cookies drop
// reports true for. Lines that do not contain hint (a substring every
// dropped name has; "" for none) are kept as they are, without parsing.
// The other cookies are kept in order, joined by "; "; a line left empty
// is dropped. It returns nil when nothing is left.
func StripCookies(cookie []string, hint string, drop func(name string) bool) []string {
	var out []string
	for _, line := range cookie {
		if !strings.Contains(line, hint) {
			if strings.Trim(line, " \t;") != "" {
				out = append(out, line)
			}
			continue
		}
		var b strings.Builder
		for rest := line; rest != ""; {
			var c string
			c, rest, _ = strings.Cut(rest, ";")
			c = strings.Trim(c, " \t")
			if c == "" {
				continue
			}
			if name, _, _ := strings.Cut(c, "="); drop(strings.TrimSpace(name)) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(c)
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}
