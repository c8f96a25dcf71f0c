package rules

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

// TestRXFastSound: for every CRS pattern with a fast path, RE2 never
// says "no match" where Go's regexp matches, on every valid UTF-8 value
// of the CRS regression suite (the fast path is only asked about those).
func TestRXFastSound(t *testing.T) {
	if raceEnabled {
		t.Skip("single-threaded and exhaustive, minutes under the race detector: make test runs it without -race")
	}
	if testing.Short() {
		t.Skip("every large CRS pattern against every suite value; run without -short")
	}
	values, _ := crsSuiteValues(t)
	fastPatterns, checks, matches := 0, 0, 0
	for _, p := range crsRXPatterns(t) {
		pattern := "(?sm)" + p
		fast := compileFast(pattern, regexp.MustCompile(pattern))
		if fast == nil || spellsNonUTF8(pattern) {
			continue
		}
		fastPatterns++
		re := regexp.MustCompile(pattern)
		for _, v := range values {
			if !utf8.ValidString(v) {
				continue
			}
			checks++
			want := re.MatchString(v)
			if want {
				matches++
			}
			if want && !fast.MatchString(v) {
				t.Fatalf("%.80q matches %q with Go's regexp, not with RE2", p, v)
			}
		}
	}
	if fastPatterns < 20 {
		t.Fatalf("only %d CRS patterns have a fast path", fastPatterns)
	}
	t.Logf("%d patterns with a fast path, %d checks, %d matches", fastPatterns, checks, matches)
}

// FuzzRXFast: a large CRS pattern (by index) on any value: RE2's "no
// match" is never wrong.
func FuzzRXFast(f *testing.F) {
	for i, v := range []string{"session", "; cat /etc/passwd", "${IFS}wget x", "visitor1@example.com", "a\nb", "\xffcat"} {
		f.Add(i, v)
	}
	type pair struct {
		re   *regexp.Regexp
		fast *rxPattern
	}
	var large []pair
	f.Fuzz(func(t *testing.T, i int, value string) {
		if large == nil {
			for _, p := range crsRXPatterns(t) {
				pattern := "(?sm)" + p
				if fast := compileFast(pattern, regexp.MustCompile(pattern)); fast != nil && !spellsNonUTF8(pattern) {
					re := regexp.MustCompile(pattern)
					large = append(large, pair{re, &rxPattern{re: re, fast: fast}})
				}
			}
		}
		if i < 0 {
			i = -i
		}
		p := large[i%len(large)]
		if p.fast.ruledOutFast(value) && p.re.MatchString(value) {
			t.Fatalf("%.80q matches %q with Go's regexp; the fast path ruled it out", p.re, value)
		}
	})
}
