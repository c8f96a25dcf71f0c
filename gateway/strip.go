package gateway

import (
	"net/http"
	"strings"

	"github.com/edgeward/edgeward/keys"
)

// withoutQueryParam returns the raw query without the parameters named
// name (matched exactly, before percent-decoding, as a signer writes
// them); every other byte is kept.
func withoutQueryParam(raw, name string) string {
	if raw == "" || !strings.Contains(raw, name) {
		return raw
	}
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		if k, _, _ := strings.Cut(part, "="); k == name {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// withoutCookie removes the cookies named name from the request's Cookie
// header lines, dropping lines left empty.
func withoutCookie(h http.Header, name string) {
	setCookieLines(h, keys.StripCookies(h["Cookie"], name, func(n string) bool { return n == name }))
}

// setCookieLines replaces the Cookie header lines, deleting the header when
// none are left.
func setCookieLines(h http.Header, lines []string) {
	if len(lines) == 0 {
		delete(h, "Cookie")
		return
	}
	h["Cookie"] = lines
}

// cookieValue returns the value of the first cookie named name.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for c := range strings.SplitSeq(line, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(c), "="); ok && k == name {
				return v, true
			}
		}
	}
	return "", false
}

// queryValue returns the raw value of the first parameter named name.
func queryValue(raw, name string) (string, bool) {
	for part := range strings.SplitSeq(raw, "&") {
		if k, v, ok := strings.Cut(part, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}
