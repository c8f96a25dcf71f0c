package gateway

import (
	"slices"
	"strings"
	"testing"
)

func TestCanonicalQuery(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"b=2&a=1", "a=1&b=2"},
		{"id=2&id=1&a", "a&id=2&id=1"}, // repeated names keep their order
		{"w=100&h=50&w=200", "h=50&w=100&w=200"},
	} {
		if got := canonicalQuery(c.in); got != c.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "a=1", "b=2&a=1", "id=2&id=1&a", "&&=&x", "w=100&h=50&w=200"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := canonicalQuery(q)
		if canonicalQuery(out) != out {
			t.Fatalf("not idempotent: %q -> %q", q, out)
		}
		a, b := strings.Split(q, "&"), strings.Split(out, "&")
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Fatalf("parameters changed: %q -> %q", q, out)
		}
	})
}

func TestParseContentRange(t *testing.T) {
	for _, c := range []struct {
		in          string
		first, last int64
	}{
		{"bytes 10-19/10000", 10, 19},
		{"bytes 0-0/1", 0, 0},
		{"bytes 10-19/*", 10, 19},
		{"bytes */100", -1, -1},
		{"items 1-2/3", -1, -1},
		{"bytes a-b/3", -1, -1},
		{"", -1, -1},
	} {
		if f, l := parseContentRange(c.in); f != c.first || l != c.last {
			t.Errorf("parseContentRange(%q) = %d, %d; want %d, %d", c.in, f, l, c.first, c.last)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 10-19/10000", "bytes */100", "bytes -1--2/3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		first, last := parseContentRange(v)
		if (first == -1) != (last == -1) {
			t.Fatalf("%q: half a range %d-%d", v, first, last)
		}
	})
}
