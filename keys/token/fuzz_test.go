package token

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseJWKS checks ParseJWKS never panics, and that what it accepts is
// a usable, strict key set.
func FuzzParseJWKS(f *testing.F) {
	for _, tc := range jwksCases(f) {
		if len(tc.doc) < 64<<10 {
			f.Add([]byte(tc.doc))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseJWKS(data)
		if err != nil {
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("accepted a key set with no keys")
		}
		if _, err := NewVerifier(Config{Keys: keys}); err != nil {
			t.Fatalf("accepted keys NewVerifier refuses: %v", err)
		}
	})
}

// FuzzMatchPath compares matchPath with the dynamic-programming
// reference. Patterns are valid UTF-8, as path claims always are (JSON
// decoding replaces invalid bytes); paths may be anything.
func FuzzMatchPath(f *testing.F) {
	for _, tc := range globCases {
		f.Add(tc.pattern, tc.path)
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		if !utf8.ValidString(pattern) || len(pattern) > 64 || len(path) > 256 {
			return
		}
		if got, want := matchPath(pattern, path), refMatch(pattern, path); got != want {
			t.Fatalf("matchPath(%q, %q) = %v, reference says %v", pattern, path, got, want)
		}
	})
}

// FuzzVerify checks Verify on arbitrary strings: no panic, exactly one of
// claims and error, a known reason, and a fixed message.
func FuzzVerify(f *testing.F) {
	for _, tc := range verifyCases() {
		f.Add(tc.token(f), tc.path)
	}
	v := newTestVerifier(f, 0, "")
	f.Fuzz(func(t *testing.T, tok, path string) {
		c, err := v.Verify(tok, path)
		if (c == nil) == (err == nil) {
			t.Fatalf("claims %v and error %v", c, err)
		}
		if err != nil {
			if msg, ok := messages[err.Reason]; !ok || err.Message != msg {
				t.Fatalf("reason %q with message %q", err.Reason, err.Message)
			}
			return
		}
		// Only honestly signed tokens can pass; the fuzzer may still
		// reach one by re-encoding a seed (e.g. a path it matches).
		if c.Path == "" || !matchPath(c.Path, path) || c.ExpiresAt.Before(now) || strings.Count(tok, ".") != 2 {
			t.Fatalf("accepted %q for %q: %+v", tok, path, c)
		}
	})
}
