package body

import "bytes"

// A part's Content-Disposition (RFC 7578 section 4.2, RFC 2183), made
// strict so that every origin reads the same name from it:
//
//	value = "form-data" *( OWS ";" OWS param ) [ OWS ";" ] OWS
//	param = token OWS "=" OWS ( token / quoted-string )
//
//   - The type must be form-data (case-insensitive); "name" must be there
//     once and not be empty. Parameter names are case-insensitive, and a
//     repeated one is malformed (Go's mime package refuses it too).
//   - filename and filename* are allowed and ignored: a file part is
//     matched by its name like any other part.
//   - name* and RFC 2231 continuations (name*0, ...) are malformed: some
//     parsers prefer them to name, some ignore them.
//   - Quoted strings are read without escapes, as browsers write them
//     (WHATWG percent-encodes '"', CR and LF instead), but a backslash in
//     the name, or a backslash before '"' anywhere, is malformed: parsers
//     that honour RFC 822 escapes would read something else.
//   - More than maxDispositionParams parameters is malformed.

const maxDispositionParams = 8

// formDataName returns the name parameter of a form-data disposition, or
// why the value is not acceptable.
func formDataName(v []byte) (name []byte, why string) {
	i, typ := token(v, 0)
	if !bytes.EqualFold(typ, []byte("form-data")) {
		return nil, "the type is not form-data"
	}
	var (
		seen    [maxDispositionParams][]byte
		nseen   int
		hasName bool
	)
	for {
		i = skipOWS(v, i)
		if i == len(v) {
			break
		}
		if v[i] != ';' {
			return nil, "unexpected character after a parameter"
		}
		i = skipOWS(v, i+1)
		if i == len(v) {
			break // a trailing ";"
		}
		var pname, pval []byte
		if i, pname = token(v, i); len(pname) == 0 {
			return nil, "a parameter without a name"
		}
		if i = skipOWS(v, i); i == len(v) || v[i] != '=' {
			return nil, "a parameter without '='"
		}
		i = skipOWS(v, i+1)
		isName := bytes.EqualFold(pname, []byte("name"))
		if i < len(v) && v[i] == '"' {
			j := i + 1
			for ; j < len(v) && v[j] != '"'; j++ {
				if v[j] == '\\' && (isName || j+1 < len(v) && v[j+1] == '"') {
					return nil, "a backslash escape in a quoted parameter"
				}
			}
			if j == len(v) {
				return nil, "an unterminated quoted string"
			}
			pval, i = v[i+1:j], j+1
		} else if i, pval = token(v, i); len(pval) == 0 {
			return nil, "a parameter without a value"
		}
		for _, s := range seen[:nseen] {
			if bytes.EqualFold(s, pname) {
				return nil, "a repeated parameter"
			}
		}
		if nseen == len(seen) {
			return nil, "too many parameters"
		}
		seen[nseen] = pname
		nseen++
		switch {
		case isName:
			name, hasName = pval, true
		case len(pname) > 4 && bytes.EqualFold(pname[:5], []byte("name*")):
			return nil, "name* (RFC 2231) is not accepted"
		}
	}
	if !hasName || len(name) == 0 {
		return nil, "no name or an empty name"
	}
	return name, ""
}

// token returns the RFC 2045 token starting at v[i] (possibly empty) and
// the index after it.
func token(v []byte, i int) (int, []byte) {
	j := i
	for j < len(v) && isTokenChar(v[j]) {
		j++
	}
	return j, v[i:j]
}

func skipOWS(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}

// isTokenChar: RFC 2045 token characters (printable ASCII but tspecials).
func isTokenChar(c byte) bool { return tokenChars[c] }
