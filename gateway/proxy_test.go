package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoOrigin answers with what it received, as JSON.
type echoed struct {
	Method string
	Path   string
	Query  string
	Host   string
	Header http.Header
	Body   string
}

func newEchoOrigin(t *testing.T) *httptest.Server {
	t.Helper()
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "X-Origin-Hop")
		w.Header().Set("X-Origin-Hop", "must not reach the viewer")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Origin", "echo")
		_ = json.NewEncoder(w).Encode(echoed{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Host, r.Header, string(b)})
	}))
	t.Cleanup(o.Close)
	return o
}

const proxyConfig = `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
access_log: {path: off}
distributions:
  - name: demo
    hosts: [demo.test, "*.wild.test"]
    origins:
      - id: echo
        url: %s
        path: /v1
        headers: {X-Origin-Secret: s3cret}
        read_timeout: 2s
        connect_timeout: 2s
      - id: down
        url: http://%s
        connect_timeout: 1s
        connection_attempts: 2
    default_behavior: {origin: echo}
    behaviors:
      - path: /api/*
        origin: echo
        allowed_methods: [ALL]
      - path: /api/readonly/*
        origin: echo
      - path: /down/*
        origin: down
  - name: other
    hosts: [other.test]
    origins: [{id: echo, url: %s}]
    default_behavior: {origin: echo}
`

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestProxyRequestAndResponseHeaders(t *testing.T) {
	o := newEchoOrigin(t)
	s := startGateway(t, writeConfig(t, "", fmt.Sprintf(proxyConfig, o.URL, closedAddr(t), o.URL)))
	base := "http://" + s.Addr()

	hdr := http.Header{
		"X-Forwarded-For":   {"203.0.113.9"},
		"X-Forwarded-Proto": {"https"},
		"X-Request-Id":      {"forged"},
		"Connection":        {"X-Viewer-Hop"},
		"X-Viewer-Hop":      {"hop"},
		"X-Viewer":          {"kept"},
		"X-Origin-Secret":   {"viewer-chosen"},
	}
	resp, body := do(t, http.DefaultClient, "GET", base+"/a%20b/c.txt?x=1&y=%2F", "demo.test:8080", hdr, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	id := resp.Header.Get("X-Request-Id")
	checks := []struct{ name, got, want string }{
		{"origin path (prefix + canonical path, escaped)", e.Path, "/v1/a%20b/c.txt"},
		{"query forwarded as received", e.Query, "x=1&y=%2F"},
		{"Host is the origin's", e.Host, strings.TrimPrefix(o.URL, "http://")},
		{"X-Forwarded-For appended", e.Header.Get("X-Forwarded-For"), "203.0.113.9, 127.0.0.1"},
		{"X-Forwarded-Proto replaced", e.Header.Get("X-Forwarded-Proto"), "http"},
		{"no X-Forwarded-Host on a cached request (Host is not keyed)", e.Header.Get("X-Forwarded-Host"), ""},
		{"request id sent to origin = returned to viewer", e.Header.Get("X-Request-Id"), id},
		{"hop-by-hop named by Connection removed", e.Header.Get("X-Viewer-Hop"), ""},
		{"end-to-end header kept", e.Header.Get("X-Viewer"), "kept"},
		{"custom origin header overrides viewer's", e.Header.Get("X-Origin-Secret"), "s3cret"},
		{"Via to origin", e.Header.Get("Via"), "1.1 " + s.holder.cur.Load().cfg.NodeName + " (edgeward)"},
		{"response hop-by-hop removed", resp.Header.Get("X-Origin-Hop"), ""},
		{"response Keep-Alive removed", resp.Header.Get("Keep-Alive"), ""},
		{"origin header kept", resp.Header.Get("X-Origin"), "echo"},
		{"X-Cache", resp.Header.Get("X-Cache"), "Miss from edgeward"},
		{"Via to viewer", resp.Header.Get("Via"), "1.1 " + s.holder.cur.Load().cfg.NodeName + " (edgeward)"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if id == "" || id == "forged" || len(id) != 24 {
		t.Errorf("request id %q: want a fresh 24-character id", id)
	}

	// An uncached request (POST) tells the origin which host the viewer used.
	resp, body = do(t, http.DefaultClient, "POST", base+"/api/x", "demo.test:8080", nil, strings.NewReader("b"))
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST: %d %v", resp.StatusCode, err)
	}
	if got := e.Header.Get("X-Forwarded-Host"); got != "demo.test:8080" {
		t.Errorf("uncached request: X-Forwarded-Host %q, want demo.test:8080", got)
	}
}

func TestRoutingAndMethods(t *testing.T) {
	o := newEchoOrigin(t)
	s := startGateway(t, writeConfig(t, "", fmt.Sprintf(proxyConfig, o.URL, closedAddr(t), o.URL)))
	base := "http://" + s.Addr()
	cases := []struct {
		name, method, path, host string
		status                   int
		reason                   string // in the body for gateway errors
		allow                    string
	}{
		{"exact host", "GET", "/x", "demo.test", 200, "", ""},
		{"host case and port ignored", "GET", "/x", "DEMO.test:443", 200, "", ""},
		{"wildcard one label", "GET", "/x", "a.wild.test", 200, "", ""},
		{"wildcard two labels", "GET", "/x", "a.b.wild.test", 421, "unknown host", ""},
		{"wildcard bare domain", "GET", "/x", "wild.test", 421, "unknown host", ""},
		{"unknown host", "GET", "/x", "evil.test", 421, "unknown host", ""},
		{"POST on default behavior", "POST", "/x", "demo.test", 405, "method not allowed", "GET, HEAD"},
		{"POST on ALL behavior", "POST", "/api/x", "demo.test", 200, "", ""},
		{"first match wins over later narrower", "POST", "/api/readonly/x", "demo.test", 200, "", ""},
		{"DELETE on ALL behavior", "DELETE", "/api/x", "demo.test", 200, "", ""},
		{"patterns are case-sensitive", "POST", "/API/x", "demo.test", 405, "method not allowed", "GET, HEAD"},
		{"encoded slash rejected", "GET", "/api%2Fx", "demo.test", 400, "encoded slash", ""},
		{"encoded slash next to a re-escaped byte", "GET", "/public/..%2Fsecret{/x", "demo.test", 400, "encoded slash", ""},
		{"dot segments escaping root", "GET", "/a/../../etc/passwd", "demo.test", 400, "", ""},
		{"dot segments resolved before routing", "POST", "/x/../api/y", "demo.test", 200, "", ""},
		{"origin down", "GET", "/down/x", "demo.test", 502, "origin unreachable", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, base+"/", strings.NewReader("body"))
			req.URL.Opaque = c.path // send the path exactly as written
			req.Host = c.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			if c.reason != "" {
				id := resp.Header.Get("X-Request-Id")
				if !strings.Contains(string(b), c.reason) || !strings.Contains(string(b), id) {
					t.Errorf("body %q: want reason %q and request id %q", b, c.reason, id)
				}
			}
			if c.allow != "" && resp.Header.Get("Allow") != c.allow {
				t.Errorf("Allow %q, want %q", resp.Header.Get("Allow"), c.allow)
			}
		})
	}
}

