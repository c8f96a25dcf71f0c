package body

import (
	"errors"
	"strings"
	"testing"
)

const ctMultipart = "multipart/form-data; boundary=XyZ"

// mpPart is one part with its name and content, in CRLF form.
func mpPart(name, content string) string {
	return crlfLines("--XyZ", `Content-Disposition: form-data; name="`+name+`"`, "", content) + "\r\n"
}

const mpEnd = "--XyZ--\r\n"

// mpHead is a part whose headers are given, with content "v".
func mpHead(headers ...string) string {
	return crlfLines(append(append([]string{"--XyZ"}, headers...), "", "v")...) + "\r\n"
}

var multipartCases = []bodyCase{
	{name: "browser body", body: mpPart("email", "a@example.com") + mpPart("card", card) + mpEnd, sel: []string{"card"},
		want: []Field{fld("card", card)}},
	{name: "all parts", body: mpPart("a", "1") + mpPart("b", "") + mpPart("a", "line1\r\nline2\r\n") + mpEnd,
		want: []Field{fld("a", "1"), fld("b", ""), fld("a", "line1\r\nline2\r\n")}},
	{name: "file part selected by name",
		body: crlfLines("--XyZ", `Content-Disposition: form-data; name="doc"; filename="a b.pdf"`, "Content-Type: application/pdf", "", "%PDF-1.7 \x00\xff") + "\r\n" + mpEnd,
		sel:  []string{"doc"}, want: []Field{fld("doc", "%PDF-1.7 \x00\xff")}},
	{name: "filename star ignored",
		body: mpHead(`content-disposition: FORM-DATA ; filename*=UTF-8''%E2%82%AC.txt ; name=card ;`) + mpEnd,
		want: []Field{fld("card", "v")}},
	{name: "name token and spaces around =", body: mpHead(`Content-Disposition: form-data;name = card`) + mpEnd,
		want: []Field{fld("card", "v")}},
	{name: "utf-8 name", body: mpPart("kártya", "1") + mpEnd, want: []Field{fld("kártya", "1")}},
	{name: "filename with backslashes",
		body: mpHead(`Content-Disposition: form-data; name="f"; filename="C:\dir\a.txt"`) + mpEnd, want: []Field{fld("f", "v")}},
	{name: "preamble epilogue padding",
		body: "preamble line\r\nmore -- XyZ\r\n--XyZ \t\r\n" + `Content-Disposition: form-data; name="card"` + "\r\n\r\n" + card + "\r\n--XyZ-- \r\nepilogue\r\n",
		want: []Field{fld("card", card)}},
	{name: "close at end of body", body: mpPart("card", "1") + "--XyZ--", want: []Field{fld("card", "1")}},
	{name: "no parts", body: "--XyZ--\r\n"},
	{name: "LF only", body: "--XyZ\n" + `Content-Disposition: form-data; name="card"` + "\n\n" + card + "\n--XyZ\n" +
		`Content-Disposition: form-data; name="b"` + "\n\nx\r\ny\n--XyZ--\n",
		want: []Field{fld("card", card), fld("b", "x\r\ny")}},
	{name: "empty content sharing the blank line",
		body: crlfLines("--XyZ", `Content-Disposition: form-data; name="card"`, "", "--XyZ--", ""), want: []Field{fld("card", "")}},
	{name: "identity encodings on a selected part",
		body: mpHead(`Content-Disposition: form-data; name="card"`, "Content-Transfer-Encoding: 8BIT") + mpEnd, want: []Field{fld("card", "v")}},
	{name: "other encoding on an unselected part",
		body: mpHead(`Content-Disposition: form-data; name="x"`, "Content-Transfer-Encoding: base64") + mpPart("card", "1") + mpEnd,
		sel:  []string{"card"}, want: []Field{fld("card", "1")}},
	{name: "right Content-Length on an unselected part",
		body: mpHead(`Content-Disposition: form-data; name="x"`, "Content-Length: 1") + mpPart("card", "1") + mpEnd,
		sel:  []string{"card"}, want: []Field{fld("card", "1")}},
	{name: "part with other headers", body: mpHead(`Content-Disposition: form-data; name="x"`, "X-Foo: bar", "Content-Type: text/plain; charset=utf-8") + mpEnd,
		want: []Field{fld("x", "v")}},
	// One failing case per check.
	{name: "empty body", body: "", code: ErrMalformed, why: "no boundary delimiter"},
	{name: "no delimiter", body: "card=" + card, code: ErrMalformed, why: "no boundary delimiter"},
	{name: "missing close delimiter", body: mpPart("card", card), code: ErrMalformed, why: "missing close delimiter"},
	{name: "delimiter ends the body", body: mpPart("card", card) + "--XyZ", code: ErrMalformed, why: "ends the body"},
	{name: "boundary in the preamble", body: "pre--XyZ\r\n" + mpPart("card", card) + mpEnd, code: ErrMalformed, why: "inside the preamble"},
	{name: "boundary in content", body: mpPart("card", card+" --XyZ") + mpEnd, code: ErrMalformed, why: "inside the content"},
	{name: "boundary in the epilogue", body: mpPart("card", card) + mpEnd + "--XyZ\r\n", code: ErrMalformed, why: "inside the epilogue"},
	{name: "junk after the boundary", body: mpPart("card", card) + "--XyZX\r\n" + mpEnd, code: ErrMalformed, why: "transport padding"},
	{name: "junk after the close delimiter", body: mpPart("card", card) + "--XyZ--x\r\n", code: ErrMalformed, why: "transport padding"},
	{name: "bare LF before a delimiter", body: mpPart("card", card) + "\n--XyZ--\r\n", code: ErrMalformed, why: "bare LF before the delimiter"},
	{name: "CRLF before a delimiter in LF mode", body: "--XyZ\n" + `Content-Disposition: form-data; name="card"` + "\n\n" + card + "\r\n--XyZ--\n", code: ErrMalformed, why: "CRLF before the delimiter"},
	{name: "LF line ending after a delimiter in CRLF mode", body: mpPart("a", "1") + "--XyZ\n" + `Content-Disposition: form-data; name="card"` + "\r\n\r\n" + card + "\r\n" + mpEnd, code: ErrMalformed, why: "offset 54 has more than transport padding"},
	{name: "bare LF in headers", body: "--XyZ\r\n" + `Content-Disposition: form-data; name="card"` + "\n\r\n" + card + "\r\n" + mpEnd, code: ErrMalformed, why: "ends in a bare LF"},
	{name: "header block over 8 KiB", body: mpHead(`Content-Disposition: form-data; name="card"`, "X-Pad: "+strings.Repeat("p", 8192)) + mpEnd, code: ErrMalformed, why: "over 8192 bytes"},
	{name: "header block does not end", body: "--XyZ\r\n" + `Content-Disposition: form-data; name="card"`, code: ErrMalformed, why: "does not end"},
	{name: "too many parts", body: strings.Repeat(mpPart("a", "1"), 1001) + mpEnd, code: ErrMalformed, why: "more than 1000 parts"},
	{name: "no Content-Disposition", body: mpHead("Content-Type: text/plain") + mpEnd, code: ErrMalformed, why: "no Content-Disposition"},
	{name: "no headers", body: "--XyZ\r\n\r\n" + card + "\r\n" + mpEnd, code: ErrMalformed, why: "no Content-Disposition"},
	{name: "not form-data", body: mpHead(`Content-Disposition: attachment; name="card"`) + mpEnd, code: ErrMalformed, why: "not form-data"},
	{name: "no name", body: mpHead(`Content-Disposition: form-data; filename="a"`) + mpEnd, code: ErrMalformed, why: "no name"},
	{name: "empty name", body: mpHead(`Content-Disposition: form-data; name=""`) + mpEnd, code: ErrMalformed, why: "empty name"},
	{name: "name star", body: mpHead(`Content-Disposition: form-data; name="x"; name*=UTF-8''card`) + mpEnd, code: ErrMalformed, why: "name*"},
	{name: "name continuation", body: mpHead(`Content-Disposition: form-data; name*0="ca"; name*1="rd"`) + mpEnd, code: ErrMalformed, why: "name*"},
	{name: "repeated parameter", body: mpHead(`Content-Disposition: form-data; name="x"; NAME="card"`) + mpEnd, code: ErrMalformed, why: "repeated parameter"},
	{name: "too many parameters", body: mpHead(`Content-Disposition: form-data; name=x; a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8`) + mpEnd, code: ErrMalformed, why: "too many parameters"},
	{name: "backslash in name", body: mpHead(`Content-Disposition: form-data; name="ca\rd"`) + mpEnd, code: ErrMalformed, why: "backslash"},
	{name: "backslash before quote", body: mpHead(`Content-Disposition: form-data; filename="a\"; name="card"`) + mpEnd, code: ErrMalformed, why: "backslash"},
	{name: "unterminated quote", body: mpHead(`Content-Disposition: form-data; name="card`) + mpEnd, code: ErrMalformed, why: "unterminated"},
	{name: "junk after a parameter", body: mpHead(`Content-Disposition: form-data; name="card"x`) + mpEnd, code: ErrMalformed, why: "unexpected character"},
	{name: "parameter without =", body: mpHead(`Content-Disposition: form-data; name`) + mpEnd, code: ErrMalformed, why: "without '='"},
	{name: "parameter without value", body: mpHead(`Content-Disposition: form-data; name=`) + mpEnd, code: ErrMalformed, why: "without a value"},
	{name: "parameter without name", body: mpHead(`Content-Disposition: form-data; ="card"`) + mpEnd, code: ErrMalformed, why: "without a name"},
	{name: "two Content-Dispositions", body: mpHead(`Content-Disposition: form-data; name="x"`, `Content-Disposition: form-data; name="card"`) + mpEnd, code: ErrMalformed, why: "more than one Content-Disposition"},
	{name: "folded header", body: mpHead(`Content-Disposition: form-data; name="card"`, "X-Foo: a", " b") + mpEnd, code: ErrMalformed, why: "folded"},
	{name: "header without colon", body: mpHead(`Content-Disposition: form-data; name="card"`, "X-Foo") + mpEnd, code: ErrMalformed, why: "no field name and colon"},
	{name: "space before colon", body: mpHead(`Content-Disposition : form-data; name="card"`) + mpEnd, code: ErrMalformed, why: "bad character in the field name"},
	{name: "control character in header", body: mpHead("Content-Disposition: form-data; name=\"ca\x00rd\"") + mpEnd, code: ErrMalformed, why: "control character"},
	{name: "Content-Length on a selected part", body: mpHead(`Content-Disposition: form-data; name="card"`, "Content-Length: 1") + mpEnd, sel: []string{"card"}, code: ErrMalformed, why: "has a Content-Length header"},
	{name: "wrong Content-Length", body: mpHead(`Content-Disposition: form-data; name="x"`, "Content-Length: 2") + mpEnd, sel: []string{"card"}, code: ErrMalformed, why: "not its length"},
	{name: "two Content-Lengths", body: mpHead(`Content-Disposition: form-data; name="x"`, "Content-Length: 1", "Content-Length: 1") + mpEnd, sel: []string{"card"}, code: ErrMalformed, why: "more than one Content-Length"},
	{name: "base64 on a selected part", body: mpHead(`Content-Disposition: form-data; name="card"`, "Content-Transfer-Encoding: base64") + mpEnd, code: ErrMalformed, why: "other than 7bit"},
	{name: "two encodings", body: mpHead(`Content-Disposition: form-data; name="x"`, "Content-Transfer-Encoding: 7bit", "Content-Transfer-Encoding: 8bit") + mpEnd, sel: []string{"card"}, code: ErrMalformed, why: "more than one Content-Transfer-Encoding"},
	{name: "field too large", body: mpPart("card", card) + mpEnd, lim: Limits{MaxField: 15}, code: ErrFieldTooLarge, why: "over the 15-byte limit"},
	{name: "body too large", body: mpPart("card", card) + mpEnd, lim: Limits{MaxBody: 20}, code: ErrBodyTooLarge, why: "over the 20-byte limit"},
	{name: "transform error", body: mpPart("card", card) + mpEnd, fn: func(Field) ([]byte, error) { return nil, errors.New("boom") }, code: ErrTransform, why: "failed: boom"},
	{name: "replacement holds the boundary", body: mpPart("card", card) + mpEnd, fn: replaceWith("a\r\n--XyZ--\r\n"), code: ErrTransform, why: "contains the boundary"},
	{name: "replacement starts with the boundary", body: mpPart("card", card) + mpEnd, fn: replaceWith("--XyZ"), code: ErrTransform, why: "contains the boundary"},
	{name: "replacement ends in CR in LF mode", body: "--XyZ\n" + `Content-Disposition: form-data; name="card"` + "\n\n" + card + "\n--XyZ--\n", fn: replaceWith("a\r"), code: ErrTransform, why: "ends in CR"},
}

