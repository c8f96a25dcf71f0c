package rules

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/rules/crstest"
)

func TestRXNeedOf(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    []string // nil: nothing needed
	}{
		{`abc`, []string{"ABC"}},
		{`(?i)select`, []string{"SELECT"}},
		{`a+b*`, []string{"A"}},
		{`x(?:foo|bar)y`, []string{"BAR", "FOO"}}, // longer than x or y
		{`(?:foo|bar|)`, nil},                     // a branch needs nothing
		{`(?:foo|.)`, nil},
		{`(?:abc)?`, nil},
		{`(?:abc)*`, nil},
		{`(?:abc){2,3}`, []string{"ABC"}}, // Simplify spells out the repeat
		{`(?:abc){0,3}`, nil},
		{`[a-z]+`, nil},
		{`^$`, nil},
		{`\bon[a-z]{3,50}=`, []string{"="}}, // = is rarer in benign text than letters
		{`x[;|&]y`, []string{"&", ";", "|"}},
		{`(?i)[ab]+`, []string{"A", "B"}}, // folded
		{`x[a-z]y`, []string{"X"}},        // too many characters to list
		{`(?:foo|[<>])`, []string{"<", ">", "FOO"}},
		{`\x{fffd}x`, nil},       // U+FFFD matches any byte that is not UTF-8
		{`(?i)ſ`, []string{"S"}}, // the long s folds with s and S
		{`(?i)\x{212a}`, []string{"K"}},
		{`é`, []string{"É"}},
	} {
		n := newRXNeed("(?sm)" + c.pattern)
		var got []string
		if n != nil {
			got = n.lits
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("need of %q = %q, want %q", c.pattern, got, c.want)
		}
	}
}

func TestRXNeedMayMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{`(?i)select`, "SeLeCt 1", true},
		{`(?i)select`, "hello", false},
		{`select`, "SELECT", true}, // case-sensitive literals are checked in one case: maybe
		{`(?i)k`, "\u212a", true},  // not ASCII: the regular expression decides
		{`x`, "", false},
		{`(?:a1|b2|c3|d4|e5|f6)`, "zzzf6", true}, // a long list, as byte pairs
		{`(?:a1|b2|c3|d4|e5|f6)`, "zzzf7", false},
		{`(?:a|bb|cc|dd|ee|ff)`, "xa", true},
		{`(?:a|bb|cc|dd|ee|ff)`, "xb", false},
		{`q`, strings.Repeat("z", 600) + "Q", true}, // past the stack buffer
	} {
		n := newRXNeed("(?sm)" + c.pattern)
		if got := n.mayMatch(c.value); got != c.want {
			t.Errorf("%q may match %q = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

// TestRXNeedSound: no CRS @rx pattern matches a value its need rules
// out, over every value of the CRS regression suite's requests (raw,
// decoded and lowercased, as the CRS's transformations leave them) and
// benign ones. It also reports how often needs rule benign values out.
func TestRXNeedSound(t *testing.T) {
	if raceEnabled {
		t.Skip("single-threaded and exhaustive, minutes under the race detector: make test runs it without -race")
	}
	if testing.Short() {
		t.Skip("every CRS pattern against every suite value; run without -short")
	}
	values, benign := crsSuiteValues(t)
	withNeed, ruledOut, benignChecks := 0, 0, 0
	for _, p := range crsRXPatterns(t) {
		pattern := "(?sm)" + p
		n := newRXNeed(pattern)
		if n == nil || spellsNonUTF8(pattern) {
			continue
		}
		withNeed++
		re := regexp.MustCompile(pattern)
		for _, v := range values {
			if !n.mayMatch(v) && re.MatchString(v) {
				t.Fatalf("%q matches %q, which its need %q rules out", p, v, n.lits)
			}
		}
		for _, v := range benign {
			benignChecks++
			if !n.mayMatch(v) {
				ruledOut++
			}
		}
	}
	t.Logf("%d values; %d patterns have a need; it rules out %d of %d benign checks", len(values), withNeed, ruledOut, benignChecks)
}

// crsSuiteValues is every value of the CRS regression suite (URIs, their
// parameters, bodies and their values, headers; each as sent, lower-cased
// and URL-decoded) and benign values as browsers send them.
func crsSuiteValues(t *testing.T) (values, benign []string) {
	t.Helper()
	tests, err := crstest.LoadSuite("../testdata/crs/tests")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	add := func(v string) {
		for _, w := range []string{v, strings.ToLower(v)} {
			if len(w) <= 4096 {
				seen[w] = true
			}
		}
		if d, err := url.QueryUnescape(v); err == nil && d != v {
			seen[d], seen[strings.ToLower(d)] = true, true
		}
	}
	for _, tc := range tests {
		for _, st := range tc.Stages {
			in := st.Input
			if in.URI != nil {
				add(*in.URI)
				if _, q, ok := strings.Cut(*in.URI, "?"); ok {
					for _, kv := range strings.Split(q, "&") {
						k, v, _ := strings.Cut(kv, "=")
						add(k)
						add(v)
					}
				}
			}
			if in.Data != nil {
				add(*in.Data)
				for _, kv := range strings.Split(*in.Data, "&") {
					_, v, _ := strings.Cut(kv, "=")
					add(v)
				}
			}
			for _, h := range in.Headers {
				add(h)
			}
		}
	}
	benign = []string{"home", "price", "desk lamp", "visitor42@example.com", "Hello there, please call me back about order 17",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "en-GB,en;q=0.9", "/products/42", "5f2b8c1e9a"}
	for _, v := range benign {
		add(v)
	}
	values = make([]string, 0, len(seen))
	for v := range seen {
		values = append(values, v)
	}
	return values, benign
}
