package origin

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// liveness bounds waits that must end for the test to pass; it is never
// an assertion about speed.
const liveness = 10 * time.Second

// startServer starts a real HTTP server on 127.0.0.1. Handlers that block
// should wait on release (when not nil), which is closed before the server
// is (httptest's Close waits for handlers).
func startServer(t *testing.T, h http.Handler, release chan struct{}) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if release != nil {
		t.Cleanup(func() { close(release) })
	}
	return srv
}

// newHTTPOrigin builds an HTTP origin named "site" for url, with cfg's
// other fields taken from edit.
func newHTTPOrigin(t *testing.T, url string, edit func(*policy.Origin)) *httpOrigin {
	t.Helper()
	cfg := policy.Origin{ID: "site", URL: url}
	if edit != nil {
		edit(&cfg)
	}
	o, err := NewHTTP(cfg)
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	t.Cleanup(o.Close)
	return o.(*httpOrigin)
}

// request builds a request as the gateway hands it to an origin: path
// and raw query only, no scheme or host.
func request(ctx context.Context, method, path, rawQuery string, body io.Reader) *http.Request {
	r, err := http.NewRequestWithContext(ctx, method, "/", body)
	if err != nil {
		panic(err)
	}
	r.URL.Path, r.URL.RawQuery = path, rawQuery
	r.Header.Set("User-Agent", "test-viewer")
	return r
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// wantError checks err is an *Error of kind whose message has every part.
func wantError(t *testing.T, err error, kind Kind, parts ...string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", kind)
	}
	t.Logf("error: %v", err)
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("error %T %q is not an *origin.Error", err, err)
	}
	if oe.Kind != kind {
		t.Fatalf("kind = %v, want %v (error %q)", oe.Kind, kind, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
	return oe
}

// within runs f in a goroutine and fails the test if it has not returned
// within the liveness bound.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(liveness):
		t.Fatalf("%s: nothing happened within %s", what, liveness)
	}
}

// pattern is an endless deterministic byte stream that hashes what it
// produced.
type pattern struct {
	rng *rand.ChaCha8
	h   hash.Hash
}

func newPattern(seed byte) *pattern {
	var s [32]byte
	s[0] = seed
	return &pattern{rng: rand.NewChaCha8(s), h: sha256.New()}
}

func (p *pattern) Read(b []byte) (int, error) {
	p.rng.Read(b)
	p.h.Write(b)
	return len(b), nil
}

func (p *pattern) Sum() (s [32]byte) {
	copy(s[:], p.h.Sum(nil))
	return s
}

// hashReader hashes what is read through it.
type hashReader struct {
	r io.Reader
	h hash.Hash
}

func newHashReader(r io.Reader) *hashReader { return &hashReader{r: r, h: sha256.New()} }

func (r *hashReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.h.Write(b[:n])
	return n, err
}

func (r *hashReader) Sum() (s [32]byte) {
	copy(s[:], r.h.Sum(nil))
	return s
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func policyDir(dir string) policy.Origin { return policy.Origin{ID: "files", Dir: dir} }

func policyURL(u, path string) policy.Origin { return policy.Origin{ID: "site", URL: u, Path: path} }

// newCountingServer is a loopback server answering "ok" that counts the
// connections it accepts, to observe keep-alive reuse.
func newCountingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	conns := new(atomic.Int32)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, conns
}
