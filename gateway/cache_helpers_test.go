package gateway

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingOrigin is a real HTTP origin whose handlers the test sets per
// path, counting the requests each path received.
type countingOrigin struct {
	*httptest.Server
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	hits     map[string]*atomic.Int64
	last     map[string]*http.Request
}

func newCountingOrigin(t *testing.T) *countingOrigin {
	o := &countingOrigin{handlers: map[string]http.HandlerFunc{}, hits: map[string]*atomic.Int64{}, last: map[string]*http.Request{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		h := o.handlers[r.URL.Path]
		c := o.hits[r.URL.Path]
		if c == nil {
			c = new(atomic.Int64)
			o.hits[r.URL.Path] = c
		}
		o.last[r.URL.Path] = r.Clone(r.Context())
		o.mu.Unlock()
		c.Add(1)
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *countingOrigin) handle(path string, h http.HandlerFunc) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handlers[path] = h
}

func (o *countingOrigin) count(path string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if c := o.hits[path]; c != nil {
		return c.Load()
	}
	return 0
}

func (o *countingOrigin) lastRequest(path string) *http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last[path]
}

// static answers with a fixed body and headers.
func static(body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Write([]byte(body))
	}
}

// fakeClock is the injected clock of cache tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startCacheGateway starts a gateway with the given clock.
func startCacheGateway(t *testing.T, cfg string, clock *fakeClock) *Server {
	t.Helper()
	s, err := New(writeConfig(t, "", cfg), Options{Logger: discardLogger(), Now: clock.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(t.Context()) })
	return s
}

// get fetches path from the gateway for host d.test.
func (s *Server) get(t *testing.T, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Add(hdr[i], hdr[i+1])
	}
	return do(t, noDecompress, "GET", "http://"+s.Addr()+path, "d.test", h, nil)
}

// noDecompress is a client that shows Content-Encoding as it is.
var noDecompress = &http.Client{Transport: &http.Transport{DisableCompression: true}}
