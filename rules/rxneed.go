package rules

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// A pattern's need: text that every match contains, checked before the
// regular expression runs on a value the cache has not seen (rxmemo.go).
// Nearly all CRS patterns fail on benign values, and most of them need
// some literal (`<`, `select`, `/etc/`, one of a list of commands) that a
// benign value lacks; finding that out is a scan of the value against a
// few strings or a table of byte pairs, where the regular expression
// machine costs microseconds.
//
// Sound by construction, so a need can only say "maybe" too often, never
// "no" to a value the pattern matches:
//   - A need is read from the parsed pattern (regexp/syntax, as regexp
//     parses it): a literal needs itself; a concatenation needs what its
//     most selective part needs; an alternation needs one of what its
//     branches need (nothing, if one branch needs nothing); a class of
//     a few characters needs one of them; a group, +, or a repeat at
//     least once needs what its body needs; anything that may match
//     empty or one of many characters (*, ?, ., large classes,
//     anchors) needs nothing.
//   - Literals and values are compared in one case: each rune is taken
//     to the smallest rune of its simple case folding orbit (what (?i)
//     matches), so a case-insensitive literal is found in any case, and
//     a case-sensitive one is still found where it is (the check is
//     weaker there, never wrong).
//   - Only values that are all ASCII are checked (the rest go straight
//     to the regular expression): the regexp package reads a byte that
//     is not UTF-8 as U+FFFD, and non-ASCII folding has cases (the
//     Kelvin sign is a k) this check need not get right. A literal with
//     U+FFFD in it needs nothing.
//   - A long list of literals is cut to the first two bytes of each and
//     checked as a table of byte pairs (a value containing a literal
//     contains its first two bytes).

// rxNeedMaxLits is the longest list of literals an alternation keeps;
// past it the alternation needs nothing.
const rxNeedMaxLits = 512

// rxNeedClassMax is the most characters a class may have and still be
// needed (as one of them).
const rxNeedClassMax = 8

// rxNeedSmall is the longest list of literals checked one by one; a
// longer one is checked as a table.
const rxNeedSmall = 4

type rxNeed struct {
	lits []string // folded; a match contains one of them
	// For a long list: which single bytes and which byte pairs start a
	// literal.
	singles *[256 / 64]uint64
	pairs   *[1 << 16 / 64]uint64
}

// newRXNeed reads what every match of pattern contains, or nil when
// nothing useful can be said.
func newRXNeed(pattern string) *rxNeed {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, ok := needOf(re.Simplify())
	if !ok || len(lits) == 0 {
		return nil
	}
	n := &rxNeed{lits: lits}
	if len(lits) > rxNeedSmall {
		n.singles, n.pairs = new([256 / 64]uint64), new([1 << 16 / 64]uint64)
		for _, l := range lits {
			if len(l) == 1 {
				n.singles[l[0]/64] |= 1 << (l[0] % 64)
				continue
			}
			p := uint16(l[0])<<8 | uint16(l[1])
			n.pairs[p/64] |= 1 << (p % 64)
		}
	}
	return n
}

// needOf is the literals one of which every match of re contains
// (folded, deduplicated); ok false means nothing is needed.
func needOf(re *syntax.Regexp) (lits []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if slices.Contains(re.Rune, utf8.RuneError) || len(re.Rune) == 0 {
			return nil, false
		}
		return []string{foldRunes(re.Rune)}, true
	case syntax.OpCharClass:
		// A few characters: one of them. (Ranges are pairs, inclusive.)
		var lits []string
		for i := 0; i < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo >= rxNeedClassMax || len(lits) >= rxNeedClassMax || (lo <= utf8.RuneError && utf8.RuneError <= hi) {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				lits = append(lits, string(foldRune(r)))
			}
		}
		if len(lits) == 0 || len(lits) > rxNeedClassMax {
			return nil, false
		}
		slices.Sort(lits)
		return slices.Compact(lits), true
	case syntax.OpCapture, syntax.OpPlus:
		return needOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return needOf(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			if l, ok := needOf(sub); ok && betterNeed(l, best) {
				best = l
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l, ok := needOf(sub)
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		slices.Sort(all)
		all = slices.Compact(all)
		if len(all) > rxNeedMaxLits {
			return nil, false
		}
		return all, true
	}
	return nil, false
}

// betterNeed reports whether a is more selective than b (nil) on
// benign values: literals that all hold a character benign text seldom
// has (quotes, brackets, ;, |, <, $, a line break) first, then the
// longer shortest literal, then fewer literals.
func betterNeed(a, b []string) bool {
	if b == nil {
		return true
	}
	if ra, rb := allUncommon(a), allUncommon(b); ra != rb {
		return ra
	}
	short := func(ls []string) int {
		n := len(ls[0])
		for _, l := range ls {
			n = min(n, len(l))
		}
		return min(n, 4) // past four bytes, length says little more
	}
	if sa, sb := short(a), short(b); sa != sb {
		return sa > sb
	}
	return len(a) < len(b)
}

// allUncommon reports whether every literal holds a byte that is not
// a letter, a digit, a space or the punctuation of addresses and
// prose (. , - _ / : @).
func allUncommon(lits []string) bool {
	for _, l := range lits {
		if !strings.ContainsFunc(l, func(r rune) bool {
			return !(r == ' ' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune(".,-_/:@", r))
		}) {
			return false
		}
	}
	return true
}

// foldRune is r's case folding orbit's smallest rune: one
// representative for every rune (?i) treats as r.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

func foldRunes(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// mayMatch reports whether value can contain a match: false only when
// value is ASCII and holds none of the need's literals.
func (n *rxNeed) mayMatch(value string) bool {
	var stack [512]byte
	var folded []byte
	if len(value) <= len(stack) {
		folded = stack[:len(value)]
	} else {
		folded = make([]byte, len(value))
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		folded[i] = c
	}
	if n.pairs == nil {
		for _, l := range n.lits {
			if strings.Contains(unsafeString(folded), l) {
				return true
			}
		}
		return false
	}
	for i, c := range folded {
		if n.singles[c/64]&(1<<(c%64)) != 0 {
			return true
		}
		if i+1 < len(folded) {
			p := uint16(c)<<8 | uint16(folded[i+1])
			if n.pairs[p/64]&(1<<(p%64)) != 0 {
				return true
			}
		}
	}
	return false
}

// unsafeString views b as a string for the length of a call.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
