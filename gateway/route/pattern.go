package route

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxPatternLen is the longest path pattern accepted, in bytes (CloudFront's
// limit is 255 characters).
const MaxPatternLen = 255

// Pattern is a compiled CloudFront cache-behavior path pattern. The zero
// Pattern matches nothing.
//
// Syntax: '*' matches any run of characters, including '/' and the empty
// run; '?' matches exactly one UTF-8 character (one rune; a byte that is not
// part of valid UTF-8 counts as one character); every other character
// matches itself, case-sensitively. A pattern that does not start with '/'
// gets one prepended, so "images/*.jpg" and "/images/*.jpg" are the same
// pattern, as in CloudFront. There is no escape character: a '*' or '?'
// in a path is matched only by the wildcards.
//
// Match runs in time linear in the length of the path (for a given
// pattern) and does not allocate.
type Pattern struct {
	src  string
	kind patternKind
	// pre and suf serve the fast paths: exact (pre), prefix (pre) and
	// prefix-star-suffix (pre, suf).
	pre, suf string
	glob     *glob // kindGlob
}

// glob is the general shape: head is anchored at the start; if star, tail
// is anchored at the end and mids are found leftmost, in order, between
// them.
type glob struct {
	head, tail segment
	mids       []segment
	star       bool
}

type patternKind uint8

const (
	kindNone         patternKind = iota // zero Pattern: matches nothing
	kindExact                           // no '*', no '?': path == pre
	kindPrefix                          // "pre*": HasPrefix(path, pre)
	kindPrefixSuffix                    // "pre*suf", no '?': both, without overlap
	kindGlob                            // anything else
)

// segment is the part of a pattern between two stars: literal runs and
// runs of '?'.
type segment []token

// token is a literal (lit != "") or a run of n '?' wildcards.
type token struct {
	lit string
	n   int
}

// CompilePattern compiles a path pattern. It rejects the empty pattern,
// patterns longer than MaxPatternLen bytes, invalid UTF-8, and ASCII
// control characters and backslashes (which never occur in a canonical
// path, so such a pattern could never match).
func CompilePattern(p string) (Pattern, error) {
	switch {
	case p == "":
		return Pattern{}, errors.New("empty path pattern")
	case len(p) > MaxPatternLen:
		return Pattern{}, fmt.Errorf("path pattern %.40q...: longer than %d bytes", p, MaxPatternLen)
	case !utf8.ValidString(p):
		return Pattern{}, fmt.Errorf("path pattern %q: invalid UTF-8", p)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f {
			return Pattern{}, fmt.Errorf("path pattern %q: control character", p)
		} else if c == '\\' {
			return Pattern{}, fmt.Errorf("path pattern %q: backslash (never part of a canonical path)", p)
		}
	}

	norm := p
	if norm[0] != '/' {
		norm = "/" + norm
	}
	pat := Pattern{src: p}
	parts := strings.Split(norm, "*")
	hasQ := strings.IndexByte(norm, '?') >= 0
	switch {
	case len(parts) == 1 && !hasQ:
		pat.kind, pat.pre = kindExact, norm
	case len(parts) == 2 && !hasQ && parts[1] == "":
		pat.kind, pat.pre = kindPrefix, parts[0]
	case len(parts) == 2 && !hasQ:
		pat.kind, pat.pre, pat.suf = kindPrefixSuffix, parts[0], parts[1]
	default:
		g := &glob{head: compileSegment(parts[0])}
		if len(parts) > 1 {
			g.star = true
			g.tail = compileSegment(parts[len(parts)-1])
			for _, m := range parts[1 : len(parts)-1] {
				if m != "" { // "**" is "*"
					g.mids = append(g.mids, compileSegment(m))
				}
			}
		}
		pat.kind, pat.glob = kindGlob, g
	}
	return pat, nil
}

func compileSegment(s string) segment {
	var seg segment
	for s != "" {
		if s[0] == '?' {
			n := 0
			for n < len(s) && s[n] == '?' {
				n++
			}
			seg = append(seg, token{n: n})
			s = s[n:]
			continue
		}
		i := strings.IndexByte(s, '?')
		if i < 0 {
			i = len(s)
		}
		seg = append(seg, token{lit: s[:i]})
		s = s[i:]
	}
	return seg
}

// String returns the pattern as it was written.
func (p Pattern) String() string { return p.src }

// Match reports whether path matches the pattern. path is meant to be a
// canonical path (see CanonicalPath).
func (p Pattern) Match(path string) bool { return p.match(path) }

// match is Match without copying the Pattern.
func (p *Pattern) match(path string) bool {
	switch p.kind {
	case kindExact:
		return path == p.pre
	case kindPrefix:
		return strings.HasPrefix(path, p.pre)
	case kindPrefixSuffix:
		return len(path) >= len(p.pre)+len(p.suf) &&
			strings.HasPrefix(path, p.pre) && strings.HasSuffix(path, p.suf)
	case kindGlob:
		return p.glob.match(path)
	}
	return false
}

// matchGlob matches the general shape head*mid*...*mid*tail. With head
// anchored at the start and tail at the end, taking each middle segment at
// its leftmost occurrence is correct for globs (any later occurrence
// leaves less room for what follows), so no backtracking is needed. All
// positions are rune boundaries of the forward UTF-8 decoding of path, so
// each segment stands for a fixed number of characters.
func (p *glob) match(path string) bool {
	lo := p.head.matchAt(path, 0)
	if lo < 0 {
		return false
	}
	if !p.star {
		return lo == len(path)
	}
	hi := p.tail.matchBefore(path, len(path))
	if hi < lo {
		return false
	}
	window := path[:hi]
	for _, m := range p.mids {
		if lo = m.find(window, lo); lo < 0 {
			return false
		}
	}
	return true
}

// matchAt matches seg against s starting at pos and returns the end of the
// match, or -1.
func (seg segment) matchAt(s string, pos int) int {
	for _, t := range seg {
		if t.lit != "" {
			if !strings.HasPrefix(s[pos:], t.lit) {
				return -1
			}
			pos += len(t.lit)
			continue
		}
		for range t.n {
			if pos >= len(s) {
				return -1
			}
			if s[pos] < utf8.RuneSelf {
				pos++
			} else {
				_, w := utf8.DecodeRuneInString(s[pos:])
				pos += w
			}
		}
	}
	return pos
}

// matchBefore matches seg so that it ends exactly at end and returns the
// start of the match, or -1. Backward decoding finds the same rune
// boundaries as forward decoding, also in invalid UTF-8: a valid rune is
// found whole both ways, and every other byte is one character both ways.
func (seg segment) matchBefore(s string, end int) int {
	for i := len(seg) - 1; i >= 0; i-- {
		t := seg[i]
		if t.lit != "" {
			if !strings.HasSuffix(s[:end], t.lit) {
				return -1
			}
			end -= len(t.lit)
			continue
		}
		for range t.n {
			if end <= 0 {
				return -1
			}
			if s[end-1] < utf8.RuneSelf {
				end--
			} else {
				_, w := utf8.DecodeLastRuneInString(s[:end])
				end -= w
			}
		}
	}
	return end
}

// find returns the end of the leftmost match of seg in s at or after pos
// (a rune boundary), or -1.
func (seg segment) find(s string, pos int) int {
	if len(seg) == 1 && seg[0].lit != "" {
		i := strings.Index(s[pos:], seg[0].lit)
		if i < 0 {
			return -1
		}
		return pos + i + len(seg[0].lit)
	}
	first := seg[0].lit
	for pos <= len(s) {
		if first != "" {
			// A literal starts with a non-continuation byte, so every
			// place it occurs is a rune boundary.
			i := strings.Index(s[pos:], first)
			if i < 0 {
				return -1
			}
			pos += i
		}
		if end := seg.matchAt(s, pos); end >= 0 {
			return end
		}
		if pos == len(s) {
			return -1
		}
		if s[pos] < utf8.RuneSelf {
			pos++
		} else {
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += w
		}
	}
	return -1
}
