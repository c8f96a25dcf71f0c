package body

import (
	"bytes"
	"strings"
	"testing"
)

func collectAll(ct string, body []byte, lim Limits) ([]Field, error) {
	var fs []Field
	_, _, err := RewriteAll(ct, body, func(f Field) ([]byte, error) {
		fs = append(fs, f)
		return nil, nil
	}, lim)
	return fs, err
}

func TestRewriteAll(t *testing.T) {
	for _, c := range []struct {
		name, ct, body string
		want           []Field
	}{
		{"urlencoded", ctForm, "a=1&b&c=%41", []Field{fld("a", "1"), fld("b", ""), fld("c", "A")}},
		{"json skips containers and literals", ctJSON, `{"a":{"b":[true,null,"s",1]},"c":false,"d":"x"}`,
			[]Field{fld("/a/b/2", "s"), num("/a/b/3", "1"), fld("/d", "x")}},
		{"multipart skips parts it cannot rewrite", ctMultipart,
			mpHead(`Content-Disposition: form-data; name="b64"`, "Content-Transfer-Encoding: base64") +
				mpHead(`Content-Disposition: form-data; name="len"`, "Content-Length: 1") + mpPart("card", card) + mpEnd,
			[]Field{fld("card", card)}},
	} {
		got, err := collectAll(c.ct, []byte(c.body), Limits{})
		if err != nil || !sameFields(got, c.want) {
			t.Errorf("%s: %s, %v; want %s", c.name, showFields(got), err, showFields(c.want))
		}
	}
	// Still strict about the body.
	for _, c := range []struct{ ct, body string }{
		{ctJSON, `{"a":1,}`},
		{ctMultipart, mpHead(`Content-Disposition: form-data; name="len"`, "Content-Length: 2") + mpEnd},
		{ctForm, "a=%x"},
	} {
		if _, err := collectAll(c.ct, []byte(c.body), Limits{}); CodeOf(err) != ErrMalformed {
			t.Errorf("%q: err %v, want malformed", c.body, err)
		}
	}
	if _, _, err := RewriteAll("text/plain", nil, nil, Limits{}); CodeOf(err) != ErrContentType {
		t.Errorf("text/plain: %v", err)
	}
}

// The decrypting side: seal the selected fields, then open every ENC:v1
// value RewriteAll finds.
func TestRewriteAllDecrypts(t *testing.T) {
	for _, c := range roundTrips {
		enc, _, err := Rewrite(c.ct, []byte(c.body), selNames(c.sel), fakeSeal, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		dec, n, err := RewriteAll(c.ct, enc, fakeOpen, Limits{})
		if err != nil || n != c.n || !bytes.Equal(dec, []byte(c.body)) {
			t.Errorf("%s: n=%d err=%v\n got %q\nwant %q", c.name, n, err, dec, c.body)
		}
		if strings.Contains(c.body, "ENC:v1:") {
			t.Fatal("fixture holds an ENC value")
		}
	}
}
