package token

import (
	"strings"
	"unicode/utf8"
)

// matchPath reports whether path matches the glob pattern: '*' matches any
// run of characters, including '/' and the empty run; '?' matches exactly
// one character (one UTF-8 encoded rune; a byte that is not part of valid
// UTF-8 is one character); anything else matches itself, case-sensitively.
// There is no escape character. These are the wildcards of CloudFront
// custom policies and of Edgeward's behavior path patterns.
//
// The pattern is cut at its stars: the first piece is anchored at the
// start of path, the last at the end, and each piece in between is taken
// at its leftmost place after the previous one. Taking the leftmost place
// is always right for a glob (a later place only leaves less room for the
// pieces after it), so nothing is ever retried: the time is linear in
// len(path) for a given pattern (at worst len(path) times the length of
// one piece with '?' in it), with no recursion and no allocation.
// Patterns come from verified tokens, so only key holders choose them.
func matchPath(pattern, path string) bool {
	head, rest, star := strings.Cut(pattern, "*")
	lo := matchAt(head, path, 0)
	if lo < 0 {
		return false
	}
	if !star {
		return lo == len(path)
	}
	mids, tail := "", rest
	if i := strings.LastIndexByte(rest, '*'); i >= 0 {
		mids, tail = rest[:i], rest[i+1:]
	}
	hi := matchBefore(tail, path, len(path))
	if hi < lo {
		return false
	}
	window := path[:hi]
	for mids != "" {
		var m string
		m, mids, _ = strings.Cut(mids, "*")
		if m == "" {
			continue
		}
		if lo = find(m, window, lo); lo < 0 {
			return false
		}
	}
	return true
}

// matchAt matches the star-free piece seg against s at pos and returns the
// end of the match, or -1.
func matchAt(seg, s string, pos int) int {
	for seg != "" {
		if seg[0] == '?' {
			if pos >= len(s) {
				return -1
			}
			pos += charLen(s[pos:])
			seg = seg[1:]
			continue
		}
		lit := seg
		if i := strings.IndexByte(seg, '?'); i >= 0 {
			lit = seg[:i]
		}
		if !strings.HasPrefix(s[pos:], lit) {
			return -1
		}
		pos += len(lit)
		seg = seg[len(lit):]
	}
	return pos
}

// matchBefore matches seg so that it ends exactly at end and returns where
// the match starts, or -1. Decoding backward finds the same character
// boundaries as decoding forward, also in invalid UTF-8.
func matchBefore(seg, s string, end int) int {
	for seg != "" {
		last := len(seg) - 1
		if seg[last] == '?' {
			if end <= 0 {
				return -1
			}
			end -= lastCharLen(s[:end])
			seg = seg[:last]
			continue
		}
		lit := seg
		if i := strings.LastIndexByte(seg, '?'); i >= 0 {
			lit = seg[i+1:]
		}
		if !strings.HasSuffix(s[:end], lit) {
			return -1
		}
		end -= len(lit)
		seg = seg[:len(seg)-len(lit)]
	}
	return end
}

// find returns the end of the leftmost match of seg in s at or after pos,
// or -1. pos is a character boundary, and so is every candidate start.
func find(seg, s string, pos int) int {
	q := strings.IndexByte(seg, '?')
	if q < 0 {
		i := strings.Index(s[pos:], seg)
		if i < 0 {
			return -1
		}
		return pos + i + len(seg)
	}
	lead := seg[:q] // the literal before the first '?', maybe empty
	for pos <= len(s) {
		if lead != "" {
			// A literal from a valid UTF-8 pattern starts with a
			// non-continuation byte, so wherever it occurs is a
			// character boundary.
			i := strings.Index(s[pos:], lead)
			if i < 0 {
				return -1
			}
			pos += i
		}
		if end := matchAt(seg, s, pos); end >= 0 {
			return end
		}
		if pos == len(s) {
			return -1
		}
		pos += charLen(s[pos:])
	}
	return -1
}

// charLen is the length in bytes of the first character of s (non-empty).
func charLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s)
	return w
}

// lastCharLen is the length in bytes of the last character of s
// (non-empty).
func lastCharLen(s string) int {
	if s[len(s)-1] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeLastRuneInString(s)
	return w
}
