package route

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

type patternCase struct {
	pattern, path string
	want          bool
}

var patternCases = []patternCase{
	// exact literal
	{"/index.html", "/index.html", true},
	{"/index.html", "/index.htm", false},
	{"/index.html", "/index.html/", false},
	{"/Index.html", "/index.html", false}, // case-sensitive
	{"/a.b", "/axb", false},               // '.' is literal
	{"index.html", "/index.html", true},   // leading '/' implied
	// prefix*
	{"/images/*", "/images/", true},
	{"/images/*", "/images/a/b/c.png", true},
	{"/images/*", "/images", false},
	{"/images/*", "/Images/a", false},
	{"images/*", "/images/a", true},
	{"*", "/", true},
	{"*", "/anything/at/all", true},
	{"/*", "/x", true},
	// prefix*suffix and *suffix
	{"*.jpg", "/a.jpg", true},
	{"*.jpg", "/a/b/c.jpg", true}, // '*' crosses '/'
	{"*.jpg", "/a.jpeg", false},
	{"*.jpg", "/a.JPG", false},
	{"/img/*.png", "/img/.png", true},
	{"/img/*.png", "/img/a/b.png", true},
	{"/img/*.png", "/img.png", false},
	{"/ab*ba", "/aba", false}, // prefix and suffix must not overlap
	{"/ab*ba", "/abba", true},
	// '?': exactly one character (a UTF-8 rune)
	{"/?.txt", "/a.txt", true},
	{"/?.txt", "/.txt", false},
	{"/?.txt", "/ab.txt", false},
	{"/?.txt", "/é.txt", true},   // 2-byte rune
	{"/?.txt", "/中.txt", true},   // 3-byte rune
	{"/?.txt", "/😀.txt", true},   // 4-byte rune
	{"/??.txt", "/é.txt", false}, // é is one character, not two bytes
	{"/??.txt", "/éé.txt", true},
	{"/?", "/", false},
	{"/v?/*", "/v1/x", true},
	{"/v?/*", "/v10/x", false},
	{"/a?c", "/a/c", true}, // '?' matches '/'
	{"*?", "/", false},     // "?" needs a character after the implied '/'
	{"*?", "/a", true},
	{"/*?", "/é", true},
	{"/x/?*", "/x/", false},
	{"/x/?*", "/x/é", true},
	{"*.?s", "/app.js", true},
	{"*.?s", "/app.çs", true},
	{"*.?s", "/app.css", false},
	// bytes that are not valid UTF-8 count as one character each
	{"/?", "/\xff", true},
	{"/??", "/\xe4\xb8", true},
	{"/?", "/\xe4\xb8", false},
	{"*?b", "/\xe4\xb8b", true},
	{"/*??", "/a\xe4\xb8", true},
	{"/*a??b*", "/xa\xe4\xb8bx", true},
	// many stars
	{"/*/*/*", "/a/b/c", true},
	{"/*/*/*", "/a/b", false},
	{"/**", "/", true},
	{"/a**b", "/ab", true},
	{"/*a*a*a*a*b", "/" + strings.Repeat("a", 100), false},
	{"/*a*a*a*a*b", "/" + strings.Repeat("a", 100) + "b", true},
	{"/*a*b*c*", "/xxaxxbxxcxx", true},
	{"/*a*b*c*", "/xxcxxbxxaxx", false},
	{"/*a?b*", "/zaxbz", true},
	{"/*a?b*", "/zaxxbz", false},
	{"/*a?b*", "/aéb", true},
	{"/*?a?*", "/xa", false},
	{"/*?a?*", "/xay", true},
	{"/*ab?*ab?", "/abxab", false}, // middle and tail must not overlap
	{"/*ab?*ab?", "/abxabx", true},
	{"/*中?文*", "/x中a文y", true},
	{"/*中?文*", "/x中文y", false},
	// literal characters that are special elsewhere
	{"/a+b(c)[d]{e}$^|.txt", "/a+b(c)[d]{e}$^|.txt", true},
	{"/%41", "/%41", true}, // matched against the decoded path: '%' is literal
	{"/%41", "/A", false},
}

