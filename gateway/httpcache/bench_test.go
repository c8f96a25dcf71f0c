package httpcache

import (
	"net/http"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// browserRequest is a typical browser request for target.
func browserRequest(target string) *http.Request {
	return newReq(target,
		"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
		"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Encoding", "gzip, deflate, br, zstd",
		"Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8",
		"Cookie", "_ga=GA1.1.123456789.1700000000; session=0123456789abcdef; lang=fr")
}

func BenchmarkKey(b *testing.B) {
	cases := []struct {
		name   string
		p      *policy.CachePolicy
		target string
	}{
		{"common", nil, "/assets/app.js"},
		{"query", nil, "/search?q=edge+cache&page=2&sort=date"},
		{"query-except+cookie+headers", &policy.CachePolicy{
			QueryStrings: policy.KeyValues{Mode: policy.KeyExcept, Names: []string{"utm_source", "utm_medium"}},
			Cookies:      policy.KeyValues{Mode: policy.KeyAllow, Names: []string{"session"}},
			Headers:      []string{"Accept-Language", "Accept-Encoding"},
		}, "/search?utm_source=mail&q=edge&utm_medium=x&page=2"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			k := NewKeyer(c.p)
			r := browserRequest(c.target)
			b.ReportAllocs()
			for b.Loop() {
				_ = k.Key("www", r.URL.Path, r)
			}
		})
	}
}

func TestKeyAllocs(t *testing.T) {
	k := NewKeyer(nil)
	r := browserRequest("/assets/app.js")
	if n := testing.AllocsPerRun(100, func() { k.Key("www", "/assets/app.js", r) }); n != 1 {
		t.Errorf("Key (no query, nothing keyed) allocates %v times, want 1", n)
	}
}

func BenchmarkDecide(b *testing.B) {
	h := hdr(
		"Content-Type", "text/html; charset=utf-8",
		"Content-Length", "48213",
		"Cache-Control", "public, max-age=3600, stale-while-revalidate=60",
		"Date", httpDate(now),
		"Last-Modified", httpDate(now.Add(-48*time.Hour)),
		"ETag", `"5f2b-abc"`,
		"Vary", "Accept-Encoding",
	)
	p := defaults()
	b.Run("max-age", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Decide(&p, "GET", 200, h, now)
		}
	})
	he := hdr("Content-Type", "text/css", "Date", httpDate(now), "Expires", httpDate(now.Add(time.Hour)))
	b.Run("expires", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Decide(&p, "GET", 200, he, now)
		}
	})
}

func BenchmarkVariantKey(b *testing.B) {
	r := browserRequest("/")
	primary := NewKeyer(nil).Key("www", "/", r).Primary
	names := []string{"Accept-Encoding", "Accept-Language"}
	b.ReportAllocs()
	for b.Loop() {
		_ = VariantKey(primary, names, r)
	}
}

func BenchmarkNormalizeAcceptEncoding(b *testing.B) {
	v := []string{"gzip, deflate, br, zstd"}
	b.ReportAllocs()
	for b.Loop() {
		_ = NormalizeAcceptEncoding(v)
	}
}

func BenchmarkCompress(b *testing.B) {
	body := htmlLike(100 << 10)
	for _, enc := range []string{"br", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			out, err := Compress(enc, body)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compress(enc, body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out))/float64(len(body)), "ratio")
		})
	}
}
