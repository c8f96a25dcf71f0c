package route

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/a/b", "/a/b"},
		{"/a/b?x=1/2", "/a/b"},
		{"/a%2Fb?", "/a%2Fb"},
		{"/?", "/"},
		{"http://example.test/a/b?q", "/a/b"},
		{"https://example.test:8443/a%20b", "/a%20b"},
		{"http://example.test", "/"},
		{"http://example.test?q=/x", "/"},
		{"*", "*"},
		{"example.test:443", "example.test:443"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := RequestPath(tc.in); got != tc.want {
			t.Errorf("RequestPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRequestPathServer sends raw request lines to a real net/http server
// and checks what CanonicalPath makes of RequestPath(r.RequestURI), next
// to what it would make of r.URL.EscapedPath().
func TestRequestPathServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := CanonicalPath(RequestPath(r.RequestURI))
		if err != nil {
			p = "error: " + err.Error()
		}
		io.WriteString(w, p)
	}))
	defer srv.Close()
	cases := []struct{ target, want string }{
		{"/a/b?q=1", "/a/b"},
		{"/a/./b/../c%20d", "/a/c d"},
		{"/a%2Fb", "error: encoded slash in path"},
		// r.URL.EscapedPath() is "/secret%7B/x" here: the %2F is gone.
		{"/public/..%2Fsecret{/x", "error: encoded slash in path"},
		{"/%2e%2e/x", "error: path escapes root"},
		{"http://example.test/a/../b", "/b"},
	}
	for _, tc := range cases {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, "GET "+tc.target+" HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if got := strings.TrimSpace(string(body)); got != tc.want {
			t.Errorf("GET %s: %q, want %q", tc.target, got, tc.want)
		}
	}
}

func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{"/a/b?q", "http://h/a?b", "http://h", "*", "h:443", "://", "/?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		p := RequestPath(target)
		if !strings.Contains(target, p) {
			t.Fatalf("RequestPath(%q) = %q: not part of the target", target, p)
		}
		if strings.HasPrefix(target, "/") && strings.Contains(p, "?") {
			t.Fatalf("RequestPath(%q) = %q: kept the query", target, p)
		}
	})
}
