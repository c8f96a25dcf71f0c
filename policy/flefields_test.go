package policy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/policy"
)

func mustPatterns(t *testing.T, pats ...string) *policy.FieldPatterns {
	t.Helper()
	p, err := policy.NewFieldPatterns(pats)
	if err != nil {
		t.Fatalf("NewFieldPatterns(%q): %v", pats, err)
	}
	return p
}

func TestNewFieldPatternsAccepts(t *testing.T) {
	ten := make([]string, policy.MaxFieldPatterns)
	for i := range ten {
		ten[i] = fmt.Sprintf("field%c", 'a'+i)
	}
	for _, pats := range [][]string{
		{"card_number"},
		{"card_*"},
		{"/payment/card"},
		{"/payment/card_*"},
		{"/cards/0/number"},
		{"/a~0b/c~1d"},
		{"a/b", "a~b"},                   // member names with "/" and "~"
		{"card", "Card", "CARD_*"},       // case-sensitive: no overlap
		{"card_number", "card"},          // neither is a prefix pattern
		{"card_*", "/card/expiry"},       // "card_*" is top level only
		{"/a/b*", "/a/b/c"},              // a prefix stops at "/"
		{"/payment/card_*", "payment_*"}, // different depths
		{strings.Repeat("é", policy.MaxFieldPatternLen)}, // characters, not bytes
		{strings.Repeat("x", policy.MaxFieldPatternLen-1) + "*"},
		ten,
	} {
		p, err := policy.NewFieldPatterns(pats)
		if err != nil {
			t.Errorf("NewFieldPatterns(%q): %v", pats, err)
			continue
		}
		if got := p.Patterns(); !slices.Equal(got, pats) {
			t.Errorf("Patterns() = %q, want %q", got, pats)
		}
	}
}

func TestNewFieldPatternsRejects(t *testing.T) {
	eleven := make([]string, policy.MaxFieldPatterns+1)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("field%c", 'a'+i)
	}
	for _, tc := range []struct {
		name string
		pats []string
		want string
	}{
		{"none", nil, "no field patterns"},
		{"empty list", []string{}, "no field patterns"},
		{"too many", eleven, "11 field patterns: at most 10"},
		{"empty pattern", []string{"a", ""}, `field pattern 2 "": empty`},
		{"not UTF-8", []string{"card\xff"}, "field pattern 1 \"card\\xff\": not valid UTF-8"},
		{"too long", []string{strings.Repeat("x", policy.MaxFieldPatternLen+1)}, "129 characters, at most 128"},
		{"too long with star", []string{strings.Repeat("x", policy.MaxFieldPatternLen) + "*"}, "129 characters, at most 128"},
		{"control character", []string{"card\tnumber"}, "has a control character"},
		{"NUL", []string{"card\x00"}, "has a control character"},
		{"DEL", []string{"card\x7f"}, "has a control character"},
		{"star inside", []string{"card_*_number"}, `"*" may only end a pattern`},
		{"star first", []string{"*_number"}, `"*" may only end a pattern`},
		{"two stars", []string{"card**"}, `"*" may only end a pattern`},
		{"pointer star inside", []string{"/payment/*/number"}, `"*" may only end a pattern`},
		{"star alone", []string{"*"}, `"*" alone would encrypt every field`},
		{"pointer star alone", []string{"/*"}, `nothing before "*" in the last token`},
		{"pointer last token star", []string{"/payment/*"}, `nothing before "*" in the last token`},
		{"root pointer", []string{"/"}, "JSON pointer token 1 is empty"},
		{"empty middle token", []string{"/payment//card"}, "JSON pointer token 2 is empty"},
		{"empty last token", []string{"/payment/"}, "JSON pointer token 2 is empty"},
		{"bad escape", []string{"/a~2b"}, `JSON pointer token 1: "~" must be followed by 0`},
		{"escape at end", []string{"/a/b~"}, `JSON pointer token 2: "~" must be followed by 0`},
		{"escape before star", []string{"/a~*"}, `JSON pointer token 1: "~" must be followed by 0`},
		{"duplicate", []string{"card", "card"}, `field patterns "card" and "card" overlap`},
		{"prefixes overlap", []string{"ABC*", "AB*"}, `field patterns "ABC*" and "AB*" overlap`},
		{"prefix covers name", []string{"card_*", "card_number"}, `"card_*" and "card_number" overlap`},
		{"name covered by later prefix", []string{"card_number", "card_*"}, `"card_number" and "card_*" overlap`},
		{"prefix covers its own name", []string{"card", "card*"}, `"card" and "card*" overlap`},
		{"name and pointer", []string{"card", "/card"}, `"card" and "/card" overlap`},
		{"prefix and pointer", []string{"card_*", "/card_number"}, `"card_*" and "/card_number" overlap`},
		{"escaped name and pointer", []string{"a/b", "/a~1b"}, `"a/b" and "/a~1b" overlap`},
		{"pointer prefixes", []string{"/p/card_*", "/p/card*"}, `"/p/card_*" and "/p/card*" overlap`},
		{"pointer prefix covers pointer", []string{"/p/c*", "/p/cvv"}, `"/p/c*" and "/p/cvv" overlap`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := policy.NewFieldPatterns(tc.pats)
			if p != nil {
				t.Errorf("NewFieldPatterns returned patterns with error %v", err)
			}
			wantErr(t, err, tc.want)
		})
	}
}

