package fle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/keys/fle/body"
)

// Content types of the DecryptBody tables.
const (
	ctForm      = "application/x-www-form-urlencoded"
	ctMultipart = "multipart/form-data; boundary=XyZ"
	ctJSON      = "application/json"
)

// bodyBinding is what DecryptBody is given: everything but the field.
var bodyBinding = fle.Binding{Distribution: "shop", Method: "POST", Path: "/checkout/pay"}

// decryptBodyCase is one DecryptBody call and what it must give.
type decryptBodyCase struct {
	name string
	ct   string
	body string
	// On success (fails false): the decrypted body and the count. n == 0
	// means the body comes back as it was (the same slice).
	want string
	n    int
	// On failure: the sentinel (fle's, or a *body.Error with its code)
	// and a piece of the message; is may be nil for an error of
	// DecryptBody's own.
	fails bool
	is    error
	msg   string
	// Plaintexts and sealed values of the body, which no error may quote.
	secrets []string
}

func mpPart(name, content string) string {
	return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + content + "\r\n"
}

func mpPartH(headers, content string) string {
	return "--XyZ\r\n" + headers + "\r\n\r\n" + content + "\r\n"
}

const mpEnd = "--XyZ--\r\n"

// decryptBodyCases returns the DecryptBody table and the Decryptor it is
// run with (TestDecryptBody; FuzzDecryptBody seeds from it). Values are
// sealed with Encryptor.Seal, with the field name or pointer as
// Binding.Field.
func decryptBodyCases(t testing.TB) (*fle.Decryptor, []decryptBodyCase) {
	t.Helper()
	x, pq := testKey(t, fle.TypeX25519, "k1"), testKey(t, fle.TypeMLKEM768X25519, "pq1")
	ex, epq := newEncryptor(t, x), newEncryptor(t, pq)
	gone := newEncryptor(t, testKey(t, fle.TypeX25519, "gone"))
	d := newDecryptor(t, x, pq)
	var secrets []string
	sealWith := func(e *fle.Encryptor, b fle.Binding, field, pt string) string {
		b.Field = field
		v := seal(t, e, b, pt)
		if len(pt) >= 6 {
			secrets = append(secrets, pt)
		}
		secrets = append(secrets, v[len(fle.Prefix)+len(e.KeyID())+1:]) // the sealed part
		return v
	}
	s := func(field, pt string) string { return sealWith(ex, bodyBinding, field, pt) }
	const cardPT = "4111111111111111"
	card, cvv := s("card_number", cardPT), s("cvv", "123")
	otherPath := bodyBinding
	otherPath.Path = "/checkout/refund"
	tampered := s("card_number", cardPT)
	if tampered[40] == 'A' { // change one character in the middle
		tampered = tampered[:40] + "B" + tampered[41:]
	} else {
		tampered = tampered[:40] + "A" + tampered[41:]
	}

	cases := []decryptBodyCase{
		// urlencoded
		{name: "urlencoded", ct: ctForm,
			body: "card_number=" + card + "&name=Jane+Doe&cvv=" + cvv + "&note=hello%21&empty=" + s("empty", "") +
				"&card%20holder=" + s("card holder", "O'Brien & Sons") + "&pq=" + sealWith(epq, bodyBinding, "pq", "post-quantum secret"),
			want: "card_number=" + cardPT + "&name=Jane+Doe&cvv=123&note=hello%21&empty=&card%20holder=O%27Brien+%26+Sons&pq=post-quantum+secret",
			n:    5},
		{name: "urlencoded percent-escaped value", ct: ctForm + "; charset=utf-8",
			body: "a=1&card_number=" + strings.ReplaceAll(card, ":", "%3A") + "&b",
			want: "a=1&card_number=" + cardPT + "&b", n: 1},
		{name: "urlencoded repeated name", ct: ctForm,
			body: "card_number=" + card + "&card_number=" + s("card_number", "5500000000000004"),
			want: "card_number=" + cardPT + "&card_number=5500000000000004", n: 2},
		{name: "urlencoded no values", ct: ctForm,
			body: "a=1&b=ENC:v2:k1:xyz&c=enc:v1:k1:abc&d=ENC%3Av1&e=ENC:v1&&f"},
		// multipart
		{name: "multipart", ct: ctMultipart,
			body: "preamble\r\n" + mpPart("card_number", card) + mpPart("name", "Jane") + mpPart("cvv", cvv) +
				mpPartH(`Content-Disposition: form-data; name="doc"; filename="a.txt"`+"\r\nContent-Type: text/plain", "file\r\ncontent") +
				mpPart("empty", s("empty", "")) + mpPart("pq", sealWith(epq, bodyBinding, "pq", "post-quantum secret")) + mpEnd + "epilogue",
			want: "preamble\r\n" + mpPart("card_number", cardPT) + mpPart("name", "Jane") + mpPart("cvv", "123") +
				mpPartH(`Content-Disposition: form-data; name="doc"; filename="a.txt"`+"\r\nContent-Type: text/plain", "file\r\ncontent") +
				mpPart("empty", "") + mpPart("pq", "post-quantum secret") + mpEnd + "epilogue",
			n: 4},
		{name: "multipart LF only", ct: ctMultipart,
			body: strings.ReplaceAll(mpPart("card_number", card)+mpPart("x", "y")+mpEnd, "\r\n", "\n"),
			want: strings.ReplaceAll(mpPart("card_number", cardPT)+mpPart("x", "y")+mpEnd, "\r\n", "\n"),
			n:    1},
		// Parts RewriteAll does not offer keep even an ENC:v1 value.
		{name: "multipart parts that are not looked at", ct: ctMultipart,
			body: mpPartH(`Content-Disposition: form-data; name="legacy"`+"\r\nContent-Length: 5", "ENC:v") +
				mpPartH(`Content-Disposition: form-data; name="b64"`+"\r\nContent-Transfer-Encoding: base64", card) +
				mpPart("cvv", cvv) + mpEnd,
			want: mpPartH(`Content-Disposition: form-data; name="legacy"`+"\r\nContent-Length: 5", "ENC:v") +
				mpPartH(`Content-Disposition: form-data; name="b64"`+"\r\nContent-Transfer-Encoding: base64", card) +
				mpPart("cvv", "123") + mpEnd,
			n: 1},
		{name: "multipart no values", ct: ctMultipart,
			body: mpPart("a", "ENC:v2:k1:x") + mpPart("b", "") + mpEnd},
		// JSON
		{name: "json", ct: ctJSON,
			body: `{"card_number":"` + s("/card_number", cardPT) + `", "name":"Jane",` +
				` "payment":{"card":{"cvv":"` + s("/payment/card/cvv", "123") + `"},"amount":12.5},` +
				` "cards":["` + s("/cards/0", "5500000000000004") + `",{"number":"` + s("/cards/1/number", "340000000000009") + `"}],` +
				` "a/b":"` + s("/a~1b", "slash") + `", "m~n":"` + s("/m~0n", "tilde") + `",` +
				` "total":"` + s("/total", "12.50") + `", "quote":"` + s("/quote", `say "hi"\`) + `",` +
				` "pq":"` + sealWith(epq, bodyBinding, "/pq", "post-quantum secret") + `", "ok":true, "none":null, "n":-0.5e3}`,
			want: `{"card_number":"` + cardPT + `", "name":"Jane",` +
				` "payment":{"card":{"cvv":"123"},"amount":12.5},` +
				` "cards":["5500000000000004",{"number":"340000000000009"}],` +
				` "a/b":"slash", "m~n":"tilde",` +
				` "total":"12.50", "quote":"say \"hi\"\\",` +
				` "pq":"post-quantum secret", "ok":true, "none":null, "n":-0.5e3}`,
			n: 9},
		{name: "json escaped value", ct: "application/merge-patch+json; charset=utf-8",
			body: `[{"x":"` + strings.Replace(s("/0/x", "escaped"), "E", `\u0045`, 1) + `"}]`,
			want: `[{"x":"escaped"}]`, n: 1},
		{name: "json root string", ct: ctJSON, body: `"` + card + `"`},
		{name: "json no values", ct: ctJSON, body: `{"a":"ENC:v2:k1:x","b":[1,2,{"c":"enc:v1:k1:AAAA"}],"d":"ENC:v1"}`},

		// A value that does not open fails the body, wherever it is.
		{name: "moved to another field", ct: ctForm,
			body:  "card_number=" + card + "&comment=" + s("card_number", cardPT),
			fails: true, is: fle.ErrOpen, msg: `fle: decrypt body: fle body: transform: urlencoded: transform of field "comment" at offset 117 failed: fle: value does not open with key "k1" for field "comment"`},
		{name: "moved to another path", ct: ctForm,
			body:  "card_number=" + sealWith(ex, otherPath, "card_number", cardPT),
			fails: true, is: fle.ErrOpen, msg: `for field "card_number"`},
		{name: "moved between array elements", ct: ctJSON,
			body:  `{"cards":["` + s("/cards/0", "5500000000000004") + `","` + s("/cards/0", "4000000000000002") + `"]}`,
			fails: true, is: fle.ErrOpen, msg: `for field "/cards/1"`},
		{name: "moved to a top-level member", ct: ctJSON,
			body:  `{"payment":{"card":"` + s("/payment/card", cardPT) + `"},"card":"` + s("/payment/card", cardPT) + `"}`,
			fails: true, is: fle.ErrOpen, msg: `for field "/card"`},
		{name: "form name used as a JSON pointer", ct: ctJSON,
			body:  `{"card_number":"` + card + `"}`,
			fails: true, is: fle.ErrOpen, msg: `for field "/card_number"`},
		{name: "moved to another part", ct: ctMultipart,
			body:  mpPart("card_number", card) + mpPart("comment", s("card_number", cardPT)) + mpEnd,
			fails: true, is: fle.ErrOpen, msg: `multipart: transform of field "comment"`},
		{name: "changed byte", ct: ctForm, body: "card_number=" + tampered,
			fails: true, is: fle.ErrOpen, msg: "does not open"},
		{name: "unknown key", ct: ctForm,
			body:  "cvv=" + cvv + "&card_number=" + sealWith(gone, bodyBinding, "card_number", cardPT),
			fails: true, is: fle.ErrUnknownKey, msg: `no private key has the id "gone" (held: k1, pq1)`},
		{name: "malformed value", ct: ctForm, body: "card_number=ENC:v1:k1:AAAA",
			fails: true, is: fle.ErrMalformedValue, msg: "too short"},
		{name: "malformed value in JSON", ct: ctJSON, body: `{"a":["ENC:v1:k1"]}`,
			fails: true, is: fle.ErrMalformedValue, msg: `transform of field "/a/0"`},
		{name: "malformed value in a part", ct: ctMultipart, body: mpPart("a", "ENC:v1:k1:"+strings.Repeat("A", 70)+"=") + mpEnd,
			fails: true, is: fle.ErrMalformedValue, msg: "not base64url"},
		// Plaintexts that cannot be written back (anyone can seal them).
		{name: "plaintext not UTF-8 in JSON", ct: ctJSON, body: `{"a":"` + s("/a", "\xff\xfe\xfd\xfc\xfb\xfa") + `"}`,
			fails: true, is: &body.Error{Code: body.ErrTransform}, msg: `json: replacement for field "/a" at offset 5 is not valid UTF-8`},
		{name: "plaintext holds the boundary", ct: ctMultipart, body: mpPart("a", s("a", "x\r\n--XyZ--\r\n")) + mpEnd,
			fails: true, is: &body.Error{Code: body.ErrTransform}, msg: `multipart: replacement for part "a" at offset`},
		// Content types and bodies that do not parse.
		{name: "unsupported content type", ct: "text/plain", body: "card_number=" + card,
			fails: true, msg: `fle: decrypt body: content type "text/plain" is not a urlencoded form, multipart/form-data or JSON`},
		{name: "no content type", ct: "", body: "card_number=" + card,
			fails: true, msg: `content type "" is not a urlencoded form`},
		{name: "multipart without a boundary", ct: "multipart/form-data", body: mpPart("card_number", card) + mpEnd,
			fails: true, is: &body.Error{Code: body.ErrContentType}, msg: "without a boundary parameter"},
		{name: "JSON in latin1", ct: ctJSON + "; charset=latin1", body: `{"a":"` + card + `"}`,
			fails: true, is: &body.Error{Code: body.ErrContentType}, msg: "charset other than utf-8"},
		{name: "content type does not parse", ct: "application/json; =", body: `{}`,
			fails: true, is: &body.Error{Code: body.ErrContentType}, msg: "does not parse"},
		{name: "malformed JSON", ct: ctJSON, body: `{"card_number":"` + card + `",}`,
			fails: true, is: &body.Error{Code: body.ErrMalformed}, msg: "json"},
		{name: "malformed form", ct: ctForm, body: "card_number=" + card + "&a=%zz",
			fails: true, is: &body.Error{Code: body.ErrMalformed}, msg: "urlencoded"},
		{name: "multipart part with a wrong Content-Length", ct: ctMultipart,
			body:  mpPart("card_number", card) + mpPartH(`Content-Disposition: form-data; name="x"`+"\r\nContent-Length: 9", "ENC:v") + mpEnd,
			fails: true, is: &body.Error{Code: body.ErrMalformed}, msg: `part "x" at offset`},
	}
	for i := range cases {
		cases[i].secrets = secrets
	}
	return d, cases
}

func TestDecryptBody(t *testing.T) {
	d, cases := decryptBodyCases(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.body)
			out, n, err := d.DecryptBody(tc.ct, in, bodyBinding)
			if string(in) != tc.body {
				t.Fatal("DecryptBody changed its input")
			}
			if tc.fails {
				if out != nil || n != 0 {
					t.Errorf("out %d bytes, n %d with error %v", len(out), n, err)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("error %v is not %v", err, tc.is)
				}
				wantErr(t, err, tc.msg)
				if err != nil {
					checkNoSecrets(t, err, tc.secrets)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecryptBody: %v", err)
			}
			want := tc.want
			if tc.n == 0 {
				want = tc.body
				if len(out) > 0 && &out[0] != &in[0] {
					t.Error("a body without values is copied, not returned as it is")
				}
			}
			if n != tc.n || string(out) != want {
				t.Errorf("n = %d, body\n%q\nwant n = %d, body\n%q", n, out, tc.n, want)
			}
		})
	}
}

