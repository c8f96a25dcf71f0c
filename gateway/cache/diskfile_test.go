package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func validHeader(t testing.TB) []byte {
	t.Helper()
	m := testMeta("d", "/a", "q=1", "t1")
	m.Size = 10
	b, err := encodeHeader("key", m, 1234, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeHeader(t *testing.T) {
	good := validHeader(t)
	h, rec, err := decodeHeader(good, true)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Key != "key" || rec.Meta.Path != "/a" || h.bodyLen != 10 || h.bodyCRC != 1234 || rec.Meta.Size != 10 {
		t.Fatalf("decoded %+v %+v", h, rec)
	}
	if _, lite, err := decodeHeader(good, false); err != nil || lite.Meta.Query != "q=1" || lite.Meta.Tags[0] != "t1" {
		t.Fatalf("lite decode: %+v %v", lite, err)
	}
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "bad file header"},
		{"short", good[:20], "bad file header"},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "bad file header"},
		{"bad version", mod(func(b []byte) []byte { b[4] = 2; return b }), "version 2"},
		{"reserved bits", mod(func(b []byte) []byte { b[6] = 1; return b }), "bad file header"},
		{"region too large", mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], maxMetaCap+1); return b }), "bad file header"},
		{"json longer than region", mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<19); return b }), "bad file header"},
		{"region cut", good[:len(good)-1], "bad file header"},
		{"flipped metadata", mod(func(b []byte) []byte { b[fixedLen+3] ^= 1; return b }), "checksum mismatch"},
		{"flipped body length", mod(func(b []byte) []byte { b[16] ^= 1; return b }), "checksum mismatch"},
		{"flipped checksum", mod(func(b []byte) []byte { b[28] ^= 1; return b }), "checksum mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeHeader(tt.b, true)
			if err == nil || !errors.Is(err, errBadHeader) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	// Metadata too large for a header is refused when writing.
	m := testMeta("d", "/a", "")
	m.Header.Set("X", strings.Repeat("x", maxMetaCap))
	if _, err := encodeHeader("k", m, 0, 0); !errors.Is(err, errMetaTooLarge) {
		t.Fatalf("huge metadata: %v", err)
	}
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(validHeader(f))
	f.Add([]byte(fileMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, full := range []bool{true, false} {
			h, rec, err := decodeHeader(b, full)
			if err != nil {
				if !errors.Is(err, errBadHeader) {
					t.Fatalf("error %v is not errBadHeader", err)
				}
				continue
			}
			if rec.Key == "" || rec.Meta == nil || h.bodyLen < 0 || int64(len(b)) != h.bodyOff() {
				t.Fatalf("accepted an inconsistent header: %+v %+v", h, rec)
			}
		}
	})
}