func TestFieldPatternsMatchForm(t *testing.T) {
	p := mustPatterns(t, "card_number", "cvv_*", "/payment/card", "a/b", "Exp")
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"card_number", true},
		{"cvv_", true},
		{"cvv_code", true},
		{"cvv_a/b", true}, // a form name is one token
		{"a/b", true},
		{"Exp", true},
		{"card_numbe", false},
		{"card_number2", false},
		{"Card_number", false}, // case-sensitive
		{"CVV_code", false},
		{"cvv", false},
		{"exp", false},
		{"/card_number", false},
		{"a~1b", false},
		{"/payment/card", false}, // pointer patterns never match form fields
		{"payment/card", false},
		{"", false},
	} {
		if got := p.MatchForm(tc.name); got != tc.want {
			t.Errorf("MatchForm(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	var nilP *policy.FieldPatterns
	if nilP.MatchForm("card_number") || nilP.MatchJSON("/card_number") {
		t.Error("a nil *FieldPatterns matches")
	}
}

func TestFieldPatternsMatchJSON(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		yes, no []string
	}{
		{"card_number",
			[]string{"/card_number"},
			[]string{"card_number", "/card_number/x", "/payment/card_number", "/card_numbe", "/Card_number", "/card_number2", "/0/card_number"}},
		{"card_*",
			[]string{"/card_", "/card_expiry", "/card_a~1b"},
			[]string{"/card", "/card/expiry", "/card_x/y", "/payment/card_number", "/Card_expiry"}},
		{"a/b",
			[]string{"/a~1b"},
			[]string{"/a/b", "/a~1b/c"}},
		{"a~b",
			[]string{"/a~0b"},
			[]string{"/a~b", "/a~1b"}},
		{"/payment/card",
			[]string{"/payment/card"},
			[]string{"/payment/card/x", "/payment/cardx", "/payment", "/card", "/Payment/card"}},
		{"/payment/card_*",
			[]string{"/payment/card_", "/payment/card_number"},
			[]string{"/payment/card_x/y", "/payment/card", "/card_number", "/payment/x/card_number"}},
		{"/cards/0/number",
			[]string{"/cards/0/number"},
			[]string{"/cards/1/number", "/cards/0", "/cards/00/number"}},
		{"/cards/1*",
			[]string{"/cards/1", "/cards/10", "/cards/1x"},
			[]string{"/cards/1/number", "/cards/0", "/cards/21"}},
		{"/a~1b/c",
			[]string{"/a~1b/c"},
			[]string{"/a/b/c"}},
	} {
		p := mustPatterns(t, tc.pattern)
		for _, ptr := range tc.yes {
			if !p.MatchJSON(ptr) {
				t.Errorf("pattern %q does not match the pointer %q", tc.pattern, ptr)
			}
		}
		for _, ptr := range tc.no {
			if p.MatchJSON(ptr) {
				t.Errorf("pattern %q matches the pointer %q", tc.pattern, ptr)
			}
		}
	}
}

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// FuzzFieldPatterns: NewFieldPatterns never panics, and what it accepts
// matches the names it was written for. The input is patterns, one per
// line; the seeds are cases of the tables above.
func FuzzFieldPatterns(f *testing.F) {
	for _, s := range []string{
		"card_number", "card_*", "/payment/card", "/payment/card_*", "/cards/0/number", "/a~0b/c~1d",
		"a/b\na~b", "card\nCard\nCARD_*", "card_*\n/card/expiry", "/a/b*\n/a/b/c",
		"", "a\n", "card\xff", "card\tnumber", "card_*_number", "*", "/*", "/payment/*", "card**",
		"ABC*\nAB*", "card\n/card", "/a//b", "/a~2", strings.Repeat("x", policy.MaxFieldPatternLen) + "*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pats := strings.Split(s, "\n")
		p, err := policy.NewFieldPatterns(pats)
		if err != nil {
			if p != nil {
				t.Fatal("patterns with an error")
			}
			return
		}
		if !slices.Equal(p.Patterns(), pats) {
			t.Fatalf("Patterns() = %q, want %q", p.Patterns(), pats)
		}
		for _, pat := range pats {
			name, prefix := strings.CutSuffix(pat, "*")
			if prefix {
				name += "x"
			}
			if strings.HasPrefix(pat, "/") {
				if !p.MatchJSON(name) {
					t.Errorf("pointer pattern %q does not match %q", pat, name)
				}
				continue
			}
			if !p.MatchForm(name) {
				t.Errorf("pattern %q does not match the form field %q", pat, name)
			}
			ptr := "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
			if !p.MatchJSON(ptr) {
				t.Errorf("pattern %q does not match the JSON member %q", pat, ptr)
			}
		}
	})
}
