package httpcache

import "testing"

func TestWeakETag(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"abc"`, `W/"abc"`},
		{`""`, `W/""`},
		{`W/"abc"`, `W/"abc"`},
		{`W/""`, `W/""`},
		{`"a-b_c.1:2"`, `W/"a-b_c.1:2"`},
		{"\"\x80\xff\"", "W/\"\x80\xff\""}, // obs-text
		{"", ""},
		{`abc`, ""},
		{`"abc`, ""},
		{`abc"`, ""},
		{`"`, ""},
		{`w/"abc"`, ""},
		{`W/abc`, ""},
		{`W/"abc`, ""},
		{`"a"b"`, ""},
		{`"a b"`, ""},
		{"\"a\tb\"", ""},
		{"\"a\x7fb\"", ""},
		{` "abc"`, ""},
		{`W/W/"abc"`, ""},
	}
	for _, tt := range tests {
		if got := WeakETag(tt.in); got != tt.want {
			t.Errorf("WeakETag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