func TestRequestLimits(t *testing.T) {
	o := newEchoOrigin(t)
	s := startGateway(t, writeConfig(t, "", fmt.Sprintf(proxyConfig, o.URL, closedAddr(t), o.URL)))
	base := "http://" + s.Addr()

	// 8 KiB request target is the limit: one byte less passes.
	okPath := "/" + strings.Repeat("a", 8192-1)
	resp, _ := do(t, http.DefaultClient, "GET", base+okPath, "demo.test", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("8192-byte target: status %d, want 200", resp.StatusCode)
	}
	resp, _ = do(t, http.DefaultClient, "GET", base+okPath+"a", "demo.test", nil, nil)
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("8193-byte target: status %d, want 414", resp.StatusCode)
	}
	// 20 KiB of request line + headers: 431 beyond.
	resp, _ = do(t, http.DefaultClient, "GET", base+"/x", "demo.test", http.Header{"X-Big": {strings.Repeat("b", 21<<10)}}, nil)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("21 KiB header: status %d, want 431", resp.StatusCode)
	}
	resp, _ = do(t, http.DefaultClient, "GET", base+"/x", "demo.test", http.Header{"X-Big": {strings.Repeat("b", 18<<10)}}, nil)
	if resp.StatusCode != 200 {
		t.Errorf("18 KiB header: status %d, want 200", resp.StatusCode)
	}
	// The exact boundary, counted as the head is sent in HTTP/1.1 form.
	req := httptestRequest("GET", "/x", "demo.test")
	fill := 20480 - requestHeadSize(req) - len("X-Big: \r\n")
	req.Header.Set("X-Big", strings.Repeat("b", fill))
	if n := requestHeadSize(req); n != 20480 {
		t.Fatalf("test setup: head is %d bytes", n)
	}
	for _, c := range []struct {
		extra  int
		status int
	}{{0, 200}, {1, 431}} {
		resp, _ = do(t, http.DefaultClient, "GET", base+"/x", "demo.test", http.Header{"X-Big": {strings.Repeat("b", fill+c.extra)}}, nil)
		if resp.StatusCode != c.status {
			t.Errorf("head of %d bytes: status %d, want %d", 20480+c.extra, resp.StatusCode, c.status)
		}
	}
}

