package keys

import (
	"crypto"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// The AWS SDK for Go v2 (feature/cloudfront/sign v1.12.3) is the reference:
// for the same RSA key (PKCS #1 v1.5 signatures are deterministic), URL,
// expiry and policy, the signed URLs and cookie values must be identical.

var sdkHashes = []struct {
	ours HashAlgorithm
	sdk  sign.HashAlgorithm
}{
	{HashDefault, ""},
	{HashSHA1, sign.HashSHA1},
	{HashSHA256, sign.HashSHA256},
}

var sdkURLs = []string{
	"https://d111111abcdef8.cloudfront.net/videos/a.mp4",
	"https://d.test/a?b=1&c=2",
	"http://d.test:8080/p%20q/r~s?x=%2F&y",
	"https://d.test/a?",
	`https://d.test/quote"back\slash<amp>&`,
}

func sdkPolicy(p Policy) *sign.Policy {
	c := sign.Condition{DateLessThan: sign.NewAWSEpochTime(p.DateLessThan)}
	if !p.DateGreaterThan.IsZero() {
		c.DateGreaterThan = sign.NewAWSEpochTime(p.DateGreaterThan)
	}
	if p.IPAddress != "" {
		c.IPAddress = &sign.IPAddress{SourceIP: p.IPAddress}
	}
	return &sign.Policy{Statements: []sign.Statement{{Resource: p.Resource, Condition: c}}}
}

func sdkPolicies(u string) []Policy {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 678, time.UTC)
	return []Policy{
		CannedPolicy(u, exp),
		{Resource: u, DateLessThan: exp, DateGreaterThan: exp.Add(-time.Hour)},
		{Resource: "https://d.test/*", DateLessThan: exp, IPAddress: "192.0.2.0/24"},
		{Resource: "http*://d.test/*", DateLessThan: exp, DateGreaterThan: exp.Add(-24 * time.Hour), IPAddress: "2001:db8::/32"},
		{Resource: "*", DateLessThan: exp, IPAddress: "203.0.113.7"},
	}
}

func TestSignURLMatchesSDK(t *testing.T) {
	k := loadTestKeys(t)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, h := range sdkHashes {
		ours, err := NewSigner("K2JCJMDEHXQW5F", k.rsaA, h.ours)
		if err != nil {
			t.Fatal(err)
		}
		sdk := sign.NewURLSigner("K2JCJMDEHXQW5F", k.rsaA)
		sdk.HashAlg = h.sdk
		for _, u := range sdkURLs {
			want, err := sdk.Sign(u, exp)
			if err != nil {
				t.Fatalf("SDK Sign(%q): %v", u, err)
			}
			got, err := ours.SignURL(u, exp)
			if err != nil {
				t.Fatalf("SignURL(%q): %v", u, err)
			}
			if got != want {
				t.Errorf("%v canned %q:\n got %s\nwant %s", h.ours, u, got, want)
			}
			for _, p := range sdkPolicies(u) {
				if !compilePattern(p.Resource).match(u) || strings.ContainsAny(p.Resource, "*?") && ambiguousPath(rawPathOf(u)) {
					continue // refused by design (see TestSignRefuses)
				}
				want, err := sdk.SignWithPolicy(u, sdkPolicy(p))
				if err != nil {
					t.Fatalf("SDK SignWithPolicy(%q): %v", u, err)
				}
				got, err := ours.SignURLWithPolicy(u, p)
				if err != nil {
					t.Fatalf("SignURLWithPolicy(%q, %+v): %v", u, p, err)
				}
				if got != want {
					t.Errorf("%v custom %q %+v:\n got %s\nwant %s", h.ours, u, p, got, want)
				}
			}
		}
	}
}

