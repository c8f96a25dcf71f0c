package route

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

type canonicalCase struct {
	name, raw, want string
	err             error
}

var canonicalCases = []canonicalCase{
	// clean paths come back unchanged
	{"root", "/", "/", nil},
	{"plain", "/a/b/c.txt", "/a/b/c.txt", nil},
	{"trailing slash kept", "/a/b/", "/a/b/", nil},
	{"dot file", "/.well-known/x", "/.well-known/x", nil},
	{"dots in name", "/a/..b/c../...", "/a/..b/c../...", nil},
	{"raw UTF-8", "/é/中", "/é/中", nil},
	{"sub-delims", "/a;b=c/$&+,:@!'()*~", "/a;b=c/$&+,:@!'()*~", nil},
	{"semicolon not on a dot segment", "/a/.x;y/..z;w", "/a/.x;y/..z;w", nil},
	// percent-decoding, once
	{"decode", "/a%20b/%C3%A9", "/a b/é", nil},
	{"decode lower-case hex", "/%c3%a9", "/é", nil},
	{"decode once", "/a%2541", "/a%41", nil},
	{"decoded query chars", "/a%3Fb%23c", "/a?b#c", nil},
	{"decoded unreserved", "/%7Euser/%41", "/~user/A", nil},
	// repeated slashes
	{"collapse", "//a///b//", "/a/b/", nil},
	{"only slashes", "////", "/", nil},
	// dot segments
	{"dot", "/a/./b", "/a/b", nil},
	{"trailing dot", "/a/b/.", "/a/b/", nil},
	{"dot dot", "/a/b/../c", "/a/c", nil},
	{"trailing dot dot", "/a/b/..", "/a/", nil},
	{"dot dot to root", "/a/..", "/", nil},
	{"leading dot", "/./a", "/a", nil},
	{"encoded dot dot", "/a/%2e%2E/b", "/b", nil},
	{"half-encoded dot dot", "/a/.%2e/b", "/b", nil},
	{"encoded dot", "/a/%2E/b", "/a/b", nil},
	{"dot dot after empty", "/a//../b", "/b", nil},
	{"many", "/a/./b/../../c/./d/", "/c/d/", nil},
	// errors, one per rule
	{"empty", "", "", ErrMalformedPath},
	{"relative", "a/b", "", ErrMalformedPath},
	{"asterisk form", "*", "", ErrMalformedPath},
	{"absolute URL", "http://x/a", "", ErrMalformedPath},
	{"raw query", "/a?b", "", ErrMalformedPath},
	{"raw fragment", "/a#b", "", ErrMalformedPath},
	{"truncated escape", "/a%4", "", ErrBadEscape},
	{"lone percent", "/a%", "", ErrBadEscape},
	{"non-hex escape", "/a%zz", "", ErrBadEscape},
	{"non-hex second digit", "/a%4g", "", ErrBadEscape},
	{"encoded slash", "/a%2Fb", "", ErrEncodedSlash},
	{"encoded slash lower", "/a%2fb", "", ErrEncodedSlash},
	{"encoded dot dot slash", "/public/..%2Fprivate", "", ErrEncodedSlash},
	{"encoded backslash", "/a%5Cb", "", ErrBackslash},
	{"raw backslash", "/a\\b", "", ErrBackslash},
	{"raw backslash dirty", "/a/../\\b", "", ErrBackslash},
	{"raw NUL", "/a\x00", "", ErrControlChar},
	{"encoded NUL", "/a%00", "", ErrControlChar},
	{"raw newline", "/a\nb", "", ErrControlChar},
	{"encoded CR", "/a%0D", "", ErrControlChar},
	{"encoded DEL", "/a%7f", "", ErrControlChar},
	{"raw DEL", "/a\x7f", "", ErrControlChar},
	{"raw invalid UTF-8", "/a\xff", "", ErrInvalidUTF8},
	{"encoded invalid UTF-8", "/a%FF", "", ErrInvalidUTF8},
	{"overlong slash", "/a%C0%AFb", "", ErrInvalidUTF8},
	{"truncated rune", "/%E4%B8", "", ErrInvalidUTF8},
	{"invalid UTF-8 in dropped segment", "/%FF/../a", "", ErrInvalidUTF8},
	{"escape root", "/..", "", ErrEscapesRoot},
	{"escape root later", "/a/../..", "", ErrEscapesRoot},
	{"escape root then back", "/../a", "", ErrEscapesRoot},
	{"escape root encoded", "/%2e%2e/etc/passwd", "", ErrEscapesRoot},
	{"escape root after collapse", "//..//a", "", ErrEscapesRoot},
	{"dot dot with params", "/a/..;/b", "", ErrDotSegmentArgs},
	{"dot with params", "/a/.;x/b", "", ErrDotSegmentArgs},
	{"encoded dot dot with params", "/a/%2e%2e;x", "", ErrDotSegmentArgs},
}