func TestOriginSlowGives504(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	cfg := oneOriginConfig(slow.URL, "", `, read_timeout: 1s`, "")
	s := startGateway(t, writeConfig(t, "", cfg))
	resp, body := do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/x", "d.test", nil, nil)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, "origin timeout") {
		t.Fatalf("status %d body %q, want 504 origin timeout", resp.StatusCode, body)
	}
}

// TestStreamsLargeBodies proves responses and request bodies stream: the
// origin sends a first chunk and then waits until the viewer has read it,
// which would deadlock if the gateway buffered the response.
func TestStreamsLargeBodies(t *testing.T) {
	const chunk = 1 << 20
	const total = 64 * chunk
	firstSeen := make(chan struct{})
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			h := sha256.New()
			n, err := io.Copy(h, r.Body)
			fmt.Fprintf(w, "%d %x %v", n, h.Sum(nil), err)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(total))
		buf := bytes.Repeat([]byte("e"), chunk)
		w.Write(buf)
		w.(http.Flusher).Flush()
		select {
		case <-firstSeen:
		case <-time.After(20 * time.Second): // liveness bound, not a timing assertion
			return
		}
		for i := 1; i < total/chunk; i++ {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	defer o.Close()
	cfg := oneOriginConfig(o.URL, "", "", `, allowed_methods: [ALL]`)
	s := startGateway(t, writeConfig(t, "", cfg))
	req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/big", nil)
	req.Host = "d.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, chunk)); err != nil {
		t.Fatalf("first chunk: %v", err)
	}
	close(firstSeen)
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n+chunk != total {
		t.Fatalf("read %d bytes (%v), want %d", n+chunk, err, total)
	}

	// Request body: 64 MiB streamed to the origin, hashed on arrival.
	payload := bytes.Repeat([]byte("0123456789abcdef"), total/16)
	want := sha256.Sum256(payload)
	r2, body := do(t, http.DefaultClient, "PUT", "http://"+s.Addr()+"/up", "d.test", nil, bytes.NewReader(payload))
	if r2.StatusCode != 200 || body != fmt.Sprintf("%d %x <nil>", total, want) {
		t.Fatalf("upload: %d %q", r2.StatusCode, body)
	}
}

// TestTruncatedOriginBodyAbortsViewer: when the origin's body breaks off,
// the viewer must see an error, never a complete-looking short body.
func TestTruncatedOriginBodyAbortsViewer(t *testing.T) {
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // origin dies mid-body
	}))
	defer o.Close()
	cfg := oneOriginConfig(o.URL, "", "", "")
	s := startGateway(t, writeConfig(t, "", cfg))
	req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/x", nil)
	req.Host = "d.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return // the connection was aborted before the head: the viewer saw an error
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("viewer read a complete body from a truncated origin response")
	}
}

// httptestRequest is a request as the server would parse it, with the
// headers Go's client adds (User-Agent, Accept-Encoding).
func httptestRequest(method, target, host string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.Host = host
	r.Header.Set("User-Agent", "Go-http-client/1.1")
	r.Header.Set("Accept-Encoding", "gzip")
	return r
}
