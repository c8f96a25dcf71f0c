package origin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDirFetch serves a small file: open, stat, ServeContent through
// the pipe adapter, read, close.
func BenchmarkDirFetch(b *testing.B) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "small.txt"), make([]byte, 1024), 0o644); err != nil {
		b.Fatal(err)
	}
	o := newDirOrigin(b, root, "")
	r := request(b.Context(), "GET", "/small.txt", "", nil)
	buf := make([]byte, 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := o.Fetch(r)
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
		io.CopyBuffer(io.Discard, resp.Body, buf)
		resp.Body.Close()
	}
}

// BenchmarkHTTPFetch fetches a small response from a local server over a
// kept-alive connection.
func BenchmarkHTTPFetch(b *testing.B) {
	body := make([]byte, 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	}))
	defer srv.Close()
	cfg := policyURL(srv.URL, "/base")
	cfg.Headers = map[string]string{"X-Origin-Secret": "s"}
	o, err := NewHTTP(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	r := request(b.Context(), "GET", "/small", "a=1", nil)
	buf := make([]byte, 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := o.Fetch(r)
		if err != nil {
			b.Fatal(err)
		}
		io.CopyBuffer(io.Discard, resp.Body, buf)
		resp.Body.Close()
	}
}
