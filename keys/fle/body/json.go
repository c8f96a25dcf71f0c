package body

import (
	"strconv"
	"unicode/utf8"
)

// JSON (RFC 8259), made strict: the body is exactly one value with only
// whitespace around it (no byte order mark), strings are valid UTF-8 with
// no raw control characters, \u escapes of surrogates come in valid pairs,
// and objects and arrays nest at most maxDepth deep. Every member value and
// array element has an RFC 6901 pointer ("/a/0/b~1c" for the member "b/c"
// of the first element of "a"); the root value has none and is never
// offered to the Selector. A member name that occurs twice gives two
// fields with the same pointer.

const maxDepth = 64

type jsonScanner struct {
	data []byte
	sel  Selector
	skip bool // skip selected values that cannot be rewritten, rather than refuse

	ptr     []byte // the pointer of the value being scanned
	scratch []byte // decoded member names, reused
	depth   int
	ts      []target
}

// scanJSON validates the whole body and returns the selected values. A
// selected object, array or literal is malformed, or with skip not
// selected.
func scanJSON(body []byte, sel Selector, skip bool) ([]target, error) {
	s := jsonScanner{data: body, sel: sel, skip: skip}
	i, err := s.value(s.ws(0), false)
	if err != nil {
		return nil, err
	}
	if i = s.ws(i); i != len(body) {
		return nil, malformed("json: data after the top-level value at offset %d", i)
	}
	return s.ts, nil
}

func (s *jsonScanner) ws(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value scans the value at i and returns the index after it. member says
// whether it has a pointer (is not the root), so the Selector is asked.
func (s *jsonScanner) value(i int, member bool) (int, error) {
	if i >= len(s.data) {
		return 0, malformed("json: unexpected end of input at offset %d", i)
	}
	var name string
	selected := false
	if member {
		name = string(s.ptr)
		selected = s.sel(name)
	}
	switch c := s.data[i]; {
	case c == '"':
		end, _, err := s.str(i)
		if err != nil {
			return 0, err
		}
		if selected {
			s.ts = append(s.ts, target{name: name, start: i, end: end, size: -1})
		}
		return end, nil
	case c == '-' || '0' <= c && c <= '9':
		end, err := s.number(i)
		if err != nil {
			return 0, err
		}
		if selected {
			s.ts = append(s.ts, target{name: name, start: i, end: end, size: end - i, flags: flagNumber})
		}
		return end, nil
	case c == '{' || c == '[':
		if selected && !s.skip {
			return 0, notScalar(name, i, c)
		}
		if c == '{' {
			return s.object(i)
		}
		return s.array(i)
	case c == 't' || c == 'f' || c == 'n':
		end, err := s.literal(i, c)
		if err == nil && selected && !s.skip {
			err = notScalar(name, i, c)
		}
		return end, err
	}
	return 0, malformed("json: invalid character at offset %d", i)
}

// literal scans true, false or null (as c, its first byte, says) at i.
func (s *jsonScanner) literal(i int, c byte) (int, error) {
	lit := "null"
	switch c {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	}
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return 0, malformed("json: invalid literal at offset %d", i)
	}
	return i + len(lit), nil
}

func (s *jsonScanner) enter(i int) error {
	if s.depth++; s.depth > maxDepth {
		return malformed("json: nesting deeper than %d at offset %d", maxDepth, i)
	}
	return nil
}

func (s *jsonScanner) object(i int) (int, error) {
	if err := s.enter(i); err != nil {
		return 0, err
	}
	if i = s.ws(i + 1); i < len(s.data) && s.data[i] == '}' {
		s.depth--
		return i + 1, nil
	}
	for {
		if i >= len(s.data) || s.data[i] != '"' {
			return 0, malformed("json: expected a member name at offset %d", i)
		}
		end, esc, err := s.str(i)
		if err != nil {
			return 0, err
		}
		base := len(s.ptr)
		s.ptr = append(s.ptr, '/')
		if esc {
			s.scratch = appendUnquoted(s.scratch[:0], s.data[i+1:end-1])
			s.ptr = appendPointerToken(s.ptr, s.scratch)
		} else {
			s.ptr = appendPointerToken(s.ptr, s.data[i+1:end-1])
		}
		if i = s.ws(end); i >= len(s.data) || s.data[i] != ':' {
			return 0, malformed("json: expected ':' at offset %d", i)
		}
		if i, err = s.value(s.ws(i+1), true); err != nil {
			return 0, err
		}
		s.ptr = s.ptr[:base]
		var done bool
		if i, done, err = s.next(i, '}', "an object"); done || err != nil {
			return i, err
		}
	}
}

