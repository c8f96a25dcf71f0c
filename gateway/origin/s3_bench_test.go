package origin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkS3Sign is the cost SigV4 adds to a request: credentials from
// the cache, signing a copy with the signed headers, the signed header map.
func BenchmarkS3Sign(b *testing.B) {
	o := newS3OriginWith(b, s3Cfg("http://127.0.0.1:7070", "media", "", ""), staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
	r := request(b.Context(), "GET", "/dir/some object+name.jpg", "", nil)
	r.Header.Set("Range", "bytes=0-1023")
	r.Header.Set("X-Forwarded-For", "192.0.2.1")
	out := o.request(r, "/dir/some object+name.jpg", false)
	out.URL.Scheme, out.URL.Host, out.Host = "http", "127.0.0.1:7070", "127.0.0.1:7070"
	b.ReportAllocs()
	for b.Loop() {
		send := *out
		if err := o.sign(&send); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkS3Fetch fetches a small object from a loopback stand-in for S3
// over a kept-alive connection, signing every request.
func BenchmarkS3Fetch(b *testing.B) {
	body := make([]byte, 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	o := newS3OriginWith(b, s3Cfg(srv.URL, "media", "", ""), staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
	r := request(b.Context(), "GET", "/small.bin", "", nil)
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
