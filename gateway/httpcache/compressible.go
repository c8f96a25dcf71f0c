package httpcache

import (
	"net/http"
	"strings"

	"github.com/edgeward/edgeward/policy"
)

// Bounds on the size of a body the edge compresses, in bytes (CloudFront's).
const (
	MinCompressSize = 1_000
	MaxCompressSize = 10_000_000
)

// Compressible reports whether the edge may compress an origin response,
// by CloudFront's rules: the policy has Compress on (nil: the defaults) and
// caches at all (not disabled, MaxTTL > 0); the status is 200, 403 or 404;
// the response has no Content-Encoding (whatever its value); its
// Content-Type is one CloudFront compresses (see compressibleTypes); its
// size, known in advance (size < 0: unknown, as without Content-Length), is
// between MinCompressSize and MaxCompressSize inclusive; and its
// Cache-Control does not say no-transform.
func Compressible(p *policy.CachePolicy, status int, h http.Header, size int64) bool {
	p = orDefault(p)
	if !compressOn(p) || p.Disabled || max(nonNeg(p.MaxTTL), nonNeg(p.MinTTL)) == 0 {
		return false
	}
	if status != http.StatusOK && status != http.StatusForbidden && status != http.StatusNotFound {
		return false
	}
	if size < MinCompressSize || size > MaxCompressSize {
		return false
	}
	for _, v := range h.Values("Content-Encoding") {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	if !compressibleType(h.Get("Content-Type")) {
		return false
	}
	return !ParseCacheControl(h.Values("Cache-Control")).NoTransform
}

// compressibleType reports whether a Content-Type value names one of the
// compressible media types.
func compressibleType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	_, ok := compressibleTypes[strings.ToLower(strings.TrimSpace(mt))]
	return ok
}
