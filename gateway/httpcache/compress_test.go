package httpcache

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

func decompress(t *testing.T, enc string, data []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(data))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("gzip.NewReader: %v", err)
		}
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s decode: %v", enc, err)
	}
	return out
}

func TestCompressRoundTrip(t *testing.T) {
	bodies := map[string][]byte{
		"empty":      {},
		"small":      []byte("hello, edge"),
		"html 100k":  htmlLike(100 << 10),
		"html 1M":    htmlLike(1 << 20),
		"random 64k": randomBytes(64 << 10),
	}
	for _, enc := range []string{"br", "gzip"} {
		for name, body := range bodies {
			t.Run(enc+"/"+name, func(t *testing.T) {
				out, err := Compress(enc, body)
				if err != nil {
					t.Fatalf("Compress: %v", err)
				}
				if got := decompress(t, enc, out); !bytes.Equal(got, body) {
					t.Fatalf("round trip: got %d bytes, want %d", len(got), len(body))
				}
				if name == "html 100k" && len(out) > len(body)/3 {
					t.Errorf("%s: %d -> %d bytes, want better than 3:1", enc, len(body), len(out))
				}
				// The result must not alias a pooled buffer.
				keep := bytes.Clone(out)
				if _, err := Compress(enc, randomBytes(len(body)+100)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, keep) {
					t.Fatal("a later Compress changed an earlier result")
				}
			})
		}
	}
}

// TestCompressConcurrent checks that pooled writers are not shared by
// concurrent calls (run with -race).
func TestCompressConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			body := htmlLike(20_000 + i*1000)
			enc := []string{"br", "gzip"}[i%2]
			for range 5 {
				out, err := Compress(enc, body)
				if err != nil {
					t.Error(err)
					return
				}
				if got := decompress(t, enc, out); !bytes.Equal(got, body) {
					t.Errorf("%s: concurrent round trip mismatch", enc)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestCompressUnknownEncoding(t *testing.T) {
	for _, enc := range []string{"", "deflate", "zstd", "BR", "identity"} {
		if _, err := Compress(enc, []byte("x")); !errors.Is(err, ErrUnknownEncoding) {
			t.Errorf("Compress(%q): err = %v, want ErrUnknownEncoding", enc, err)
		}
	}
}

// randomBytes returns incompressible deterministic bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}
