// Package benign is the benign traffic of the WAF benchmarks: the
// browser-like requests sent through Edgeward (gateway's BenchmarkWAF)
// and through Coraza's own middleware (corazabaseline's BenchmarkWAF),
// and the page both answer with, so the two benchmarks, run in one
// `go test` command, compare like with like.
//
// A request is either the same every time (Repeat) or one of a stream
// (Varied) in which every request carries a query string, and a POST a
// form, that no earlier request had (a counter), and the session cookie
// changes every eight requests, while the browser's headers stay: what
// a WAF sees from real visitors, where values that repeat can be
// remembered and new ones cannot.
package benign

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// PageSize is the length of Page.
const PageSize = 1024

// Page is an HTML document of exactly PageSize bytes.
func Page() []byte {
	const head = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Contact us</title></head>\n<body>\n<h1>Contact us</h1>\n"
	const tail = "</body>\n</html>\n"
	var b strings.Builder
	b.WriteString(head)
	line := "<p>Thank you for visiting. Write to us with the form below and we will answer within a day.</p>\n"
	for b.Len()+len(line)+len(tail) <= PageSize {
		b.WriteString(line)
	}
	// Pad with one more paragraph (or blank lines when there is no room
	// for one) so the page is exactly PageSize bytes.
	switch pad := PageSize - b.Len() - len(tail); {
	case pad >= len("<p></p>\n"):
		b.WriteString("<p>" + strings.Repeat(".", pad-len("<p></p>\n")) + "</p>\n")
	case pad > 0:
		b.WriteString(strings.Repeat("\n", pad))
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// Repeat is the n to give Request for the request that never changes.
const Repeat = -1

var terms = []string{"red shoes", "garden chair", "laptop bag", "rain jacket", "coffee grinder", "desk lamp", "running socks", "phone case"}

// Target and Form are request n's target and, for a POST, its
// urlencoded form; n is Repeat or a counter from 0.
func Target(method string, n int) string {
	if method == http.MethodPost {
		return "/contact"
	}
	if n == Repeat {
		return "/products/42?ref=home&page=2&sort=price"
	}
	return "/products/" + strconv.Itoa(n%500) + "?ref=home&page=" + strconv.Itoa(n) +
		"&sort=price&q=" + strings.ReplaceAll(terms[n%len(terms)], " ", "+")
}

func Form(n int) string {
	if n == Repeat {
		return "user=alice&email=alice%40example.com&message=Hello+there%2C+please+call+me+back&remember=1"
	}
	id := strconv.Itoa(n)
	return "user=visitor" + id + "&email=visitor" + id + "%40example.com&message=Hello+there%2C+please+call+me+back+about+order+" + id + "&remember=1"
}

// Request is request n as a browser sends it, to host (a name: the CRS
// scores a numeric Host), from 192.0.2.10.
func Request(method, host string, n int) *http.Request {
	target := Target(method, n)
	req, _ := http.NewRequest(method, "http://"+host+target, nil)
	req.RemoteAddr = "192.0.2.10:51234"
	req.RequestURI = target
	session := "5f2b8c1e9a"
	if n != Repeat {
		session = strconv.FormatUint(uint64(n/8)*0x9e3779b1+0x5f2b8c1e9a, 16)
	}
	for k, v := range map[string]string{
		"User-Agent":      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Accept":          "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Language": "en-GB,en;q=0.9",
		"Accept-Encoding": "gzip, deflate, br",
		"Referer":         "https://" + host + "/products",
		"Cookie":          "session=" + session + "; theme=dark",
	} {
		req.Header.Set(k, v)
	}
	req.Body = http.NoBody
	if method == http.MethodPost {
		form := Form(n)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = int64(len(form))
		req.Body = io.NopCloser(strings.NewReader(form))
	}
	return req
}

// Serve sends h requests until the benchmark ends, failing on any
// status but 200: the same request every time (varied false) or the
// varied stream, each request built as it is sent (a few microseconds,
// the same for every handler measured).
func Serve(b *testing.B, h http.Handler, method, host string, varied bool) {
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		clear(w.h)
		w.status = 0
		i := Repeat
		if varied {
			i = n
		}
		n++
		h.ServeHTTP(w, Request(method, host, i))
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("%s %s: status %d", method, Target(method, i), w.status)
		}
	}
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.status = code }
