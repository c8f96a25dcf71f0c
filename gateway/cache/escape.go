package cache

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// JSON cannot carry bytes that are not UTF-8 (encoding/json replaces them
// with U+FFFD), but keys, canonical paths and header values may hold such
// bytes. A record that has any is written with every string escaped:
// '%' becomes "%25" and each byte of an invalid sequence "%XX". Records
// without such bytes, nearly all of them, are plain JSON.

// needsEscape reports whether key or one of meta's strings is not UTF-8.
func needsEscape(key string, m *Meta) bool {
	bad := false
	mapStrings(key, m, func(s string) string {
		if !utf8.ValidString(s) {
			bad = true
		}
		return s
	})
	return bad
}

// mapStrings returns key and a copy of m with f applied to every string.
func mapStrings(key string, m *Meta, f func(string) string) (string, *Meta) {
	c := *m
	c.Dist, c.Path, c.Query, c.Encoding = f(m.Dist), f(m.Path), f(m.Query), f(m.Encoding)
	c.Tags = mapSlice(m.Tags, f)
	c.Vary = mapSlice(m.Vary, f)
	if m.Header != nil {
		c.Header = make(http.Header, len(m.Header))
		for k, vs := range m.Header {
			c.Header[f(k)] = mapSlice(vs, f)
		}
	}
	return f(key), &c
}

func mapSlice(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

const hexDigits = "0123456789ABCDEF"

func escapeString(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1, s[i] == '%':
			b.WriteByte('%')
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&15])
			i++
		default:
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
}

// unescapeString undoes escapeString; it reports malformed input through
// *failed.
func unescapeString(s string, failed *bool) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			*failed = true
			return s
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			*failed = true
			return s
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String()
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}
