package gateway

import (
	"fmt"
	"github.com/edgeward/edgeward/keys"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/gateway/origin"
	"github.com/edgeward/edgeward/policy"
)

// memOrigin answers every fetch with a fixed small body from memory, so
// the benchmark measures the gateway's own cost per request: routing,
// stages, header handling, response relay, access log and metrics.
type memOrigin struct {
	id   string
	body string
}

var _ origin.Origin = (*memOrigin)(nil)

func (m *memOrigin) ID() string { return m.id }
func (m *memOrigin) Close()     {}
func (m *memOrigin) Fetch(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    200,
		Header:        http.Header{"Content-Type": {"text/plain"}},
		Body:          io.NopCloser(strings.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
	}, nil
}

// discardWriter is a reusable ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// benchHandler builds a gateway for cfg whose origins are in memory
// (cacheable or not), and a reusable request for target on host.
func benchHandler(b *testing.B, cfg string, cacheable bool, host, target string) (http.Handler, *http.Request, *discardWriter) {
	b.Helper()
	path := b.TempDir() + "/edgeward.yaml"
	if err := writeFile(path, cfg); err != nil {
		b.Fatal(err)
	}
	s, err := New(path, Options{Logger: discardLogger(), newOrigin: func(oc policy.Origin) (origin.Origin, error) {
		m := memOrigin{id: oc.ID, body: strings.Repeat("x", 1024)}
		if cacheable {
			return &cachedMemOrigin{m}, nil
		}
		return &m, nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://"+host+target, nil)
	req.RemoteAddr = "192.0.2.10:51234"
	req.RequestURI = target
	req.Header.Set("User-Agent", "bench/1.0")
	return s.Handler(), req, &discardWriter{h: http.Header{}}
}

// loop serves req until the benchmark ends, reporting allocations.
func loop(b *testing.B, h http.Handler, req *http.Request, w *discardWriter) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

const benchTop = "listen: {http: 127.0.0.1:0, admin: off}\naccess_log: {path: /dev/null, format: cloudfront}\ndistributions:\n"

// BenchmarkPipeline is routing plus the pipeline per request: 5
// distributions with 10 behaviors each, the request matching the 6th
// behavior of the 4th distribution, an in-memory origin (not cached), the
// access log formatted in the CloudFront format and discarded.
func BenchmarkPipeline(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(benchTop)
	for d := range 5 {
		fmt.Fprintf(&sb, "  - name: d%d\n    hosts: [d%d.test, \"*.d%d.test\"]\n    origins: [{id: o, url: http://127.0.0.1:9}]\n    default_behavior: {origin: o, cache: disabled}\n    behaviors:\n", d, d, d)
		for i := range 10 {
			fmt.Fprintf(&sb, "      - {path: \"/b%d/*.jpg\", origin: o, cache: disabled}\n", i)
		}
	}
	h, req, w := benchHandler(b, sb.String(), false, "d3.test", "/b5/photos/cat.jpg?w=200")
	loop(b, h, req, w)
}

// BenchmarkCacheHit is a 1 KiB cache hit through the whole handler: route,
// stages, cache key, memory-tier lookup, headers, access log, metrics.
func BenchmarkCacheHit(b *testing.B) {
	cfg := benchTop + "  - name: d\n    hosts: [d.test]\n    origins: [{id: o, url: http://127.0.0.1:9}]\n    default_behavior: {origin: o}\n"
	h, req, w := benchHandler(b, cfg, true, "d.test", "/obj/1k.bin")
	h.ServeHTTP(w, req) // fill
	clear(w.h)
	h.ServeHTTP(w, req)
	if w.h.Get("X-Cache") != "Hit from edgeward" {
		b.Fatalf("not a hit: %v", w.h)
	}
	loop(b, h, req, w)
}

// cachedMemOrigin is a memOrigin whose responses may be cached.
type cachedMemOrigin struct{ memOrigin }

func (m *cachedMemOrigin) Fetch(req *http.Request) (*http.Response, error) {
	resp, err := m.memOrigin.Fetch(req)
	resp.Header.Set("Cache-Control", "max-age=3600")
	return resp, err
}

// BenchmarkSignedCacheHit is BenchmarkCacheHit on a private behavior: the
// request carries a canned-policy signed URL (RSA-SHA1), verified on every
// request (the signature check itself cached, time and resource not).
func BenchmarkSignedCacheHit(b *testing.B) {
	keysDir, err := filepath.Abs(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := "key_groups:\n  g:\n    - {id: KTESTRSAA, public_key: " + keysDir + "/rsa-a.pub.pem}\n" + benchTop +
		"  - name: d\n    hosts: [d.test]\n    origins: [{id: o, url: http://127.0.0.1:9}]\n    default_behavior: {origin: o, trusted_key_groups: [g]}\n"
	signed, err := testSigner(b, "KTESTRSAA", "rsa-a.pem", keys.HashDefault).SignURL("http://d.test/obj/1k.bin", time.Now().Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	target := strings.TrimPrefix(signed, "http://d.test")
	h, req, w := benchHandler(b, cfg, true, "d.test", target)
	query := req.URL.RawQuery
	serve := func() {
		clear(w.h)
		req.URL.RawQuery = query // the stage strips the signing parameters
		h.ServeHTTP(w, req)
	}
	serve() // fill
	serve()
	if w.h.Get("X-Cache") != "Hit from edgeward" {
		b.Fatalf("not a hit: %v", w.h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve()
	}
}
