package rules

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

func baseSpec() Spec {
	return Spec{Mode: Block, ParanoiaLevel: 1, InboundAnomalyThreshold: 5, OutboundAnomalyThreshold: 4, RequestBodyLimit: 16 << 10}
}

var (
	engMu    sync.Mutex
	engCache = map[string]*Engine{}
)

// engine builds (once per spec: tests share them, as the gateway does)
// an engine without logs.
func engine(t testing.TB, s Spec) *Engine {
	t.Helper()
	engMu.Lock()
	defer engMu.Unlock()
	if e, ok := engCache[s.Key()]; ok {
		return e
	}
	e, err := NewEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	engCache[s.Key()] = e
	return e
}

func get(uri string, hdr http.Header) *Request {
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) edgeward-test")
	hdr.Set("Accept", "text/html")
	path, _, _ := strings.Cut(uri, "?")
	return &Request{Method: "GET", URI: uri, Path: path, Proto: "HTTP/1.1", Host: "d.test", Header: hdr,
		Client: netip.MustParseAddrPort("192.0.2.10:5000"), Server: netip.MustParseAddrPort("127.0.0.1:8080"), ContentLength: -1}
}

func post(uri, contentType, body string) *Request {
	r := get(uri, http.Header{"Content-Type": {contentType}})
	r.Method = "POST"
	r.Body = strings.NewReader(body)
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", "1") // present, as net/http leaves it
	return r
}

func inspect(t *testing.T, e *Engine, r *Request) *Verdict {
	t.Helper()
	v := e.Inspect(r)
	t.Cleanup(v.Close)
	return v
}

// syncBuffer is a log for tests: safe for the concurrent writes of
// engines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const sqli = "1%27%20OR%201=1--"
