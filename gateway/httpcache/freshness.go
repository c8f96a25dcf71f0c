package httpcache

import (
	"net/http"
	"strings"
	"time"
)

// Age returns the Age, in seconds, of a response stored at stored and
// served at now: the Age the origin sent plus the time it has spent in the
// cache (RFC 9111 4.2.3, with the receipt time as both request and response
// time). It is never negative and saturates at 2^31.
func Age(stored time.Time, h http.Header, now time.Time) int {
	age := originAge(h)
	if resident := now.Sub(stored); resident > 0 {
		age += resident
	}
	return int(min(age, maxDelta) / time.Second)
}

// originAge is the Age header the origin sent: the first member of the
// first line, ignored (0) when it is not delta-seconds (RFC 9111 5.1).
func originAge(h http.Header) time.Duration {
	v := h.Values("Age")
	if len(v) == 0 {
		return 0
	}
	s, _, _ := strings.Cut(v[0], ",")
	d, _ := parseDelta(strings.TrimSpace(s))
	return d
}

// Freshness is where a stored response stands at a given moment.
type Freshness uint8

const (
	// Fresh: serve it.
	Fresh Freshness = iota
	// StaleRevalidate: stale, but within stale-while-revalidate: serve it
	// and revalidate in the background.
	StaleRevalidate
	// StaleIfError: stale, within stale-if-error only: revalidate first,
	// and serve it if the origin fails (5xx or no answer).
	StaleIfError
	// Stale: revalidate or fetch; never serve it.
	Stale
)

func (f Freshness) String() string {
	switch f {
	case Fresh:
		return "fresh"
	case StaleRevalidate:
		return "stale-while-revalidate"
	case StaleIfError:
		return "stale-if-error"
	}
	return "stale"
}

// FreshnessAt tells where a response fresh until fresh, with the given
// stale-while-revalidate and stale-if-error windows (Decision.SWR and SIE,
// counted from fresh), stands at now. A response is fresh strictly before
// fresh, and within a window strictly before its end. When both windows
// cover now, StaleRevalidate wins: the response is served at once.
func FreshnessAt(fresh time.Time, swr, sie time.Duration, now time.Time) Freshness {
	switch {
	case now.Before(fresh):
		return Fresh
	case swr > 0 && now.Before(fresh.Add(swr)):
		return StaleRevalidate
	case sie > 0 && now.Before(fresh.Add(sie)):
		return StaleIfError
	}
	return Stale
}
