package origin

// Timeouts, retries and failures of the HTTP origin.

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

func TestHTTPIdleConnSurvivesReadTimeout(t *testing.T) {
	srv, conns := newCountingServer(t)
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) {
		c.ReadTimeout = policy.Duration(50 * time.Millisecond)
		c.KeepAliveTimeout = policy.Duration(time.Minute)
	})
	for i := range 2 {
		if i == 1 {
			time.Sleep(200 * time.Millisecond) // idle for several read timeouts
		}
		resp, err := o.Fetch(request(t.Context(), "GET", "/", "", nil))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			t.Fatalf("request %d body: %v", i, err)
		}
		resp.Body.Close()
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: the idle connection was lost", n)
	}
}

func TestHTTPRetriesRefused(t *testing.T) {
	addr := closedPort(t)
	tests := []struct {
		name     string
		method   string
		body     io.Reader
		attempts int
		want     int
	}{
		{"GET retried", "GET", nil, 0, 3},
		{"HEAD retried", "HEAD", nil, 3, 3},
		{"GET two attempts", "GET", nil, 2, 2},
		{"GET one attempt", "GET", nil, 1, 1},
		{"POST not retried", "POST", strings.NewReader("x"), 3, 1},
		{"PUT not retried", "PUT", nil, 3, 1},
		{"GET with body not retried", "GET", strings.NewReader("x"), 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newHTTPOrigin(t, "http://"+addr, func(c *policy.Origin) { c.ConnectionAttempts = tt.attempts })
			var dials atomic.Int32
			o.dialHook = func(string, error) { dials.Add(1) }
			_, err := o.Fetch(request(t.Context(), tt.method, "/", "", tt.body))
			suffix := "attempts)"
			if tt.want == 1 {
				suffix = "attempt)"
			}
			wantError(t, err, KindUnreachable, "origin site: connect "+addr+": connection refused (",
				strconv.Itoa(tt.want)+" "+suffix)
			if n := dials.Load(); int(n) != tt.want {
				t.Errorf("%d dials, want %d", n, tt.want)
			}
		})
	}
}

func TestHTTPRetrySucceeds(t *testing.T) {
	addr := closedPort(t)
	o := newHTTPOrigin(t, "http://"+addr, nil)
	var (
		dials  atomic.Int32
		mu     sync.Mutex
		srv    *httptest.Server
		hookEr error
	)
	o.dialHook = func(_ string, err error) {
		if dials.Add(1) != 1 || err == nil {
			return
		}
		// The first attempt was refused: the origin comes up before the
		// second.
		ln, lerr := net.Listen("tcp", addr)
		mu.Lock()
		defer mu.Unlock()
		if lerr != nil {
			hookEr = lerr
			return
		}
		srv = httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if srv != nil {
			srv.Close()
		}
	})
	resp, err := o.Fetch(request(t.Context(), "GET", "/again", "", nil))
	mu.Lock()
	if hookEr != nil {
		mu.Unlock()
		t.Skipf("could not listen on %s again: %v", addr, hookEr)
	}
	mu.Unlock()
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || dials.Load() != 2 {
		t.Errorf("status %d after %d dials, want 200 after 2", resp.StatusCode, dials.Load())
	}
}

func TestHTTPRetryStopsWhenViewerLeaves(t *testing.T) {
	o := newHTTPOrigin(t, "http://"+closedPort(t), nil)
	ctx, cancel := context.WithCancel(t.Context())
	var dials atomic.Int32
	o.dialHook = func(string, error) {
		dials.Add(1)
		cancel() // the viewer leaves during the first attempt
	}
	_, err := o.Fetch(request(ctx, "GET", "/", "", nil))
	wantError(t, err, KindCanceled, "origin site: request canceled")
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials after the viewer left, want 1", n)
	}
}

func TestHTTPUnreachableDNS(t *testing.T) {
	o := newHTTPOrigin(t, "http://nonexistent.invalid", func(c *policy.Origin) { c.ConnectionAttempts = 1 })
	_, err := o.Fetch(request(t.Context(), "GET", "/", "", nil))
	wantError(t, err, KindUnreachable, "origin site: connect nonexistent.invalid:80: lookup nonexistent.invalid", "(1 attempt)")
}

func TestHTTPResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}), release)
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) { c.ReadTimeout = policy.Duration(200 * time.Millisecond) })
	var err error
	within(t, "response header timeout", func() {
		_, err = o.Fetch(request(t.Context(), "GET", "/slow", "", nil))
	})
	oe := wantError(t, err, KindTimeout, "origin site: GET "+srv.URL+"/slow", "timeout awaiting response headers")
	if oe.Status() != http.StatusGatewayTimeout || oe.DetailedResult() != "OriginReadTimeout" {
		t.Errorf("status %d %s", oe.Status(), oe.DetailedResult())
	}
}

