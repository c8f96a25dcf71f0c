package origin

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

func TestNewHTTPRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*policy.Origin)
		want string
	}{
		{"no id", func(c *policy.Origin) { c.ID = "" }, "origin id is empty"},
		{"dir too", func(c *policy.Origin) { c.Dir = "/srv" }, "no dir"},
		{"no url", func(c *policy.Origin) { c.URL = "" }, "url is empty"},
		{"bad scheme", func(c *policy.Origin) { c.URL = "ftp://example.com" }, "scheme must be http or https"},
		{"no host", func(c *policy.Origin) { c.URL = "http:///x" }, "has no host"},
		{"relative", func(c *policy.Origin) { c.URL = "example.com" }, "scheme must be"},
		{"credentials", func(c *policy.Origin) { c.URL = "http://u:p@example.com" }, "credentials"},
		{"url path", func(c *policy.Origin) { c.URL = "http://example.com/base" }, "has a path"},
		{"url query", func(c *policy.Origin) { c.URL = "http://example.com/?a=1" }, "query or fragment"},
		{"url fragment", func(c *policy.Origin) { c.URL = "http://example.com/#f" }, "query or fragment"},
		{"empty port", func(c *policy.Origin) { c.URL = "http://example.com:" }, "empty port"},
		{"bad port", func(c *policy.Origin) { c.URL = "http://example.com:http" }, "invalid port"},
		{"path without slash", func(c *policy.Origin) { c.Path = "base" }, "must begin with /"},
		{"path dotdot", func(c *policy.Origin) { c.Path = "/a/../b" }, `".." segment`},
		{"path dot", func(c *policy.Origin) { c.Path = "/a/./b" }, `"." segment`},
		{"path empty segment", func(c *policy.Origin) { c.Path = "/a//b" }, "empty segment"},
		{"path control", func(c *policy.Origin) { c.Path = "/a\nb" }, "control character"},
		{"header name", func(c *policy.Origin) { c.Headers = map[string]string{"X Bad": "v"} }, "not a valid token"},
		{"header value", func(c *policy.Origin) { c.Headers = map[string]string{"X-A": "v\r\nX-B: w"} }, "control character"},
		{"header host", func(c *policy.Origin) { c.Headers = map[string]string{"host": "x"} }, "Host may not be set"},
		{"header length", func(c *policy.Origin) { c.Headers = map[string]string{"Content-Length": "1"} }, "Content-Length may not be set"},
		{"header twice", func(c *policy.Origin) { c.Headers = map[string]string{"X-A": "1", "x-a": "2"} }, "given twice"},
		{"too many headers", func(c *policy.Origin) {
			c.Headers = map[string]string{}
			for _, k := range strings.Split("a b c d e f g h i j k", " ") {
				c.Headers["X-"+k] = "v"
			}
		}, "at most 10 custom headers"},
		{"host header", func(c *policy.Origin) { c.HostHeader = "a b" }, "not a valid host"},
		{"host header path", func(c *policy.Origin) { c.HostHeader = "a/b" }, "not a valid host"},
		{"negative connect", func(c *policy.Origin) { c.ConnectTimeout = -1 }, "connect_timeout must be positive"},
		{"negative read", func(c *policy.Origin) { c.ReadTimeout = -1 }, "read_timeout must be positive"},
		{"negative keepalive", func(c *policy.Origin) { c.KeepAliveTimeout = -1 }, "keepalive_timeout must be positive"},
		{"attempts", func(c *policy.Origin) { c.ConnectionAttempts = 4 }, "connection_attempts must be 1..3"},
		{"negative attempts", func(c *policy.Origin) { c.ConnectionAttempts = -1 }, "connection_attempts must be 1..3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := policy.Origin{ID: "site", URL: "http://127.0.0.1:8080"}
			tt.edit(&cfg)
			o, err := NewHTTP(cfg)
			if err == nil {
				o.Close()
				t.Fatalf("NewHTTP accepted %+v", cfg)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestNewHTTPReportsAllProblems(t *testing.T) {
	_, err := NewHTTP(policy.Origin{URL: "ftp://x", Path: "rel", ConnectionAttempts: 9})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"origin id is empty", "scheme", "must begin with /", "connection_attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNewHTTPDefaults(t *testing.T) {
	o := newHTTPOrigin(t, "https://example.com/", func(c *policy.Origin) { c.Path = "/base/" })
	tr := o.transport
	switch {
	case o.connectTimeout != DefaultConnectTimeout, o.readTimeout != DefaultReadTimeout,
		o.keepAlive != DefaultKeepAliveTimeout, o.attempts != DefaultConnectionAttempts:
		t.Errorf("settings = %+v, want the defaults", o.settings)
	case tr.Proxy != nil, !tr.DisableCompression, !tr.ForceAttemptHTTP2:
		t.Errorf("transport proxy/compression/http2 wrong")
	case tr.IdleConnTimeout != DefaultKeepAliveTimeout, tr.ResponseHeaderTimeout != DefaultReadTimeout,
		tr.TLSHandshakeTimeout != DefaultConnectTimeout, tr.MaxIdleConnsPerHost != 256:
		t.Errorf("transport timeouts/pool wrong")
	case o.prefix != "/base", o.hostHeader != "example.com":
		t.Errorf("prefix %q host %q", o.prefix, o.hostHeader)
	}
	if newHTTPOrigin(t, "http://example.com", nil).transport.ForceAttemptHTTP2 {
		t.Error("HTTP/2 forced for a plain http origin")
	}
}

// echo is what the echo server saw of a request.
type echo struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
	Body       string
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(echo{r.Method, r.RequestURI, r.Host, r.Header, string(body)})
}

func fetchEcho(t *testing.T, o *httpOrigin, r *http.Request) echo {
	t.Helper()
	resp, err := o.Fetch(r)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	defer resp.Body.Close()
	var e echo
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("decoding echo: %v", err)
	}
	return e
}

func TestHTTPRequestRewrite(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(echoHandler), nil)
	host := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name     string
		edit     func(*policy.Origin)
		path     string
		rawPath  string
		rawQuery string
		header   http.Header
		wantURI  string
		wantHost string
		want     map[string]string // header -> value ("" = absent)
	}{
		{name: "plain", path: "/a/b.txt", wantURI: "/a/b.txt", wantHost: host},
		{name: "prefix", edit: func(c *policy.Origin) { c.Path = "/base" },
			path: "/a/b.txt", wantURI: "/base/a/b.txt", wantHost: host},
		{name: "empty path", path: "", wantURI: "/", wantHost: host},
		{name: "empty path with prefix", edit: func(c *policy.Origin) { c.Path = "/base" },
			path: "", wantURI: "/base", wantHost: host},
		{name: "prefix trailing slash", edit: func(c *policy.Origin) { c.Path = "/base/" },
			path: "/a", wantURI: "/base/a", wantHost: host},
		{name: "escaped path", edit: func(c *policy.Origin) { c.Path = "/my base" },
			path: "/x y/ü", wantURI: "/my%20base/x%20y/%C3%BC", wantHost: host},
		{name: "raw path kept", edit: func(c *policy.Origin) { c.Path = "/my base" },
			path: "/a/b/c", rawPath: "/a/b%2Fc", wantURI: "/my%20base/a/b%2Fc", wantHost: host},
		{name: "raw path without prefix", path: "/a/b/c", rawPath: "/a%2Fb/c", wantURI: "/a%2Fb/c", wantHost: host},
		{name: "query byte for byte", path: "/q", rawQuery: "b=2&a=%20x&a=1&flag&sig=A%2Bb",
			wantURI: "/q?b=2&a=%20x&a=1&flag&sig=A%2Bb", wantHost: host},
		{name: "host header override", edit: func(c *policy.Origin) { c.HostHeader = "assets.example.com" },
			path: "/", wantURI: "/", wantHost: "assets.example.com"},
		{name: "custom headers override viewer", edit: func(c *policy.Origin) {
			c.Headers = map[string]string{"x-origin-secret": "s3cret", "X-Env": "prod"}
		}, path: "/", header: http.Header{"X-Origin-Secret": {"forged"}, "X-Viewer": {"v"}},
			wantURI: "/", wantHost: host,
			want: map[string]string{"X-Origin-Secret": "s3cret", "X-Env": "prod", "X-Viewer": "v"}},
		{name: "no user agent added", path: "/", header: http.Header{"User-Agent": nil},
			wantURI: "/", wantHost: host, want: map[string]string{"User-Agent": ""}},
		{name: "no accept-encoding added", path: "/", wantURI: "/", wantHost: host,
			want: map[string]string{"Accept-Encoding": "", "User-Agent": "test-viewer"}},
		{name: "accept-encoding passed", path: "/", header: http.Header{"Accept-Encoding": {"br, gzip"}},
			wantURI: "/", wantHost: host, want: map[string]string{"Accept-Encoding": "br, gzip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newHTTPOrigin(t, srv.URL, tt.edit)
			r := request(t.Context(), "GET", tt.path, tt.rawQuery, nil)
			r.URL.RawPath = tt.rawPath
			for k, v := range tt.header {
				if v == nil {
					r.Header.Del(k)
				} else {
					r.Header[k] = v
				}
			}
			before := r.Header.Clone()
			e := fetchEcho(t, o, r)
			if e.RequestURI != tt.wantURI {
				t.Errorf("origin saw %q, want %q", e.RequestURI, tt.wantURI)
			}
			if e.Host != tt.wantHost {
				t.Errorf("origin saw Host %q, want %q", e.Host, tt.wantHost)
			}
			for k, v := range tt.want {
				if got := strings.Join(e.Header[k], ","); got != v {
					t.Errorf("origin saw %s %q, want %q", k, got, v)
				}
			}
			if len(r.Header) != len(before) || r.Header.Get("X-Origin-Secret") != before.Get("X-Origin-Secret") {
				t.Errorf("the caller's header was modified: %v", r.Header)
			}
		})
	}
}

