package httpcache

import (
	"net/http"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

func TestDecide(t *testing.T) {
	type mod func(*policy.CachePolicy)
	minTTL := func(d time.Duration) mod { return func(p *policy.CachePolicy) { p.MinTTL = policy.Duration(d) } }
	maxTTL := func(d time.Duration) mod { return func(p *policy.CachePolicy) { p.MaxTTL = policy.Duration(d) } }
	defTTL := func(d time.Duration) mod { return func(p *policy.CachePolicy) { p.DefaultTTL = policy.Duration(d) } }
	errTTL := func(d time.Duration) mod { return func(p *policy.CachePolicy) { p.ErrorTTL = policy.Duration(d) } }
	cookies := func(m policy.KeyMode) mod { return func(p *policy.CachePolicy) { p.Cookies.Mode = m } }
	stale := func(swr, sie time.Duration) mod {
		return func(p *policy.CachePolicy) {
			p.StaleWhileRevalidate, p.StaleIfError = policy.Duration(swr), policy.Duration(sie)
		}
	}
	disabled := func(p *policy.CachePolicy) { p.Disabled = true }

	const (
		sec  = time.Second
		min  = time.Minute
		hour = time.Hour
		day  = 24 * time.Hour
		year = 365 * day
	)
	tests := []struct {
		name   string
		mods   []mod
		method string // default GET
		status int    // default 200
		h      http.Header
		store  bool
		ttl    time.Duration
		swr    time.Duration
		sie    time.Duration
		reason string
	}{
		// TTL sources.
		{name: "default TTL", store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "policy default TTL", mods: []mod{defTTL(hour)}, store: true, ttl: hour, reason: ReasonDefaultTTL},
		{name: "max-age", h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "s-maxage over max-age", h: hdr("Cache-Control", "max-age=60, s-maxage=120"), store: true, ttl: 120 * sec, reason: ReasonSMaxAge},
		{name: "s-maxage shorter than max-age", h: hdr("Cache-Control", "max-age=600, s-maxage=5"), store: true, ttl: 5 * sec, reason: ReasonSMaxAge},
		{name: "max-age over Expires", h: hdr("Cache-Control", "max-age=60", "Expires", httpDate(now.Add(hour))), store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "Expires relative to Date", h: hdr("Date", httpDate(now.Add(-hour)), "Expires", httpDate(now.Add(-hour+10*min))), store: true, ttl: 10 * min, reason: ReasonExpires},
		{name: "Expires without Date relative to now", h: hdr("Expires", httpDate(now.Add(5*min))), store: true, ttl: 5 * min, reason: ReasonExpires},
		{name: "Expires with invalid Date relative to now", h: hdr("Date", "yesterday", "Expires", httpDate(now.Add(5*min))), store: true, ttl: 5 * min, reason: ReasonExpires},
		{name: "Expires in the past", h: hdr("Expires", httpDate(now.Add(-min))), reason: ReasonTTLZero},
		{name: "Expires before Date", h: hdr("Date", httpDate(now), "Expires", httpDate(now.Add(-min))), reason: ReasonTTLZero},
		{name: "invalid Expires has expired", h: hdr("Expires", "0"), reason: ReasonTTLZero},
		{name: "empty Expires has expired", h: hdr("Expires", ""), reason: ReasonTTLZero},
		{name: "invalid Expires raised to MinTTL", mods: []mod{minTTL(min)}, h: hdr("Expires", "never"), store: true, ttl: min, reason: ReasonMinTTL},
		{name: "Expires in RFC 850 form", h: hdr("Expires", now.Add(2*min).Format(time.RFC850)), store: true, ttl: 2 * min, reason: ReasonExpires},
		{name: "max-age=0", h: hdr("Cache-Control", "max-age=0"), reason: ReasonTTLZero},
		{name: "invalid max-age is stale", h: hdr("Cache-Control", "max-age=forever"), reason: ReasonTTLZero},

		// The origin's Age.
		{name: "Age subtracted from max-age", h: hdr("Cache-Control", "max-age=600", "Age", "100"), store: true, ttl: 500 * sec, reason: ReasonMaxAge},
		{name: "Age subtracted from s-maxage", h: hdr("Cache-Control", "s-maxage=600", "Age", "100"), store: true, ttl: 500 * sec, reason: ReasonSMaxAge},
		{name: "Age beyond max-age", h: hdr("Cache-Control", "max-age=60", "Age", "100"), reason: ReasonTTLZero},
		{name: "Age subtracted from Expires-Date", h: hdr("Date", httpDate(now), "Expires", httpDate(now.Add(10*min)), "Age", "60"), store: true, ttl: 9 * min, reason: ReasonExpires},
		{name: "Age not subtracted from DefaultTTL", h: hdr("Age", "60"), store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "invalid Age ignored", h: hdr("Cache-Control", "max-age=600", "Age", "ten"), store: true, ttl: 600 * sec, reason: ReasonMaxAge},

		// Clamping.
		{name: "clamped up to MinTTL", mods: []mod{minTTL(hour)}, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: hour, reason: ReasonMinTTL},
		{name: "max-age=0 raised to MinTTL", mods: []mod{minTTL(hour)}, h: hdr("Cache-Control", "max-age=0"), store: true, ttl: hour, reason: ReasonMinTTL},
		{name: "clamped down to MaxTTL", mods: []mod{maxTTL(hour)}, h: hdr("Cache-Control", "max-age=86400"), store: true, ttl: hour, reason: ReasonMaxTTL},
		{name: "DefaultTTL clamped to MaxTTL", mods: []mod{maxTTL(hour)}, store: true, ttl: hour, reason: ReasonMaxTTL},
		{name: "Expires clamped to MaxTTL", mods: []mod{maxTTL(hour)}, h: hdr("Expires", httpDate(now.Add(2*year))), store: true, ttl: hour, reason: ReasonMaxTTL},
		{name: "MaxTTL below MinTTL follows it", mods: []mod{minTTL(2 * hour), maxTTL(hour)}, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 2 * hour, reason: ReasonMinTTL},
		{name: "huge max-age clamped", h: hdr("Cache-Control", "max-age=99999999999"), store: true, ttl: year, reason: ReasonMaxTTL},

		// no-cache, no-store, private.
		{name: "no-cache with MinTTL 0", h: hdr("Cache-Control", "no-cache"), reason: ReasonNoCache},
		{name: "no-store with MinTTL 0", h: hdr("Cache-Control", "no-store"), reason: ReasonNoStore},
		{name: "private with MinTTL 0", h: hdr("Cache-Control", "private"), reason: ReasonPrivate},
		{name: "no-store beats max-age", h: hdr("Cache-Control", "max-age=600, no-store"), reason: ReasonNoStore},
		{name: "no-store named before no-cache", h: hdr("Cache-Control", "no-cache, no-store, private"), reason: ReasonNoStore},
		{name: "no-cache stored for MinTTL", mods: []mod{minTTL(hour)}, h: hdr("Cache-Control", "no-cache, max-age=86400"), store: true, ttl: hour, reason: ReasonMinTTL},
		{name: "no-store stored for MinTTL", mods: []mod{minTTL(min)}, h: hdr("Cache-Control", "no-store"), store: true, ttl: min, reason: ReasonMinTTL},
		{name: "private stored for MinTTL", mods: []mod{minTTL(min)}, h: hdr("Cache-Control", "private"), store: true, ttl: min, reason: ReasonMinTTL},

		// Statuses cached normally.
		{name: "203", status: 203, store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "204", status: 204, store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "300", status: 300, store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "301", status: 301, store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "410", status: 410, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		// Statuses never cached.
		{name: "206 never", status: 206, h: hdr("Cache-Control", "max-age=60"), reason: ReasonStatus},
		{name: "302 never", status: 302, h: hdr("Cache-Control", "max-age=60"), reason: ReasonStatus},
		{name: "304 never", status: 304, h: hdr("Cache-Control", "max-age=60"), reason: ReasonStatus},
		{name: "307 never", status: 307, reason: ReasonStatus},
		{name: "416 never", status: 416, h: hdr("Cache-Control", "max-age=60"), reason: ReasonStatus},
		{name: "401 never", status: 401, h: hdr("Cache-Control", "max-age=60"), reason: ReasonStatus},
		{name: "505 never", status: 505, reason: ReasonStatus},
		{name: "999 never", status: 999, reason: ReasonStatus},

		// Errors always cached.
		{name: "404 for ErrorTTL", status: 404, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "414 for ErrorTTL", status: 414, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "500 for ErrorTTL", status: 500, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "501 for ErrorTTL", status: 501, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "502 for ErrorTTL", status: 502, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "503 for ErrorTTL", status: 503, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "504 for ErrorTTL", status: 504, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "404 longer max-age", status: 404, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "404 longer s-maxage", status: 404, h: hdr("Cache-Control", "max-age=5, s-maxage=30"), store: true, ttl: 30 * sec, reason: ReasonSMaxAge},
		{name: "404 shorter max-age", status: 404, h: hdr("Cache-Control", "max-age=5"), store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "404 policy ErrorTTL", status: 404, mods: []mod{errTTL(5 * min)}, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 5 * min, reason: ReasonErrorTTL},
		{name: "404 ignores Expires and DefaultTTL", status: 404, h: hdr("Expires", httpDate(now.Add(hour))), store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "404 ignores MinTTL", status: 404, mods: []mod{minTTL(hour)}, store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "404 capped at MaxTTL", status: 404, mods: []mod{maxTTL(min)}, h: hdr("Cache-Control", "max-age=3600"), store: true, ttl: min, reason: ReasonMaxTTL},
		{name: "404 ErrorTTL capped at MaxTTL", status: 404, mods: []mod{maxTTL(5 * sec)}, store: true, ttl: 5 * sec, reason: ReasonMaxTTL},
		{name: "404 ErrorTTL 0", status: 404, mods: []mod{errTTL(0)}, reason: ReasonTTLZero},
		{name: "503 no-store", status: 503, h: hdr("Cache-Control", "no-store"), reason: ReasonNoStore},
		{name: "404 no-cache even with MinTTL", status: 404, mods: []mod{minTTL(hour)}, h: hdr("Cache-Control", "no-cache"), reason: ReasonNoCache},
		{name: "500 private", status: 500, h: hdr("Cache-Control", "private, max-age=60"), reason: ReasonPrivate},

		// Errors cached only with max-age or s-maxage.
		{name: "400 without max-age", status: 400, reason: ReasonStatus},
		{name: "403 without max-age", status: 403, h: hdr("Expires", httpDate(now.Add(hour))), reason: ReasonStatus},
		{name: "405 without max-age", status: 405, reason: ReasonStatus},
		{name: "412 without max-age", status: 412, reason: ReasonStatus},
		{name: "415 without max-age", status: 415, reason: ReasonStatus},
		{name: "400 with max-age", status: 400, h: hdr("Cache-Control", "max-age=60"), store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "403 with max-age", status: 403, h: hdr("Cache-Control", "max-age=30"), store: true, ttl: 30 * sec, reason: ReasonMaxAge},
		{name: "405 with s-maxage", status: 405, h: hdr("Cache-Control", "s-maxage=30"), store: true, ttl: 30 * sec, reason: ReasonSMaxAge},
		{name: "412 with short max-age", status: 412, h: hdr("Cache-Control", "max-age=1"), store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "415 with max-age=0", status: 415, h: hdr("Cache-Control", "max-age=0"), store: true, ttl: 10 * sec, reason: ReasonErrorTTL},
		{name: "403 with max-age and no-store", status: 403, h: hdr("Cache-Control", "max-age=60, no-store"), reason: ReasonNoStore},

		// Methods.
		{name: "HEAD", method: "HEAD", store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "POST", method: "POST", h: hdr("Cache-Control", "max-age=60"), reason: ReasonMethod},
		{name: "PUT", method: "PUT", reason: ReasonMethod},
		{name: "OPTIONS", method: "OPTIONS", reason: ReasonMethod},
		{name: "lower-case get", method: "get", reason: ReasonMethod},

		// Set-Cookie and Vary.
		{name: "Set-Cookie, cookies not keyed", h: hdr("Set-Cookie", "a=1"), reason: ReasonSetCookie},
		{name: "Set-Cookie, all cookies keyed", mods: []mod{cookies(policy.KeyAll)}, h: hdr("Set-Cookie", "a=1"), store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "Set-Cookie, allowlisted cookies", mods: []mod{cookies(policy.KeyAllow)}, h: hdr("Set-Cookie", "a=1"), store: true, ttl: day, reason: ReasonDefaultTTL},
		{name: "Set-Cookie on a 404", status: 404, h: hdr("Set-Cookie", "a=1"), reason: ReasonSetCookie},
		{name: "Vary: *", h: hdr("Vary", "*"), reason: ReasonVaryStar},
		{name: "Vary: * in a list", h: hdr("Vary", "Accept-Encoding", "Vary", "Origin, * "), reason: ReasonVaryStar},
		{name: "Vary: *, MinTTL > 0", mods: []mod{minTTL(hour)}, h: hdr("Vary", "*"), reason: ReasonVaryStar},
		{name: "Vary with names", h: hdr("Vary", "Accept-Encoding, Origin"), store: true, ttl: day, reason: ReasonDefaultTTL},

		// Disabled.
		{name: "disabled", mods: []mod{disabled}, h: hdr("Cache-Control", "max-age=60"), reason: ReasonDisabled},

		// Stale windows.
		{name: "stale windows from the response", h: hdr("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=600"),
			store: true, ttl: 60 * sec, swr: 30 * sec, sie: 600 * sec, reason: ReasonMaxAge},
		{name: "stale windows from the policy", mods: []mod{stale(min, hour)}, h: hdr("Cache-Control", "max-age=60"),
			store: true, ttl: 60 * sec, swr: min, sie: hour, reason: ReasonMaxAge},
		{name: "response overrides the policy", mods: []mod{stale(min, hour)}, h: hdr("Cache-Control", "max-age=60, stale-if-error=0, stale-while-revalidate=5"),
			store: true, ttl: 60 * sec, swr: 5 * sec, sie: 0, reason: ReasonMaxAge},
		{name: "must-revalidate: no stale", mods: []mod{stale(min, hour)}, h: hdr("Cache-Control", "max-age=60, must-revalidate, stale-if-error=60"),
			store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "proxy-revalidate: no stale", mods: []mod{stale(min, hour)}, h: hdr("Cache-Control", "max-age=60, proxy-revalidate"),
			store: true, ttl: 60 * sec, reason: ReasonMaxAge},
		{name: "no-cache with MinTTL keeps stale-if-error", mods: []mod{minTTL(min), stale(0, hour)}, h: hdr("Cache-Control", "no-cache"),
			store: true, ttl: min, sie: hour, reason: ReasonMinTTL},
		{name: "no stale windows when not stored", mods: []mod{stale(min, hour)}, h: hdr("Cache-Control", "no-store"), reason: ReasonNoStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := defaults()
			for _, m := range tt.mods {
				m(&p)
			}
			method, status := tt.method, tt.status
			if method == "" {
				method = "GET"
			}
			if status == 0 {
				status = 200
			}
			h := tt.h
			if h == nil {
				h = http.Header{}
			}
			got := Decide(&p, method, status, h, now)
			want := Decision{Store: tt.store, TTL: tt.ttl, SWR: tt.swr, SIE: tt.sie, Reason: tt.reason}
			if got != want {
				t.Errorf("Decide(%s %d %v)\n got %+v\nwant %+v", method, status, h, got, want)
			}
		})
	}
}

func TestDecideNilPolicyIsDefaults(t *testing.T) {
	got := Decide(nil, "GET", 200, http.Header{}, now)
	want := Decision{Store: true, TTL: 24 * time.Hour, Reason: ReasonDefaultTTL}
	if got != want {
		t.Errorf("nil policy: got %+v, want %+v", got, want)
	}
	got = Decide(nil, "GET", 404, http.Header{}, now)
	want = Decision{Store: true, TTL: 10 * time.Second, Reason: ReasonErrorTTL}
	if got != want {
		t.Errorf("nil policy 404: got %+v, want %+v", got, want)
	}
	if d := Decide(nil, "GET", 200, hdr("Set-Cookie", "a=1"), now); d.Store {
		t.Errorf("nil policy keys no cookies, yet a Set-Cookie response is stored: %+v", d)
	}
}

func TestDecideZeroPolicyStoresNothing(t *testing.T) {
	p := &policy.CachePolicy{}
	for _, h := range []http.Header{{}, hdr("Cache-Control", "max-age=60")} {
		if d := Decide(p, "GET", 200, h, now); d.Store || d.Reason != ReasonTTLZero {
			t.Errorf("zero policy, %v: got %+v, want not stored (%s)", h, d, ReasonTTLZero)
		}
	}
	if d := Decide(p, "GET", 404, http.Header{}, now); d.Store {
		t.Errorf("zero policy 404: got %+v, want not stored", d)
	}
}

func TestDecideNegativeDurations(t *testing.T) {
	p := defaults()
	p.MinTTL = policy.Duration(-time.Hour)
	p.StaleIfError = policy.Duration(-time.Hour)
	d := Decide(&p, "GET", 200, hdr("Cache-Control", "max-age=0"), now)
	if d.Store || d.SIE != 0 {
		t.Errorf("negative MinTTL: got %+v, want not stored", d)
	}
}

func TestDecisionFresh(t *testing.T) {
	d := Decision{Store: true, TTL: time.Minute}
	if got, want := d.Fresh(now), now.Add(time.Minute); !got.Equal(want) {
		t.Errorf("Fresh = %v, want %v", got, want)
	}
}