func TestMultipart(t *testing.T) {
	for i := range multipartCases {
		if multipartCases[i].ct == "" {
			multipartCases[i].ct = ctMultipart
		}
	}
	runCases(t, multipartCases)
}

func TestMultipartReplace(t *testing.T) {
	head := "--XyZ\r\n" + `Content-Disposition: form-data; name="card"` + "\r\n\r\n"
	for _, c := range []struct {
		body, repl, want string
	}{
		{mpPart("a", "1") + mpPart("card", card) + mpEnd, "ENC:v1:k:x", mpPart("a", "1") + mpPart("card", "ENC:v1:k:x") + mpEnd},
		{head + card + "\r\n" + mpEnd, "", head + "\r\n" + mpEnd},
		// Empty content sharing its line break with the delimiter: a
		// replacement gets a line break of its own.
		{head + mpEnd, "Z", head + "Z\r\n" + mpEnd},
		{head + mpEnd, "", head + mpEnd},
		{strings.ReplaceAll(head, "\r\n", "\n") + "--XyZ--", "Z", strings.ReplaceAll(head, "\r\n", "\n") + "Z\n--XyZ--"},
		{head + "1\r\n--XyZ\r\n" + "Content-Disposition: form-data; name=card; filename=a.bin\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n" + mpEnd,
			"Q", head + "Q\r\n--XyZ\r\n" + "Content-Disposition: form-data; name=card; filename=a.bin\r\nContent-Type: application/octet-stream\r\n\r\nQ\r\n" + mpEnd},
	} {
		out, _, err := Rewrite(ctMultipart, []byte(c.body), selNames([]string{"card"}), replaceWith(c.repl), Limits{})
		if err != nil || string(out) != c.want {
			t.Errorf("Rewrite(%q) = %q, %v; want %q", c.body, out, err, c.want)
		}
	}
}
