package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a config file into a fresh directory and returns its
// path. {{DIR}} in the text is replaced by that directory.
func writeConfig(t *testing.T, dir, text string) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "edgeward.yaml")
	text = strings.ReplaceAll(text, "{{DIR}}", dir)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startGateway starts a Server on loopback for cfgPath and stops it when
// the test ends.
func startGateway(t testing.TB, cfgPath string) *Server {
	t.Helper()
	return startGatewayWith(t, cfgPath, Options{})
}

// startGatewayWith is startGateway with options; without a logger the
// log is discarded (shown with -v).
func startGatewayWith(t testing.TB, cfgPath string, opts Options) *Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	s, err := New(cfgPath, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

// get sends a request with the given Host to the gateway.
func do(t testing.TB, client *http.Client, method, url, host string, hdr http.Header, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, string(b)
}

// newServer starts a loopback HTTP server and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func readFull(r io.Reader, b []byte) (int, error) {
	n, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }

// oneOriginConfig is a config with one distribution, "d" for host d.test,
// whose default behavior goes to one HTTP origin "o" at originURL. top adds
// top-level settings (the access log is off unless top sets it); originOpts
// and behaviorOpts extend the origin and the default behavior, each
// starting with ", ".
func oneOriginConfig(originURL, top, originOpts, behaviorOpts string) string {
	if !strings.Contains(top, "access_log:") {
		top += "\naccess_log: {path: off}"
	}
	return `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
` + strings.TrimSpace(top) + `
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: ` + originURL + originOpts + `}]
    default_behavior: {origin: o` + behaviorOpts + `}
`
}