func TestHTTPRefusesNonCanonicalPaths(t *testing.T) {
	var hits atomic.Int32
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }), nil)
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) { c.Path = "/public" })
	for _, p := range []string{"/../private/key", "/a/./b", "/a/..", "..", "relative", "/."} {
		t.Run(p, func(t *testing.T) {
			_, err := o.Fetch(request(t.Context(), "GET", p, "", nil))
			wantError(t, err, KindBadResponse, "origin site: request path "+strconv.Quote(p))
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the origin got %d requests", n)
	}
}

func TestHTTPNoRedirectNoDecompression(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("hello"))
	zw.Close()
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	}), nil)
	o := newHTTPOrigin(t, srv.URL, nil)

	resp, err := o.Fetch(request(t.Context(), "GET", "/redirect", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect: got %d Location %q, want the 302 itself", resp.StatusCode, resp.Header.Get("Location"))
	}

	r := request(t.Context(), "GET", "/gz", "", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	resp, err = o.Fetch(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, gz.Bytes()) || resp.Header.Get("Content-Encoding") != "gzip" || resp.Uncompressed {
		t.Errorf("gzip body was altered: %q (Content-Encoding %q)", body, resp.Header.Get("Content-Encoding"))
	}
}

func TestHTTPKeepAliveReuse(t *testing.T) {
	srv, conns := newCountingServer(t)
	o := newHTTPOrigin(t, srv.URL, nil)

	for i := range 5 {
		resp, err := o.Fetch(request(t.Context(), "GET", "/", "", nil))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 sequential requests opened %d connections, want 1", n)
	}

	o.Close() // drops the idle connection
	resp, err := o.Fetch(request(t.Context(), "GET", "/", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := conns.Load(); n != 2 {
		t.Errorf("after Close, %d connections, want 2", n)
	}
}

// TestHTTPIdleConnSurvivesReadTimeout checks that the read timeout does
// not expire idle pooled connections: only keepalive_timeout does.
func TestHTTPLargeStreamingResponse(t *testing.T) {
	const size = 256 << 20
	const chunk = 1 << 20
	firstRead := make(chan struct{})
	sent := make(chan [32]byte, 1)
	release := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "268435456")
		g := newPattern(1)
		buf := make([]byte, chunk)
		g.Read(buf)
		w.Write(buf)
		w.(http.Flusher).Flush()
		// Nothing more until the viewer side has read the first chunk: an
		// origin that buffered whole responses would deadlock here.
		select {
		case <-firstRead:
		case <-release:
			return
		}
		for n := chunk; n < size; n += chunk {
			g.Read(buf)
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
		sent <- g.Sum()
	}), release)
	o := newHTTPOrigin(t, srv.URL, nil)
	resp, err := o.Fetch(request(t.Context(), "GET", "/big", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != size {
		t.Errorf("ContentLength %d", resp.ContentLength)
	}
	h := newHashReader(resp.Body)
	within(t, "first chunk", func() { _, err = io.ReadFull(h, make([]byte, chunk)) })
	if err != nil {
		t.Fatal(err)
	}
	close(firstRead)
	n, err := io.Copy(io.Discard, h)
	if err != nil {
		t.Fatalf("after %d bytes: %v", n+chunk, err)
	}
	if n+chunk != size {
		t.Fatalf("read %d bytes, want %d", n+chunk, size)
	}
	resp.Body.Close()
	select {
	case sum := <-sent:
		if h.Sum() != sum {
			t.Error("the body read differs from the body sent")
		}
	case <-time.After(liveness):
		t.Fatal("the origin handler did not finish")
	}
}

func TestHTTPStreamsRequestBody(t *testing.T) {
	const first = 64 << 10
	const size = 8 << 20
	gotFirst := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := newHashReader(r.Body)
		if _, err := io.ReadFull(h, make([]byte, first/2)); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		close(gotFirst)
		n, _ := io.Copy(io.Discard, h)
		sum := h.Sum()
		w.Header().Set("X-Length", itoa64(n+first/2))
		w.Write(sum[:])
	}), nil)
	o := newHTTPOrigin(t, srv.URL, nil)

	pr, pw := io.Pipe()
	want := make(chan [32]byte, 1)
	go func() {
		g := newPattern(2)
		buf := make([]byte, first)
		g.Read(buf)
		pw.Write(buf)
		// The rest only once the origin has had the first part: a
		// buffered request body would deadlock here.
		select {
		case <-gotFirst:
		case <-time.After(liveness):
			pw.CloseWithError(io.ErrUnexpectedEOF)
			return
		}
		for n := first; n < size; n += first {
			g.Read(buf)
			pw.Write(buf)
		}
		want <- g.Sum()
		pw.Close()
	}()
	r := request(t.Context(), "POST", "/upload", "", pr)
	resp, err := o.Fetch(r)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Length") != itoa64(size) {
		t.Fatalf("origin answered %d %q, length %s", resp.StatusCode, got, resp.Header.Get("X-Length"))
	}
	sum := <-want // sent before the body ended
	if !bytes.Equal(got, sum[:]) {
		t.Error("the body the origin got differs from the body sent")
	}
}

func TestHTTPUploadStall(t *testing.T) {
	// An origin that never reads the request body: the upload fills the
	// socket buffers and the write times out.
	release := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), release)
	o := newHTTPOrigin(t, srv.URL, func(c *policy.Origin) { c.ReadTimeout = policy.Duration(200 * time.Millisecond) })
	var err error
	within(t, "upload stall", func() {
		_, err = o.Fetch(request(t.Context(), "PUT", "/upload", "", newPattern(3)))
	})
	wantError(t, err, KindTimeout, "origin site: PUT "+srv.URL+"/upload: ", "i/o timeout")
}
