package rules

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// FuzzSplitDirectives: any rule file splits without panicking, each
// directive starts at a line of the file, in order, and nothing but
// comments and blank lines is lost.
func FuzzSplitDirectives(f *testing.F) {
	for _, s := range []string{
		"# site rules\nSecRule ARGS \"@rx ok\" \"id:100001,phase:1,deny\"\n\nSecRule ARGS \"@nope x\" \\\n  \"id:100002,phase:1,deny\"\n",
		"SecFoo bar\n", "SecDataset x `\na\nb\n`\n", "\\\n", "`", "a\\", "\r\n\r\n#x\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		ds := splitDirectives(RuleFile{Name: "f.conf", Data: []byte(data)})
		lines := strings.Split(data, "\n")
		last := 0
		for _, d := range ds {
			if d.line <= last || d.line > len(lines) {
				t.Fatalf("directive at line %d after %d (of %d)", d.line, last, len(lines))
			}
			last = d.line
			if d.text == "" {
				t.Fatal("an empty directive")
			}
		}
	})
}

// FuzzParseTarget: a target either parses or is refused; a parsed one
// has a key of the allowed characters only (it cannot smuggle SecLang).
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"ARGS:q", "REQUEST_COOKIES", "ARGS:q\" ,deny", "NOPE:x", "args:q", "ARGS:", ":q", "REQUEST_HEADERS:User-Agent"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := parseTarget(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(tg.key, "\"', \n") {
			t.Fatalf("%q parsed to key %q", s, tg.key)
		}
	})
}

// FuzzGlob: the pattern matches itself when it has no wildcards, and
// compiles whatever it holds.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"/api/upload/*", "/search", "/item/?", "*", "/a(b)[c]", "/\n*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		xs, err := compileExclusions([]Exclusion{{Path: p}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.ContainsAny(p, "*?") && !xs[0].path.MatchString(p) {
			t.Fatalf("%q does not match itself", p)
		}
	})
}

// FuzzMemoRX: the remembering @rx operator, its need checked first,
// answers what the regular expression answers, with the same groups,
// the first time and when the verdict is remembered; and spellsNonUTF8
// never panics.
func FuzzMemoRX(f *testing.F) {
	for _, s := range [][2]string{
		{`^(\w+)-(\d+)$`, "order-42"}, {`(?i)<script[^>]*>`, "<SCRIPT src=x>"}, {`(a)?(b)`, "b"},
		{`\x{ff}x`, "\xffx"}, {`[\n\r]`, "a\nb"}, {`(?:^|[/;\x5c])\.{2,3}[/;\x5c]`, "../x"}, {`\xc3`, "\xc3"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		nonUTF8 := spellsNonUTF8("(?sm)" + pattern)
		re, err := regexp.Compile("(?sm)" + pattern)
		if err != nil || nonUTF8 {
			return
		}
		op := &memoRX{&rxPattern{re: re, need: newRXNeed("(?sm)" + pattern), id: rxPatternIDs.Add(1)}}
		want := re.FindStringSubmatch(value)
		for range 2 {
			tx := &captureTx{capturing: true}
			if got := op.Evaluate(tx, value); got != (want != nil) {
				t.Fatalf("%q on %q: %v", pattern, value, got)
			}
			if want != nil && !slices.Equal(tx.fields, want[:min(len(want), maxCaptures)]) {
				t.Fatalf("%q on %q: groups %q, want %q", pattern, value, tx.fields, want)
			}
		}
	})
}
