package gateway

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"
)

// The WAF benchmarks: benign requests through the whole gateway handler
// (an in-memory origin answering 1 KiB of text/plain, not cached) with
// the WAF on and off, next to Coraza's own middleware, txhttp.WrapHandler,
// around a handler answering the same bytes, set up as Coraza's README
// has it (the recommended config, so the response body is inspected too)
// and once more with the response body not inspected; and the gateway
// with crs.recheck_window, where an identical repeat of an allowed
// bodiless request skips evaluation. All at paranoia 1,
// in one run, so the ratios compare like with like:
//
//	go test -run '^$' -bench BenchmarkWAF -benchmem ./gateway

const (
	wafBenchURI  = "/products/42?ref=home&page=2&sort=price"
	wafBenchForm = "user=alice&email=alice%40example.com&message=Hello+there%2C+please+call+me+back&remember=1"
)

// wafBenchRequest is a browser-like benign request: GET, or a form POST.
func wafBenchRequest(method string) *http.Request {
	target, body := wafBenchURI, ""
	if method == "POST" {
		target, body = "/contact", wafBenchForm
	}
	req, _ := http.NewRequest(method, "http://d.test"+target, nil)
	req.RemoteAddr = "192.0.2.10:51234"
	req.RequestURI = target
	for k, v := range map[string]string{
		"User-Agent":      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Accept":          "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Language": "en-GB,en;q=0.9",
		"Accept-Encoding": "gzip, deflate, br",
		"Referer":         "https://d.test/products",
		"Cookie":          "session=5f2b8c1e9a; theme=dark",
	} {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = int64(len(body))
	}
	return req
}

// serveBench serves a fresh copy of req (its body rewound) until the
// benchmark ends, failing on anything but 200.
func serveBench(b *testing.B, h http.Handler, method string) {
	req := wafBenchRequest(method)
	w := &statusDiscard{discardWriter: discardWriter{h: http.Header{}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		w.status = 0
		r := *req
		r.Body = http.NoBody
		if method == "POST" {
			r.Body = io.NopCloser(strings.NewReader(wafBenchForm))
		}
		h.ServeHTTP(w, &r)
		if w.status != 0 && w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

type statusDiscard struct {
	discardWriter
	status int
}

func (s *statusDiscard) WriteHeader(code int) { s.status = code }

func BenchmarkWAF(b *testing.B) {
	dir := b.TempDir()
	for name, text := range map[string]string{
		"waf.yaml":     "kind: waf\nmode: block\ncrs: {paranoia_level: 1}\n",
		"recheck.yaml": "kind: waf\nmode: block\ncrs: {paranoia_level: 1, recheck_window: 10s}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gw := func(b *testing.B, policy string) http.Handler {
		cfg := benchTop + "  - name: d\n    hosts: [d.test]\n    origins: [{id: o, url: http://127.0.0.1:9}]\n" +
			"    default_behavior: {origin: o, cache: disabled, allowed_methods: [ALL]" + policy + "}\n"
		h, _, _ := benchHandler(b, strings.ReplaceAll(cfg, "policy: ", "policy: "+dir+"/"), false, "d.test", "/")
		return h
	}
	page := strings.Repeat("x", 1024)
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, page)
	})
	coraza := func(b *testing.B, extra string) http.Handler {
		waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(
			"Include @coraza.conf-recommended\nInclude @crs-setup.conf.example\nInclude @owasp_crs/*.conf\nSecRuleEngine On\n" + extra))
		if err != nil {
			b.Fatal(err)
		}
		return txhttp.WrapHandler(waf, origin)
	}
	for _, method := range []string{"GET", "POST"} {
		b.Run(method+"/gateway-waf-off", func(b *testing.B) { serveBench(b, gw(b, ""), method) })
		b.Run(method+"/gateway-waf-on", func(b *testing.B) { serveBench(b, gw(b, ", waf_policy: waf.yaml"), method) })
		if method == "GET" { // a request with a body is never rechecked
			b.Run(method+"/gateway-waf-on-recheck-window", func(b *testing.B) { serveBench(b, gw(b, ", waf_policy: recheck.yaml"), method) })
		}
		b.Run(method+"/coraza-wraphandler", func(b *testing.B) { serveBench(b, coraza(b, ""), method) })
		b.Run(method+"/coraza-wraphandler-no-response-body", func(b *testing.B) {
			serveBench(b, coraza(b, "SecResponseBodyAccess Off\n"), method)
		})
	}
}
