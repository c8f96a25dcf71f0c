package keys

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestStripSigningParams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"Expires=1&Signature=x&Key-Pair-Id=K", ""},
		{"a=1&Expires=1&Signature=x&Key-Pair-Id=K&Hash-Algorithm=SHA256", "a=1"},
		{"Signature=x&a=%2F+b&Key-Pair-Id=K&c&Policy=p", "a=%2F+b&c"},
		{"a=1&&Expires=1&b", "a=1&&b"},
		{"&Expires=1", ""},
		{"expires=1&Expire%73=2&Signatures=3", "expires=1&Expire%73=2&Signatures=3"}, // only exact names
		{"Key-Pair-Id", ""},
		{"x=Expires", "x=Expires"},
	} {
		if got := StripSigningParams(c.in); got != c.want {
			t.Errorf("StripSigningParams(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestStripSigningCookies(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"a=1"}, []string{"a=1"}},
		{[]string{"a=1; b=2"}, []string{"a=1; b=2"}},
		{[]string{"CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K"}, nil},
		{[]string{"a=1; CloudFront-Expires=1;b=2 ; CloudFront-Hash-Algorithm=SHA256", "CloudFront-Signature=s"}, []string{"a=1; b=2"}},
		{[]string{"CloudFront-Viewer=1; cloudfront-policy=x"}, []string{"CloudFront-Viewer=1; cloudfront-policy=x"}},
		{[]string{"", " ; "}, nil},
	} {
		if got := StripSigningCookies(c.in); !slices.Equal(got, c.want) {
			t.Errorf("StripSigningCookies(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSigningNames(t *testing.T) {
	q := SigningQueryParams()
	q[0] = "changed"
	if SigningQueryParams()[0] != "Expires" {
		t.Fatal("SigningQueryParams exposes its array")
	}
	if got := strings.Join(SigningCookies(), ","); got != "CloudFront-Expires,CloudFront-Policy,CloudFront-Signature,CloudFront-Key-Pair-Id,CloudFront-Hash-Algorithm" {
		t.Fatal(got)
	}
}

func TestCookieParams(t *testing.T) {
	p, err := cookieParams([]string{`x=1; CloudFront-Signature="abc"`, "\tCloudFront-Key-Pair-Id=K ; CloudFront-Policy"})
	if err != nil {
		t.Fatal(err)
	}
	if p.val[pSignature] != "abc" || p.val[pKeyPairID] != "K" || p.has[pPolicy] {
		t.Fatalf("%+v", p)
	}
}

func TestBase64(t *testing.T) {
	for _, b := range [][]byte{{}, {0xfb}, {0xfb, 0xff}, {0xfb, 0xff, 0xbf}, bytes.Repeat([]byte{0xfe, 0xff}, 40)} {
		s := encodeCF(b)
		if strings.ContainsAny(s, "+/=") {
			t.Errorf("%q is not CloudFront base64", s)
		}
		if len(b) == 0 {
			continue
		}
		got, err := decodeCF(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("round trip of %x: %x, %v", b, got, err)
		}
	}
	// The last two have non-zero padding bits: two spellings of one value.
	for _, bad := range []string{"", "abc", "ab+_", "ab/_", "ab==", "ab_=", "a~-_x", "AB__", "AAB_"} {
		if _, err := decodeCF(bad); err == nil {
			t.Errorf("decodeCF(%q) accepted", bad)
		}
	}
	if b, err := decodeCF("AA__"); err != nil || len(b) != 1 {
		t.Errorf("decodeCF(AA__) = %x, %v", b, err)
	}
}

func TestAmbiguousPath(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{
		{"/a/b", false},
		{"/a/b.c/..d/...", false},
		{"/a/%2e%2ex", false},
		{"/", false},
		{"//a//b", false},
		{"/a/../b", true},
		{"/a/./b", true},
		{"/a/..", true},
		{"/a/%2E%2e/b", true},
		{"/a/.%2e/b", true},
		{"/a/%2e/b", true},
		{"/a/..;x/b", true},
		{"/a%2fb", true},
		{"/a%2F..", true},
		{"/a%5cb", true},
		{`/a\b`, true},
	} {
		if got := ambiguousPath(c.path); got != c.want {
			t.Errorf("ambiguousPath(%q) = %v", c.path, got)
		}
	}
}

func TestRequestURL(t *testing.T) {
	r := func(scheme, host, path, query string) *Request {
		return &Request{Scheme: scheme, Host: host, RawPath: path, RawQuery: query}
	}
	for _, c := range []struct {
		req  *Request
		want string // "" refuses
	}{
		{r("https", "d.test", "/a", ""), "https://d.test/a"},
		{r("http", "d.test:8080", "/a%20b", "x=1&Expires=2"), "http://d.test:8080/a%20b?x=1"},
		{r("https", "[2001:db8::1]:443", "/", "Expires=2"), "https://[2001:db8::1]:443/"},
		{r("https", "d.test", "/a", "&Expires=2"), "https://d.test/a?"},
		{r("https", "d.test", "/a", "x=\"y\""), `https://d.test/a?x="y"`},
		{r("HTTPS", "d.test", "/a", ""), ""},
		{r("ftp", "d.test", "/a", ""), ""},
		{r("https", "", "/a", ""), ""},
		{r("https", "user@d.test", "/a", ""), ""},
		{r("https", "d.test", "", ""), ""},
		{r("https", "d.test", "*", ""), ""},
		{r("https", "d.test", "/a b", ""), ""},
		{r("https", "d.test", "/a?b", ""), ""},
		{r("https", "d.test", "/\xc3\xa9", ""), ""},
		{r("https", "d.test", "/a", "x=#"), ""},
		{r("https", "d.test", "/a", "x=\x00"), ""},
	} {
		got, err := requestURL(c.req)
		if c.want == "" {
			if err == nil {
				t.Errorf("%+v accepted as %q", c.req, got)
			} else if err.Reason != ReasonMalformed {
				t.Errorf("%+v: reason %s", c.req, err.Reason)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.req, got, err, c.want)
		}
	}
}

func TestParseSourceIP(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.0/24", "192.0.2.0/24"},
		{"192.0.2.7/24", "192.0.2.0/24"},
		{"192.0.2.7", "192.0.2.7/32"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"192.0.2.0/33", ""},
		{"::ffff:192.0.2.0/120", ""},
		{"fe80::1%eth0", ""},
		{"192.0.2", ""},
		{"", ""},
		{" 192.0.2.1", ""},
	} {
		p, err := parseSourceIP(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("parseSourceIP(%q) = %v", c.in, p)
			}
			continue
		}
		if err != nil || p.String() != c.want {
			t.Errorf("parseSourceIP(%q) = %v, %v; want %s", c.in, p, err, c.want)
		}
	}
}

func TestParseHashAlgorithm(t *testing.T) {
	for _, c := range []struct {
		in   string
		want HashAlgorithm
		hint bool
	}{
		{"SHA1", HashSHA1, false},
		{"SHA256", HashSHA256, false},
		{"sha256", -1, true},
		{"Sha1", -1, true},
		{"SHA-256", -1, true},
		{"SHA512", -1, false},
		{"SHA256 ", -1, false},
		{"", -1, false},
	} {
		h, err := parseHashAlgorithm("Hash-Algorithm", c.in)
		if c.want >= 0 {
			if err != nil || h != c.want {
				t.Errorf("%q: %v %v", c.in, h, err)
			}
			continue
		}
		if err == nil || err.Reason != ReasonMalformed || strings.Contains(err.Detail, "case-sensitive") != c.hint {
			t.Errorf("%q: %+v", c.in, err)
		}
	}
}

func TestHashAlgorithmString(t *testing.T) {
	for h, want := range map[HashAlgorithm]string{HashDefault: "default", HashSHA1: "SHA1", HashSHA256: "SHA256", 9: "HashAlgorithm(9)"} {
		if h.String() != want {
			t.Errorf("%d: %s", int(h), h)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := newError(ReasonExpired, MessageAccessDenied, "at %d", 5)
	if e.Error() != "signed request refused (expired): at 5" {
		t.Fatal(e.Error())
	}
	if c := clip(strings.Repeat("x", 100)); len(c) > clipLen+20 {
		t.Fatal(c)
	}
}

func TestBase64LineBreaks(t *testing.T) {
	if _, err := decodeCF("AA\nA"); err == nil {
		t.Error("line break accepted")
	}
	if _, err := decodeCF("AAAA\r\nAA__"); err == nil {
		t.Error("line break accepted")
	}
}
