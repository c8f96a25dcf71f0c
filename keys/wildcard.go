package keys

import "strings"

// pattern is a compiled Resource: '*' matches any run of bytes (including
// none), '?' exactly one byte, anything else itself. Matching is over
// bytes, not runes, and case-sensitive.
//
// The general case runs the pattern as an NFA over a bitset of pattern
// positions (the Shift-And technique): one pass over the text, no
// backtracking, O(len(text) * len(pattern)/64) time whatever the pattern,
// so "*a*a*a*a*b" against a long run of "a" costs the same as any other
// pattern of its length. Patterns without wildcards, or whose only
// wildcard is a final '*', are compared directly.
type pattern struct {
	kind patternKind
	lit  string // patExact, patPrefix: the literal; patNFA: the literal prefix before the first wildcard

	// patNFA: positions 0..n-1 of the pattern (runs of '*' collapsed), and
	// state n, "all matched". Bit i of a set is position i.
	n     int
	words int
	star  []uint64   // positions holding '*'
	any   []uint64   // positions holding '?'
	slot  [256]uint8 // byte -> 1+index into lits, 0 if the byte is not in the pattern
	lits  [][]uint64 // positions holding each literal byte
}

type patternKind uint8

const (
	patAll    patternKind = iota // "*"
	patExact                     // no wildcards
	patPrefix                    // literal, then one final '*'
	patNFA
)

// compilePattern compiles a Resource pattern.
func compilePattern(p string) *pattern {
	first := strings.IndexAny(p, "*?")
	switch {
	case first < 0:
		return &pattern{kind: patExact, lit: p}
	case strings.Trim(p, "*") == "":
		return &pattern{kind: patAll}
	case first == len(p)-1 && p[first] == '*':
		return &pattern{kind: patPrefix, lit: p[:first]}
	}
	// Collapse runs of '*': "a**b" matches what "a*b" matches, and with
	// no two stars adjacent one closure step after each byte suffices.
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '*' && i > 0 && p[i-1] == '*' {
			continue
		}
		b.WriteByte(p[i])
	}
	q := b.String()
	pt := &pattern{kind: patNFA, lit: p[:first], n: len(q)}
	pt.words = (len(q) + 1 + 63) / 64
	pt.star = make([]uint64, pt.words)
	pt.any = make([]uint64, pt.words)
	for i := 0; i < len(q); i++ {
		bit, w := uint64(1)<<(i%64), i/64
		switch c := q[i]; c {
		case '*':
			pt.star[w] |= bit
		case '?':
			pt.any[w] |= bit
		default:
			if pt.slot[c] == 0 {
				pt.lits = append(pt.lits, make([]uint64, pt.words))
				pt.slot[c] = uint8(len(pt.lits))
			}
			pt.lits[pt.slot[c]-1][w] |= bit
		}
	}
	return pt
}

// match reports whether the whole of s matches the pattern.
func (pt *pattern) match(s string) bool {
	switch pt.kind {
	case patAll:
		return true
	case patExact:
		return s == pt.lit
	case patPrefix:
		return strings.HasPrefix(s, pt.lit)
	}
	if !strings.HasPrefix(s, pt.lit) {
		return false
	}
	var buf [16]uint64
	var d, nx []uint64
	if 2*pt.words <= len(buf) {
		d, nx = buf[:pt.words], buf[pt.words:2*pt.words]
	} else {
		m := make([]uint64, 2*pt.words)
		d, nx = m[:pt.words], m[pt.words:]
	}
	d[0] = 1 // state 0
	pt.closure(d)
	for i := 0; i < len(s); i++ {
		var lit []uint64
		if k := pt.slot[s[i]]; k != 0 {
			lit = pt.lits[k-1]
		}
		alive := uint64(0)
		var carry uint64
		for w := 0; w < pt.words; w++ {
			adv := pt.any[w]
			if lit != nil {
				adv |= lit[w]
			}
			adv &= d[w]
			// Advance the positions that consumed s[i] (shift left by one
			// across words); positions on a '*' stay.
			nx[w] = adv<<1 | carry | d[w]&pt.star[w]
			carry = adv >> 63
			alive |= nx[w]
		}
		if alive == 0 {
			return false
		}
		d, nx = nx, d
		pt.closure(d)
	}
	last := pt.n
	return d[last/64]&(1<<(last%64)) != 0
}

// closure adds, for every active '*' position i, position i+1: a star may
// match the empty string.
func (pt *pattern) closure(d []uint64) {
	var carry uint64
	for w := 0; w < pt.words; w++ {
		s := d[w] & pt.star[w]
		d[w] |= s<<1 | carry
		carry = s >> 63
	}
}
