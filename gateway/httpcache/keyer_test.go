package httpcache

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/policy"
)

// decodedKey is a key split back into its parts.
type decodedKey struct {
	dist, path string
	query      []string    // raw parameter texts, in key order
	headers    [][2]string // name, value
	cookies    []string    // raw cookie texts, in key order
	vary       [][2]string // name, value ("\x00absent" when absent)
}

// decodeKey parses the key format of keyenc.go; it fails on anything that
// format cannot produce.
func decodeKey(key string) (decodedKey, error) {
	var d decodedKey
	field := func() (string, error) {
		i := strings.IndexByte(key, ':')
		if i <= 0 {
			return "", fmt.Errorf("no length at %q", key)
		}
		n, err := strconv.Atoi(key[:i])
		if err != nil || n < 0 || n > len(key)-i-1 || strconv.Itoa(n) != key[:i] {
			return "", fmt.Errorf("bad length %q", key[:i])
		}
		s := key[i+1 : i+1+n]
		key = key[i+1+n:]
		return s, nil
	}
	var err error
	if d.dist, err = field(); err != nil {
		return d, err
	}
	if d.path, err = field(); err != nil {
		return d, err
	}
	for key != "" {
		tag := key[0]
		key = key[1:]
		var a, b string
		if a, err = field(); err != nil {
			return d, err
		}
		switch tag {
		case 'q':
			d.query = append(d.query, a)
		case 'c':
			d.cookies = append(d.cookies, a)
		case 'h', 'v':
			if b, err = field(); err != nil {
				return d, err
			}
			if tag == 'h' {
				d.headers = append(d.headers, [2]string{a, b})
			} else {
				d.vary = append(d.vary, [2]string{a, b})
			}
		case 'w':
			d.vary = append(d.vary, [2]string{a, "\x00absent"})
		default:
			return d, fmt.Errorf("bad tag %q", tag)
		}
	}
	return d, nil
}

func newReq(target string, kv ...string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	return r
}

func keyer(mod func(*policy.CachePolicy)) *Keyer {
	p := defaults()
	if mod != nil {
		mod(&p)
	}
	return NewKeyer(&p)
}

func queryMode(m policy.KeyMode, names ...string) func(*policy.CachePolicy) {
	return func(p *policy.CachePolicy) { p.QueryStrings = policy.KeyValues{Mode: m, Names: names} }
}

func cookieMode(m policy.KeyMode, names ...string) func(*policy.CachePolicy) {
	return func(p *policy.CachePolicy) { p.Cookies = policy.KeyValues{Mode: m, Names: names} }
}

func headers(names ...string) func(*policy.CachePolicy) {
	return func(p *policy.CachePolicy) { p.Headers = names }
}

