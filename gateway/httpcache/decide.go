package httpcache

import (
	"net/http"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// Decision is what the edge does with one origin response: whether to
// store it, and for how long it is fresh and may be served stale.
type Decision struct {
	// Store is true when the response may be stored and shared.
	Store bool
	// TTL is how long the response is fresh, counted from its receipt
	// (now, in Decide): the origin's freshness lifetime less the Age the
	// origin reported, clamped by the policy. 0 when Store is false.
	TTL time.Duration
	// SWR and SIE are how long after TTL the stored response may still be
	// served while it is revalidated in the background
	// (stale-while-revalidate) or when the origin fails (stale-if-error):
	// the response's directives, else the policy's defaults; both 0 with
	// must-revalidate or proxy-revalidate.
	SWR time.Duration
	SIE time.Duration
	// Reason says why, in one short token for logs and Cache-Status: when
	// stored, where TTL came from (ReasonSMaxAge, ReasonMaxAge,
	// ReasonExpires, ReasonDefaultTTL, ReasonMinTTL, ReasonMaxTTL,
	// ReasonErrorTTL); otherwise what prevented storing.
	Reason string
}

// Fresh returns the time until which a response stored at stored is fresh.
func (d Decision) Fresh(stored time.Time) time.Time { return stored.Add(d.TTL) }

// Reasons a response is not stored.
const (
	ReasonDisabled  = "disabled"  // the behavior's cache is disabled
	ReasonMethod    = "method"    // not a GET or HEAD
	ReasonStatus    = "status"    // a status the edge does not cache (or not without max-age)
	ReasonVaryStar  = "vary-star" // Vary: *
	ReasonSetCookie = "set-cookie"
	ReasonNoStore   = "no-store"
	ReasonPrivate   = "private"
	ReasonNoCache   = "no-cache"
	ReasonTTLZero   = "ttl-zero" // the clamped TTL is 0 (e.g. max-age=0, expired Expires)
)

// Where a stored response's TTL came from.
const (
	ReasonSMaxAge    = "s-maxage"
	ReasonMaxAge     = "max-age"
	ReasonExpires    = "expires"
	ReasonDefaultTTL = "default-ttl"
	ReasonMinTTL     = "min-ttl"   // raised to MinTTL (or no-cache/no-store/private with MinTTL > 0)
	ReasonMaxTTL     = "max-ttl"   // lowered to MaxTTL
	ReasonErrorTTL   = "error-ttl" // an error response cached for the policy's ErrorTTL
)

// Decide applies CloudFront's caching rules to an origin response received
// at now, under cache policy p (nil means CloudFront's defaults):
//
//   - Only responses to GET and HEAD are stored, never with Vary: *, and
//     never with Set-Cookie unless the policy keys on cookies.
//   - 200, 203, 204, 300, 301 and 410: with no-cache, no-store or private,
//     TTL = MinTTL (so stored only when MinTTL > 0); otherwise s-maxage,
//     else max-age, else Expires (relative to Date when present, else to
//     now; an invalid Expires has already expired), else DefaultTTL, then
//     clamped into [MinTTL, MaxTTL]. The origin's Age is subtracted from
//     the lifetimes it gives (s-maxage, max-age, Expires with Date).
//   - 404, 414, 500, 501, 502, 503, 504: TTL = max(ErrorTTL, s-maxage or
//     max-age), at most MaxTTL.
//   - 400, 403, 405, 412, 415: the same, but only when the origin sent
//     s-maxage or max-age.
//   - Error responses with no-store, no-cache or private are not stored
//     (they are "restricted by a cache control header", in CloudFront's
//     words), whatever MinTTL.
//   - Everything else, 206 and 416 included, is not stored (the edge
//     stores full objects only).
//   - A TTL of 0 is not stored.
//
// A response to HEAD has no body: the gateway must not let it fill the
// entry a GET is served from (fetch with GET on a HEAD miss instead).
//
// A policy whose MaxTTL is below its MinTTL is read with MaxTTL = MinTTL
// (CloudFront's "Max follows" rule); negative durations count as 0.
func Decide(p *policy.CachePolicy, method string, status int, h http.Header, now time.Time) Decision {
	p = orDefault(p)
	var d Decision
	switch {
	case p.Disabled:
		d.Reason = ReasonDisabled
		return d
	case method != http.MethodGet && method != http.MethodHead:
		d.Reason = ReasonMethod
		return d
	}
	class := classify(status)
	if class == classNever {
		d.Reason = ReasonStatus
		return d
	}
	cc := ParseCacheControl(h.Values("Cache-Control"))
	switch {
	case class == classErrorIfMaxAge && !cc.HasSMaxAge && !cc.HasMaxAge:
		d.Reason = ReasonStatus
		return d
	case hasVaryStar(h):
		d.Reason = ReasonVaryStar
		return d
	case p.Cookies.Mode == policy.KeyNone && len(h.Values("Set-Cookie")) > 0:
		d.Reason = ReasonSetCookie
		return d
	}

	minTTL := nonNeg(p.MinTTL)
	maxTTL := max(nonNeg(p.MaxTTL), minTTL)
	restricted := restriction(&cc)
	if class == classNormal {
		if restricted != "" {
			d.TTL, d.Reason = minTTL, ReasonMinTTL
			if minTTL == 0 {
				d.Reason = restricted
			}
		} else {
			d.TTL, d.Reason = lifetime(p, &cc, h, now)
			switch {
			case d.TTL < minTTL:
				d.TTL, d.Reason = minTTL, ReasonMinTTL
			case d.TTL > maxTTL:
				d.TTL, d.Reason = maxTTL, ReasonMaxTTL
			}
		}
	} else {
		if restricted != "" {
			d.Reason = restricted
			return d
		}
		d.TTL, d.Reason = nonNeg(p.ErrorTTL), ReasonErrorTTL
		if cc.HasSMaxAge || cc.HasMaxAge {
			if o, src := originLifetime(&cc, h); o > d.TTL {
				d.TTL, d.Reason = o, src
			}
		}
		if d.TTL > maxTTL {
			d.TTL, d.Reason = maxTTL, ReasonMaxTTL
		}
	}
	if d.TTL <= 0 {
		d.TTL = 0
		if d.Reason != restricted {
			d.Reason = ReasonTTLZero
		}
		return d
	}
	d.Store = true
	d.SWR, d.SIE = staleWindows(p, &cc)
	return d
}

// restriction names the directive that forbids storing ("" when none); when
// several are present, the strongest is named.
func restriction(cc *CacheControl) string {
	switch {
	case cc.NoStore:
		return ReasonNoStore
	case cc.Private:
		return ReasonPrivate
	case cc.NoCache:
		return ReasonNoCache
	}
	return ""
}

// lifetime is a normal response's TTL before clamping, and its source.
func lifetime(p *policy.CachePolicy, cc *CacheControl, h http.Header, now time.Time) (time.Duration, string) {
	if cc.HasSMaxAge || cc.HasMaxAge {
		return originLifetime(cc, h)
	}
	if exp := h.Values("Expires"); len(exp) > 0 {
		e, err := http.ParseTime(exp[0])
		if err != nil {
			return 0, ReasonExpires // invalid: already expired (RFC 9111 5.3)
		}
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			return max(e.Sub(date)-originAge(h), 0), ReasonExpires
		}
		return max(e.Sub(now), 0), ReasonExpires
	}
	return nonNeg(p.DefaultTTL), ReasonDefaultTTL
}

