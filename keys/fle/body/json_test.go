package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const ctJSON = "application/json"

func nest(depth int) string { return strings.Repeat("[", depth) + strings.Repeat("]", depth) }

var jsonCases = []bodyCase{
	{name: "top-level members", body: `{"email":"a@example.com","card":"` + card + `","cvv":123}`, sel: []string{"/card", "/cvv"},
		want: []Field{fld("/card", card), num("/cvv", "123")}},
	{name: "every value", body: ` { "a" : [ 1 , "x" , { "b" : -0.5e+3 } ] , "c" : {} , "d" : [] } `,
		sel: []string{"/a/0", "/a/1", "/a/2/b"}, want: []Field{num("/a/0", "1"), fld("/a/1", "x"), num("/a/2/b", "-0.5e+3")}},
	{name: "pointer escapes", body: `{"a/b":"1","m~n":"2","":"3","~1":"4"}`, sel: []string{"/a~1b", "/m~0n", "/", "/~01"},
		want: []Field{fld("/a~1b", "1"), fld("/m~0n", "2"), fld("/", "3"), fld("/~01", "4")}},
	{name: "escaped member names", body: `{"c\u0061rd":"1","x\/y":"2","\ud83d\ude00":"3"}`, sel: []string{"/card", "/x~1y", "/😀"},
		want: []Field{fld("/card", "1"), fld("/x~1y", "2"), fld("/😀", "3")}},
	{name: "unescaped values", body: `{"v":"\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00 é"}`,
		want: []Field{fld("/v", "\"\\/\b\f\n\r\t\u00e9€😀 é")}},
	{name: "duplicate names", body: `{"card":"1","card":"2"}`, sel: []string{"/card"},
		want: []Field{fld("/card", "1"), fld("/card", "2")}},
	{name: "nested", body: `{"payment":{"card":"1","exp":"12/30"},"items":[{"card":"2"}]}`, sel: []string{"/payment/card", "/items/0/card"},
		want: []Field{fld("/payment/card", "1"), fld("/items/0/card", "2")}},
	{name: "root is never offered", body: `"` + card + `"`},
	{name: "scalars", body: `[true,false,null,0,-0,1E9,"",{}]`, sel: []string{"/3", "/4", "/5", "/6"},
		want: []Field{num("/3", "0"), num("/4", "-0"), num("/5", "1E9"), fld("/6", "")}},
	{name: "unselected containers and literals", body: `{"a":{"b":null},"c":[true]}`, sel: []string{"/a/b/c"}},
	{name: "depth 64", body: nest(64), sel: []string{}},
	{name: "merge-patch", ct: "application/merge-patch+json", body: `{"card":"1"}`, want: []Field{fld("/card", "1")}},
	{name: "field limit on decoded length", body: `{"card":"\u0041\u0041"}`, lim: Limits{MaxField: 2}, want: []Field{fld("/card", "AA")}},
	// One failing case per check.
	{name: "empty body", body: ``, code: ErrMalformed, why: "unexpected end"},
	{name: "only whitespace", body: " \n", code: ErrMalformed, why: "unexpected end"},
	{name: "trailing data", body: `{"card":"` + card + `"} x`, code: ErrMalformed, why: "data after the top-level value"},
	{name: "two values", body: `{}{}`, code: ErrMalformed, why: "data after the top-level value"},
	{name: "byte order mark", body: "\xef\xbb\xbf{}", code: ErrMalformed, why: "invalid character"},
	{name: "depth 65", body: nest(65), sel: []string{}, code: ErrMalformed, why: "nesting deeper than 64"},
	{name: "trailing comma in object", body: `{"card":"` + card + `",}`, code: ErrMalformed, why: "expected a member name"},
	{name: "trailing comma in array", body: `[1,]`, code: ErrMalformed, why: "invalid character"},
	{name: "missing colon", body: `{"card" "x"}`, code: ErrMalformed, why: "expected ':'"},
	{name: "missing comma in object", body: `{"a":1 "b":2}`, code: ErrMalformed, why: "expected ',' or '}'"},
	{name: "missing comma in array", body: `[1 2]`, code: ErrMalformed, why: "expected ',' or ']'"},
	{name: "unclosed object", body: `{"a":1`, code: ErrMalformed, why: "end of input in an object"},
	{name: "unclosed array", body: `[1`, code: ErrMalformed, why: "end of input in an array"},
	{name: "single quotes", body: `{'card':1}`, code: ErrMalformed, why: "expected a member name"},
	{name: "leading zero", body: `[01]`, code: ErrMalformed, why: "expected ',' or ']'"},
	{name: "bare minus", body: `[-]`, code: ErrMalformed, why: "bad number"},
	{name: "no fraction digits", body: `[1.]`, code: ErrMalformed, why: "bad number"},
	{name: "no exponent digits", body: `[1e+]`, code: ErrMalformed, why: "bad number"},
	{name: "plus sign", body: `[+1]`, code: ErrMalformed, why: "invalid character"},
	{name: "bad literal", body: `[nul]`, code: ErrMalformed, why: "invalid literal"},
	{name: "unterminated string", body: `{"card":"` + card, code: ErrMalformed, why: "unterminated string"},
	{name: "control character", body: "{\"card\":\"a\tb\"}", code: ErrMalformed, why: "control character"},
	{name: "bad escape", body: `{"card":"\x41"}`, code: ErrMalformed, why: "bad escape"},
	{name: "bad unicode escape", body: `{"card":"\u00g1"}`, code: ErrMalformed, why: "bad \\u escape"},
	{name: "lone high surrogate", body: `{"card":"\ud83d"}`, code: ErrMalformed, why: "unpaired surrogate"},
	{name: "high surrogate then non-surrogate", body: `{"card":"\ud83d\u0041"}`, code: ErrMalformed, why: "unpaired surrogate"},
	{name: "lone low surrogate", body: `{"card":"\ude00"}`, code: ErrMalformed, why: "unpaired surrogate"},
	{name: "invalid UTF-8", body: "{\"card\":\"\xff\"}", code: ErrMalformed, why: "invalid UTF-8"},
	{name: "UTF-8 surrogate", body: "{\"card\":\"\xed\xa0\x80\"}", code: ErrMalformed, why: "invalid UTF-8"},
	{name: "selected object", body: `{"card":{"n":"` + card + `"}}`, sel: []string{"/card"}, code: ErrMalformed, why: "is an object"},
	{name: "selected array", body: `{"card":["` + card + `"]}`, sel: []string{"/card"}, code: ErrMalformed, why: "is an array"},
	{name: "selected true", body: `{"card":true}`, sel: []string{"/card"}, code: ErrMalformed, why: "is true"},
	{name: "selected false", body: `{"card":false}`, sel: []string{"/card"}, code: ErrMalformed, why: "is false"},
	{name: "selected null", body: `{"card":null}`, sel: []string{"/card"}, code: ErrMalformed, why: "is null"},
	{name: "bad charset", ct: ctJSON + "; charset=utf-16", body: `{}`, code: ErrContentType, why: "charset"},
	{name: "field too large", body: `{"card":"` + card + `"}`, lim: Limits{MaxField: 15}, code: ErrFieldTooLarge, why: `field "/card" at offset 8`},
	{name: "number too large", body: `{"card":` + card + `}`, lim: Limits{MaxField: 15}, code: ErrFieldTooLarge, why: "over the 15-byte limit"},
	{name: "body too large", body: `{"card":"` + card + `"}`, lim: Limits{MaxBody: 20}, code: ErrBodyTooLarge, why: "over the 20-byte limit"},
	{name: "transform error", body: `{"card":"` + card + `"}`, fn: func(Field) ([]byte, error) { return nil, errors.New("boom") }, code: ErrTransform, why: "failed: boom"},
	{name: "replacement not UTF-8", body: `{"card":"` + card + `"}`, fn: replaceWith("\xff"), code: ErrTransform, why: "not valid UTF-8"},
}

