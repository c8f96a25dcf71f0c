package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOriginCheck(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			t.Errorf("origin check sent %s, want HEAD", r.Method)
		}
		w.WriteHeader(http.StatusNotFound) // "/" need not exist
	}))
	defer up.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "edgeward.yaml")
	if err := os.WriteFile(cfg, []byte(`distributions:
  - name: d
    hosts: [d.test]
    origins:
      - {id: up, url: `+up.URL+`}
      - {id: down, url: `+down.URL+`, connection_attempts: 1, connect_timeout: 1s}
      - {id: files, dir: .}
    default_behavior: {origin: up}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "origin", "check", "--config", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one origin is down); %s %s", code, out, errOut)
	}
	for _, want := range []string{"ok d/up", "404 Not Found", "FAILED d/down", "ok d/files", "is readable"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
