package keys

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCacheHitStillChecks: a cache hit skips only the signature check; the
// key window, dates, IP and Resource are checked on every request.
func TestCacheHitStillChecks(t *testing.T) {
	k := loadTestKeys(t)
	g, err := NewGroup("rot", []Key{{ID: "KROT", Public: k.ecA.Public(), NotAfter: t0.Add(30 * time.Minute)}})
	must(t, err)
	now := t0
	v, err := NewVerifier(VerifierConfig{Groups: []*Group{g}, Now: func() time.Time { return now }})
	must(t, err)
	s, err := NewSigner("KROT", k.ecA, HashSHA256)
	must(t, err)
	u, err := s.SignURLWithPolicy(base+"/v/a", Policy{Resource: base + "/v/a*", DateLessThan: t0.Add(time.Hour), DateGreaterThan: t0.Add(-time.Hour), IPAddress: "192.0.2.0/24"})
	must(t, err)

	check := func(name string, r *Request, want Reason, wantCached bool) {
		t.Helper()
		gr, e := v.Verify(r)
		switch {
		case want == "" && e != nil:
			t.Fatalf("%s: %v", name, e)
		case want == "" && gr.Cached != wantCached:
			t.Fatalf("%s: Cached %v, want %v", name, gr.Cached, wantCached)
		case want != "" && e == nil:
			t.Fatalf("%s: accepted, want %s", name, want)
		case want != "" && e.Reason != want:
			t.Fatalf("%s: %s, want %s (%v)", name, e.Reason, want, e)
		}
	}
	check("first", toRequest(u), "", false)
	check("second", toRequest(u), "", true)

	r := toRequest(u)
	r.ClientIP = netip.MustParseAddr("198.51.100.1")
	check("other viewer", r, ReasonIPMismatch, false)
	check("other path", toRequest(strings.Replace(u, "/v/a?", "/v/b?", 1)), ReasonResourceMismatch, false)
	check("own query is part of the URL", toRequest(strings.Replace(u, "/v/a?", "/v/a?x=1&", 1)), "", true)

	now = t0.Add(-2 * time.Hour)
	check("before DateGreaterThan", toRequest(u), ReasonNotYetValid, false)
	now = t0.Add(45 * time.Minute)
	check("key retired since", toRequest(u), ReasonUnknownKey, false)
}

// TestCacheSharedAcrossForms: the CloudFront-Expires cookies and the Go
// SDK's canned-policy CloudFront-Policy cookies carry the same signature
// over the same bytes; one verifier sees both, in both orders.
func TestCacheSharedAcrossForms(t *testing.T) {
	f := newFixture(t)
	obj := base + "/videos/a.mp4"
	p := CannedPolicy(obj, t0.Add(time.Hour))
	expiresForm := toRequest(obj, f.cookieLine(t, "rsa", p, true))
	policyForm := toRequest(obj, f.cookieLine(t, "rsa", p, false))
	for _, order := range [][]*Request{{expiresForm, policyForm}, {policyForm, expiresForm}} {
		v := f.verifier(t, t0, 0, 0)
		for range 2 {
			for _, r := range order {
				if _, e := v.Verify(r); e != nil {
					t.Fatal(e)
				}
			}
		}
	}
}

func TestCacheOff(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, -1)
	r := toRequest(f.signedURL(t, "rsa", base+"/a", t0.Add(time.Hour)))
	for range 3 {
		g, e := v.Verify(r)
		if e != nil {
			t.Fatal(e)
		}
		if g.Cached {
			t.Fatal("Cached with the cache off")
		}
	}
}

// TestCacheNeverStoresFailures: a refused signature is checked again.
func TestCacheNeverStoresFailures(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, 0)
	u := f.signedURL(t, "rsa", base+"/a", t0.Add(time.Hour))
	bad := toRequest(setParam(u, "Signature", flip(param(u, "Signature"))))
	for range 2 {
		if _, e := v.Verify(bad); e == nil || e.Reason != ReasonBadSignature {
			t.Fatalf("got %v", e)
		}
	}
	if n := v.cache.c.EstimatedSize(); n != 0 {
		t.Fatalf("%d cache entries after failures", n)
	}
}

// TestVerifyConcurrent: one Verifier, many goroutines, hits and misses
// (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, 8)
	var reqs []*Request
	for i := range 16 {
		reqs = append(reqs, toRequest(f.signedURL(t, "ec-sha256", fmt.Sprintf("%s/v/%d", base, i), t0.Add(time.Hour))))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if _, e := v.Verify(reqs[(g+i)%len(reqs)]); e != nil {
					t.Error(e)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestCacheLargePolicy: a policy too large to keep parsed is cached
// without it and parsed again on a hit; the checks still run.
func TestCacheLargePolicy(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, 0)
	var seg strings.Builder
	for i := range 3000 {
		seg.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[i%62])
	}
	res := base + "/" + seg.String() + "/*"
	p := Policy{Resource: res, DateLessThan: t0.Add(time.Hour)}
	u := f.customURL(t, "rsa", base+"/"+seg.String()+"/x", p)
	pol, err := parsePolicy(mustDecode(t, param(u, "Policy")))
	must(t, err)
	if pol.footprint() <= maxCachedPolicy {
		t.Fatalf("footprint %d: not a large policy", pol.footprint())
	}
	for i := range 2 {
		g, e := v.Verify(toRequest(u))
		if e != nil {
			t.Fatal(e)
		}
		if g.Cached != (i == 1) {
			t.Fatalf("run %d: Cached %v", i, g.Cached)
		}
	}
	other := strings.Replace(u, "/x?", "?", 1)
	if _, e := v.Verify(toRequest(other)); e == nil || e.Reason != ReasonResourceMismatch {
		t.Fatalf("got %v", e)
	}
}
