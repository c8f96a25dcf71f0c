package keys

import (
	"encoding/json"
	"strings"
	"testing"
)

// The fuzz targets are seeded from the table tests.

// FuzzParsePolicy: the strict parser never panics, accepts only valid JSON,
// and what it accepts survives a round trip through the signer's encoder.
func FuzzParsePolicy(f *testing.F) {
	fx := newFixture(f)
	for _, c := range verifyCases(f, fx) {
		if q, err := queryParams(c.req.RawQuery); err == nil && q.has[pPolicy] {
			if doc, err := decodeCF(q.val[pPolicy]); err == nil {
				f.Add(doc)
			}
		}
		if q, err := cookieParams(c.req.Cookie); err == nil && q.has[pPolicy] {
			if doc, err := decodeCF(q.val[pPolicy]); err == nil {
				f.Add(doc)
			}
		}
	}
	f.Add([]byte(`{"Statement":[{"Resource":"\u0068ttps://d.test/*","Condition":{"DateLessThan":{"AWS:EpochTime":0}}}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := parsePolicy(doc)
		if err != nil {
			return
		}
		if !json.Valid(doc) {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
		if p.lessThan < 0 || p.lessThan > maxEpoch || p.hasGreater && (p.greaterThan < 0 || p.greaterThan > maxEpoch) {
			t.Fatalf("epoch out of range: %+v", p)
		}
		if p.resource != nil && p.rawResource == "" {
			t.Fatal("empty Resource accepted")
		}
		// Re-encode with the signer's encoder and parse again.
		q := Policy{Resource: p.rawResource, DateLessThan: unix(p.lessThan)}
		if p.hasGreater {
			q.DateGreaterThan = unix(p.greaterThan)
		}
		if p.hasIP {
			q.IPAddress = p.ip.String()
		}
		if q.Resource == "" || q.DateLessThan.IsZero() || p.lessThan == 0 {
			return // not representable as a Policy
		}
		doc2 := q.appendJSON(nil)
		if len(doc2) > maxPolicyBytes {
			return // escaping grew it (raw U+2028, invalid UTF-8 read as U+FFFD)
		}
		p2, err := parsePolicy(doc2)
		if err != nil {
			t.Fatalf("re-encoded policy refused: %v\n%s", err, doc2)
		}
		if p2.rawResource != p.rawResource || p2.lessThan != p.lessThan || p2.hasGreater != p.hasGreater ||
			p2.greaterThan != p.greaterThan || p2.hasIP != p.hasIP || p2.ip != p.ip {
			t.Fatalf("round trip changed the policy: %+v -> %+v", p, p2)
		}
	})
}

// FuzzParams: extraction never panics; stripping removes exactly the
// signing parameters and cookies, is idempotent, and keeps the rest.
func FuzzParams(f *testing.F) {
	fx := newFixture(f)
	for _, c := range verifyCases(f, fx) {
		f.Add(c.req.RawQuery, strings.Join(c.req.Cookie, "\n"))
	}
	f.Add("a=1&&Expires=2&", "x=1;;CloudFront-Policy=\"q\"; y")
	f.Fuzz(func(t *testing.T, rawQuery, cookies string) {
		lines := strings.Split(cookies, "\n")
		p, err := requestParams(rawQuery, lines)
		if err == nil && p.source == SourceCookie {
			if q, _ := queryParams(rawQuery); q.any() {
				t.Fatal("cookies used although the query has signing parameters")
			}
		}
		s := StripSigningParams(rawQuery)
		if StripSigningParams(s) != s {
			t.Fatalf("StripSigningParams not idempotent on %q", rawQuery)
		}
		for seg := range strings.SplitSeq(s, "&") {
			if name, _, _ := strings.Cut(seg, "="); queryIndex(name) >= 0 {
				t.Fatalf("%q left in %q", name, s)
			}
		}
		if !hasSigningName(rawQuery) && s != rawQuery {
			t.Fatalf("query without signing names changed: %q -> %q", rawQuery, s)
		}
		c := StripSigningCookies(lines)
		if q, err := cookieParams(c); err != nil || q.any() {
			t.Fatalf("signing cookies left in %q", c)
		}
		if c2 := StripSigningCookies(c); strings.Join(c2, "\n") != strings.Join(c, "\n") {
			t.Fatalf("StripSigningCookies not idempotent: %q -> %q", c, c2)
		}
	})
}

// FuzzWildcard: the NFA agrees with the reference matcher.
func FuzzWildcard(f *testing.F) {
	for _, c := range wildcardCases {
		f.Add(c.pattern, c.text)
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 300 || len(text) > 600 {
			return
		}
		if got, want := compilePattern(pattern).match(text), refMatch(pattern, text); got != want {
			t.Fatalf("%q ~ %q = %v, reference says %v", pattern, text, got, want)
		}
	})
}

// FuzzVerify: Verify never panics, an uncached and a cached verifier
// decide every request alike (twice through the cache), and a refusal
// never quotes a signature.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	for _, c := range verifyCases(f, fx) {
		f.Add(c.req.Host, c.req.RawPath, c.req.RawQuery, strings.Join(c.req.Cookie, "\n"))
	}
	uncached := fx.verifier(f, t0, 0, -1)
	cached := fx.verifier(f, t0, 0, 100)
	f.Fuzz(func(t *testing.T, host, path, query, cookies string) {
		r := &Request{Scheme: "https", Host: host, RawPath: path, RawQuery: query, Cookie: strings.Split(cookies, "\n"), ClientIP: viewer}
		g0, e0 := uncached.Verify(r)
		for range 2 {
			g1, e1 := cached.Verify(r)
			if (e0 == nil) != (e1 == nil) || e0 != nil && e0.Reason != e1.Reason {
				t.Fatalf("uncached %v / cached %v", e0, e1)
			}
			if g0 != nil && (g0.KeyID != g1.KeyID || g0.Expires != g1.Expires || g0.Policy != g1.Policy) {
				t.Fatalf("grants differ: %+v / %+v", g0, g1)
			}
		}
		if e0 != nil {
			if p, err := requestParams(query, r.Cookie); err == nil {
				if s := p.val[pSignature]; len(s) > clipLen && strings.Contains(e0.Detail, s[:clipLen+1]) {
					t.Fatalf("detail quotes the signature: %s", e0.Detail)
				}
			}
		}
	})
}
