package keys

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkVerify: the same signed request over and over, as a player
// fetching video segments does. "cached" answers the signature check from
// the verification cache after the first request; "uncached" runs the RSA
// or ECDSA operation every time.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	exp := t0.Add(time.Hour)
	obj := base + "/videos/seg-00042.ts?quality=hd"
	wild := Policy{Resource: base + "/videos/*", DateLessThan: exp, IPAddress: "192.0.2.0/24"}
	reqs := []struct {
		name string
		req  *Request
	}{
		{"rsa/canned", toRequest(f.signedURL(b, "rsa-sha256", obj, exp))},
		{"rsa/custom", toRequest(f.customURL(b, "rsa-sha256", obj, wild))},
		{"rsa/cookie", toRequest(obj, f.cookieLine(b, "rsa-sha256", wild, false))},
		{"ecdsa/canned", toRequest(f.signedURL(b, "ec-sha256", obj, exp))},
		{"ecdsa/custom", toRequest(f.customURL(b, "ec-sha256", obj, wild))},
	}
	for _, r := range reqs {
		for _, cache := range []struct {
			name string
			size int
		}{{"uncached", -1}, {"cached", 0}} {
			v := f.verifier(b, t0, 0, cache.size)
			b.Run(fmt.Sprintf("%s/%s", r.name, cache.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(r.req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyRefused: a forged signature costs one public-key
// operation and is never cached.
func BenchmarkVerifyRefused(b *testing.B) {
	f := newFixture(b)
	u := f.signedURL(b, "rsa", base+"/a", t0.Add(time.Hour))
	r := toRequest(setParam(u, "Signature", flip(param(u, "Signature"))))
	v := f.verifier(b, t0, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkSignURL(b *testing.B) {
	f := newFixture(b)
	for _, role := range []string{"rsa-sha256", "ec-sha256"} {
		s := f.signer[role]
		b.Run(role, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.SignURL(base+"/videos/a.mp4", t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
