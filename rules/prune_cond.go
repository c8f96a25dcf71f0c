package rules

import (
	"math/bits"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A cond is a condition on the bytes of a value that an operator's
// match needs: "holds a byte of this set", and all-of and any-of
// those. It is read from the operator's argument so that it is implied
// by every match: if a value's bytes (or a superset of them) fail the
// cond, the operator cannot match the value.
type cond struct {
	op   condOp
	set  byteSet // condByte
	subs []cond  // condAll, condAny
	// gates, of a condAny: for each part, bytes one of which it needs
	// (gate), checked before the part is: most parts of a large
	// alternation fail there, in a contiguous array.
	gates []byteSet
}

type condOp uint8

const (
	condTrue  condOp = iota // nothing is needed
	condFalse               // nothing matches
	condByte                // a byte of set
	condAll                 // every one of subs
	condAny                 // one of subs
)

var (
	trueCond  = cond{op: condTrue}
	falseCond = cond{op: condFalse}
)

func byteCond(s byteSet) cond {
	if s == (byteSet{}) {
		return falseCond
	}
	return cond{op: condByte, set: s}
}

// holds reports whether bytes s can satisfy c.
func (c *cond) holds(s *byteSet) bool {
	switch c.op {
	case condTrue:
		return true
	case condByte:
		return c.set.meets(s)
	case condAll:
		for i := range c.subs {
			if !c.subs[i].holds(s) {
				return false
			}
		}
		return true
	case condAny:
		for i := range c.gates {
			if g := &c.gates[i]; (*g == allBytes || g.meets(s)) && c.subs[i].holds(s) {
				return true
			}
		}
	}
	return false
}

// gate is bytes one of which c needs: its own, those of the part of a
// conjunction checked first, any of an alternation's; every byte (which
// holds checks as no gate) where c needs nothing.
func gate(c *cond) byteSet {
	switch c.op {
	case condByte:
		return c.set
	case condAll:
		return gate(&c.subs[0])
	case condAny:
		var g byteSet
		for i := range c.subs {
			p := gate(&c.subs[i])
			g.union(&p)
		}
		return g
	case condFalse:
		return byteSet{}
	}
	return allBytes
}

// compact lays c out for checking: its nodes in one array, in the order
// they are checked.
func compact(c cond) cond {
	n := c.size()
	arena := make([]cond, 0, n)
	var place func(c *cond) cond
	place = func(c *cond) cond {
		out := cond{op: c.op, set: c.set, gates: c.gates}
		if len(c.subs) == 0 {
			return out
		}
		start := len(arena)
		arena = append(arena, c.subs...)
		out.subs = arena[start:len(arena):len(arena)]
		for i := range out.subs {
			out.subs[i] = place(&c.subs[i])
		}
		return out
	}
	return place(&c)
}

// allOf is the conjunction of cs, simplified: true parts dropped, a
// false part makes it false, and a byte set implied by a smaller one
// dropped.
func allOf(cs []cond) cond {
	var out []cond
	for _, c := range cs {
		switch c.op {
		case condTrue:
			continue
		case condFalse:
			return falseCond
		case condAll:
			out = append(out, c.subs...)
		default:
			out = append(out, c)
		}
	}
	out = dropImplied(out)
	switch len(out) {
	case 0:
		return trueCond
	case 1:
		return out[0]
	}
	// The byte conds first, the most selective first: on a benign value
	// a conjunction usually fails at its first part.
	slices.SortStableFunc(out, func(a, b cond) int {
		switch {
		case a.op == condByte && b.op == condByte:
			if rarer(&a.set, &b.set) {
				return -1
			}
			if rarer(&b.set, &a.set) {
				return 1
			}
			return 0
		case a.op == condByte:
			return -1
		case b.op == condByte:
			return 1
		}
		return 0
	})
	return cond{op: condAll, subs: out}
}

// dropImplied removes from a conjunction each byte cond whose set holds
// another's: needing a byte of the smaller set already needs one of it.
func dropImplied(cs []cond) []cond {
	return slices.DeleteFunc(cs, func(c cond) bool {
		if c.op != condByte {
			return false
		}
		for _, d := range cs {
			if d.op == condByte && d.set != c.set && subset(&d.set, &c.set) {
				return true
			}
		}
		return false
	})
}

func subset(a, b *byteSet) bool {
	return a[0]&^b[0]|a[1]&^b[1]|a[2]&^b[2]|a[3]&^b[3] == 0
}

// anyOf is the disjunction of cs, simplified: false parts dropped, a
// true part makes it true, byte conds merged into one.
func anyOf(cs []cond) cond {
	var out []cond
	var bytes byteSet
	for _, c := range cs {
		switch c.op {
		case condTrue:
			return trueCond
		case condFalse:
			continue
		case condByte:
			bytes.union(&c.set)
		case condAny:
			for _, s := range c.subs {
				if s.op == condByte {
					bytes.union(&s.set)
				} else {
					out = append(out, s)
				}
			}
		default:
			out = append(out, c)
		}
	}
	if bytes != (byteSet{}) {
		out = append(out, byteCond(bytes))
	}
	switch len(out) {
	case 0:
		return falseCond
	case 1:
		return out[0]
	}
	// The parts most likely to hold first: where one holds, the check
	// stops there.
	slices.SortStableFunc(out, func(a, b cond) int { return likelihood(&b) - likelihood(&a) })
	gates := make([]byteSet, len(out))
	for i := range out {
		gates[i] = gate(&out[i])
	}
	return cond{op: condAny, subs: out, gates: gates}
}

// size is the number of nodes of c.
func (c *cond) size() int {
	n := 1
	for i := range c.subs {
		n += c.subs[i].size()
	}
	return n
}

// condMaxSize bounds a cond's nodes, so checking one stays a few
// hundred nanoseconds; a larger cond is weakened until it fits.
const condMaxSize = 1024

// bounded weakens c when it has more than condMaxSize nodes (weaken).
func bounded(c cond) cond {
	if c.size() <= condMaxSize {
		return c
	}
	return weaken(c)
}

// weaken is a single byte cond (or true, or false) implied by c: of a
// conjunction, its most selective part; of a disjunction, the union of
// its parts' byte sets.
func weaken(c cond) cond {
	switch c.op {
	case condAll:
		best := trueCond
		for _, s := range c.subs {
			w := weaken(s)
			if w.op == condFalse {
				return falseCond
			}
			if w.op == condByte && (best.op != condByte || rarer(&w.set, &best.set)) {
				best = w
			}
		}
		return best
	case condAny:
		var bytes byteSet
		for _, s := range c.subs {
			w := weaken(s)
			if w.op == condTrue {
				return trueCond
			}
			if w.op == condByte {
				bytes.union(&w.set)
			}
		}
		return byteCond(bytes)
	}
	return c
}

// likelihood scores how likely benign text meets c: the common bytes
// of the rarest part a conjunction needs, the likeliest alternative.
func likelihood(c *cond) int {
	switch c.op {
	case condTrue:
		return 1 << 10
	case condByte:
		return common(&c.set)
	case condAll:
		n := 1 << 10
		for i := range c.subs {
			n = min(n, likelihood(&c.subs[i]))
		}
		return n
	case condAny:
		n := 0
		for i := range c.subs {
			n = max(n, likelihood(&c.subs[i]))
		}
		return n
	}
	return 0
}

// commonBytes are what benign text is made of: letters, digits, space
// and the punctuation of prose and addresses.
var commonBytes = func() byteSet {
	s := bytesOf(" .,-_/:@=&+")
	s.union(&upperASCII)
	s.union(&lowerASCII)
	s.union(&digitBytes)
	return s
}()

// rarer reports whether needing a byte of a rules out more benign
// values than needing one of b: fewer common bytes, then fewer bytes.
func rarer(a, b *byteSet) bool {
	ca, cb := common(a), common(b)
	if ca != cb {
		return ca < cb
	}
	return count(a) < count(b)
}

func common(s *byteSet) int {
	n := 0
	for i := range s {
		n += bits.OnesCount64(s[i] & commonBytes[i])
	}
	return n
}

func count(s *byteSet) int {
	n := 0
	for i := range s {
		n += bits.OnesCount64(s[i])
	}
	return n
}

// regexCond is what every match of pattern (as Go's regexp compiles it,
// the way the @rx operator does) needs of the matched value's bytes.
// A rune the pattern consumes is a byte of the value if it is ASCII,
// or else some byte of 0x80 or more (regexp reads a byte that is not
// UTF-8 as U+FFFD, which is not ASCII either).
func regexCond(pattern string) (cond, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return cond{}, false
	}
	return bounded(reCond(re.Simplify())), true
}

