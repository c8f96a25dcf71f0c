package rules

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The recheck cache lets a request skip evaluation when an identical
// one was allowed moments ago (Spec.RecheckWindow). It holds only what
// is provably equivalent:
//
//   - Only bodiless requests, and only ones that matched no rule that
//     logs, in any phase (the logging phase included): a repeat would
//     write nothing to the match or audit logs either, and be allowed.
//   - The key is everything the rules can see of the request, byte for
//     byte: method, raw target, protocol, Host, every header and its
//     values in order, Transfer-Encoding, the client and server
//     addresses, and the canonical path exclusions match. Compared
//     exactly (a map of keys), not by a hash an attacker could collide.
//   - It is off when evaluation could differ between identical
//     requests: when the response phases run (they need the
//     transaction), in the test profile (its marker lines), and when an
//     operator rule file mentions a variable, operator or action whose
//     value is not a function of the request: time, the transaction's
//     unique id, the client port, persistent collections, sampling,
//     lookups in external lists, program execution. (The CRS itself
//     reads UNIQUE_ID only for sampling below 100%, which this package
//     never sets, and REMOTE_ADDR, which is in the key.)
//   - Bounded: keys of at most maxRecheckKey bytes, at most
//     maxRecheckEntries entries; expired entries are swept as it fills.

const (
	maxRecheckKey     = 4 << 10
	maxRecheckEntries = 8192
)

// recheckUnsafe are the words that turn the cache off when an operator
// rule file contains one (compared case-insensitively; a false alarm
// only costs the optimisation).
var recheckUnsafe = []string{
	"time", "duration", "unique_id", "remote_port", "remote_host", "sampling_percentage",
	"initcol", "setsid", "setuid", "expirevar", "deprecatevar", "@rbl", "@geolookup",
	"@inspectfile", "exec:", "ip:", "global:", "session:", "user:", "resource:",
	"ip.", "global.", "session.", "user.", "resource.",
}

// recheckSafe reports whether the spec allows the cache at all.
func (s *Spec) recheckSafe() bool {
	if s.RecheckWindow <= 0 || s.TestMode || s.inspectsResponses() || s.Mode == Off {
		return false
	}
	for _, f := range s.Rules {
		lower := bytes.ToLower(f.Data)
		for _, w := range recheckUnsafe {
			if bytes.Contains(lower, []byte(w)) {
				return false
			}
		}
	}
	return true
}

type recheckCache struct {
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	m      map[string]time.Time // key -> expiry
}

func newRecheckCache(window time.Duration) *recheckCache {
	return &recheckCache{window: window, now: time.Now, m: map[string]time.Time{}}
}

// recheckKey is r's key, or "" when r cannot be cached.
func recheckKey(r *Request) string {
	if r.Body != nil && r.Body != http.NoBody || r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
		return ""
	}
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(r.Method)
	field(r.URI)
	field(r.Proto)
	field(r.Host)
	field(r.path())
	field(r.Client.Addr().String())
	field(r.Server.String())
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		field(k)
		vs := r.Header[k]
		b.WriteString(strconv.Itoa(len(vs)))
		for _, v := range vs {
			field(v)
		}
		if b.Len() > maxRecheckKey {
			return ""
		}
	}
	if b.Len() > maxRecheckKey {
		return ""
	}
	return b.String()
}

// allowed reports whether key was allowed within the window.
func (c *recheckCache) allowed(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.m[key]
	if !ok {
		return false
	}
	if c.now().After(exp) {
		delete(c.m, key)
		return false
	}
	return true
}

// remember records that key was allowed, matching nothing.
func (c *recheckCache) remember(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= maxRecheckEntries {
		for k, exp := range c.m {
			if now.After(exp) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxRecheckEntries {
			clear(c.m)
		}
	}
	c.m[key] = now.Add(c.window)
}
