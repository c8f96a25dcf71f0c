package route

import (
	"bytes"
	"errors"
	"net/url"
	"unicode/utf8"
)

// ErrBadPath matches (with errors.Is) every error CanonicalPath returns.
var ErrBadPath = errors.New("bad path")

// The errors CanonicalPath returns. Their text is a short reason fit to
// show the viewer (with status 400); the raw path belongs in the log.
var (
	ErrMalformedPath  error = &pathError{"malformed path"}                      // no leading "/", or a raw '?' or '#'
	ErrBadEscape      error = &pathError{"malformed percent-encoding in path"}  // "%" not followed by two hex digits
	ErrEncodedSlash   error = &pathError{"encoded slash in path"}               // %2F
	ErrBackslash      error = &pathError{"backslash in path"}                   // "\" or %5C
	ErrControlChar    error = &pathError{"control character in path"}           // 0x00-0x1F or 0x7F, raw or encoded
	ErrInvalidUTF8    error = &pathError{"invalid UTF-8 in path"}               // after decoding
	ErrEscapesRoot    error = &pathError{"path escapes root"}                   // ".." above "/"
	ErrDotSegmentArgs error = &pathError{"dot segment with parameters in path"} // ".;x", "..;x"
)

type pathError struct{ reason string }

func (e *pathError) Error() string        { return e.reason }
func (e *pathError) Is(target error) bool { return target == ErrBadPath }

// CanonicalPath returns the one decoded path that routing, the cache key,
// signed-URL checks and the origin request use, from the request's raw
// (escaped) path: r.URL.EscapedPath() or the path part of the request
// target, without the query.
//
// It percent-decodes once, collapses repeated slashes, and resolves "."
// and ".." segments (RFC 3986 remove_dot_segments, decoded "%2E" included),
// keeping a trailing slash. It rejects, with one of the errors above: a
// path not starting with "/"; a raw '?' or '#'; a malformed escape; an
// encoded slash or backslash and any raw backslash; ASCII control
// characters, raw or encoded; invalid UTF-8 after decoding; a ".." that
// would climb above "/"; and a "." or ".." segment with ";" parameters,
// which some origins treat as a dot segment.
//
// A path that needs no change is returned as is, without allocating.
func CanonicalPath(raw string) (string, error) {
	if raw == "" || raw[0] != '/' {
		return "", ErrMalformedPath
	}
	nonASCII := false
	seg := 1 // start of the current segment in raw
	for i := 1; i < len(raw); i++ {
		switch rawClass[raw[i]] {
		case classPlain:
		case classSlash:
			if i == seg || raw[seg] == '.' && dotSegment(raw[seg:i]) != notDot {
				return canonicalSlow(raw) // "//" or a dot segment
			}
			seg = i + 1
		case classPercent:
			return canonicalSlow(raw)
		case classHigh:
			nonASCII = true
		default:
			return "", checkByte(raw[i], true)
		}
	}
	if seg < len(raw) && raw[seg] == '.' && dotSegment(raw[seg:]) != notDot {
		return canonicalSlow(raw)
	}
	if nonASCII && !utf8.ValidString(raw) {
		return "", ErrInvalidUTF8
	}
	return raw, nil
}

// Byte classes for CanonicalPath's scan of a raw path.
const (
	classPlain   = iota
	classSlash   // '/'
	classPercent // '%'
	classHigh    // part of a multi-byte UTF-8 sequence, or invalid
	classBad     // rejected; checkByte says why
)

var rawClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '/':
			t[c] = classSlash
		case c == '%':
			t[c] = classPercent
		case c >= utf8.RuneSelf:
			t[c] = classHigh
		case checkByte(byte(c), true) != nil:
			t[c] = classBad
		}
	}
	return t
}()

// canonicalSlow decodes and normalizes raw in one pass, segment by
// segment, into a buffer that holds "/" plus the finished segments.
func canonicalSlow(raw string) (string, error) {
	var stack [512]byte
	var buf []byte
	if len(raw) <= len(stack) {
		buf = stack[:0]
	} else {
		buf = make([]byte, 0, len(raw)) // decoding never grows the path
	}
	buf = append(buf, '/')
	seg := 1 // start of the current segment in buf
	for i := 1; i <= len(raw); {
		if i == len(raw) || raw[i] == '/' {
			last := i == len(raw)
			s := buf[seg:]
			if !utf8.Valid(s) {
				return "", ErrInvalidUTF8
			}
			switch dotSegment(s) {
			case dot: // also the empty segment of "//" or a trailing "/"
				buf = buf[:seg]
			case dotDot:
				if seg == 1 {
					return "", ErrEscapesRoot
				}
				buf = buf[:bytes.LastIndexByte(buf[:seg-1], '/')+1]
			case dotArgs:
				return "", ErrDotSegmentArgs
			default:
				if !last {
					buf = append(buf, '/')
				}
			}
			seg = len(buf)
			i++
			continue
		}
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", ErrBadEscape
			}
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 3
			switch c {
			case '/':
				return "", ErrEncodedSlash
			case '\\':
				return "", ErrBackslash
			}
			if err := checkByte(c, false); err != nil {
				return "", err
			}
		} else {
			i++
			if err := checkByte(c, true); err != nil {
				return "", err
			}
		}
		buf = append(buf, c)
	}
	return string(buf), nil
}

// checkByte rejects a byte that may not appear in a path, raw (as sent)
// or decoded.
func checkByte(c byte, raw bool) error {
	switch {
	case c < 0x20 || c == 0x7f:
		return ErrControlChar
	case c == '\\':
		return ErrBackslash
	case raw && (c == '?' || c == '#'):
		return ErrMalformedPath // the query or fragment was not split off
	}
	return nil
}

type dotKind uint8

const (
	notDot  dotKind = iota
	dot             // "" or "."
	dotDot          // ".."
	dotArgs         // ".;..." or "..;..."
)

// dotSegment classifies a decoded path segment.
func dotSegment[S ~string | ~[]byte](s S) dotKind {
	switch {
	case len(s) == 0:
		return dot
	case s[0] != '.':
		return notDot
	case len(s) == 1:
		return dot
	case s[1] == ';':
		return dotArgs
	case s[1] != '.':
		return notDot
	case len(s) == 2:
		return dotDot
	case s[2] == ';':
		return dotArgs
	}
	return notDot
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// EscapePath returns the escaped form of a canonical path to send to an
// origin, with the semantics of url.URL{Path: p}.EscapedPath(): every byte
// outside the unreserved set and "$&+,/:;=@" is percent-encoded. It is
// stable and reversible: CanonicalPath(EscapePath(p)) == p for every
// canonical p. A path that needs no escaping is returned as is.
func EscapePath(canonical string) string {
	u := url.URL{Path: canonical}
	return u.EscapedPath()
}
