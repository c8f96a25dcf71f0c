package rules

import (
	"bytes"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
)

// benignHeaders are what a browser sends.
func benignHeaders() http.Header {
	return http.Header{
		"User-Agent":      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"},
		"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Language": {"en-GB,en;q=0.9"},
		"Accept-Encoding": {"gzip, deflate, br"},
		"Referer":         {"https://shop.example/products"},
		"Cookie":          {"session=5f2b8c1e9a; theme=dark"},
	}
}

const (
	benchURI  = "/products/42?ref=home&page=2&sort=price"
	benchForm = "user=alice&email=alice%40example.com&message=Hello+there%2C+please+call+me+back&remember=1"
)

func benchGET() *Request {
	return &Request{Method: "GET", URI: benchURI, Path: "/products/42", Proto: "HTTP/1.1", Host: "shop.example", Header: benignHeaders(),
		Client: netip.MustParseAddrPort("192.0.2.10:5000"), Server: netip.MustParseAddrPort("127.0.0.1:8080"), ContentLength: -1}
}

func benchPOST() *Request {
	r := benchGET()
	r.Method, r.URI, r.Path = "POST", "/contact", "/contact"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Content-Length", "96")
	r.Body, r.ContentLength = strings.NewReader(benchForm), int64(len(benchForm))
	return r
}

// BenchmarkInspect is one benign request through the engine at paranoia
// 1, response inspection off: Inspect, then Close (the logging phase).
func BenchmarkInspect(b *testing.B) {
	e := engine(b, baseSpec())
	b.Run("benign-GET", func(b *testing.B) { inspectLoop(b, e, benchGET) })
	b.Run("benign-GET-recheck", func(b *testing.B) {
		s := baseSpec()
		s.RecheckWindow = time.Second
		inspectLoop(b, engine(b, s), benchGET)
	})
	b.Run("benign-GET-response-inspection", func(b *testing.B) {
		s := baseSpec()
		s.ResponseInspection = true
		e := engine(b, s)
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		b.ReportAllocs()
		for b.Loop() {
			v := e.Inspect(benchGET())
			rv := v.InspectResponse(200, "HTTP/1.1", h, bytes.NewReader(benchPage))
			if !v.Allowed || !rv.Allowed {
				b.Fatal(v.Detail, rv.Detail)
			}
			v.Close()
		}
	})
	b.Run("benign-form-POST", func(b *testing.B) { inspectLoop(b, e, benchPOST) })
	// Every request new, as from real visitors (the rx verdict cache
	// rarely helps), with rule pruning (prune.go) and without it.
	for _, prune := range []bool{true, false} {
		s := baseSpec()
		s.NoPrune = !prune
		e := engine(b, s)
		name := map[bool]string{true: "pruned", false: "unpruned"}[prune]
		b.Run("varied-GET-"+name, func(b *testing.B) { inspectLoop(b, e, variedRequests(variedGET)) })
		b.Run("varied-form-POST-"+name, func(b *testing.B) { inspectLoop(b, e, variedRequests(variedPOST)) })
	}
}

// variedRequests makes request n for n counting up.
func variedRequests(make func(n int) *Request) func() *Request {
	n := 0
	return func() *Request {
		n++
		return make(n)
	}
}

// variedGET and variedPOST are testdata/bench/waf.lua's varied requests.
func variedGET(n int) *Request {
	r := benchGET()
	r.URI = fmt.Sprintf("/products/%d?ref=home&page=%d&sort=price&q=red+shoes", n%500, n)
	r.Header.Set("Cookie", fmt.Sprintf("session=%x; theme=dark", n/8*2654435761+409240313498))
	return r
}

func variedPOST(n int) *Request {
	r := variedGET(n)
	form := fmt.Sprintf("user=visitor%d&email=visitor%d%%40example.com&message=Hello+there%%2C+please+call+me+back+about+order+%d&remember=1", n, n, n)
	r.Method, r.URI, r.Path = "POST", "/contact", "/contact"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Content-Length", strconv.Itoa(len(form)))
	r.Body, r.ContentLength = strings.NewReader(form), int64(len(form))
	return r
}

// inspectLoop inspects a fresh request from req, then closes the
// verdict, until the benchmark ends; a refusal fails it.
func inspectLoop(b *testing.B, e *Engine, req func() *Request) {
	b.ReportAllocs()
	for b.Loop() {
		v := e.Inspect(req())
		if !v.Allowed {
			b.Fatal(v.Detail)
		}
		v.Close()
	}
}

// benchPage is the origin's answer: an 8 KiB HTML page.
var benchPage = []byte("<!doctype html><html><head><title>Shop</title></head><body>" +
	strings.Repeat("<div class=\"product\"><a href=\"/products/42\">Blue mug</a> <span>12.50 EUR</span></div>\n", 90) + "</body></html>")

// BenchmarkCorazaBaseline is the same requests through a Coraza WAF set
// up the way Coraza's own http middleware is used with the CRS: all five
// phases, the response body (an 8 KiB page) inspected, as the
// recommended file's SecResponseBodyAccess On has it. For comparison
// with BenchmarkInspect (response inspection off, the policy default).
func BenchmarkCorazaBaseline(b *testing.B) {
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(
		"Include @coraza.conf-recommended\nSecRuleEngine On\nInclude @crs-setup.conf.example\nInclude @owasp_crs/*.conf\n"))
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, r *Request, body string) {
		tx := waf.NewTransaction()
		tx.ProcessConnection("192.0.2.10", 5000, "127.0.0.1", 8080)
		tx.ProcessURI(r.URI, r.Method, r.Proto)
		tx.AddRequestHeader("Host", r.Host)
		for k, vs := range r.Header {
			for _, v := range vs {
				tx.AddRequestHeader(k, v)
			}
		}
		if it := tx.ProcessRequestHeaders(); it != nil {
			b.Fatal(it)
		}
		if body != "" {
			if _, _, err := tx.WriteRequestBody([]byte(body)); err != nil {
				b.Fatal(err)
			}
		}
		if it, err := tx.ProcessRequestBody(); it != nil || err != nil {
			b.Fatal(it, err)
		}
		tx.AddResponseHeader("Content-Type", "text/html; charset=utf-8")
		tx.ProcessResponseHeaders(200, "HTTP/1.1")
		if _, _, err := tx.WriteResponseBody(benchPage); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ProcessResponseBody(); err != nil {
			b.Fatal(err)
		}
		tx.ProcessLogging()
		_ = tx.Close()
	}
	b.Run("benign-GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(b, benchGET(), "")
		}
	})
	b.Run("benign-form-POST", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(b, benchPOST(), benchForm)
		}
	})
}
