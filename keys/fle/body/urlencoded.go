package body

// application/x-www-form-urlencoded (WHATWG URL, "application/x-www-form-
// urlencoded parsing", made strict):
//
//   - pairs are separated by "&" only; an empty pair ("a=1&&b=2", a
//     trailing "&") is no field;
//   - the first "=" splits name from value; a pair without "=" is a name
//     with an empty value;
//   - "+" is a space and %XX a byte, in names and values; a "%" not
//     followed by two hex digits is malformed anywhere in the body;
//   - a raw ";" is malformed anywhere in the body: some origins still split
//     pairs on it, and a field the gateway saw as part of a value must not
//     become a plaintext field at the origin (Go's url.ParseQuery refuses
//     it too).
//
// Other bytes, including non-ASCII ones in any charset, are kept as they
// are.

// flagNoEq marks a urlencoded pair without "=" (its value span is empty
// and sits at the end of the name).
const flagNoEq uint8 = 1

// scanURLEncoded validates the whole body and returns the selected fields.
func scanURLEncoded(body []byte, sel Selector) ([]target, error) {
	var (
		ts      []target
		scratch []byte // decoded names, reused
	)
	for i := 0; i < len(body); {
		eq, pctName, pctValue, plusName := -1, 0, 0, false
		j := i
	scan:
		for ; j < len(body); j++ {
			if !formSpec[body[j]] {
				continue
			}
			switch body[j] {
			case '&':
				break scan
			case '=':
				if eq < 0 {
					eq = j
				}
			case '%':
				if j+2 >= len(body) || !isHex(body[j+1]) || !isHex(body[j+2]) {
					return nil, malformed("urlencoded: bad %%-escape at offset %d", j)
				}
				if eq < 0 {
					pctName++
				} else {
					pctValue++
				}
				j += 2
			case '+':
				if eq < 0 {
					plusName = true
				}
			case ';':
				return nil, malformed("urlencoded: raw ';' at offset %d (only '&' separates pairs; escape it as %%3B)", j)
			}
		}
		if j > i {
			nameEnd := j
			if eq >= 0 {
				nameEnd = eq
			}
			var name string
			if pctName > 0 || plusName {
				scratch = appendUnescaped(scratch[:0], body[i:nameEnd])
				name = string(scratch)
			} else {
				name = string(body[i:nameEnd])
			}
			if sel(name) {
				t := target{name: name, start: j, end: j, flags: flagNoEq}
				if eq >= 0 {
					t = target{name: name, start: eq + 1, end: j, size: j - eq - 1 - 2*pctValue}
				}
				ts = append(ts, t)
			}
		}
		i = j + 1
	}
	return ts, nil
}

type urlCodec struct{}

func (urlCodec) decode(body []byte, t *target) ([]byte, error) {
	return appendUnescaped(make([]byte, 0, t.size), body[t.start:t.end]), nil
}

// encode query-escapes repl. Bytes that never need escaping in a form
// value are kept: ALPHA, DIGIT, "-._~*" and ":" (so an ENC:v1 value goes
// in as it is); a space becomes "+", anything else %XX. A pair that had
// no "=" gets one only when the replacement is not empty.
func (urlCodec) encode(dst []byte, t *target, repl []byte) ([]byte, error) {
	if t.flags&flagNoEq != 0 {
		if len(repl) == 0 {
			return dst, nil
		}
		dst = append(dst, '=')
	}
	const hex = "0123456789ABCDEF"
	for _, c := range repl {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '*', c == ':':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst, nil
}

// appendUnescaped appends the form-decoded s to dst. s has been validated:
// every "%" is followed by two hex digits.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
