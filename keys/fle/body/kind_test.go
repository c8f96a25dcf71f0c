package body

import (
	"strings"
	"testing"
)

type kindCase struct {
	ct       string
	kind     Kind
	boundary string
	ok       bool
	code     Code
}

var kindCases = []kindCase{
	{ct: "application/x-www-form-urlencoded", kind: URLEncoded, ok: true},
	{ct: "Application/X-WWW-Form-URLEncoded; charset=ISO-8859-1", kind: URLEncoded, ok: true},
	{ct: "application/json", kind: JSON, ok: true},
	{ct: "application/json; charset=utf-8", kind: JSON, ok: true},
	{ct: "APPLICATION/JSON; Charset=\"UTF-8\"", kind: JSON, ok: true},
	{ct: "application/merge-patch+json", kind: JSON, ok: true},
	{ct: "application/vnd.api+json; charset=us-ascii", kind: JSON, ok: true},
	{ct: "application/json;charset=UTF8", kind: JSON, ok: true},
	{ct: "multipart/form-data; boundary=XyZ", kind: Multipart, boundary: "XyZ", ok: true},
	{ct: `Multipart/Form-Data; BOUNDARY="a'()+_,-./:=? b"`, kind: Multipart, boundary: "a'()+_,-./:=? b", ok: true},
	{ct: "multipart/form-data; boundary=" + strings.Repeat("b", 70), kind: Multipart, boundary: strings.Repeat("b", 70), ok: true},
	// Not ours: ok=false, no error.
	{ct: ""},
	{ct: "  "},
	{ct: "text/plain"},
	{ct: "text/plain; charset"}, // a bad parameter on a type we do not rewrite
	{ct: "multipart/mixed; boundary=XyZ"},
	{ct: "application/+json"},
	{ct: "application/jsonx"},
	// One failing case per check.
	{ct: "application/json; charset=iso-8859-1", code: ErrContentType},
	{ct: "application/json; charset", code: ErrContentType},
	{ct: "/json", code: ErrContentType},
	{ct: "multipart/form-data", code: ErrContentType},
	{ct: `multipart/form-data; boundary=""`, code: ErrContentType},
	{ct: "multipart/form-data; boundary=" + strings.Repeat("b", 71), code: ErrContentType},
	{ct: `multipart/form-data; boundary="a@b"`, code: ErrContentType},
	{ct: `multipart/form-data; boundary="ab "`, code: ErrContentType},
	{ct: "multipart/form-data; boundary=a; boundary=b", code: ErrContentType},
}

func TestKindOf(t *testing.T) {
	for _, c := range kindCases {
		k, b, ok, err := KindOf(c.ct)
		if c.code != 0 {
			if CodeOf(err) != c.code || ok {
				t.Errorf("KindOf(%q) = %v, %v, %v; want code %v", c.ct, k, ok, err, c.code)
			}
			continue
		}
		if err != nil || k != c.kind || b != c.boundary || ok != c.ok {
			t.Errorf("KindOf(%q) = %v, %q, %v, %v; want %v, %q, %v", c.ct, k, b, ok, err, c.kind, c.boundary, c.ok)
		}
	}
}

func TestRewriteRefusesOtherTypes(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "multipart/form-data", "application/json; charset=utf-16"} {
		out, n, err := Rewrite(ct, []byte("card="+card), nil, nil, Limits{})
		if CodeOf(err) != ErrContentType || out != nil || n != 0 {
			t.Errorf("Rewrite(%q) = %q, %d, %v; want ErrContentType", ct, out, n, err)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, s := range map[Kind]string{URLEncoded: "urlencoded", Multipart: "multipart", JSON: "json", 0: "none"} {
		if k.String() != s {
			t.Errorf("%d.String() = %q", int(k), k.String())
		}
	}
}