func reCond(re *syntax.Regexp) cond {
	switch re.Op {
	case syntax.OpNoMatch:
		return falseCond
	case syntax.OpLiteral:
		parts := make([]cond, 0, len(re.Rune))
		for _, r := range re.Rune {
			parts = append(parts, byteCond(runeBytes(r, re.Flags&syntax.FoldCase != 0)))
		}
		return allOf(parts)
	case syntax.OpCharClass:
		var s byteSet
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo < utf8.RuneSelf {
				s.addRange(byte(lo), byte(min(hi, utf8.RuneSelf-1)))
			}
			if hi >= utf8.RuneSelf {
				s.union(&highBytes)
			}
		}
		return byteCond(s)
	case syntax.OpAnyCharNotNL:
		s := allBytes
		s[0] &^= 1 << '\n'
		return byteCond(s)
	case syntax.OpAnyChar:
		return byteCond(allBytes)
	case syntax.OpCapture, syntax.OpPlus:
		return reCond(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reCond(re.Sub[0])
		}
		return trueCond
	case syntax.OpConcat:
		parts := make([]cond, 0, len(re.Sub))
		for _, sub := range re.Sub {
			parts = append(parts, reCond(sub))
		}
		return allOf(parts)
	case syntax.OpAlternate:
		parts := make([]cond, 0, len(re.Sub))
		for _, sub := range re.Sub {
			parts = append(parts, reCond(sub))
		}
		return anyOf(parts)
	}
	// Empty matches, anchors, word boundaries, *, ?: nothing needed.
	return trueCond
}

