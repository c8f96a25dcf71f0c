package body

import (
	"errors"
	"strings"
	"testing"
)

const ctForm = "application/x-www-form-urlencoded"

var urlCases = []bodyCase{
	{name: "one selected", body: "email=a%40example.com&card=" + card + "&cvv=123", sel: []string{"card"},
		want: []Field{fld("card", card)}},
	{name: "all fields", body: "a=1&b=&c&=d",
		want: []Field{fld("a", "1"), fld("b", ""), fld("c", ""), fld("", "d")}},
	{name: "empty body", body: ""},
	{name: "empty pairs", body: "&&a=1&&b=2&", want: []Field{fld("a", "1"), fld("b", "2")}},
	{name: "escaped names", body: "card%5Fnumber=1&first+name=J+Q&x%2By=%2B", sel: []string{"card_number", "first name", "x+y"},
		want: []Field{fld("card_number", "1"), fld("first name", "J Q"), fld("x+y", "+")}},
	{name: "raw name does not match", body: "card%5Fnumber=1", sel: []string{"card%5Fnumber"}},
	{name: "repeated names", body: "card=1&x=2&card=3", sel: []string{"card"},
		want: []Field{fld("card", "1"), fld("card", "3")}},
	{name: "equals in value", body: "a=b=c", want: []Field{fld("a", "b=c")}},
	{name: "non-utf8 bytes kept", ct: ctForm + "; charset=iso-8859-1", body: "n=caf\xe9&card=%E9", sel: []string{"card"},
		want: []Field{fld("card", "\xe9")}},
	{name: "field limit on decoded length", body: "card=%41%41%41&x=" + strings.Repeat("y", 100), sel: []string{"card"},
		lim: Limits{MaxField: 3}, want: []Field{fld("card", "AAA")}},
	{name: "unselected field over the limit", body: "x=" + strings.Repeat("y", 100) + "&card=1", sel: []string{"card"},
		lim: Limits{MaxField: 3}, want: []Field{fld("card", "1")}},
	// One failing case per check.
	{name: "bad escape", body: "card=" + card + "&a=%zz", code: ErrMalformed, why: "bad %-escape"},
	{name: "bad escape in name", body: "c%rd=" + card, code: ErrMalformed, why: "offset 1"},
	{name: "truncated escape", body: "card=" + card + "%4", code: ErrMalformed, why: "bad %-escape"},
	{name: "escape at end", body: "card=" + card + "%", code: ErrMalformed, why: "bad %-escape"},
	{name: "semicolon", body: "x=1;card=" + card, code: ErrMalformed, why: "raw ';'"},
	{name: "field too large", body: "card=" + card, sel: []string{"card"}, lim: Limits{MaxField: 15}, code: ErrFieldTooLarge, why: "over the 15-byte limit"},
	{name: "body too large", body: "card=" + card, lim: Limits{MaxBody: 20}, code: ErrBodyTooLarge, why: "over the 20-byte limit"},
	{name: "transform error", body: "card=" + card, fn: func(Field) ([]byte, error) { return nil, errors.New("boom") }, code: ErrTransform, why: "failed: boom"},
}

func TestURLEncoded(t *testing.T) {
	for i := range urlCases {
		if urlCases[i].ct == "" {
			urlCases[i].ct = ctForm
		}
	}
	runCases(t, urlCases)
}

func TestURLEncodedReplace(t *testing.T) {
	for _, c := range []struct {
		body, sel, repl, want string
	}{
		{"a=1&card=" + card + "&b=2", "card", "ENC:v1:k1:AbC-_", "a=1&card=ENC:v1:k1:AbC-_&b=2"},
		{"card=x", "card", "a b&c=d;e%f/+", "card=a+b%26c%3Dd%3Be%25f%2F%2B"},
		{"card=x", "card", "caf\u00e9~*.-_", "card=caf%C3%A9~*.-_"},
		{"flag&b=1", "flag", "on", "flag=on&b=1"},
		{"flag&b=1", "flag", "", "flag&b=1"},
		{"card=1&card=2", "card", "Z", "card=Z&card=Z"},
		{"card=", "card", "Z", "card=Z"},
		{"card=1", "card", "", "card="},
		{"%63ard=1&x=%41", "card", "Z", "%63ard=Z&x=%41"},
	} {
		out, n, err := Rewrite(ctForm, []byte(c.body), selNames([]string{c.sel}), replaceWith(c.repl), Limits{})
		if err != nil || string(out) != c.want {
			t.Errorf("Rewrite(%q) = %q, %d, %v; want %q", c.body, out, n, err, c.want)
		}
	}
}
