package token

import (
	"strings"
	"testing"
)

func BenchmarkVerify(b *testing.B) {
	v := newTestVerifier(b, 0, "")
	for _, kid := range []string{kidRSA, kidEC, kidEd} {
		tok := signAs(b, kid, claims())
		b.Run(kid, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(tok, "/private/a/b.mp4"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("unknown-kid", func(b *testing.B) {
		tok := forge(b, header("ES256", "nobody"), claims(), nil, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(tok, "/private/a"); err == nil {
				b.Fatal("accepted")
			}
		}
	})
}

func BenchmarkMatchPath(b *testing.B) {
	path := "/videos/2024/june/" + strings.Repeat("x", 200) + "/clip-07.mp4"
	for _, p := range []string{"/videos/*", "/videos/*/clip-??.mp4", "/*a*b*c*d*e*f*"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				matchPath(p, path)
			}
		})
	}
}
