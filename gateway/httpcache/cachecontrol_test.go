package httpcache

import (
	"testing"
	"time"
)

var cacheControlTests = []struct {
	name   string
	values []string
	want   CacheControl
}{
	{"empty", nil, CacheControl{}},
	{"empty line", []string{""}, CacheControl{}},
	{"no-cache", []string{"no-cache"}, CacheControl{NoCache: true}},
	{"no-store upper case", []string{"NO-STORE"}, CacheControl{NoStore: true}},
	{"private and public with spaces", []string{"  private ,\tpublic  "}, CacheControl{Private: true, Public: true}},
	{"revalidate, transform, immutable", []string{"must-revalidate, proxy-revalidate, no-transform, immutable"},
		CacheControl{MustRevalidate: true, ProxyRevalidate: true, NoTransform: true, Immutable: true}},
	{"max-age", []string{"max-age=60"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"max-age mixed case", []string{"Max-Age=60"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"max-age spaces around =", []string{"max-age = 60"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"max-age quoted", []string{`max-age="60"`}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"max-age leading zeros", []string{"max-age=0060"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"max-age zero", []string{"max-age=0"}, CacheControl{HasMaxAge: true}},
	{"max-age not a number is 0", []string{"max-age=abc"}, CacheControl{HasMaxAge: true}},
	{"max-age negative is 0", []string{"max-age=-1"}, CacheControl{HasMaxAge: true}},
	{"max-age fraction is 0", []string{"max-age=1.5"}, CacheControl{HasMaxAge: true}},
	{"max-age without value is 0", []string{"max-age"}, CacheControl{HasMaxAge: true}},
	{"max-age empty value is 0", []string{"max-age="}, CacheControl{HasMaxAge: true}},
	{"max-age quoted junk is 0", []string{`max-age="6\0"`}, CacheControl{HasMaxAge: true}},
	{"max-age too large saturates", []string{"max-age=99999999999999999999"}, CacheControl{MaxAge: maxDelta, HasMaxAge: true}},
	{"max-age 2^31+1 saturates", []string{"max-age=2147483649"}, CacheControl{MaxAge: maxDelta, HasMaxAge: true}},
	{"duplicate: first wins", []string{"max-age=60, max-age=10"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"duplicate: invalid first wins", []string{"max-age=x, max-age=10"}, CacheControl{HasMaxAge: true}},
	{"duplicate across lines", []string{"max-age=60", "max-age=10"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true}},
	{"several lines", []string{"max-age=60", "s-maxage=30"},
		CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true, SMaxAge: 30 * time.Second, HasSMaxAge: true}},
	{"s-maxage", []string{"s-maxage=120"}, CacheControl{SMaxAge: 120 * time.Second, HasSMaxAge: true}},
	{"stale directives", []string{"stale-while-revalidate=30, stale-if-error=600"},
		CacheControl{StaleWhileRevalidate: 30 * time.Second, HasStaleWhileRevalidate: true,
			StaleIfError: 600 * time.Second, HasStaleIfError: true}},
	{"stale-if-error=0 opts out", []string{"stale-if-error=0"}, CacheControl{HasStaleIfError: true}},
	{"stale-while-revalidate invalid is 0", []string{"stale-while-revalidate=soon"}, CacheControl{HasStaleWhileRevalidate: true}},
	{"unknown directives ignored", []string{"foo, bar=baz, qux=\"a,b\", max-age=5"}, CacheControl{MaxAge: 5 * time.Second, HasMaxAge: true}},
	{"quoted comma does not split", []string{`private="Set-Cookie, X-Foo", max-age=5`},
		CacheControl{Private: true, MaxAge: 5 * time.Second, HasMaxAge: true}},
	{"qualified no-cache is no-cache", []string{`no-cache="Set-Cookie"`}, CacheControl{NoCache: true}},
	{"valueless directive with a value", []string{"no-store=1"}, CacheControl{NoStore: true}},
	{"escaped quote inside quotes", []string{`foo="a\",b", no-store`}, CacheControl{NoStore: true}},
	{"unterminated quote swallows the rest", []string{`max-age="5, no-store`}, CacheControl{HasMaxAge: true}},
	{"empty elements", []string{",, max-age=1 ,,, public,"}, CacheControl{MaxAge: time.Second, HasMaxAge: true, Public: true}},
	{"junk after value", []string{"max-age=60 junk, no-store"}, CacheControl{MaxAge: 60 * time.Second, HasMaxAge: true, NoStore: true}},
	{"junk before =", []string{"max-age junk=5, public"}, CacheControl{HasMaxAge: true, Public: true}},
	{"leading junk", []string{`"quoted", =5, public`}, CacheControl{Public: true}},
	{"prefix is not a match", []string{"no-storex, max-agex=5"}, CacheControl{}},
}

func TestParseCacheControl(t *testing.T) {
	for _, tt := range cacheControlTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseCacheControl(tt.values); got != tt.want {
				t.Errorf("ParseCacheControl(%q)\n got %+v\nwant %+v", tt.values, got, tt.want)
			}
		})
	}
}

func TestParseCacheControlAllocs(t *testing.T) {
	v := []string{`public, max-age=60, s-maxage=120, stale-while-revalidate=30, private="a, b"`}
	if n := testing.AllocsPerRun(100, func() { ParseCacheControl(v) }); n != 0 {
		t.Errorf("ParseCacheControl allocates %v times, want 0", n)
	}
}
