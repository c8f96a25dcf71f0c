package fle_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// TestBindingAAD pins the encoding the spec gives: each component as a
// 2-byte big-endian length and its bytes, in the order key id,
// distribution, method, path, field.
func TestBindingAAD(t *testing.T) {
	b := fle.Binding{KeyID: "k1", Distribution: "shop", Method: "POST", Path: "/p", Field: "/a"}
	got, err := b.AAD()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("\x00\x02k1\x00\x04shop\x00\x04POST\x00\x02/p\x00\x02/a")
	if !bytes.Equal(got, want) {
		t.Errorf("AAD = %q, want %q", got, want)
	}
	empty, err := fle.Binding{}.AAD()
	if err != nil || !bytes.Equal(empty, make([]byte, 10)) {
		t.Errorf("empty binding: AAD = %q, %v; want ten zero bytes", empty, err)
	}
	// Moving bytes between components changes the encoding.
	a1, _ := fle.Binding{Path: "/a", Field: "b"}.AAD()
	a2, _ := fle.Binding{Path: "/ab", Field: ""}.AAD()
	if bytes.Equal(a1, a2) {
		t.Error("components are not length-delimited")
	}
}

func TestBindingAADTooLong(t *testing.T) {
	long := strings.Repeat("x", 65536)
	for _, tc := range []struct {
		name string
		b    fle.Binding
		want string
	}{
		{"key id", fle.Binding{KeyID: long}, "the key id is 65536 bytes"},
		{"distribution", fle.Binding{Distribution: long}, "the distribution is 65536 bytes"},
		{"method", fle.Binding{Method: long}, "the method is 65536 bytes"},
		{"path", fle.Binding{Path: long}, "the path is 65536 bytes"},
		{"field", fle.Binding{Field: long}, "the field is 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.b.AAD()
			wantErr(t, err, tc.want)
			if !errors.Is(err, fle.ErrBinding) {
				t.Errorf("error %v is not ErrBinding", err)
			}
		})
	}
	// 65535 is the longest component that can be bound.
	if _, err := (fle.Binding{Path: long[1:]}).AAD(); err != nil {
		t.Errorf("65535-byte path: %v", err)
	}
}
