package gateway

import "testing"

func TestRedactQuery(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a=1&b=2", "a=1&b=2"},
		{"Expires=1700000000&Signature=abc~-_&Key-Pair-Id=K2", "Expires=1700000000&Signature=REDACTED&Key-Pair-Id=K2"},
		{"Policy=eyJ&Signature=x&Key-Pair-Id=K", "Policy=eyJ&Signature=REDACTED&Key-Pair-Id=K"},
		{"token=eyJhbGciOi.x.y", "token=REDACTED"},
		{"X-Amz-Credential=AKIA%2F&X-Amz-Signature=ff&X-Amz-Security-Token=zz", "X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED"},
		{"signature=lower", "signature=REDACTED"},
		{"Signature", "Signature"}, // a bare flag carries no value
		{"mytoken=keep&tokens=keep", "mytoken=keep&tokens=keep"},
	} {
		if got := redactQuery(c.in); got != c.want {
			t.Errorf("redactQuery(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{"Signature=abc", "a=1&token=x&b", "X-Amz-Signature=1&&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := redactQuery(q)
		if len(out) > len(q)+len("REDACTED")*len(q) {
			t.Fatalf("output grew without bound: %q", out)
		}
		if redactQuery(out) != out {
			t.Fatalf("not idempotent: %q -> %q", q, out)
		}
	})
}
