package body

import (
	"bytes"
	"unicode/utf8"
)

type jsonCodec struct{}

// decode returns a number's text, or a string's unescaped value.
func (jsonCodec) decode(body []byte, t *target) ([]byte, error) {
	raw := body[t.start:t.end]
	if t.flags&flagNumber != 0 {
		return append(make([]byte, 0, len(raw)), raw...), nil
	}
	inner := raw[1 : len(raw)-1]
	return appendUnquoted(make([]byte, 0, len(inner)), inner), nil
}

// encode writes repl as a JSON string, escaped as encoding/json does with
// HTML escaping off: '"', '\\' and control characters, and U+2028 and
// U+2029 (which JavaScript does not allow raw in string literals). A
// replacement that is not valid UTF-8 is refused rather than altered.
func (jsonCodec) encode(dst []byte, t *target, repl []byte) ([]byte, error) {
	if !utf8.Valid(repl) {
		return nil, newError(ErrTransform, "json: replacement for field %s at offset %d is not valid UTF-8", quoteName(t.name), t.start)
	}
	return appendQuoted(dst, repl), nil
}

// appendQuoted appends s (valid UTF-8) as a JSON string.
func appendQuoted(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&15])
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendUnquoted appends the unescaped content of a JSON string (without
// its quotes) to dst. s has been validated by jsonScanner.str.
func appendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				return append(dst, s[i:]...)
			}
			dst = append(dst, s[i:i+j]...)
			i += j
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(s, i+2)
			if 0xD800 <= r && r < 0xDC00 {
				lo, _ := hex4(s, i+8)
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
			i += 6
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}
