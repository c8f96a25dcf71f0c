package rules

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"

	re2 "github.com/wasilibs/go-re2"
)

// The fast path of @rx: RE2 says "no match" sooner.
//
// Go's regexp runs a pattern without a literal prefix by simulating it
// at every position of the value, with its backtracker for small
// programs and its NFA beyond 500 instructions, at a cost that grows with
// the pattern's size. The CRS has about two hundred such patterns (the
// largest, the Unix command lists of the 932 rules, are 3 to 9 KB of
// text), many with no literal every match needs (rxneed.go), so they run
// on every cookie name, argument and header: under benign load they took
// a fifth of the gateway's CPU. RE2 (github.com/wasilibs/go-re2, the C++
// library compiled to Go: no cgo) runs them with a lazily built DFA, 3
// to 15 times faster on such values even with the cost of the call.
//
// It is used for one answer only: "no match". When RE2 says a value does
// not match, that is the verdict; when it says it matches, Go's regexp
// decides (and gives the groups), so a match is always Go's. RE2 and Go
// implement the same syntax and semantics on valid UTF-8 (Go's regexp
// is modelled on RE2; TestRXFastSound checks every CRS pattern that has
// a fast path on every value of the CRS regression suite, FuzzRXFast
// random values); on invalid UTF-8 they differ (Go reads each bad byte
// as U+FFFD, RE2 stops), so such values go to Go's regexp alone. A
// pattern RE2 does not compile keeps Go's regexp alone.
//
// The price: RE2 compiles the CRS in about 0.2 s more when a process
// first builds an engine (engines built while another is alive share
// the compiled patterns) and holds about 6 MB more.

// rxFastMinInst is the smallest program, in instructions, that gets the
// fast path: below it, Go's regexp is as quick as a call into RE2.
const rxFastMinInst = 10

// compileFast returns RE2's compilation of pattern when it should pay,
// else nil. It pays for every pattern but the tiniest and those with a
// literal prefix, which Go's regexp finds with a substring search
// before it runs the pattern at all.
func compileFast(pattern string, re *regexp.Regexp) *re2.Regexp {
	if prefix, _ := re.LiteralPrefix(); prefix != "" {
		return nil
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil || len(prog.Inst) < rxFastMinInst {
		return nil
	}
	fast, err := re2.Compile(pattern)
	if err != nil {
		return nil
	}
	return fast
}

// ruledOutFast reports whether the fast path proves value does not match.
func (p *rxPattern) ruledOutFast(value string) bool {
	return p.fast != nil && utf8.ValidString(value) && !p.fast.MatchString(value)
}