// runeBytes is the bytes that show a value holds r (or, folding case,
// a rune of r's case folding orbit).
func runeBytes(r rune, fold bool) byteSet {
	var s byteSet
	add := func(r rune) {
		if r < utf8.RuneSelf {
			s.add(byte(r))
		} else {
			s.union(&highBytes)
		}
	}
	add(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			add(f)
		}
	}
	return s
}

// phrasesCond is what @pm needs: one of the phrases, compared in ASCII
// case-insensitively (Coraza's Aho-Corasick matcher; it lowercases the
// phrases first, which literalCond's folding and its any-high-byte for
// other bytes cover).
func phrasesCond(phrases []string) cond {
	parts := make([]cond, 0, len(phrases))
	for _, p := range phrases {
		parts = append(parts, literalCond(p, true))
	}
	return bounded(anyOf(parts))
}

// literalCond is what holding the string lit needs: each of its ASCII
// bytes (in either case, when fold), and some byte of 0x80 or more for
// each of its other bytes.
func literalCond(lit string, fold bool) cond {
	parts := make([]cond, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		var s byteSet
		switch c := lit[i]; {
		case c >= utf8.RuneSelf:
			s = highBytes
		case fold && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'):
			s.add(c)
			s.add(c ^ 0x20)
		default:
			s.add(c)
		}
		parts = append(parts, byteCond(s))
	}
	return allOf(parts)
}

// byteRangeCond is what @validateByteRange's match needs: a byte
// outside the ranges ("9,10,13,32-126"), or false if they cannot be
// read.
func byteRangeCond(arg string) (cond, bool) {
	var allowed byteSet
	for part := range strings.SplitSeq(arg, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		l, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 8)
		if err != nil {
			return cond{}, false
		}
		h := l
		if isRange {
			if h, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 8); err != nil || h < l {
				return cond{}, false
			}
		}
		allowed.addRange(byte(l), byte(h))
	}
	var outside byteSet
	for i := range outside {
		outside[i] = ^allowed[i]
	}
	return byteCond(outside), true
}
