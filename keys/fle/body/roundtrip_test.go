package body

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// fakeSeal stands in for HPKE: ENC:v1:k:<base64url of the value>.
func fakeSeal(f Field) ([]byte, error) {
	return []byte("ENC:v1:k:" + base64.RawURLEncoding.EncodeToString(f.Value)), nil
}

func fakeOpen(f Field) ([]byte, error) {
	s, ok := strings.CutPrefix(string(f.Value), "ENC:v1:k:")
	if !ok {
		return nil, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

type roundTrip struct {
	name, ct, body string
	sel            []string
	n              int
}

var roundTrips = []roundTrip{
	{name: "urlencoded", ct: ctForm,
		body: "email=a%40example.com&card_number=" + card + "&holder=J+Q+Public&note=caf%C3%A9+%26+cr%C3%A8me&empty=&flag&card%5Fcvv=123&&x=1",
		sel:  []string{"card_number", "holder", "note", "empty", "card_cvv"}, n: 5},
	{name: "urlencoded repeated", ct: ctForm, body: "card=1&card=2&card=3", sel: []string{"card"}, n: 3},
	{name: "multipart browser", ct: ctMultipart,
		body: mpPart("email", "a@example.com") + mpPart("card_number", card) +
			crlfLines("--XyZ", `Content-Disposition: form-data; name="scan"; filename="card.png"`, "Content-Type: image/png", "", "\x89PNG\r\n\x1a\n\x00\x00") + "\r\n" +
			mpPart("note", "line 1\r\nline 2\r\n") + mpPart("empty", "") + mpEnd,
		sel: []string{"card_number", "scan", "note", "empty"}, n: 4},
	{name: "multipart LF preamble epilogue padding", ct: "multipart/form-data; boundary=\"b 1\"",
		body: "This is a preamble.\n--b 1 \t\nContent-Disposition: form-data; name=card\n\n" + card + "\n--b 1\n" +
			"content-disposition: form-data; name=\"x\"\ncontent-type: text/plain\n\ny\n--b 1--  \nepilogue\n",
		sel: []string{"card"}, n: 1},
	{name: "json", ct: ctJSON + "; charset=utf-8",
		body: "{ \"email\" :\"a@example.com\",\n\t\"payment\": {\"card_number\":\"" + card + "\", \"holder\" : \"J\\u00e9r\\u00f4me\"," +
			"\"exp\":\"12/30\"},\r\n \"items\":[{\"sku\":\"A1\",\"qty\":2e0}], \"note\":\"caf\u00e9 \\\"quoted\\\"\\n\" ,\"note\":\"2nd\", \"e\":\"\"}  ",
		sel: []string{"/payment/card_number", "/payment/exp", "/note", "/e"}, n: 5},
}

// Replacing selected fields and replacing them back gives the original
// bytes, when the original values were in the canonical encoding.
func TestRoundTrip(t *testing.T) {
	for _, c := range roundTrips {
		t.Run(c.name, func(t *testing.T) {
			body := []byte(c.body)
			enc, n, err := Rewrite(c.ct, body, selNames(c.sel), fakeSeal, Limits{})
			if err != nil || n != c.n {
				t.Fatalf("seal: n=%d err=%v, want n=%d", n, err, c.n)
			}
			if bytes.Contains(enc, []byte(card)) {
				t.Fatalf("plaintext left in %q", enc)
			}
			dec, n, err := Rewrite(c.ct, enc, selNames(c.sel), fakeOpen, Limits{})
			if err != nil || n != c.n {
				t.Fatalf("open: n=%d err=%v", n, err)
			}
			if !bytes.Equal(dec, body) {
				t.Fatalf("round trip changed the body\n got %q\nwant %q", dec, body)
			}
			if string(body) != c.body {
				t.Fatal("Rewrite modified its input")
			}
		})
	}
}

// Round trips that cannot give the same bytes give the same fields: a
// JSON number comes back as a string, a urlencoded pair without "=" gets
// one, an empty multipart content sharing its line break with the
// delimiter gets a line break of its own, and escapes become canonical.
func TestRoundTripSameFields(t *testing.T) {
	for _, c := range []roundTrip{
		{ct: ctJSON, body: `{"cvv":123,"card":"\u0034111"}`, sel: []string{"/cvv", "/card"}},
		{ct: ctForm, body: "flag&card=%34%31%31%31", sel: []string{"flag", "card"}},
		{ct: ctMultipart, body: crlfLines("--XyZ", `Content-Disposition: form-data; name="card"`, "", "--XyZ--"), sel: []string{"card"}},
	} {
		sel := selNames(c.sel)
		want, err := collect(c.ct, []byte(c.body), sel, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		enc, _, err := Rewrite(c.ct, []byte(c.body), sel, fakeSeal, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		dec, _, err := Rewrite(c.ct, enc, sel, fakeOpen, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(c.ct, dec, sel, Limits{})
		if err != nil {
			t.Fatalf("%q does not parse: %v", dec, err)
		}
		for i := range want {
			want[i].JSONNumber = false
		}
		if !sameFields(got, want) {
			t.Errorf("%q -> %q: fields %s, want %s", c.body, dec, showFields(got), showFields(want))
		}
	}
}

// Only the selected values' bytes change: each case lists the raw spans
// that are replaced by "X" (in encoded form), in order.
func TestUntouchedBytes(t *testing.T) {
	for _, c := range []struct {
		name, ct, body string
		sel            []string
		spans          []string // raw value spans, in body order
		repl           []string // what each becomes
	}{
		{"urlencoded escapes and repeats", ctForm, "a+b=%20&c%5Fd=" + card + "&e=&c_d=&f%3Dg=1&c%5fd", []string{"c_d"},
			[]string{"=" + card, "c_d=&", "&c%5fd"}, []string{"=X", "c_d=X&", "&c%5fd=X"}},
		{"urlencoded non-ASCII kept", ctForm, "n=\xe9t\xe9&card=1&m=\xff", []string{"card"}, []string{"=1"}, []string{"=X"}},
		{"json odd whitespace and escapes", ctJSON,
			"\r\n{\t\"\\u0063ard\" \n:\r\"" + card + "\"\t,\"other\":\"\\ud83d\\ude00\\/\",\"card\":  -1.5E-3  ,\"x\":[ ],\"card\":\"\"}\n",
			[]string{"/card"}, []string{`"` + card + `"`, "-1.5E-3", `""`}, []string{`"X"`, `"X"`, `"X"`}},
		{"multipart headers and padding", ctMultipart,
			"pre\r\n--XyZ   \r\ncontent-disposition:form-data;name=card;filename=\"a.txt\"\r\nX-Other:  x \r\n\r\n" + card + "\r\n--XyZ\t\r\n" +
				"Content-Disposition: form-data; name=\"card\"\r\n\r\n\r\n--XyZ--\t \r\npost",
			[]string{"card"}, []string{"\r\n\r\n" + card + "\r\n", "\r\n\r\n\r\n"}, []string{"\r\n\r\nX\r\n", "\r\n\r\nX\r\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var want strings.Builder
			rest := c.body
			for i, s := range c.spans {
				before, after, ok := strings.Cut(rest, s)
				if !ok {
					t.Fatalf("span %q not in the body", s)
				}
				want.WriteString(before + c.repl[i])
				rest = after
			}
			want.WriteString(rest)
			out, n, err := Rewrite(c.ct, []byte(c.body), selNames(c.sel), replaceWith("X"), Limits{})
			if err != nil || string(out) != want.String() || n != len(c.spans) {
				t.Fatalf("got %q, %d, %v\nwant %q", out, n, err, want.String())
			}
		})
	}
}

// With nothing replaced, Rewrite returns its input slice: no copy.
func TestNoReplacementReturnsInput(t *testing.T) {
	for _, c := range roundTrips {
		body := []byte(c.body)
		for _, fn := range []Transform{nil, func(Field) ([]byte, error) { return nil, nil }} {
			out, n, err := Rewrite(c.ct, body, selNames(c.sel), fn, Limits{})
			if err != nil || n != 0 || len(out) != len(body) || &out[0] != &body[0] {
				t.Errorf("%s: got a copy or an error: n=%d err=%v", c.name, n, err)
			}
		}
		out, _, err := Rewrite(c.ct, body, func(string) bool { return false }, fakeSeal, Limits{})
		if err != nil || &out[0] != &body[0] {
			t.Errorf("%s: nothing selected, got a copy or an error: %v", c.name, err)
		}
	}
}

// The whole body is checked before the Transform first runs.
func TestNoTransformBeforeValidation(t *testing.T) {
	for _, c := range []struct{ ct, body string }{
		{ctForm, "card=1&x=%zz"},
		{ctMultipart, mpPart("card", "1") + mpPart("x", "2")},
		{ctJSON, `{"card":"1","x":}`},
	} {
		called := false
		_, _, err := Rewrite(c.ct, []byte(c.body), selNames([]string{"card", "/card"}), func(Field) ([]byte, error) {
			called = true
			return nil, nil
		}, Limits{})
		if CodeOf(err) != ErrMalformed || called {
			t.Errorf("%q: err=%v, transform called=%v", c.body, err, called)
		}
	}
}

// Field.Value is the Transform's own copy.
func TestValueIsACopy(t *testing.T) {
	for _, c := range roundTrips {
		body := []byte(c.body)
		_, _, err := Rewrite(c.ct, body, selNames(c.sel), func(f Field) ([]byte, error) {
			for i := range f.Value {
				f.Value[i] = 'Z'
			}
			return nil, nil
		}, Limits{})
		if err != nil || string(body) != c.body {
			t.Errorf("%s: the body changed through Field.Value (err %v)", c.name, err)
		}
	}
}
