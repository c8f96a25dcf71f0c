package gateway

import "testing"

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