func TestKeyQuery(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*policy.CachePolicy)
		target     string
		wantQuery  string   // OriginQuery
		wantKeyed  []string // query items in the key
		sameKeyAs  string   // another target that must share the key
		otherKeyAs string   // another target that must not
	}{
		{name: "none", mod: queryMode(policy.KeyNone), target: "/p?a=1&b=2", sameKeyAs: "/p?c=3"},
		{name: "all", mod: queryMode(policy.KeyAll), target: "/p?a=1&b=2", wantQuery: "a=1&b=2", wantKeyed: []string{"a=1", "b=2"}, otherKeyAs: "/p?a=1"},
		{name: "all: order independent", target: "/p?b=2&a=1", wantQuery: "b=2&a=1", wantKeyed: []string{"a=1", "b=2"}, sameKeyAs: "/p?a=1&b=2"},
		{name: "all: same names keep their order", target: "/p?id=2&x=0&id=1", wantQuery: "id=2&x=0&id=1", wantKeyed: []string{"id=2", "id=1", "x=0"}, otherKeyAs: "/p?id=1&x=0&id=2"},
		{name: "all: values differ", target: "/p?a=1", wantQuery: "a=1", wantKeyed: []string{"a=1"}, otherKeyAs: "/p?a=2"},
		{name: "all: empty pieces dropped", target: "/p?a=1&&b=2&", wantQuery: "a=1&b=2", wantKeyed: []string{"a=1", "b=2"}, sameKeyAs: "/p?b=2&a=1"},
		{name: "all: name without =", target: "/p?flag&a=1", wantQuery: "flag&a=1", wantKeyed: []string{"a=1", "flag"}, otherKeyAs: "/p?a=1"},
		{name: "all: raw bytes kept", target: "/p?q=a%20b+c", wantQuery: "q=a%20b+c", wantKeyed: []string{"q=a%20b+c"}},
		{name: "all: no query", target: "/p", sameKeyAs: "/p?"},
		{name: "allow", mod: queryMode(policy.KeyAllow, "a", "c"), target: "/p?a=1&b=2&c=3", wantQuery: "a=1&c=3", wantKeyed: []string{"a=1", "c=3"}, sameKeyAs: "/p?c=3&a=1&b=9"},
		{name: "allow: case-sensitive", mod: queryMode(policy.KeyAllow, "a"), target: "/p?A=1&a=2", wantQuery: "a=2", wantKeyed: []string{"a=2"}},
		{name: "allow: names compared decoded", mod: queryMode(policy.KeyAllow, "a b"), target: "/p?a%20b=1&a+b=2", wantQuery: "a%20b=1&a+b=2", wantKeyed: []string{"a%20b=1", "a+b=2"}},
		{name: "allow: undecodable name compared raw", mod: queryMode(policy.KeyAllow, "a%zz"), target: "/p?a%zz=1", wantQuery: "a%zz=1", wantKeyed: []string{"a%zz=1"}},
		{name: "allow: name without =", mod: queryMode(policy.KeyAllow, "flag"), target: "/p?flag&x=1", wantQuery: "flag", wantKeyed: []string{"flag"}},
		{name: "allow: empty list", mod: queryMode(policy.KeyAllow), target: "/p?a=1", sameKeyAs: "/p"},
		{name: "except", mod: queryMode(policy.KeyExcept, "utm_source"), target: "/p?utm_source=x&id=1&utm%5Fsource=y", wantQuery: "id=1", wantKeyed: []string{"id=1"}, sameKeyAs: "/p?id=1"},
		{name: "except: empty list is all", mod: queryMode(policy.KeyExcept), target: "/p?b=1&a=2", wantQuery: "b=1&a=2", wantKeyed: []string{"a=2", "b=1"}},
		{name: "unknown mode keys nothing", mod: queryMode(policy.KeyMode(99)), target: "/p?a=1", sameKeyAs: "/p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := keyer(tt.mod)
			got := k.Key("d", "/p", newReq(tt.target))
			if got.OriginQuery != tt.wantQuery {
				t.Errorf("OriginQuery = %q, want %q", got.OriginQuery, tt.wantQuery)
			}
			d, err := decodeKey(got.Primary)
			if err != nil {
				t.Fatalf("decodeKey(%q): %v", got.Primary, err)
			}
			if !slices.Equal(d.query, tt.wantKeyed) {
				t.Errorf("keyed query = %q, want %q", d.query, tt.wantKeyed)
			}
			if tt.sameKeyAs != "" {
				if other := k.Key("d", "/p", newReq(tt.sameKeyAs)); other.Primary != got.Primary {
					t.Errorf("%s and %s: keys differ: %q, %q", tt.target, tt.sameKeyAs, got.Primary, other.Primary)
				}
			}
			if tt.otherKeyAs != "" {
				if other := k.Key("d", "/p", newReq(tt.otherKeyAs)); other.Primary == got.Primary {
					t.Errorf("%s and %s share key %q", tt.target, tt.otherKeyAs, got.Primary)
				}
			}
		})
	}
}

func TestKeyOriginQueryIsRawWhenWhole(t *testing.T) {
	r := newReq("/p?b=2&a=1")
	got := keyer(nil).Key("d", "/p", r)
	if got.OriginQuery != r.URL.RawQuery || strings.Count(got.Primary, "q") < 2 {
		t.Errorf("OriginQuery = %q (key %q), want the raw query %q", got.OriginQuery, got.Primary, r.URL.RawQuery)
	}
}