// checkNoSecrets fails if err quotes one of secrets.
func checkNoSecrets(t testing.TB, err error, secrets []string) {
	t.Helper()
	msg := err.Error()
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q quotes the secret %.40q", msg, s)
		}
	}
}

// TestDecryptBodyBindingFields: DecryptBody takes the distribution, method
// and path from its Binding and ignores its KeyID and Field.
func TestDecryptBodyBindingFields(t *testing.T) {
	k := testKey(t, fle.TypeX25519, "k1")
	e, d := newEncryptor(t, k), newDecryptor(t, k)
	b := bodyBinding
	b.Field = "card_number"
	data := []byte("card_number=" + seal(t, e, b, "4111111111111111"))
	withJunk := bodyBinding
	withJunk.KeyID, withJunk.Field = "other", "other"
	if out, n, err := d.DecryptBody(ctForm, data, withJunk); err != nil || n != 1 || string(out) != "card_number=4111111111111111" {
		t.Errorf("DecryptBody = %q, %d, %v", out, n, err)
	}
	for _, mod := range []func(*fle.Binding){
		func(b *fle.Binding) { b.Distribution = "shop-staging" },
		func(b *fle.Binding) { b.Method = "PUT" },
		func(b *fle.Binding) { b.Path = "/checkout/pay/" },
	} {
		b := bodyBinding
		mod(&b)
		if _, _, err := d.DecryptBody(ctForm, data, b); !errors.Is(err, fle.ErrOpen) {
			t.Errorf("binding %+v: %v, want ErrOpen", b, err)
		}
	}
	// A value too large to bind fails with ErrBinding.
	b = bodyBinding
	b.Path = strings.Repeat("p", 1<<16)
	if _, _, err := d.DecryptBody(ctForm, data, b); !errors.Is(err, fle.ErrBinding) {
		t.Errorf("long path: %v, want ErrBinding", err)
	}
	if out, n, err := d.DecryptBody(ctJSON, []byte(" {} "), bodyBinding); err != nil || n != 0 || string(out) != " {} " {
		t.Errorf("empty object: %q, %d, %v", out, n, err)
	}
	if _, _, err := d.DecryptBody(ctJSON, nil, bodyBinding); !errors.Is(err, &body.Error{Code: body.ErrMalformed}) {
		t.Errorf("empty JSON body: %v, want malformed", err)
	}
	if out, n, err := d.DecryptBody(ctForm, nil, bodyBinding); err != nil || n != 0 || len(out) != 0 {
		t.Errorf("empty form: %q, %d, %v", out, n, err)
	}
}
