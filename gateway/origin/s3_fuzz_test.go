package origin

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzS3EscapePath checks that an escaped key decodes to the key itself
// and holds nothing but unreserved characters, '/' and %XX escapes, so S3
// and the SigV4 canonical URI read the same key.
func FuzzS3EscapePath(f *testing.F) {
	for _, s := range []string{"/a b/ü+%.txt", "/plain", "/100%", "/%41", "/a&b=c", "/q?mark#frag", "/日本", "/\x00\xff", "/~-._", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		e := s3EscapePath(p)
		for i := 0; i < len(e); i++ {
			c := e[i]
			if c == '%' {
				if i+2 >= len(e) || !isUpperHex(e[i+1]) || !isUpperHex(e[i+2]) {
					t.Fatalf("%q escapes to %q: bad escape at %d", p, e, i)
				}
				i += 2
				continue
			}
			if !s3Unreserved(c) {
				t.Fatalf("%q escapes to %q, with %q", p, e, c)
			}
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != p {
			t.Fatalf("%q escapes to %q, which reads as %q (%v)", p, e, back, err)
		}
		if u := (&url.URL{Path: p, RawPath: e}); u.EscapedPath() != e {
			t.Fatalf("%q: net/url would send %q, not %q", p, u.EscapedPath(), e)
		}
	})
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzParseS3Error checks that whatever an origin answers, the code and
// message taken from it are safe to log: a code of letters, digits and
// dots, a short message without control characters.
func FuzzParseS3Error(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key></Error>`,
		`<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message><StringToSign>AWS4-HMAC-SHA256</StringToSign></Error>`,
		`<Error><Code>AccessDenied</Code>`, // truncated
		`<Error><Message>no code</Message></Error>`,
		`<Other><Code>NoSuchKey</Code></Other>`,
		`<Error><Code>Bad Code!</Code><Message>line1` + "\r\n" + `line2</Message></Error>`,
		`<Error><Code><![CDATA[NoSuchKey]]></Code></Error>`,
		`not xml`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		code, msg := parseS3Error(data)
		if code != cleanS3Code(code) {
			t.Fatalf("code %q is not clean", code)
		}
		if len(msg) > 203 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		if strings.ContainsFunc(msg, func(r rune) bool {
			return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029'
		}) {
			t.Fatalf("message %q has a control character", msg)
		}
	})
}

// TestParseS3Error covers what the fuzz target is seeded with.
func TestParseS3Error(t *testing.T) {
	tests := []struct {
		body, code, msg string
	}{
		{`<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`, "NoSuchKey", "The specified key does not exist."},
		{`<Error><Code>AccessDenied</Code>`, "AccessDenied", ""},
		{`<Error><Message>no code</Message></Error>`, "", "no code"},
		{`<Other><Code>NoSuchKey</Code></Other>`, "", ""},
		{`<Error><Nested><Code>NoSuchKey</Code></Nested></Error>`, "", ""},
		{`<Error><Code>Bad Code!</Code></Error>`, "", ""},
		{`<Error><Code>` + strings.Repeat("A", 65) + `</Code></Error>`, "", ""},
		{"<Error><Message>a\r\nInjected: b</Message></Error>", "", "a Injected: b"},
		{`<Error><Message>` + strings.Repeat("x", 300) + `</Message></Error>`, "", strings.Repeat("x", 200) + "..."},
		{`<Error><Code><![CDATA[SlowDown]]></Code></Error>`, "SlowDown", ""},
		{`<Error><Code> InternalError </Code></Error>`, "InternalError", ""},
		{`not xml`, "", ""},
	}
	for _, tt := range tests {
		code, msg := parseS3Error([]byte(tt.body))
		if code != tt.code || msg != tt.msg {
			t.Errorf("%q: got %q %q, want %q %q", tt.body, code, msg, tt.code, tt.msg)
		}
	}
}