func TestCanonicalPath(t *testing.T) {
	for _, tc := range canonicalCases {
		got, err := CanonicalPath(tc.raw)
		if err != tc.err || got != tc.want {
			t.Errorf("%s: CanonicalPath(%q) = %q, %v; want %q, %v", tc.name, tc.raw, got, err, tc.want, tc.err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrBadPath) {
				t.Errorf("%s: %v is not ErrBadPath", tc.name, err)
			}
			continue
		}
		if back, err := CanonicalPath(EscapePath(got)); back != got || err != nil {
			t.Errorf("%s: CanonicalPath(EscapePath(%q)) = %q, %v", tc.name, got, back, err)
		}
	}
}

// TestCanonicalPathStdlib checks that the path net/url gives a handler,
// (*url.URL).EscapedPath, canonicalizes to the same path as the raw bytes
// on the wire.
func TestCanonicalPathStdlib(t *testing.T) {
	for _, tc := range canonicalCases {
		u, err := url.ParseRequestURI(tc.raw)
		if err != nil || tc.err != nil {
			continue
		}
		got, err := CanonicalPath(u.EscapedPath())
		if got != tc.want || err != nil {
			t.Errorf("%s: CanonicalPath(%q) = %q, %v; want %q", tc.name, u.EscapedPath(), got, err, tc.want)
		}
	}
}

func TestCanonicalPathAllocs(t *testing.T) {
	for _, raw := range []string{"/", "/a/b/c.txt", "/.well-known/x", "/é/中/"} {
		if n := testing.AllocsPerRun(10, func() { CanonicalPath(raw) }); n != 0 {
			t.Errorf("CanonicalPath(%q): %v allocs", raw, n)
		}
	}
	for _, raw := range []string{"/a%2e%2e/b", "/a/../b", "/" + strings.Repeat("%", 600)} {
		if n := testing.AllocsPerRun(10, func() { CanonicalPath(raw) }); n > 1 {
			t.Errorf("CanonicalPath(%q): %v allocs", raw, n)
		}
	}
}

func TestEscapePath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/a/b", "/a/b"},
		{"/a b/é", "/a%20b/%C3%A9"},
		{"/a?b#c%d", "/a%3Fb%23c%25d"},
		{"/a;b=c:@$&+,", "/a;b=c:@$&+,"},
	}
	for _, tc := range cases {
		if got := EscapePath(tc.in); got != tc.want {
			t.Errorf("EscapePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(10, func() { EscapePath("/a/b/c.txt") }); n != 0 {
		t.Errorf("EscapePath of a clean path: %v allocs", n)
	}
}

func FuzzCanonicalPath(f *testing.F) {
	for _, tc := range canonicalCases {
		f.Add(tc.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := CanonicalPath(raw)
		if err != nil {
			if out != "" || !errors.Is(err, ErrBadPath) {
				t.Fatalf("CanonicalPath(%q) = %q, %v", raw, out, err)
			}
			return
		}
		if !strings.HasPrefix(out, "/") {
			t.Errorf("CanonicalPath(%q) = %q: no leading slash", raw, out)
		}
		for _, bad := range []string{"//", "/./", "/../", "\x00", "\\"} {
			if strings.Contains(out, bad) {
				t.Errorf("CanonicalPath(%q) = %q: contains %q", raw, out, bad)
			}
		}
		if strings.HasSuffix(out, "/..") || strings.HasSuffix(out, "/.") {
			t.Errorf("CanonicalPath(%q) = %q: ends with a dot segment", raw, out)
		}
		if !utf8.ValidString(out) {
			t.Errorf("CanonicalPath(%q) = %q: invalid UTF-8", raw, out)
		}
		if !strings.Contains(raw, "%") && len(out) > len(raw) {
			t.Errorf("CanonicalPath(%q) = %q: grew", raw, out)
		}
		esc := EscapePath(out)
		if again, err := CanonicalPath(esc); again != out || err != nil {
			t.Errorf("CanonicalPath(EscapePath(%q)) = %q, %v (escaped %q)", out, again, err, esc)
		}
		if again, err := CanonicalPath(out); err == nil && !strings.ContainsAny(out, "%") && again != out {
			t.Errorf("CanonicalPath(%q) = %q: not a fixed point", out, again)
		}
	})
}

func BenchmarkCanonicalPath(b *testing.B) {
	for _, bc := range []struct{ name, raw string }{
		{"clean", "/img/products/2024/shoe-1234.jpg"},
		{"clean-utf8", "/bücher/写真/ファイル.jpg"},
		{"dirty-escaped", "/img/products%202024/%C3%A9t%C3%A9.jpg"},
		{"dirty-dots", "/img/./products//2024/../2025/shoe-1234.jpg"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CanonicalPath(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEscapePath(b *testing.B) {
	for _, bc := range []struct{ name, p string }{
		{"clean", "/img/products/2024/shoe-1234.jpg"},
		{"needs-escaping", "/img/products 2024/été.jpg"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				EscapePath(bc.p)
			}
		})
	}
}