// stallHandler sends the header and the first 10 of 1000 promised bytes,
// then stops until released.
func stallHandler(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fine" {
			io.WriteString(w, "fine")
			return
		}
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("0123456789"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

func testMidBodyStall(t *testing.T, o *httpOrigin, wantProto int) {
	resp, err := o.Fetch(request(t.Context(), "GET", "/stall", "", nil))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != wantProto {
		t.Errorf("protocol HTTP/%d, want HTTP/%d", resp.ProtoMajor, wantProto)
	}
	first := make([]byte, 10)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("reading the first bytes: %v", err)
	}
	var rerr error
	within(t, "mid-body read timeout", func() {
		_, rerr = io.Copy(io.Discard, resp.Body)
	})
	oe := wantError(t, rerr, KindTimeout, "origin site: GET ", "/stall: no body data for 200ms")
	if oe.DetailedResult() != "OriginReadTimeout" {
		t.Errorf("detailed result %s", oe.DetailedResult())
	}
	resp.Body.Close()

	// The origin still works afterwards.
	resp, err = o.Fetch(request(t.Context(), "GET", "/fine", "", nil))
	if err != nil {
		t.Fatalf("Fetch after a stall: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "fine" {
		t.Errorf("after a stall: %q %v", b, err)
	}
}

func TestHTTPMidBodyStall(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	release := make(chan struct{})
	srv.Config.Handler = stallHandler(release)
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) { c.ReadTimeout = policy.Duration(200 * time.Millisecond) })
	testMidBodyStall(t, o, 1)
}

func TestHTTPSMidBodyStallHTTP2(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(stallHandler(release))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) { c.ReadTimeout = policy.Duration(200 * time.Millisecond) })
	o.transport.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	testMidBodyStall(t, o, 2)
}

func TestHTTPSUnknownAuthority(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(echoHandler))
	t.Cleanup(srv.Close)
	o := newHTTPOrigin(t, srv.URL, nil)
	_, err := o.Fetch(request(t.Context(), "GET", "/", "", nil))
	wantError(t, err, KindUnreachable, "origin site: GET "+srv.URL+"/", "certificate")
}

func TestHTTPBadResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	replies := map[string]string{
		"/garbage":   "NOT HTTP AT ALL\r\n\r\n",
		"/truncated": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
		"/silent":    "",
		"/bigheader": "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("x", 70<<10) + "\r\nContent-Length: 0\r\n\r\n",
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufioReader(c))
				if err != nil {
					return
				}
				io.WriteString(c, replies[req.URL.Path])
			}()
		}
	}()
	o := newHTTPOrigin(t, "http://"+ln.Addr().String(), nil)

	_, err = o.Fetch(request(t.Context(), "GET", "/garbage", "", nil))
	wantError(t, err, KindBadResponse, "origin site: GET http://"+ln.Addr().String()+"/garbage: ", "malformed HTTP")

	_, err = o.Fetch(request(t.Context(), "GET", "/bigheader", "", nil))
	wantError(t, err, KindBadResponse, "origin site: GET ", "response headers exceeded")

	_, err = o.Fetch(request(t.Context(), "GET", "/silent", "", nil))
	wantError(t, err, KindUnreachable, "origin site: GET ", "/silent: connection closed before a response: EOF")

	resp, err := o.Fetch(request(t.Context(), "GET", "/truncated", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, err, KindBadResponse, "origin site: GET ", "reading body: unexpected EOF")
}

func TestHTTPCanceled(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), release)
	o := newHTTPOrigin(t, srv.URL, nil)

	t.Run("before the header", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			<-arrived
			cancel()
		}()
		var err error
		within(t, "cancel", func() { _, err = o.Fetch(request(ctx, "GET", "/wait", "", nil)) })
		oe := wantError(t, err, KindCanceled, "origin site: request canceled: context canceled")
		if oe.DetailedResult() != "ClientCanceled" {
			t.Errorf("detailed result %s", oe.DetailedResult())
		}
	})
	t.Run("mid-body", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		resp, err := o.Fetch(request(ctx, "GET", "/body", "", nil))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		<-arrived
		buf := make([]byte, 7)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		cancel()
		within(t, "cancel", func() { _, err = io.Copy(io.Discard, resp.Body) })
		wantError(t, err, KindCanceled, "origin site: request canceled")
	})
}
