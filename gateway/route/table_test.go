package route

import (
	"fmt"
	"strings"
	"testing"
)

func testTable(t testing.TB) *Table[string, string] {
	t.Helper()
	tbl, err := NewTable([]DistributionSpec[string, string]{
		{
			Hosts: []string{"www.example.test", "Example.Test."},
			Value: "main",
			Behaviors: []BehaviorSpec[string]{
				{Pattern: "/api/v1/*", Value: "api-v1"},
				{Pattern: "/api/*", Value: "api"},
				{Pattern: "*.jpg", Value: "images"},
				{Pattern: "/exact", Value: "exact"},
			},
			Default: "main-default",
		},
		{
			Hosts:   []string{"*.example.test"},
			Value:   "wild",
			Default: "wild-default",
		},
		{
			Hosts:   []string{"special.example.test", "*.sub.example.test"},
			Value:   "special",
			Default: "special-default",
		},
		{
			Hosts:   []string{"192.0.2.1", "[2001:DB8::1]", "::2"},
			Value:   "ip",
			Default: "ip-default",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestLookup(t *testing.T) {
	tbl := testTable(t)
	cases := []struct {
		name, host, path string
		dist, behavior   string // dist "" means unknown host
	}{
		{"exact host", "www.example.test", "/", "main", "main-default"},
		{"host with port", "www.example.test:8443", "/", "main", "main-default"},
		{"host with empty port", "www.example.test:", "/", "main", "main-default"},
		{"upper-case host", "WWW.Example.TEST", "/", "main", "main-default"},
		{"trailing dot", "www.example.test.", "/", "main", "main-default"},
		{"trailing dot and port", "www.example.test.:80", "/", "main", "main-default"},
		{"spec with upper case and trailing dot", "example.test", "/", "main", "main-default"},
		{"wildcard: one label", "a.example.test", "/", "wild", "wild-default"},
		{"wildcard: upper case", "A-B_c.EXAMPLE.test:1", "/", "wild", "wild-default"},
		{"exact wins over wildcard", "special.example.test", "/", "special", "special-default"},
		{"exact wins, upper case", "SPECIAL.example.test", "/", "special", "special-default"},
		{"wildcard: two labels no", "a.b.example.test", "/", "", ""},
		{"nested wildcard", "a.sub.example.test", "/", "special", "special-default"},
		{"*.sub.example.test is not sub.example.test", "sub.example.test", "/", "wild", "wild-default"},
		{"wildcard: bad label", "a b.example.test", "/", "", ""},
		{"wildcard: empty label", ".example.test", "/", "", ""},
		{"IPv4", "192.0.2.1:8080", "/", "ip", "ip-default"},
		{"IPv6 with port", "[2001:db8::1]:8080", "/", "ip", "ip-default"},
		{"IPv6 upper case", "[2001:DB8::1]", "/", "ip", "ip-default"},
		{"IPv6 with leading zeros", "[2001:0DB8:0::01]", "/", "ip", "ip-default"},
		{"IPv6 bare spec", "[::2]", "/", "ip", "ip-default"},
		{"IPv6 unbracketed", "2001:db8::1", "/", "", ""},
		{"IPv6 unterminated", "[2001:db8::1", "/", "", ""},
		{"IPv6 junk after bracket", "[2001:db8::1]x", "/", "", ""},
		{"unknown host", "evil.test", "/", "", ""},
		{"empty host", "", "/", "", ""},
		{"only port", ":80", "/", "", ""},
		{"bad port", "www.example.test:8x", "/", "", ""},
		{"long port", "www.example.test:123456", "/", "", ""},
		{"two trailing dots", "www.example.test..", "/", "", ""},
		{"suffix is not a match", "xwww.example.test.evil", "/", "", ""},
		{"too long", strings.Repeat("a.", 200) + "example.test", "/", "", ""},
		{"first match wins", "www.example.test", "/api/v1/x.jpg", "main", "api-v1"},
		{"second behavior", "www.example.test", "/api/v2", "main", "api"},
		{"pattern across slash", "www.example.test", "/a/b/c.jpg", "main", "images"},
		{"exact pattern", "www.example.test", "/exact", "main", "exact"},
		{"exact pattern, trailing slash", "www.example.test", "/exact/", "main", "main-default"},
		{"default", "www.example.test", "/other", "main", "main-default"},
	}
	for _, tc := range cases {
		d, b, ok := tbl.Lookup(tc.host, tc.path)
		if ok != (tc.dist != "") || d != tc.dist || b != tc.behavior {
			t.Errorf("%s: Lookup(%q, %q) = %q, %q, %v; want %q, %q", tc.name, tc.host, tc.path, d, b, ok, tc.dist, tc.behavior)
		}
		d2, bs, ok2 := tbl.Distribution(tc.host)
		if ok2 != ok || d2 != d || (ok && bs.Match(tc.path) != b) || (!ok && bs != nil) {
			t.Errorf("%s: Distribution(%q) disagrees with Lookup", tc.name, tc.host)
		}
	}
}

func TestNilBehaviors(t *testing.T) {
	var bs *Behaviors[string]
	if got := bs.Match("/"); got != "" {
		t.Errorf("nil Behaviors matched %q", got)
	}
}

func TestNewTableErrors(t *testing.T) {
	type spec = DistributionSpec[int, int]
	one := func(hosts ...string) spec { return spec{Hosts: hosts} }
	cases := []struct {
		name  string
		specs []spec
		want  string
	}{
		{"no hosts", []spec{{}}, "distribution 0: no hosts"},
		{"duplicate across", []spec{one("a.test"), one("A.test.")}, `distribution 1 (A.test.): host "a.test" is already served by distribution 0`},
		{"duplicate within", []spec{one("a.test", "a.test")}, `host "a.test" listed twice`},
		{"duplicate wildcard", []spec{one("*.a.test"), one("*.A.test")}, `host "*.a.test" is already served by distribution 0`},
		{"duplicate IPv6", []spec{one("[::1]", "0:0::1")}, `host "::1" listed twice`},
		{"empty host", []spec{one("")}, "empty host name"},
		{"port", []spec{one("a.test:80")}, `host "a.test:80": must not carry a port`},
		{"bare star", []spec{one("*")}, "wildcard is allowed only"},
		{"inner star", []spec{one("a.*.test")}, "wildcard is allowed only"},
		{"star in label", []spec{one("*a.test")}, "wildcard is allowed only"},
		{"empty label", []spec{one("a..test")}, "empty label"},
		{"wildcard only", []spec{one("*.")}, "wildcard is allowed only"},
		{"wildcard of nothing", []spec{one("*..")}, "empty name"},
		{"space", []spec{one("a test")}, "invalid character"},
		{"unicode", []spec{one("bücher.test")}, "xn--"},
		{"long label", []spec{one(strings.Repeat("a", 64) + ".test")}, "label longer than 63"},
		{"long name", []spec{one(strings.Repeat("a.", 127) + "test")}, "longer than 253"},
		{"bad IPv6", []spec{one("[::1")}, "not an IPv6 address"},
		{"IPv6 zone", []spec{one("[fe80::1%eth0]")}, "not an IPv6 address"},
		{"IPv4 in brackets", []spec{one("[192.0.2.1]")}, "not an IPv6 address"},
		{"bad pattern", []spec{{Hosts: []string{"a.test"}, Behaviors: []BehaviorSpec[int]{{Pattern: "/ok"}, {Pattern: ""}}}}, "distribution 0 (a.test): behavior 1: empty path pattern"},
		{"pattern named", []spec{{Hosts: []string{"a.test"}, Behaviors: []BehaviorSpec[int]{{Pattern: "/a\\b"}}}}, `path pattern "/a\\b"`},
	}
	for _, tc := range cases {
		tbl, err := NewTable(tc.specs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewTable = %v, want error containing %q", tc.name, err, tc.want)
		}
		if tbl != nil {
			t.Errorf("%s: NewTable returned a table with an error", tc.name)
		}
	}
}

func TestNewTableReportsAll(t *testing.T) {
	_, err := NewTable([]DistributionSpec[int, int]{
		{Hosts: []string{"a.test", "b..test"}, Behaviors: []BehaviorSpec[int]{{Pattern: ""}}},
		{Hosts: []string{"a.test"}},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"empty path pattern", "empty label", "already served"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %q", err, want)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	tbl := testTable(t)
	for _, host := range []string{"www.example.test", "WWW.EXAMPLE.TEST:443", "a.example.test", "[2001:db8::1]:80", "evil.test"} {
		if n := testing.AllocsPerRun(10, func() { tbl.Lookup(host, "/a/b/c.jpg") }); n != 0 {
			t.Errorf("Lookup(%q): %v allocs", host, n)
		}
	}
}

// benchTable has 5 distributions of 10 behaviors each.
func benchTable(b *testing.B) *Table[int, int] {
	var specs []DistributionSpec[int, int]
	for d := range 5 {
		s := DistributionSpec[int, int]{
			Hosts:   []string{fmt.Sprintf("d%d.example.test", d), fmt.Sprintf("*.d%d.example.test", d)},
			Value:   d,
			Default: -1,
		}
		patterns := []string{
			"/api/v1/*", "/api/v2/*", "*.m3u8", "/static/*.css", "/static/*.js",
			"/img/*.jpg", // the benchmark's path matches this one, the 6th
			"/img/*.png", "/v?/assets/*", "/downloads/*", "/health",
		}
		for i, p := range patterns {
			s.Behaviors = append(s.Behaviors, BehaviorSpec[int]{Pattern: p, Value: i})
		}
		specs = append(specs, s)
	}
	tbl, err := NewTable(specs)
	if err != nil {
		b.Fatal(err)
	}
	return tbl
}

func BenchmarkLookup(b *testing.B) {
	tbl := benchTable(b)
	for _, host := range []string{"d3.example.test", "D3.Example.Test:443", "www.d3.example.test"} {
		b.Run(host, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d, v, ok := tbl.Lookup(host, "/img/products/2024/shoe-1234.jpg"); !ok || d != 3 || v != 5 {
					b.Fatal(d, v, ok)
				}
			}
		})
	}
}

func FuzzLookup(f *testing.F) {
	for _, h := range []string{"www.example.test", "WWW.Example.TEST:8443", "a.example.test.", "[2001:db8::1]:80", "2001:db8::1", "[", "]:", ".", "a..example.test", ":"} {
		f.Add(h, "/a/b.jpg")
	}
	tbl := testTable(f)
	f.Fuzz(func(t *testing.T, host, path string) {
		d, b, ok := tbl.Lookup(host, path)
		if !ok && (d != "" || b != "") {
			t.Fatalf("Lookup(%q) = %q, %q, false", host, d, b)
		}
		// Case never matters (ToUpper would also change non-ASCII).
		up := []byte(host)
		for i, c := range up {
			if 'a' <= c && c <= 'z' {
				up[i] = c - 'a' + 'A'
			}
		}
		if d2, b2, ok2 := tbl.Lookup(string(up), path); d2 != d || b2 != b || ok2 != ok {
			t.Errorf("Lookup(%q) = %q, %v but Lookup(%q) = %q, %v", host, d, ok, up, d2, ok2)
		}
		// Neither does a port.
		if ok && !strings.Contains(host, ":") {
			if d2, _, ok2 := tbl.Lookup(host+":443", path); d2 != d || !ok2 {
				t.Errorf("Lookup(%q) = %q but with a port %q, %v", host, d, d2, ok2)
			}
		}
	})
}
