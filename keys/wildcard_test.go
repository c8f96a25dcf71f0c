package keys

import (
	"strings"
	"testing"
)

var wildcardCases = []struct {
	pattern, text string
	want          bool
}{
	{"*", "", true},
	{"*", "https://d.test/a", true},
	{"**", "x", true},
	{"", "", true},
	{"", "a", false},
	{"https://d.test/a", "https://d.test/a", true},
	{"https://d.test/a", "https://d.test/a/", false},
	{"https://d.test/a", "https://d.test/A", false},
	{"https://d.test/a*", "https://d.test/a", true},
	{"https://d.test/a*", "https://d.test/abc?x=1", true},
	{"https://d.test/a/*", "https://d.test/a", false},
	{"http*://d.test/*", "https://d.test/x", true},
	{"http*://d.test/*", "http://d.test/x", true},
	{"http*://d.test/*", "ftp://d.test/x", false},
	{"https://d.test/*.mp4", "https://d.test/v/a.mp4", true},
	{"https://d.test/*.mp4", "https://d.test/v/a.mp4?x=1", false},
	{"https://d.test/*.mp4*", "https://d.test/v/a.mp4?x=1", true},
	{"https://d.test/a?b", "https://d.test/a?b", true},
	{"https://d.test/a?b", "https://d.test/axb", true},
	{"https://d.test/a?b", "https://d.test/ab", false},
	{"https://d.test/a?", "https://d.test/a", false},
	{"https://d.test/?", "https://d.test/é", false}, // '?' is one byte; é is two
	{"https://d.test/??", "https://d.test/é", true},
	{"https://d.test/v/*?quality=hd*", "https://d.test/v/a.mp4?quality=hd&t=1", true},
	{"https://d.test/v/*?quality=hd*", "https://d.test/v/a.mp4?quality=sd", false},
	{"*a*a*a*a*b", strings.Repeat("a", 200), false},
	{"*a*a*a*a*b", strings.Repeat("a", 200) + "b", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "acb", false},
	{"a*?", "a", false},
	{"a*?", "ab", true},
	{"?*?", "ab", true},
	{"?*?", "a", false},
	{strings.Repeat("?", 100) + "*", strings.Repeat("x", 100), true},
	{strings.Repeat("?", 100) + "*", strings.Repeat("x", 99), false},
	{strings.Repeat("a*", 70) + "b", strings.Repeat("a", 70) + "b", true},
	{strings.Repeat("a*", 70) + "b", strings.Repeat("a", 69) + "b", false},
}

func TestWildcard(t *testing.T) {
	for _, c := range wildcardCases {
		if got := compilePattern(c.pattern).match(c.text); got != c.want {
			t.Errorf("%q ~ %q = %v, want %v", clipLong(c.pattern), clipLong(c.text), got, c.want)
		}
		if got := refMatch(c.pattern, c.text); got != c.want {
			t.Errorf("reference: %q ~ %q = %v, want %v", clipLong(c.pattern), clipLong(c.text), got, c.want)
		}
	}
}

// TestWildcardWorstCase: a pattern that makes a backtracking matcher
// exponential or quadratic finishes in one pass. (No timing assertion: a
// backtracking implementation would simply not finish in the test's time.)
func TestWildcardWorstCase(t *testing.T) {
	p := compilePattern(strings.Repeat("*a", 1000) + "*b")
	text := strings.Repeat("a", 8192)
	for range 10 {
		if p.match(text) {
			t.Fatal("matched")
		}
	}
}

// refMatch is an obviously correct reference: dynamic programming over
// (pattern position, text position).
func refMatch(p, s string) bool {
	// cur[j]: p[:i] matches s[:j]
	cur := make([]bool, len(s)+1)
	cur[0] = true
	for i := 0; i < len(p); i++ {
		next := make([]bool, len(s)+1)
		switch p[i] {
		case '*':
			seen := false
			for j := 0; j <= len(s); j++ {
				seen = seen || cur[j]
				next[j] = seen
			}
		case '?':
			for j := 1; j <= len(s); j++ {
				next[j] = cur[j-1]
			}
		default:
			for j := 1; j <= len(s); j++ {
				next[j] = cur[j-1] && s[j-1] == p[i]
			}
		}
		cur = next
	}
	return cur[len(s)]
}

func BenchmarkWildcard(b *testing.B) {
	for _, c := range []struct{ name, pattern, text string }{
		{"exact", "https://d.test/videos/a.mp4", "https://d.test/videos/a.mp4"},
		{"prefix", "https://d.test/videos/*", "https://d.test/videos/a/b/c/d.mp4?x=1"},
		{"nfa", "http*://d.test/videos/*.mp4?quality=*", "https://d.test/videos/a/b/c/d.mp4?quality=hd"},
		{"adversarial", strings.Repeat("*a", 64) + "*b", strings.Repeat("a", 4096)},
	} {
		p := compilePattern(c.pattern)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.match(c.text)
			}
		})
	}
}