func TestJSON(t *testing.T) {
	for i := range jsonCases {
		if jsonCases[i].ct == "" {
			jsonCases[i].ct = ctJSON
		}
	}
	runCases(t, jsonCases)
}

// The scanner accepts exactly what encoding/json accepts, but for its
// extra rules (none of which the valid cases here break).
func TestJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range jsonCases {
		if c.fn != nil || c.lim != (Limits{}) || c.ct != ctJSON || c.sel != nil && c.code != 0 {
			continue
		}
		_, err := collect(ctJSON, []byte(c.body), nil, Limits{})
		strictOnly := strings.Contains(c.name, "surrogate") || strings.Contains(c.name, "UTF-8") || c.name == "depth 65"
		if valid := json.Valid([]byte(c.body)); (err == nil) != valid && !strictOnly {
			t.Errorf("%s: ours %v, encoding/json valid=%v", c.name, err, valid)
		}
	}
}

func TestJSONReplace(t *testing.T) {
	for _, c := range []struct {
		body, sel, repl, want string
	}{
		{`{"a":1, "card" : "` + card + `" ,"b":2}`, "/card", "ENC:v1:k:x", `{"a":1, "card" : "ENC:v1:k:x" ,"b":2}`},
		{`{"card":` + card + `}`, "/card", "ENC:v1:k:x", `{"card":"ENC:v1:k:x"}`},
		{`[ "\u0041" ]`, "/0", "B", `[ "B" ]`},
		{`{"card":"x"}`, "/card", "", `{"card":""}`},
	} {
		out, _, err := Rewrite(ctJSON, []byte(c.body), selNames([]string{c.sel}), replaceWith(c.repl), Limits{})
		if err != nil || string(out) != c.want {
			t.Errorf("Rewrite(%q) = %q, %v; want %q", c.body, out, err, c.want)
		}
	}
}

// Replacements are quoted as encoding/json quotes strings with HTML
// escaping off.
func TestJSONQuoting(t *testing.T) {
	var all []byte
	for r := rune(0); r < 0x80; r++ {
		all = append(all, byte(r))
	}
	for _, s := range []string{string(all), "é€😀", "\u2028\u2029", "<a href='x'>&amp;</a>", "\x00\x1f\x7f"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendQuoted(nil, []byte(s))
		if string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendQuoted(%q) = %s, encoding/json %s", s, got, want.String())
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%s does not decode back: %q, %v", got, back, err)
		}
	}
}
