package body

import (
	"slices"
	"strings"
	"testing"
)

// bodyCase is one table row: a body, what to select, and either the
// fields Rewrite must offer the transform or the code it must fail with.
// The fuzz targets are seeded from these tables.
type bodyCase struct {
	name string
	ct   string
	body string
	sel  []string // selected names (exact); nil selects every field
	lim  Limits
	fn   Transform // nil: collect the fields, replace nothing
	want []Field   // when code is 0
	code Code
	why  string // a piece of the error's text, when code is not 0
}

// card is the plaintext in the tables; no error text may contain it.
const card = "4111111111111111"

func selNames(names []string) Selector {
	if names == nil {
		return func(string) bool { return true }
	}
	return func(n string) bool { return slices.Contains(names, n) }
}

// collect returns the fields Rewrite offers, replacing nothing.
func collect(ct string, body []byte, sel Selector, lim Limits) ([]Field, error) {
	var fs []Field
	_, _, err := Rewrite(ct, body, sel, func(f Field) ([]byte, error) {
		fs = append(fs, f)
		return nil, nil
	}, lim)
	return fs, err
}

func runCases(t *testing.T, cases []bodyCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var (
				got []Field
				err error
			)
			if c.fn != nil {
				_, _, err = Rewrite(c.ct, []byte(c.body), selNames(c.sel), c.fn, c.lim)
			} else {
				got, err = collect(c.ct, []byte(c.body), selNames(c.sel), c.lim)
			}
			if c.code != 0 {
				if err == nil {
					t.Fatalf("no error, want %v", c.code)
				}
				if CodeOf(err) != c.code {
					t.Fatalf("error %v, want code %v", err, c.code)
				}
				if !errorIs(err, c.code) {
					t.Fatalf("errors.Is does not match code %v: %v", c.code, err)
				}
				if !strings.Contains(err.Error(), c.why) {
					t.Fatalf("error %q does not say %q", err, c.why)
				}
				if strings.Contains(err.Error(), card) {
					t.Fatalf("error text holds a value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.fn != nil {
				return
			}
			if !sameFields(got, c.want) {
				t.Fatalf("fields\n got %s\nwant %s", showFields(got), showFields(c.want))
			}
		})
	}
}

func sameFields(a, b []Field) bool {
	return slices.EqualFunc(a, b, func(x, y Field) bool {
		return x.Name == y.Name && string(x.Value) == string(y.Value) && x.JSONNumber == y.JSONNumber
	})
}

func showFields(fs []Field) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("[" + f.Name + "=" + string(f.Value))
		if f.JSONNumber {
			b.WriteString(" (number)")
		}
		b.WriteString("] ")
	}
	return b.String()
}

// fld is a Field literal in the tables.
func fld(name, value string) Field { return Field{Name: name, Value: []byte(value)} }

func num(name, value string) Field { return Field{Name: name, Value: []byte(value), JSONNumber: true} }

// replaceWith returns a transform that replaces every field by s.
func replaceWith(s string) Transform {
	return func(Field) ([]byte, error) { return []byte(s), nil }
}

// crlf joins lines with CRLF, for multipart bodies.
func crlfLines(lines ...string) string { return strings.Join(lines, "\r\n") }
