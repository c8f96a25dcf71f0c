package gateway

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// xffTrusted is the trusted set the viewer tests use.
var xffTrusted = []string{"10.0.0.0/8", "192.0.2.10/32", "2001:db8:ffff::/48"}

func xffSet(t testing.TB, prefixes ...string) *trustedProxies {
	t.Helper()
	ps := make([]netip.Prefix, 0, len(prefixes))
	for _, s := range prefixes {
		ps = append(ps, netip.MustParsePrefix(s).Masked())
	}
	return newTrustedProxies(ps)
}

func TestTrustedProxies(t *testing.T) {
	set := xffSet(t, append(xffTrusted, "::ffff:172.16.0.0/108", "10.1.0.0/16")...)
	tests := []struct {
		name string
		set  *trustedProxies
		addr string
		want bool
	}{
		{"v4 inside a prefix", set, "10.20.30.40", true},
		{"v4 single address", set, "192.0.2.10", true},
		{"v4 next to a single address", set, "192.0.2.11", false},
		{"v4 outside", set, "203.0.113.7", false},
		{"v6 inside", set, "2001:db8:ffff:1::1", true},
		{"v6 outside", set, "2001:db8:fffe::1", false},
		{"mapped address matches its v4 prefix", set, "::ffff:10.0.0.1", true},
		{"mapped prefix in config trusts v4", set, "172.16.5.5", true},
		{"mapped prefix in config trusts mapped", set, "::ffff:172.16.5.5", true},
		{"mapped prefix in config, outside", set, "172.32.0.1", false},
		{"v4 address never matches a v6 prefix", xffSet(t, "::/0"), "10.0.0.1", false},
		{"zone is never trusted", set, "fe80::1%eth0", false},
		{"zoned v6 in a trusted prefix", xffSet(t, "fe80::/10"), "fe80::1%eth0", false},
		{"invalid address", set, "", false},
		{"nil set trusts nobody", nil, "10.0.0.1", false},
		{"empty set trusts nobody", newTrustedProxies(nil), "10.0.0.1", false},
		{"invalid prefix is dropped", newTrustedProxies([]netip.Prefix{{}}), "0.0.0.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a netip.Addr
			if tt.addr != "" {
				a = netip.MustParseAddr(tt.addr)
			}
			if got := tt.set.Trusted(a); got != tt.want {
				t.Errorf("Trusted(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestTrustedProxiesDropsCoveredPrefixes(t *testing.T) {
	set := xffSet(t, "10.1.0.0/16", "10.0.0.0/8", "10.2.0.0/16", "2001:db8::/64", "2001:db8::/32", "192.0.2.0/24")
	if len(set.v4) != 2 || set.v4[0] != netip.MustParsePrefix("10.0.0.0/8") || set.v4[1] != netip.MustParsePrefix("192.0.2.0/24") {
		t.Errorf("v4 = %v, want [10.0.0.0/8 192.0.2.0/24]", set.v4)
	}
	if len(set.v6) != 1 || set.v6[0] != netip.MustParsePrefix("2001:db8::/32") {
		t.Errorf("v6 = %v, want [2001:db8::/32]", set.v6)
	}
}

// xffCase is one viewer() case; its fields double as fuzz seeds.
type xffCase struct {
	name       string
	peer       string
	connScheme string
	xff        []string // header lines, in order
	proto      []string
	wantAddr   string
	wantScheme string
}

var xffCases = []xffCase{
	// Untrusted peers: headers ignored.
	{name: "untrusted peer, forged headers ignored", peer: "203.0.113.7:5000", connScheme: "http",
		xff: []string{"198.51.100.1"}, proto: []string{"https"}, wantAddr: "203.0.113.7:5000", wantScheme: "http"},
	{name: "untrusted peer, forged trusted-looking chain ignored", peer: "203.0.113.7:5000", connScheme: "https",
		xff: []string{"10.0.0.1, 10.0.0.2"}, proto: []string{"http"}, wantAddr: "203.0.113.7:5000", wantScheme: "https"},
	{name: "untrusted peer, no headers", peer: "203.0.113.7:5000", connScheme: "http", wantAddr: "203.0.113.7:5000", wantScheme: "http"},
	{name: "untrusted mapped peer comes back unmapped", peer: "[::ffff:203.0.113.7]:5000", connScheme: "http",
		xff: []string{"198.51.100.1"}, wantAddr: "203.0.113.7:5000", wantScheme: "http"},
	{name: "zoned peer in a trusted-looking range is untrusted", peer: "[fe80::1%eth0]:5000", connScheme: "http",
		xff: []string{"198.51.100.1"}, wantAddr: "[fe80::1%eth0]:5000", wantScheme: "http"},

	// Trusted peers: X-Forwarded-For.
	{name: "trusted peer, no XFF: the peer", peer: "10.0.0.1:5000", connScheme: "http", wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "trusted peer, single hop", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "trusted chain, forged entries left of the viewer ignored", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"198.51.100.1, 10.9.9.9, 203.0.113.7, 10.1.1.1, 192.0.2.10"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "every hop trusted: the leftmost", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"10.0.0.7, 10.0.0.8, 192.0.2.10"}, wantAddr: "10.0.0.7:0", wantScheme: "http"},
	{name: "malformed rightmost entry: the peer", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, garbage"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "malformed entry after trusted ones: the last good one", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, garbage, 10.0.0.3, 10.0.0.4"}, wantAddr: "10.0.0.3:0", wantScheme: "http"},
	{name: "obfuscated 'unknown' stops the walk", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, unknown"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "zoned entry is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, fe80::1%eth0"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "unspecified entry is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, 0.0.0.0"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "CIDR entry is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.0/24"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "quoted entry is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{`"203.0.113.7"`}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "empty elements skipped", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{" 203.0.113.7 ,, \t, "}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "empty header line", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{""}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "entry with port", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7:4711"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "IPv6 peer and entry", peer: "[2001:db8:ffff::1]:443", connScheme: "https",
		xff: []string{"2001:db8::5"}, wantAddr: "[2001:db8::5]:0", wantScheme: "https"},
	{name: "bracketed IPv6 entry with port", peer: "[2001:db8:ffff::1]:443", connScheme: "https",
		xff: []string{"[2001:db8::5]:4711"}, wantAddr: "[2001:db8::5]:0", wantScheme: "https"},
	{name: "bracketed IPv6 entry without port is malformed", peer: "[2001:db8:ffff::1]:443", connScheme: "https",
		xff: []string{"[2001:db8::5]"}, wantAddr: "[2001:db8:ffff::1]:443", wantScheme: "https"},
	{name: "IPv6 trusted hop skipped", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, 2001:db8:ffff::9"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "mapped trusted peer", peer: "[::ffff:10.0.0.1]:5000", connScheme: "http",
		xff: []string{"203.0.113.7"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "mapped trusted peer, no XFF: unmapped peer", peer: "[::ffff:10.0.0.1]:5000", connScheme: "http",
		wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "mapped entry unmapped", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"::ffff:203.0.113.7"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "mapped trusted entry skipped", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, ::ffff:10.0.0.9"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "several lines are one list", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"198.51.100.1, 203.0.113.7", "10.0.0.5"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "several lines, rightmost untrusted is on the last", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7", "198.51.100.2"}, wantAddr: "198.51.100.2:0", wantScheme: "http"},
	{name: "several lines, all trusted: leftmost of the first", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"10.0.0.2, 10.0.0.3", "10.0.0.4"}, wantAddr: "10.0.0.2:0", wantScheme: "http"},
	{name: "entry of 64 bytes with its whitespace", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"x," + strings.Repeat(" ", 64-len("203.0.113.7")) + "203.0.113.7"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "oversize entry is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"x," + strings.Repeat(" ", 65-len("203.0.113.7")) + "203.0.113.7"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "oversize first entry of a line is malformed", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{strings.Repeat("1", 65)}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "oversize entry left of the viewer never read", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{strings.Repeat("1", 100000) + ", 203.0.113.7"}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "64 entries inspected: viewer on the 64th", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"198.51.100.1, 203.0.113.7, " + xffRepeat("10.0.0.1", 63)}, wantAddr: "203.0.113.7:0", wantScheme: "http"},
	{name: "64 entries inspected: viewer on the 65th is not reached", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7, 10.0.0.2, " + xffRepeat("10.0.0.1", 63)}, wantAddr: "10.0.0.2:0", wantScheme: "http"},
	{name: "empty elements count towards the bound", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7" + strings.Repeat(",", 64)}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "many lines count towards the bound", peer: "10.0.0.1:5000", connScheme: "http",
		xff: append([]string{"203.0.113.7"}, strings.Split(xffRepeat("10.0.0.3", 64), ", ")...), wantAddr: "10.0.0.3:0", wantScheme: "http"},

	// Trusted peers: X-Forwarded-Proto.
	{name: "proto https", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"https"}, wantAddr: "10.0.0.1:5000", wantScheme: "https"},
	{name: "proto HTTPS any case", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"HTTPS"}, wantAddr: "10.0.0.1:5000", wantScheme: "https"},
	{name: "proto http over an https connection", peer: "10.0.0.1:5000", connScheme: "https", proto: []string{"Http"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto bogus ignored", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"wss"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto with trailing junk ignored", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"https;x"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto several values: the last", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"http, https"}, wantAddr: "10.0.0.1:5000", wantScheme: "https"},
	{name: "proto several values, last is http", peer: "10.0.0.1:5000", connScheme: "https", proto: []string{"https , http "}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto several lines: the last", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"http", "https"}, wantAddr: "10.0.0.1:5000", wantScheme: "https"},
	{name: "proto last value empty: ignored", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"https,"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto last line bogus, earlier good: ignored", peer: "10.0.0.1:5000", connScheme: "http", proto: []string{"https", "ftp"}, wantAddr: "10.0.0.1:5000", wantScheme: "http"},
	{name: "proto and XFF together", peer: "10.0.0.1:5000", connScheme: "http",
		xff: []string{"203.0.113.7"}, proto: []string{"https"}, wantAddr: "203.0.113.7:0", wantScheme: "https"},
}

func xffRepeat(addr string, n int) string {
	return strings.TrimSuffix(strings.Repeat(addr+", ", n), ", ")
}

func xffHeader(xff, proto []string) http.Header {
	h := http.Header{}
	for _, v := range xff {
		h.Add("X-Forwarded-For", v)
	}
	for _, v := range proto {
		h.Add("X-Forwarded-Proto", v)
	}
	return h
}

func TestViewer(t *testing.T) {
	set := xffSet(t, xffTrusted...)
	for _, tt := range xffCases {
		t.Run(tt.name, func(t *testing.T) {
			addr, scheme := set.viewer(netip.MustParseAddrPort(tt.peer), tt.connScheme, xffHeader(tt.xff, tt.proto))
			if addr.String() != tt.wantAddr || scheme != tt.wantScheme {
				t.Errorf("viewer = (%s, %s), want (%s, %s)", addr, scheme, tt.wantAddr, tt.wantScheme)
			}
		})
	}
}

func TestViewerTrustsNobody(t *testing.T) {
	peer := netip.MustParseAddrPort("10.0.0.1:5000")
	h := xffHeader([]string{"203.0.113.7"}, []string{"https"})
	for name, set := range map[string]*trustedProxies{"nil": nil, "empty": newTrustedProxies(nil)} {
		addr, scheme := set.viewer(peer, "http", h)
		if addr != peer || scheme != "http" {
			t.Errorf("%s set: viewer = (%s, %s), want (%s, http)", name, addr, scheme, peer)
		}
	}
}

// xffReference is viewer()'s X-Forwarded-For rule written the slow, obvious
// way, for FuzzXFF to compare against.
func xffReference(t *trustedProxies, peer netip.AddrPort, lines []string) netip.AddrPort {
	var parts []string
	for _, l := range lines {
		parts = append(parts, strings.Split(l, ",")...)
	}
	var last netip.Addr
	for i, n := len(parts)-1, 0; i >= 0 && n < maxXFFEntries; i, n = i-1, n+1 {
		p := strings.TrimRight(parts[i], " \t")
		if len(p) > maxXFFEntry {
			break
		}
		p = strings.TrimLeft(p, " \t")
		if p == "" {
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			ap, err := netip.ParseAddrPort(p)
			if err != nil {
				break
			}
			a = ap.Addr()
		}
		if a.Zone() != "" || a.IsUnspecified() {
			break
		}
		a = a.Unmap()
		if !t.Trusted(a) {
			return netip.AddrPortFrom(a, 0)
		}
		last = a
	}
	if last.IsValid() {
		return netip.AddrPortFrom(last, 0)
	}
	return peer
}

// FuzzXFF feeds arbitrary X-Forwarded-For and X-Forwarded-Proto lines
// (separated by "\n") from a trusted and an untrusted peer.
func FuzzXFF(f *testing.F) {
	for _, c := range xffCases {
		if len(c.xff) < 5 { // the bound cases are big; their shape is covered by the rest
			f.Add(strings.Join(c.xff, "\n"), strings.Join(c.proto, "\n"))
		}
	}
	set := xffSet(f, xffTrusted...)
	trusted := netip.MustParseAddrPort("10.0.0.1:5000")
	untrusted := netip.MustParseAddrPort("203.0.113.1:5000")
	f.Fuzz(func(t *testing.T, xff, proto string) {
		var xl, pl []string
		if xff != "" {
			xl = strings.Split(xff, "\n")
		}
		if proto != "" {
			pl = strings.Split(proto, "\n")
		}
		h := xffHeader(xl, pl)

		addr, scheme := set.viewer(untrusted, "http", h)
		if addr != untrusted || scheme != "http" {
			t.Fatalf("untrusted peer: viewer = (%s, %s), want the peer and http", addr, scheme)
		}

		addr, scheme = set.viewer(trusted, "http", h)
		if scheme != "http" && scheme != "https" {
			t.Fatalf("scheme %q", scheme)
		}
		if want := xffReference(set, trusted, xl); addr != want {
			t.Fatalf("viewer = %s, reference says %s", addr, want)
		}
		if addr != trusted {
			a := addr.Addr()
			if addr.Port() != 0 || !a.IsValid() || a.Is4In6() || a.Zone() != "" || a.IsUnspecified() {
				t.Fatalf("viewer %s from XFF: want an unmapped, unzoned, specified address with port 0", addr)
			}
		}
	})
}

func BenchmarkViewer(b *testing.B) {
	set := xffSet(b, xffTrusted...)
	peer := netip.MustParseAddrPort("10.0.0.1:5000")
	h := xffHeader([]string{"198.51.100.1, 203.0.113.7, 10.1.1.1"}, []string{"https"})
	b.ReportAllocs()
	for b.Loop() {
		if addr, _ := set.viewer(peer, "http", h); addr.Port() != 0 {
			b.Fatal(addr)
		}
	}
}