func (s *jsonScanner) array(i int) (int, error) {
	if err := s.enter(i); err != nil {
		return 0, err
	}
	if i = s.ws(i + 1); i < len(s.data) && s.data[i] == ']' {
		s.depth--
		return i + 1, nil
	}
	for n := 0; ; n++ {
		base := len(s.ptr)
		s.ptr = strconv.AppendInt(append(s.ptr, '/'), int64(n), 10)
		var err error
		if i, err = s.value(i, true); err != nil {
			return 0, err
		}
		s.ptr = s.ptr[:base]
		var done bool
		if i, done, err = s.next(i, ']', "an array"); done || err != nil {
			return i, err
		}
	}
}

// next reads what follows a member of an object or array (closing with
// close): a comma (the index of the next member) or the close (done,
// the index after it).
func (s *jsonScanner) next(i int, close byte, in string) (int, bool, error) {
	if i = s.ws(i); i >= len(s.data) {
		return 0, false, malformed("json: unexpected end of input in %s at offset %d", in, i)
	}
	switch s.data[i] {
	case ',':
		return s.ws(i + 1), false, nil
	case close:
		s.depth--
		return i + 1, true, nil
	}
	return 0, false, malformed("json: expected ',' or '%c' at offset %d", close, i)
}

// str scans the string starting with the quote at i and returns the index
// after its closing quote and whether it has escapes.
func (s *jsonScanner) str(i int) (end int, esc bool, err error) {
	d := s.data
	for j := i + 1; j < len(d); {
		c := d[j]
		if jsonPlain[c] {
			j++
			continue
		}
		switch {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			if j+1 >= len(d) {
				return 0, false, malformed("json: unexpected end of input in a string at offset %d", j)
			}
			switch d[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				r, ok := hex4(d, j+2)
				if !ok {
					return 0, false, malformed("json: bad \\u escape at offset %d", j)
				}
				switch {
				case 0xD800 <= r && r < 0xDC00:
					r2, ok := rune(0), j+11 < len(d) && d[j+6] == '\\' && d[j+7] == 'u'
					if ok {
						r2, ok = hex4(d, j+8)
					}
					if !ok || r2 < 0xDC00 || r2 >= 0xE000 {
						return 0, false, malformed("json: unpaired surrogate escape at offset %d", j)
					}
					j += 12
				case 0xDC00 <= r && r < 0xE000:
					return 0, false, malformed("json: unpaired surrogate escape at offset %d", j)
				default:
					j += 6
				}
			default:
				return 0, false, malformed("json: bad escape at offset %d", j)
			}
		case c < 0x20:
			return 0, false, malformed("json: control character in a string at offset %d", j)
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(d[j:])
			if r == utf8.RuneError && size == 1 {
				return 0, false, malformed("json: invalid UTF-8 in a string at offset %d", j)
			}
			j += size
		}
	}
	return 0, false, malformed("json: unterminated string at offset %d", i)
}

// number scans an RFC 8259 number starting at i.
func (s *jsonScanner) number(i int) (int, error) {
	d, j := s.data, i
	digits := func() bool {
		k := j
		for j < len(d) && '0' <= d[j] && d[j] <= '9' {
			j++
		}
		return j > k
	}
	if d[j] == '-' {
		j++
	}
	switch {
	case j < len(d) && d[j] == '0':
		j++
	case !digits():
		return 0, malformed("json: bad number at offset %d", i)
	}
	if j < len(d) && d[j] == '.' {
		j++
		if !digits() {
			return 0, malformed("json: bad number at offset %d", i)
		}
	}
	if j < len(d) && (d[j] == 'e' || d[j] == 'E') {
		j++
		if j < len(d) && (d[j] == '+' || d[j] == '-') {
			j++
		}
		if !digits() {
			return 0, malformed("json: bad number at offset %d", i)
		}
	}
	return j, nil
}

// hex4 decodes the four hex digits at d[i:i+4].
func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}

// appendPointerToken appends a decoded member name as an RFC 6901
// reference token: "~" as "~0", "/" as "~1".
func appendPointerToken(dst, name []byte) []byte {
	for _, c := range name {
		switch c {
		case '~':
			dst = append(dst, '~', '0')
		case '/':
			dst = append(dst, '~', '1')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// notScalar is the error for a selected value that starts with c and is
// not a string or a number.
func notScalar(name string, i int, c byte) error {
	what := map[byte]string{'{': "an object", '[': "an array", 't': "true", 'f': "false", 'n': "null"}[c]
	return malformed("json: selected field %s at offset %d is %s, not a string or number", quoteName(name), i, what)
}
