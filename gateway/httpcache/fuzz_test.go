package httpcache

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/policy"
)

func FuzzParseCacheControl(f *testing.F) {
	for _, tt := range cacheControlTests {
		addValuePair(f, tt.values)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		one := ParseCacheControl([]string{a})
		two := ParseCacheControl([]string{a, b})
		for _, cc := range []CacheControl{one, two} {
			for _, d := range []struct {
				v   int64
				has bool
			}{
				{int64(cc.MaxAge), cc.HasMaxAge}, {int64(cc.SMaxAge), cc.HasSMaxAge},
				{int64(cc.StaleWhileRevalidate), cc.HasStaleWhileRevalidate}, {int64(cc.StaleIfError), cc.HasStaleIfError},
			} {
				if d.v < 0 || d.v > int64(maxDelta) || (!d.has && d.v != 0) {
					t.Fatalf("ParseCacheControl(%q, %q): bad delta %d (has %v): %+v", a, b, d.v, d.has, cc)
				}
			}
		}
		if again := ParseCacheControl([]string{a}); again != one {
			t.Fatalf("not deterministic: %+v then %+v", one, again)
		}
		// A second line only adds: flags stay set and first values win.
		want := one
		want.NoCache = one.NoCache || two.NoCache
		want.NoStore = one.NoStore || two.NoStore
		want.Private = one.Private || two.Private
		want.Public = one.Public || two.Public
		want.MustRevalidate = one.MustRevalidate || two.MustRevalidate
		want.ProxyRevalidate = one.ProxyRevalidate || two.ProxyRevalidate
		want.NoTransform = one.NoTransform || two.NoTransform
		want.Immutable = one.Immutable || two.Immutable
		if !one.HasMaxAge {
			want.MaxAge, want.HasMaxAge = two.MaxAge, two.HasMaxAge
		}
		if !one.HasSMaxAge {
			want.SMaxAge, want.HasSMaxAge = two.SMaxAge, two.HasSMaxAge
		}
		if !one.HasStaleWhileRevalidate {
			want.StaleWhileRevalidate, want.HasStaleWhileRevalidate = two.StaleWhileRevalidate, two.HasStaleWhileRevalidate
		}
		if !one.HasStaleIfError {
			want.StaleIfError, want.HasStaleIfError = two.StaleIfError, two.HasStaleIfError
		}
		if two != want {
			t.Fatalf("ParseCacheControl(%q, %q) = %+v\nwant %+v (from the first line %+v)", a, b, two, want, one)
		}
		// A clean directive before anything is always seen.
		if !ParseCacheControl([]string{"no-store, " + a}).NoStore {
			t.Fatalf("no-store lost before %q", a)
		}
	})
}

// keyInput is one request as FuzzKeyInjective builds it.
type keyInput struct {
	dist, path, query, cookie string
	xa                        string
	hasXA                     bool
}

func (in keyInput) request() *http.Request {
	r := &http.Request{URL: queryURL(in.query), Header: http.Header{}}
	if in.cookie != "" {
		r.Header["Cookie"] = []string{in.cookie}
	}
	if in.hasXA {
		r.Header["X-A"] = []string{in.xa}
	}
	return r
}

// want is what the key of in must decode to, computed independently of
// Keyer: every non-empty piece, stably sorted by name.
func (in keyInput) want() decodedKey {
	d := decodedKey{dist: in.dist, path: in.path}
	type named struct{ name, text string }
	sorted := func(ps []named) []string {
		slices.SortStableFunc(ps, func(a, b named) int { return strings.Compare(a.name, b.name) })
		var out []string
		for _, p := range ps {
			out = append(out, p.text)
		}
		return out
	}
	var q []named
	for _, s := range strings.Split(in.query, "&") {
		if s != "" {
			name, _, _ := strings.Cut(s, "=")
			q = append(q, named{name, s})
		}
	}
	d.query = sorted(q)
	if in.hasXA {
		d.headers = [][2]string{{"X-A", in.xa}}
	}
	var c []named
	if in.cookie != "" {
		for _, s := range strings.Split(in.cookie, ";") {
			s = strings.Trim(s, " \t\r\n")
			if s != "" {
				name, _, _ := strings.Cut(s, "=")
				c = append(c, named{strings.Trim(name, " \t\r\n"), s})
			}
		}
	}
	d.cookies = sorted(c)
	return d
}

func equalDecoded(a, b decodedKey) bool {
	return a.dist == b.dist && a.path == b.path && slices.Equal(a.query, b.query) &&
		slices.Equal(a.headers, b.headers) && slices.Equal(a.cookies, b.cookies) && slices.Equal(a.vary, b.vary)
}