func TestKeyCookies(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*policy.CachePolicy)
		cookies    []string // Cookie lines
		wantCookie string   // OriginCookie
		wantKeyed  []string
		sameKeyAs  []string
		otherKeyAs []string
	}{
		{name: "none", cookies: []string{"a=1; b=2"}, sameKeyAs: []string{}},
		{name: "none: different cookies share", cookies: []string{"a=1"}, sameKeyAs: []string{"a=2"}},
		{name: "all", mod: cookieMode(policy.KeyAll), cookies: []string{"a=1; b=2"}, wantCookie: "a=1; b=2", wantKeyed: []string{"a=1", "b=2"}, otherKeyAs: []string{"a=1"}},
		{name: "all: order independent", mod: cookieMode(policy.KeyAll), cookies: []string{"b=2; a=1"}, wantCookie: "b=2; a=1", wantKeyed: []string{"a=1", "b=2"}, sameKeyAs: []string{"a=1; b=2"}},
		{name: "all: several lines joined", mod: cookieMode(policy.KeyAll), cookies: []string{"a=1", "b=2"}, wantCookie: "a=1; b=2", wantKeyed: []string{"a=1", "b=2"}, sameKeyAs: []string{"a=1; b=2"}},
		{name: "all: spacing normalized", mod: cookieMode(policy.KeyAll), cookies: []string{" a=1;b=2 ;; "}, wantCookie: "a=1; b=2", wantKeyed: []string{"a=1", "b=2"}, sameKeyAs: []string{"a=1; b=2"}},
		{name: "all: same names keep order", mod: cookieMode(policy.KeyAll), cookies: []string{"a=2; a=1"}, wantCookie: "a=2; a=1", wantKeyed: []string{"a=2", "a=1"}, otherKeyAs: []string{"a=1; a=2"}},
		{name: "all: values differ", mod: cookieMode(policy.KeyAll), cookies: []string{"s=x"}, wantCookie: "s=x", wantKeyed: []string{"s=x"}, otherKeyAs: []string{"s=y"}},
		{name: "all: none sent", mod: cookieMode(policy.KeyAll), sameKeyAs: []string{""}},
		{name: "allow", mod: cookieMode(policy.KeyAllow, "session"), cookies: []string{"tracking=1; session=abc; _ga=2"}, wantCookie: "session=abc", wantKeyed: []string{"session=abc"}, sameKeyAs: []string{"session=abc; other=3"}},
		{name: "allow: case-sensitive", mod: cookieMode(policy.KeyAllow, "session"), cookies: []string{"Session=abc"}, sameKeyAs: []string{""}},
		{name: "allow: name with spaces around =", mod: cookieMode(policy.KeyAllow, "session"), cookies: []string{"session =abc"}, wantCookie: "session =abc", wantKeyed: []string{"session =abc"}},
		{name: "except", mod: cookieMode(policy.KeyExcept, "_ga"), cookies: []string{"_ga=1; lang=fr"}, wantCookie: "lang=fr", wantKeyed: []string{"lang=fr"}, sameKeyAs: []string{"lang=fr; _ga=2"}},
		{name: "unknown mode keys nothing", mod: cookieMode(policy.KeyMode(-1)), cookies: []string{"a=1"}, sameKeyAs: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := keyer(tt.mod)
			req := func(lines []string) *http.Request {
				r := newReq("/p")
				for _, l := range lines {
					if l != "" {
						r.Header.Add("Cookie", l)
					}
				}
				return r
			}
			got := k.Key("d", "/p", req(tt.cookies))
			if got.OriginCookie != tt.wantCookie {
				t.Errorf("OriginCookie = %q, want %q", got.OriginCookie, tt.wantCookie)
			}
			d, err := decodeKey(got.Primary)
			if err != nil {
				t.Fatalf("decodeKey(%q): %v", got.Primary, err)
			}
			if !slices.Equal(d.cookies, tt.wantKeyed) {
				t.Errorf("keyed cookies = %q, want %q", d.cookies, tt.wantKeyed)
			}
			if tt.sameKeyAs != nil {
				if other := k.Key("d", "/p", req(tt.sameKeyAs)); other.Primary != got.Primary {
					t.Errorf("cookies %q and %q: keys differ: %q, %q", tt.cookies, tt.sameKeyAs, got.Primary, other.Primary)
				}
			}
			if tt.otherKeyAs != nil {
				if other := k.Key("d", "/p", req(tt.otherKeyAs)); other.Primary == got.Primary {
					t.Errorf("cookies %q and %q share key %q", tt.cookies, tt.otherKeyAs, got.Primary)
				}
			}
		})
	}
}

