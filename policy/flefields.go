package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of FieldPatterns, CloudFront's: at most 10 patterns in a profile,
// each at most 128 characters.
const (
	MaxFieldPatterns   = 10
	MaxFieldPatternLen = 128
)

// FieldPatterns says which fields a profile encrypts. Each pattern is an
// exact name or a prefix ending in "*", compared case-sensitively.
//
//   - A plain pattern ("card_number", "card_*") matches form fields
//     (urlencoded and multipart) by their decoded name, and JSON top-level
//     members: "card_*" matches the pointer "/card_expiry" but not
//     "/card/expiry" nor "/payment/card_number". A name with "/" or "~"
//     is matched as the member of that name ("a/b" matches "/a~1b").
//   - A pattern starting with "/" is an RFC 6901 JSON pointer ("/payment/card")
//     and matches JSON only. A trailing "*" is a prefix of the last token:
//     "/payment/card_*" matches "/payment/card_number", not
//     "/payment/card_x/y". Array elements are tokens too: "/cards/0/number".
//
// Refused: no patterns or more than 10; an empty pattern, one over 128
// characters, not UTF-8 or with control characters; "*" anywhere but at
// the end; "*" with nothing before it in its name or last token ("*",
// "/*", "/payment/*": encrypting every field is a mistake, and in JSON
// it would select objects, which cannot be encrypted); a pointer with an
// empty token or a "~" not followed by 0 or 1; and patterns that overlap
// (one field could match both: "ABC*" and "AB*", "card" and "/card"), as
// CloudFront refuses them.
type FieldPatterns struct {
	pats []fieldPattern
}

type fieldPattern struct {
	text   string // as configured
	form   string // the name or name prefix for form fields; "" for a pointer pattern
	json   string // the pointer or pointer prefix for JSON
	prefix bool   // a trailing "*" was given
}

// NewFieldPatterns compiles patterns (see FieldPatterns).
func NewFieldPatterns(patterns []string) (*FieldPatterns, error) {
	switch {
	case len(patterns) == 0:
		return nil, errors.New("no field patterns: give the names of the fields to encrypt")
	case len(patterns) > MaxFieldPatterns:
		return nil, fmt.Errorf("%d field patterns: at most %d", len(patterns), MaxFieldPatterns)
	}
	p := &FieldPatterns{pats: make([]fieldPattern, 0, len(patterns))}
	for i, s := range patterns {
		fp, err := compilePattern(s)
		if err != nil {
			return nil, fmt.Errorf("field pattern %d %.64q: %w", i+1, s, err)
		}
		for _, q := range p.pats {
			if fp.overlaps(q) {
				return nil, fmt.Errorf("field patterns %.64q and %.64q overlap: a field could match both (keep one)", q.text, fp.text)
			}
		}
		p.pats = append(p.pats, fp)
	}
	return p, nil
}

func compilePattern(s string) (fieldPattern, error) {
	switch {
	case s == "":
		return fieldPattern{}, errors.New("empty")
	case !utf8.ValidString(s):
		return fieldPattern{}, errors.New("not valid UTF-8")
	case utf8.RuneCountInString(s) > MaxFieldPatternLen:
		return fieldPattern{}, fmt.Errorf("%d characters, at most %d", utf8.RuneCountInString(s), MaxFieldPatternLen)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fieldPattern{}, errors.New("has a control character")
	}
	lit, prefix := strings.CutSuffix(s, "*")
	if strings.Contains(lit, "*") {
		return fieldPattern{}, errors.New(`"*" may only end a pattern`)
	}
	fp := fieldPattern{text: s, prefix: prefix}
	if !strings.HasPrefix(s, "/") {
		if lit == "" {
			return fieldPattern{}, errors.New(`"*" alone would encrypt every field: give the start of the names`)
		}
		fp.form, fp.json = lit, "/"+escapeToken(lit)
		return fp, nil
	}
	tokens := strings.Split(lit[1:], "/")
	for i, tok := range tokens {
		last := i == len(tokens)-1
		switch {
		case tok == "" && last && prefix:
			return fieldPattern{}, errors.New(`nothing before "*" in the last token: it would encrypt every member there; give the start of the names`)
		case tok == "":
			return fieldPattern{}, fmt.Errorf("JSON pointer token %d is empty", i+1)
		}
		if err := checkTokenEscapes(tok); err != nil {
			return fieldPattern{}, fmt.Errorf("JSON pointer token %d: %w", i+1, err)
		}
	}
	fp.json = lit
	return fp, nil
}

// checkTokenEscapes checks RFC 6901 escaping: "~" only as "~0" or "~1".
func checkTokenEscapes(tok string) error {
	for i := 0; i < len(tok); i++ {
		if tok[i] == '~' && (i+1 == len(tok) || tok[i+1] != '0' && tok[i+1] != '1') {
			return errors.New(`"~" must be followed by 0 (for "~") or 1 (for "/")`)
		}
	}
	return nil
}

// escapeToken escapes a member name as an RFC 6901 token.
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// overlaps reports whether some field matches both p and q.
func (p fieldPattern) overlaps(q fieldPattern) bool {
	if p.form != "" && q.form != "" && overlap(p.form, p.prefix, q.form, q.prefix, false) {
		return true
	}
	return overlap(p.json, p.prefix, q.json, q.prefix, true)
}

// overlap reports whether a string matches both a and b (each exact, or a
// prefix if its flag is set). In a JSON pointer (ptr) a prefix stops at
// the next "/".
func overlap(a string, aPre bool, b string, bPre bool, ptr bool) bool {
	if len(a) > len(b) {
		a, aPre, b, bPre = b, bPre, a, aPre
	}
	// a is the shorter: a match of both starts with a and with b.
	switch {
	case !aPre && !bPre:
		return a == b
	case !aPre: // a exact, b a longer prefix: a cannot start with b
		return a == b
	default: // a is a prefix; b, exact or prefix, must extend it
		return strings.HasPrefix(b, a) && !(ptr && strings.Contains(b[len(a):], "/"))
	}
}

// MatchForm reports whether a form field of this decoded name is to be
// encrypted. Pointer patterns never match form fields.
func (p *FieldPatterns) MatchForm(name string) bool {
	if p == nil {
		return false
	}
	for i := range p.pats {
		fp := &p.pats[i]
		if fp.form != "" && (name == fp.form || fp.prefix && strings.HasPrefix(name, fp.form)) {
			return true
		}
	}
	return false
}

// MatchJSON reports whether the JSON value at this RFC 6901 pointer is to
// be encrypted.
func (p *FieldPatterns) MatchJSON(pointer string) bool {
	if p == nil {
		return false
	}
	for i := range p.pats {
		fp := &p.pats[i]
		if pointer == fp.json {
			return true
		}
		if fp.prefix && strings.HasPrefix(pointer, fp.json) && !strings.Contains(pointer[len(fp.json):], "/") {
			return true
		}
	}
	return false
}

// Patterns returns the patterns as configured.
func (p *FieldPatterns) Patterns() []string {
	out := make([]string, len(p.pats))
	for i, fp := range p.pats {
		out[i] = fp.text
	}
	return out
}