// FuzzKeyInjective proves keys injective on what they key: each key
// decodes back to exactly the request's keyed parts, so two keys can only
// be equal when those parts are.
func FuzzKeyInjective(f *testing.F) {
	f.Add("a", "/b", "c=1&d", "s=1; t=2", "x", true, "a/", "b", "d&c=1", "t=2;s=1", "x", true)
	f.Add("d", "/p", "", "", "", false, "d", "/p", "", "", "", true)
	f.Add("1:a", "/b", "q=1:x", "c=1", "1h3:X-B1:2", true, "", "1:a/b", "q=1", "c=1;x", "", false)
	f.Add("a\x00", "/b", "&&a=1&", ";;", "", true, "a", "\x00/b", "a=1", "", "", true)
	f.Add("d", "/p", "id=1&id=2", "a=2; a=1", "v", true, "d", "/p", "id=2&id=1", "a=1; a=2", "v", true)
	k := NewKeyer(&policy.CachePolicy{
		QueryStrings: policy.KeyValues{Mode: policy.KeyAll},
		Cookies:      policy.KeyValues{Mode: policy.KeyAll},
		Headers:      []string{"X-A"},
	})
	f.Fuzz(func(t *testing.T, d1, p1, q1, c1, x1 string, h1 bool, d2, p2, q2, c2, x2 string, h2 bool) {
		in := [2]keyInput{{d1, p1, q1, c1, x1, h1}, {d2, p2, q2, c2, x2, h2}}
		var keys [2]Key
		var want [2]decodedKey
		for i, x := range in {
			keys[i] = k.Key(x.dist, x.path, x.request())
			got, err := decodeKey(keys[i].Primary)
			if err != nil {
				t.Fatalf("decodeKey(%q): %v", keys[i].Primary, err)
			}
			want[i] = x.want()
			if !equalDecoded(got, want[i]) {
				t.Fatalf("key %q of %+v decodes to\n%+v\nwant %+v", keys[i].Primary, x, got, want[i])
			}
			// What is forwarded is what is keyed, in the order received.
			var fq, fc []string
			if keys[i].OriginQuery != "" {
				fq = strings.Split(keys[i].OriginQuery, "&")
			}
			if keys[i].OriginCookie != "" {
				fc = strings.Split(keys[i].OriginCookie, "; ")
			}
			if !sameMultiset(fq, want[i].query) || !sameMultiset(fc, want[i].cookies) {
				t.Fatalf("%+v: forwards query %q cookie %q, keys %q %q", x, keys[i].OriginQuery, keys[i].OriginCookie, want[i].query, want[i].cookies)
			}
		}
		if (keys[0].Primary == keys[1].Primary) != equalDecoded(want[0], want[1]) {
			t.Fatalf("%+v and %+v: keys equal = %v, keyed parts equal = %v",
				in[0], in[1], keys[0].Primary == keys[1].Primary, equalDecoded(want[0], want[1]))
		}
	})
}

func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func FuzzNormalizeAcceptEncoding(f *testing.F) {
	for _, tt := range acceptEncodingTests {
		addValuePair(f, tt.values)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got := NormalizeAcceptEncoding([]string{a, b})
		switch got {
		case AcceptBrGzip, AcceptBr, AcceptGzip, "":
		default:
			t.Fatalf("NormalizeAcceptEncoding(%q, %q) = %q", a, b, got)
		}
		if joined := NormalizeAcceptEncoding([]string{a + "," + b}); joined != got {
			t.Fatalf("lines %q, %q give %q; joined they give %q", a, b, got, joined)
		}
		lower := strings.ToLower(a + "," + b)
		if strings.Contains(got, "br") && !strings.Contains(lower, "br") && !strings.Contains(lower, "*") {
			t.Fatalf("%q, %q: br accepted but never named", a, b)
		}
		if strings.Contains(got, "gzip") && !strings.Contains(lower, "gzip") && !strings.Contains(lower, "*") {
			t.Fatalf("%q, %q: gzip accepted but never named", a, b)
		}
		if enc := ChooseEncoding(got); (enc == "") != (got == "") {
			t.Fatalf("ChooseEncoding(%q) = %q", got, enc)
		}
	})
}

// addValuePair seeds a two-string fuzz target with the first two header
// values of a table case ("" for the ones it lacks).
func addValuePair(f *testing.F, values []string) {
	a, b := "", ""
	if len(values) > 0 {
		a = values[0]
	}
	if len(values) > 1 {
		b = values[1]
	}
	f.Add(a, b)
}