func TestKeyOriginCookieIsRawWhenWhole(t *testing.T) {
	r := newReq("/p", "Cookie", "a=1; b=2")
	got := keyer(cookieMode(policy.KeyAll)).Key("d", "/p", r)
	if got.OriginCookie != "a=1; b=2" {
		t.Errorf("OriginCookie = %q", got.OriginCookie)
	}
}

func TestKeyHeaders(t *testing.T) {
	tests := []struct {
		name      string
		names     []string
		h         []string // request header name, value pairs
		host      string
		wantKeyed [][2]string
		same      []string // another request's headers sharing the key
		other     []string // another request's headers not sharing it
	}{
		{name: "not keyed", names: nil, h: []string{"Accept-Language", "fr"}, same: []string{"Accept-Language", "de"}},
		{name: "keyed value", names: []string{"accept-language"}, h: []string{"Accept-Language", "fr"},
			wantKeyed: [][2]string{{"Accept-Language", "fr"}}, other: []string{"Accept-Language", "de"}},
		{name: "absent differs from empty", names: []string{"X-Tenant"}, h: []string{"X-Tenant", ""},
			wantKeyed: [][2]string{{"X-Tenant", ""}}, other: []string{}},
		{name: "absent", names: []string{"X-Tenant"}, h: []string{}, same: []string{"X-Other", "1"}},
		{name: "lines joined", names: []string{"X-A"}, h: []string{"X-A", "1", "X-A", "2"},
			wantKeyed: [][2]string{{"X-A", "1,2"}}, same: []string{"X-A", "1,2"}, other: []string{"X-A", "2", "X-A", "1"}},
		{name: "sorted by name", names: []string{"x-b", "X-A", "x-a"}, h: []string{"X-B", "2", "X-A", "1"},
			wantKeyed: [][2]string{{"X-A", "1"}, {"X-B", "2"}}},
		{name: "Accept-Encoding normalized", names: []string{"Accept-Encoding"}, h: []string{"Accept-Encoding", "gzip, deflate, br"},
			wantKeyed: [][2]string{{"Accept-Encoding", "br,gzip"}}, same: []string{"Accept-Encoding", "br;q=0.5, gzip"}, other: []string{"Accept-Encoding", "gzip"}},
		{name: "Accept-Encoding absent is identity", names: []string{"Accept-Encoding"}, h: []string{},
			wantKeyed: [][2]string{{"Accept-Encoding", ""}}, same: []string{"Accept-Encoding", "identity"}},
		{name: "Host", names: []string{"host"}, host: "a.example.com",
			wantKeyed: [][2]string{{"Host", "a.example.com"}}},
		{name: "blank names ignored", names: []string{" ", ""}, h: []string{"X-A", "1"}, same: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := keyer(headers(tt.names...))
			r := newReq("/p", tt.h...)
			if tt.host != "" {
				r.Host = tt.host
			}
			got := k.Key("d", "/p", r)
			d, err := decodeKey(got.Primary)
			if err != nil {
				t.Fatalf("decodeKey(%q): %v", got.Primary, err)
			}
			if !slices.Equal(d.headers, tt.wantKeyed) {
				t.Errorf("keyed headers = %q, want %q", d.headers, tt.wantKeyed)
			}
			if tt.same != nil {
				if o := k.Key("d", "/p", newReq("/p", tt.same...)); o.Primary != got.Primary {
					t.Errorf("%q and %q: keys differ: %q, %q", tt.h, tt.same, got.Primary, o.Primary)
				}
			}
			if tt.other != nil {
				if o := k.Key("d", "/p", newReq("/p", tt.other...)); o.Primary == got.Primary {
					t.Errorf("%q and %q share key %q", tt.h, tt.other, got.Primary)
				}
			}
		})
	}
}

func TestKeyerHeaders(t *testing.T) {
	k := keyer(headers("x-b", " accept-language ", "X-B", "authorization"))
	want := []string{"Accept-Language", "Authorization", "X-B"}
	if got := k.Headers(); !slices.Equal(got, want) {
		t.Errorf("Headers() = %q, want %q", got, want)
	}
	k.Headers()[0] = "mutated"
	if k.Headers()[0] != "Accept-Language" {
		t.Error("Headers() exposes the Keyer's slice")
	}
}

