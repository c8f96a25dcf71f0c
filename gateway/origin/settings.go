package origin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// Defaults for settings left at zero (CloudFront's defaults). The config
// decoder normally fills them in; the constructors apply them again so a
// zero value never means "no timeout".
const (
	DefaultConnectTimeout     = 10 * time.Second
	DefaultConnectionAttempts = 3
	DefaultReadTimeout        = 30 * time.Second
	DefaultKeepAliveTimeout   = 5 * time.Second

	// MaxConnectionAttempts is the most attempts an origin may make for
	// one request (CloudFront's limit).
	MaxConnectionAttempts = 3
	// MaxCustomHeaders is the most custom headers an origin may add
	// (CloudFront's limit).
	MaxCustomHeaders = 10
)

// settings are the validated timeouts and attempts of one origin.
type settings struct {
	connectTimeout time.Duration
	readTimeout    time.Duration
	keepAlive      time.Duration
	attempts       int
}

// settingsOf applies defaults to zero values and rejects negative ones.
// Ranges (1s..10s and so on) are the config validator's business; tests
// use shorter timeouts than an operator may configure.
func settingsOf(cfg policy.Origin) (settings, error) {
	var errs []error
	dur := func(name string, d policy.Duration, def time.Duration) time.Duration {
		switch {
		case d < 0:
			errs = append(errs, fmt.Errorf("%s must be positive, got %s", name, time.Duration(d)))
			return 0
		case d == 0:
			return def
		default:
			return time.Duration(d)
		}
	}
	s := settings{
		connectTimeout: dur("connect_timeout", cfg.ConnectTimeout, DefaultConnectTimeout),
		readTimeout:    dur("read_timeout", cfg.ReadTimeout, DefaultReadTimeout),
		keepAlive:      dur("keepalive_timeout", cfg.KeepAliveTimeout, DefaultKeepAliveTimeout),
		attempts:       cfg.ConnectionAttempts,
	}
	switch {
	case s.attempts == 0:
		s.attempts = DefaultConnectionAttempts
	case s.attempts < 0 || s.attempts > MaxConnectionAttempts:
		errs = append(errs, fmt.Errorf("connection_attempts must be 1..%d, got %d", MaxConnectionAttempts, s.attempts))
	}
	return s, errors.Join(errs...)
}

// cleanPrefix validates an origin path: empty, or beginning with "/" and
// made of non-empty segments other than "." and "..". A trailing slash is
// dropped, so "/base/" + "/a" is "/base/a".
func cleanPrefix(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q must begin with /", p)
	}
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "", nil
	}
	for _, seg := range strings.Split(p[1:], "/") {
		switch seg {
		case "":
			return "", fmt.Errorf("path %q has an empty segment", p)
		case ".", "..":
			return "", fmt.Errorf("path %q has a %q segment", p, seg)
		}
	}
	for _, c := range []byte(p) {
		if c < 0x20 || c == 0x7f {
			return "", fmt.Errorf("path %q has a control character", p)
		}
	}
	return p, nil
}

// escapedPrefix is the percent-encoded form of a clean prefix, as it goes
// in front of a request's RawPath.
func escapedPrefix(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// reservedHeaders are headers an origin's custom headers may not set: the
// transport owns message framing and the connection, the gateway owns the
// forwarding headers, and Host has its own setting.
var reservedHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Expect": true,
	"Proxy-Authorization": true, "Via": true, "X-Forwarded-For": true,
	"X-Request-Id": true,
}

// customHeaders validates and canonicalises an origin's custom headers.
func customHeaders(in map[string]string) (http.Header, error) {
	if len(in) == 0 {
		return nil, nil
	}
	var errs []error
	if len(in) > MaxCustomHeaders {
		errs = append(errs, fmt.Errorf("at most %d custom headers, got %d", MaxCustomHeaders, len(in)))
	}
	out := make(http.Header, len(in))
	for name, value := range in {
		key := http.CanonicalHeaderKey(name)
		switch {
		case !isToken(name):
			errs = append(errs, fmt.Errorf("header name %q is not a valid token", name))
			continue
		case reservedHeaders[key]:
			errs = append(errs, fmt.Errorf("header %s may not be set as a custom header", key))
			continue
		case !validHeaderValue(value):
			errs = append(errs, fmt.Errorf("header %s has a control character in its value", key))
			continue
		}
		if _, dup := out[key]; dup {
			errs = append(errs, fmt.Errorf("header %s is given twice (names are case-insensitive)", key))
			continue
		}
		out[key] = []string{strings.TrimSpace(value)}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// isToken reports whether s is an RFC 9110 token (a header field name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !isTokenChar(c) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validHeaderValue rejects control characters other than horizontal tab,
// which would split or corrupt the header block.
func validHeaderValue(v string) bool {
	for _, c := range []byte(v) {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
