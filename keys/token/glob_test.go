package token

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var globCases = []struct {
	pattern, path string
	want          bool
}{
	{"/a/b", "/a/b", true},
	{"/a/b", "/a/b/", false},
	{"/a/b", "/a/B", false},
	{"/a/*", "/a/", true},
	{"/a/*", "/a/b/c/d", true},
	{"/a/*", "/a", false},
	{"/a/*", "/ab", false},
	{"*", "", true},
	{"*", "/anything/at/all", true},
	{"/*", "/", true},
	{"**", "/x", true},
	{"/*.jpg", "/a/b/c.jpg", true},
	{"/*.jpg", "/a/b/c.jpeg", false},
	{"/*.jpg", "/.jpg", true},
	{"/a*a", "/a", false},
	{"/a*a", "/aa", true},
	{"/a*b*c", "/abc", true},
	{"/a*b*c", "/acb", false},
	{"/a*b*c", "/axxbyyc", true},
	{"/a*b*c", "/axxbyycz", false},
	{"/*b*b*b", "/bb", false},
	{"/*b*b*b", "/bbb", true},
	{"/*b*b*b", "/xbxbxb", true},
	{"/?", "/x", true},
	{"/?", "/", false},
	{"/?", "/xy", false},
	{"/?", "/é", true},
	{"/??", "/é", false},
	{"/caf?", "/café", true},
	{"/caf?/*", "/café/menu", true},
	{"/?*?", "/ab", true},
	{"/?*?", "/a", false},
	{"/*?", "/", false},
	{"/*?", "/€", true},
	{"/*x?z*", "/axyzb", true},
	{"/*x?z*", "/axzb", false},
	{"/*x?z*", "/xxxyz", true},
	{"/v/*/clip-??.mp4", "/v/2024/june/clip-07.mp4", true},
	{"/v/*/clip-??.mp4", "/v/2024/june/clip-7.mp4", false},
	{"/?", "/\xff", true},         // an invalid byte is one character
	{"/??", "/\xe2\x82", true},    // a truncated rune is one character per byte
	{"/*?", "/\xe2\x82", true},    // backward decoding agrees with forward
	{"/*??", "/\xe2\x82", true},   //
	{"/*???", "/\xe2\x82", false}, //
	{"/a?c", "/a/c", true},        // '?' matches '/'
}

func TestMatchPath(t *testing.T) {
	for _, tc := range globCases {
		if got := matchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchPath(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
		if got := refMatch(tc.pattern, tc.path); got != tc.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v (test reference is wrong)", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestMatchPathWorstCase checks that a pattern built to make a
// backtracking matcher explode is answered quickly (by count of work, not
// time: it would not finish at all if it were exponential).
func TestMatchPathWorstCase(t *testing.T) {
	pattern := "/" + strings.Repeat("*a", 40) + "*b"
	path := "/" + strings.Repeat("a", 4000)
	if matchPath(pattern, path) {
		t.Fatal("matched")
	}
	if !matchPath(pattern, path+"b") {
		t.Fatal("did not match")
	}
}

// chars splits s into characters as matchPath sees them: runes of the
// forward UTF-8 decoding, each invalid byte on its own.
func chars(s string) []string {
	var out []string
	for s != "" {
		_, w := utf8.DecodeRuneInString(s)
		out = append(out, s[:w])
		s = s[w:]
	}
	return out
}

// refMatch is an obviously correct (quadratic, dynamic programming)
// reference for matchPath.
func refMatch(pattern, path string) bool {
	p, s := chars(pattern), chars(path)
	// m[j]: pattern prefix p[:i] matches s[:j].
	m := make([]bool, len(s)+1)
	m[0] = true
	for i := range p {
		next := make([]bool, len(s)+1)
		switch p[i] {
		case "*":
			reached := false
			for j := range m {
				reached = reached || m[j]
				next[j] = reached
			}
		case "?":
			for j := 1; j <= len(s); j++ {
				next[j] = m[j-1]
			}
		default:
			for j := 1; j <= len(s); j++ {
				next[j] = m[j-1] && s[j-1] == p[i]
			}
		}
		m = next
	}
	return m[len(s)]
}
