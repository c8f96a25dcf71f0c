package rules

import "strings"

// byteSet is a set of byte values: which bytes occur in a value, or in
// any of a collection's values.
type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) union(o *byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3]
}
func (s *byteSet) meets(o *byteSet) bool {
	return s[0]&o[0]|s[1]&o[1]|s[2]&o[2]|s[3]&o[3] != 0
}

// addString adds every byte of v.
func (s *byteSet) addString(v string) {
	for i := 0; i < len(v); i++ {
		s[v[i]>>6] |= 1 << (v[i] & 63)
	}
}

// addRange adds lo to hi, inclusive.
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

// hasHigh reports whether s holds a byte of 0x80 or more (a byte of a
// UTF-8 sequence, or of none).
func (s *byteSet) hasHigh() bool { return s[2]|s[3] != 0 }

func bytesOf(chars string) byteSet {
	var s byteSet
	s.addString(chars)
	return s
}

func rangeSet(lo, hi byte) byteSet {
	var s byteSet
	s.addRange(lo, hi)
	return s
}

var (
	allBytes   = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	highBytes  = rangeSet(0x80, 0xff)
	upperASCII = rangeSet('A', 'Z')
	lowerASCII = rangeSet('a', 'z')
	digitBytes = rangeSet('0', '9')
	hexDigits  = bytesOf("0123456789abcdefABCDEF")
)

// A closure is what a transformation can make of a value, byte-wise:
// given the bytes a value may hold, the bytes its transformation may
// hold. Every closure is monotone (more bytes in, no fewer out) and
// sound for Coraza v3.8.1's transformation of that name: no byte of a
// transformed value is missing from closure(bytes of the value). Where
// a transformation can make any byte (a decoder that meets its escape
// character, a hash), the closure is every byte.
type closure func(byteSet) byteSet

// transformClosures maps Coraza's transformation names (lower case, as
// Coraza looks them up) to their closures. A name missing here is
// treated as making any byte.
var transformClosures = map[string]closure{
	"none": keep,
	// strings.ToLower: ASCII letters in one case; any other rune may
	// become an ASCII letter (the Kelvin sign is a k) or other bytes
	// (invalid UTF-8 becomes U+FFFD).
	"lowercase": func(s byteSet) byteSet { return foldCase(s, upperASCII, 'a'-'A') },
	"uppercase": func(s byteSet) byteSet { return foldCase(s, lowerASCII, 'A'-'a') },
	// cmdLine drops \ " ' ^, turns , ; and whitespace into a space and
	// lowercases.
	"cmdline": func(s byteSet) byteSet {
		s = foldCase(s, upperASCII, 'a'-'A')
		s.add(' ')
		return s
	},
	"urldecode":    urlDecodeClosure,
	"urldecodeuni": urlDecodeClosure,
	"htmlentitydecode": func(s byteSet) byteSet {
		return anyIf(s, '&')
	},
	"jsdecode":        func(s byteSet) byteSet { return anyIf(s, '\\') },
	"cssdecode":       func(s byteSet) byteSet { return anyIf(s, '\\') },
	"escapeseqdecode": func(s byteSet) byteSet { return anyIf(s, '\\') },
	// utf8toUnicode writes a multi-byte character as %uHHHH.
	"utf8tounicode": func(s byteSet) byteSet {
		if s.hasHigh() {
			s.union(&hexDigits)
			s.addString("%uU")
		}
		return s
	},
	"removenulls":        keep,
	"removewhitespace":   keep,
	"removecommentschar": keep,
	"trim":               keep,
	"trimleft":           keep,
	"trimright":          keep,
	"replacenulls":       withSpace,
	"compresswhitespace": withSpace,
	"removecomments":     withSpace,
	"replacecomments":    withSpace,
	"normalisepath":      withPathChars,
	"normalizepath":      withPathChars,
	"normalisepathwin":   withPathChars,
	"normalizepathwin":   withPathChars,
	"length":             func(byteSet) byteSet { return digitBytes },
	// The decoders without an escape character, the encoders and the
	// hashes: anything.
	"base64decode":    anyByte,
	"base64decodeext": anyByte,
	"base64encode":    anyByte,
	"hexdecode":       anyByte,
	"hexencode":       anyByte,
	"urlencode":       anyByte,
	"md5":             anyByte,
	"sha1":            anyByte,
}

// transformClosure is the closure of the named transformation.
func transformClosure(name string) closure {
	if c, ok := transformClosures[strings.ToLower(name)]; ok {
		return c
	}
	return anyByte
}

// foldCase moves the ASCII letters of one case to the other (from:
// the letters moved, delta: +32 to lower, -32 to upper); if s holds
// other than ASCII, every letter of the target case and every high byte
// may appear too. The letters are bits 1-26 (upper) and 33-58 (lower)
// of the second word.
func foldCase(s byteSet, from byteSet, delta int) byteSet {
	moved := s[1] & from[1]
	s[1] &^= moved
	if delta > 0 {
		s[1] |= moved << delta
	} else {
		s[1] |= moved >> -delta
	}
	if s.hasHigh() {
		s[2], s[3] = ^uint64(0), ^uint64(0)
		if delta > 0 {
			s[1] |= from[1] << delta
		} else {
			s[1] |= from[1] >> -delta
		}
	}
	return s
}

// urlDecodeClosure: a % may start an escape of any byte; + is a space.
func urlDecodeClosure(s byteSet) byteSet {
	if s.has('%') {
		return allBytes
	}
	if s.has('+') {
		s.add(' ')
	}
	return s
}

func anyIf(s byteSet, escape byte) byteSet {
	if s.has(escape) {
		return allBytes
	}
	return s
}

// keep: a transformation that only drops or keeps bytes.
func keep(s byteSet) byteSet { return s }

// anyByte: a transformation that can make any byte.
func anyByte(byteSet) byteSet { return allBytes }

// withPathChars: filepath.Clean keeps the bytes it is given and may
// write . and /.
func withPathChars(s byteSet) byteSet {
	s.addString("./")
	return s
}

func withSpace(s byteSet) byteSet {
	s.add(' ')
	return s
}