func TestSignCookiesMatchSDK(t *testing.T) {
	k := loadTestKeys(t)
	for _, h := range sdkHashes {
		ours, err := NewSigner("K2JCJMDEHXQW5F", k.rsaA, h.ours)
		if err != nil {
			t.Fatal(err)
		}
		sdk := sign.NewCookieSigner("K2JCJMDEHXQW5F", k.rsaA)
		sdk.HashAlg = h.sdk
		for _, u := range sdkURLs[:3] {
			for i, p := range sdkPolicies(u) {
				var want []*http.Cookie
				if i == 0 { // the SDK's canned cookies: a canned policy in CloudFront-Policy
					want, err = sdk.Sign(u, p.DateLessThan)
				} else {
					want, err = sdk.SignWithPolicy(sdkPolicy(p))
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := ours.SignCookies(p, false)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := cookieString(got), cookieString(want); g != w {
					t.Errorf("%v %+v:\n got %s\nwant %s", h.ours, p, g, w)
				}
			}
			// The CloudFront-Expires form signs the same canned document,
			// so its signature equals the SDK's.
			p := sdkPolicies(u)[0]
			want, _ := sdk.Sign(u, p.DateLessThan)
			got, err := ours.SignCookies(p, true)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Name != "CloudFront-Expires" || got[0].Value != "1893553445" {
				t.Errorf("canned cookie %s=%s", got[0].Name, got[0].Value)
			}
			if got[1].Value != want[1].Value {
				t.Errorf("canned CloudFront-Signature differs from the SDK's")
			}
		}
	}
}

// cookieString renders cookies as Set-Cookie lines, attributes included.
func cookieString(cs []*http.Cookie) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestVerifySDKOutput: URLs and cookies the SDK makes, with RSA and ECDSA
// keys and every hash, verify.
func TestVerifySDKOutput(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, -1)
	exp := t0.Add(time.Hour)
	u := "https://d.test/videos/a.mp4?v=1"
	for _, key := range []struct {
		id string
		k  crypto.Signer
	}{{"KRSAA", f.k.rsaA}, {"KECA", f.k.ecA}} {
		for _, h := range sdkHashes {
			urls := sign.NewURLSigner(key.id, key.k)
			urls.HashAlg = h.sdk
			cookies := sign.NewCookieSigner(key.id, key.k)
			cookies.HashAlg = h.sdk
			pol := sdkPolicy(Policy{Resource: "https://d.test/videos/*", DateLessThan: exp, IPAddress: "192.0.2.0/24"})

			canned, err := urls.Sign(u, exp)
			must(t, err)
			custom, err := urls.SignWithPolicy(u, pol)
			must(t, err)
			cannedC, err := cookies.Sign(u, exp)
			must(t, err)
			customC, err := cookies.SignWithPolicy(pol)
			must(t, err)
			for name, r := range map[string]*Request{
				"canned URL":     toRequest(canned),
				"custom URL":     toRequest(custom),
				"canned cookies": toRequest(u, cookieLine(cannedC)),
				"custom cookies": toRequest(u, cookieLine(customC)),
			} {
				g, e := v.Verify(r)
				if e != nil {
					t.Errorf("%s %s %v: %v", key.id, name, h.ours, e)
					continue
				}
				if g.KeyID != key.id || g.Hash != h.ours {
					t.Errorf("%s %s: Grant %+v", key.id, name, g)
				}
			}
		}
	}
}

// TestECDSACrossVerification: ECDSA signatures are randomised, so instead
// of comparing bytes: everything but the signature is identical, and each
// side's signature verifies on the other side's URL.
func TestECDSACrossVerification(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, t0, 0, -1)
	exp := t0.Add(time.Hour)
	u := "https://d.test/videos/a.mp4"
	for _, h := range sdkHashes {
		ours, err := NewSigner("KECA", f.k.ecA, h.ours)
		must(t, err)
		sdk := sign.NewURLSigner("KECA", f.k.ecA)
		sdk.HashAlg = h.sdk
		a, err := ours.SignURL(u, exp)
		must(t, err)
		b, err := sdk.Sign(u, exp)
		must(t, err)
		// Same document and parameters; only the signature differs.
		if strip := func(s string) string { return strings.Replace(s, param(s, "Signature"), "", 1) }; strip(a) != strip(b) {
			t.Errorf("%v: unsigned parts differ:\n ours %s\n sdk  %s", h.ours, a, b)
		}
		// Swap the signatures: each side's signature over the other's URL.
		for _, s := range []string{setParam(a, "Signature", param(b, "Signature")), setParam(b, "Signature", param(a, "Signature"))} {
			if _, e := v.Verify(toRequest(s)); e != nil {
				t.Errorf("%v: %v", h.ours, e)
			}
		}
		// Deterministic RFC 6979 signatures with WithRandom(nil).
		det, err := NewSigner("KECA", f.k.ecA, h.ours, WithRandom(nil))
		must(t, err)
		d1, err := det.SignURL(u, exp)
		must(t, err)
		d2, _ := det.SignURL(u, exp)
		if d1 != d2 {
			t.Errorf("%v: WithRandom(nil) signatures differ", h.ours)
		}
		if _, e := v.Verify(toRequest(d1)); e != nil {
			t.Errorf("%v deterministic: %v", h.ours, e)
		}
	}
}

func cookieLine(cs []*http.Cookie) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