func TestPatternMatch(t *testing.T) {
	for _, tc := range patternCases {
		p, err := CompilePattern(tc.pattern)
		if err != nil {
			t.Errorf("CompilePattern(%q): %v", tc.pattern, err)
			continue
		}
		if got := p.Match(tc.path); got != tc.want {
			t.Errorf("CompilePattern(%q).Match(%q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
		if ref := referenceMatch(t, tc.pattern, tc.path); ref != tc.want {
			t.Errorf("reference(%q, %q) = %v, want %v (the test case is wrong)", tc.pattern, tc.path, ref, tc.want)
		}
	}
}

func TestCompilePatternErrors(t *testing.T) {
	cases := []struct{ pattern, want string }{
		{"", "empty path pattern"},
		{"/" + strings.Repeat("a", 255), "longer than 255 bytes"},
		{"/\xff*", "invalid UTF-8"},
		{"/a\x00*", "control character"},
		{"/a\n", "control character"},
		{"/a\\b", "backslash"},
	}
	for _, tc := range cases {
		_, err := CompilePattern(tc.pattern)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CompilePattern(%q) = %v, want error containing %q", tc.pattern, err, tc.want)
		}
	}
	if _, err := CompilePattern("/" + strings.Repeat("é", 127)); err != nil {
		t.Errorf("254-byte pattern: %v", err)
	}
}

func TestPatternString(t *testing.T) {
	for _, s := range []string{"*", "images/*.jpg", "/a?b*"} {
		p, err := CompilePattern(s)
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != s {
			t.Errorf("String() = %q, want %q", p.String(), s)
		}
	}
	var zero Pattern
	if zero.Match("/") || zero.Match("") {
		t.Error("the zero Pattern matched")
	}
}

// TestPatternLinear checks that adversarial patterns finish: a
// backtracking matcher takes exponential time on these.
func TestPatternLinear(t *testing.T) {
	p, err := CompilePattern("/" + strings.Repeat("*a", 60) + "*b")
	if err != nil {
		t.Fatal(err)
	}
	path := "/" + strings.Repeat("a", 8000)
	if p.Match(path) {
		t.Error("matched without a 'b'")
	}
	q, _ := CompilePattern("/" + strings.Repeat("*?a", 40) + "*?b")
	if q.Match(path) {
		t.Error("matched without a 'b'")
	}
}

func TestPatternMatchAllocs(t *testing.T) {
	for _, tc := range patternCases {
		p, _ := CompilePattern(tc.pattern)
		if n := testing.AllocsPerRun(10, func() { p.Match(tc.path) }); n != 0 {
			t.Errorf("%q.Match(%q): %v allocs", tc.pattern, tc.path, n)
		}
	}
}

// referenceMatch matches with a regular expression built from the
// pattern: the specification, written a second way.
func referenceMatch(t testing.TB, pattern, path string) bool {
	if !strings.HasPrefix(pattern, "/") {
		pattern = "/" + pattern
	}
	var re strings.Builder
	re.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(`.*`)
		case '?':
			re.WriteString(`.`)
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString(`$`)
	rx, err := regexp.Compile(re.String())
	if err != nil {
		t.Fatalf("reference for %q: %v", pattern, err)
	}
	return rx.MatchString(path)
}

func FuzzPatternMatch(f *testing.F) {
	for _, tc := range patternCases {
		f.Add(tc.pattern, tc.path)
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		got := p.Match(path)
		// Go's regexp reads an invalid byte as U+FFFD, so a literal U+FFFD
		// in a pattern would match it there; the matcher compares bytes.
		if !utf8.ValidString(path) && strings.ContainsRune(pattern, utf8.RuneError) {
			return
		}
		if want := referenceMatch(t, pattern, path); got != want {
			t.Errorf("CompilePattern(%q).Match(%q) = %v, reference says %v", pattern, path, got, want)
		}
	})
}