// originLifetime is s-maxage, else max-age, less the origin's Age, not
// below 0. The caller has checked that one of them is present.
func originLifetime(cc *CacheControl, h http.Header) (time.Duration, string) {
	ttl, src := cc.MaxAge, ReasonMaxAge
	if cc.HasSMaxAge {
		ttl, src = cc.SMaxAge, ReasonSMaxAge
	}
	return max(ttl-originAge(h), 0), src
}

// staleWindows returns how long a stored response may be served stale.
func staleWindows(p *policy.CachePolicy, cc *CacheControl) (swr, sie time.Duration) {
	if cc.MustRevalidate || cc.ProxyRevalidate {
		return 0, 0
	}
	swr, sie = nonNeg(p.StaleWhileRevalidate), nonNeg(p.StaleIfError)
	if cc.HasStaleWhileRevalidate {
		swr = cc.StaleWhileRevalidate
	}
	if cc.HasStaleIfError {
		sie = cc.StaleIfError
	}
	return swr, sie
}

// statusClass sorts statuses by CloudFront's caching rules.
type statusClass uint8

const (
	classNever         statusClass = iota
	classNormal                    // the usual TTL rules
	classError                     // always cached, for max(ErrorTTL, max-age)
	classErrorIfMaxAge             // like classError, only with max-age or s-maxage
)

func classify(status int) statusClass {
	switch status {
	case 200, 203, 204, 300, 301, 410:
		return classNormal
	case 404, 414, 500, 501, 502, 503, 504:
		return classError
	case 400, 403, 405, 412, 415:
		return classErrorIfMaxAge
	}
	return classNever
}