func TestShareable(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		h     []string
		want  bool
	}{
		{"no Authorization", nil, nil, true},
		{"Authorization not keyed", nil, []string{"Authorization", "Bearer x"}, false},
		{"empty Authorization not keyed", nil, []string{"Authorization", ""}, false},
		{"Authorization keyed", []string{"authorization"}, []string{"Authorization", "Bearer x"}, true},
		{"other header keyed", []string{"X-A"}, []string{"Authorization", "Bearer x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyer(headers(tt.names...)).Shareable(newReq("/", tt.h...)); got != tt.want {
				t.Errorf("Shareable = %v, want %v", got, tt.want)
			}
		})
	}
	k := keyer(headers("Authorization"))
	a := k.Key("d", "/", newReq("/", "Authorization", "Bearer a"))
	b := k.Key("d", "/", newReq("/", "Authorization", "Bearer b"))
	if a.Primary == b.Primary {
		t.Error("keyed Authorization: different credentials share a key")
	}
}

func TestKeyNilPolicy(t *testing.T) {
	k := NewKeyer(nil)
	got := k.Key("d", "/p", newReq("/p?b=1&a=2", "Cookie", "s=1", "X-A", "1"))
	if got.OriginQuery != "b=1&a=2" || got.OriginCookie != "" {
		t.Errorf("nil policy: got %+v, want all query strings and no cookies", got)
	}
	d, _ := decodeKey(got.Primary)
	if len(d.headers) != 0 || len(d.cookies) != 0 || len(d.query) != 2 {
		t.Errorf("nil policy key %q: %+v", got.Primary, d)
	}
}

// TestKeyInjective lists tuples built to collide under naive encodings
// (plain concatenation, separators that can occur in values).
func TestKeyInjective(t *testing.T) {
	k := keyer(func(p *policy.CachePolicy) {
		p.Cookies = policy.KeyValues{Mode: policy.KeyAll}
		p.Headers = []string{"X-A", "X-B"}
	})
	type in struct {
		dist, path, query string
		h                 []string
		cookie            string
	}
	inputs := []in{
		{dist: "a", path: "/b"},
		{dist: "a/", path: "b"},
		{dist: "a", path: "/b", query: "c"},
		{dist: "a", path: "/bq1:c"},
		{dist: "a", path: "/b", query: "c=1&d"},
		{dist: "a", path: "/b", query: "c=1%26d"},
		{dist: "a", path: "/b", query: "c=1", cookie: "c=1"},
		{dist: "a", path: "/b", cookie: "c=1"},
		{dist: "a", path: "/b", cookie: "c=1;d"},
		{dist: "a", path: "/b", cookie: "c=1d"},
		{dist: "a", path: "/b", cookie: "c=1&d"},
		{dist: "a", path: "/b", h: []string{"X-A", "1"}},
		{dist: "a", path: "/b", h: []string{"X-B", "1"}},
		{dist: "a", path: "/b", h: []string{"X-A", ""}},
		{dist: "a", path: "/b", h: []string{"X-A", "1,2"}},
		{dist: "a", path: "/b", h: []string{"X-A", "1", "X-B", "2"}},
		{dist: "a", path: "/b", h: []string{"X-A", "1h3:X-B1:2"}},
		{dist: "1:a", path: "/b"},
		{dist: "", path: "1:a/b"},
		{dist: "a\x00", path: "/b"},
		{dist: "a", path: "\x00/b"},
	}
	seen := map[string]int{}
	for i, x := range inputs {
		r := &http.Request{URL: queryURL(x.query), Header: http.Header{}}
		for j := 0; j+1 < len(x.h); j += 2 {
			r.Header.Add(x.h[j], x.h[j+1])
		}
		if x.cookie != "" {
			r.Header.Set("Cookie", x.cookie)
		}
		key := k.Key(x.dist, x.path, r).Primary
		if j, dup := seen[key]; dup {
			t.Errorf("inputs %d %+v and %d %+v share key %q", j, inputs[j], i, x, key)
		}
		seen[key] = i
	}
}
