package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/gateway"
)

// TestInvalidateCommand purges a running gateway's cache with the CLI,
// reading the admin address and token from the config, as an operator does.
func TestInvalidateCommand(t *testing.T) {
	var originHits int
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		originHits++
		w.Header().Set("Cache-Control", "max-age=600")
		w.Header().Set("Cache-Tag", "release-7")
		io.WriteString(w, "v")
	}))
	defer origin.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "token"), []byte("cli-token\n"), 0o600)
	cfgPath := writeOneOriginConfig(t, dir, origin.URL, "127.0.0.1:0", "admin: {token_file: token}")
	srv, err := gateway.New(cfgPath, gateway.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	get := func(path string) {
		req, _ := http.NewRequest("GET", "http://"+srv.Addr()+path, nil)
		req.Host = "d.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get("/a")
	get("/b/c")

	// The config's listen.admin is port 0; the real port comes from --admin.
	admin := "--admin=http://" + srv.AdminAddr()
	out, errOut, code := runCLI(t, "invalidate", "--config", cfgPath, admin, "--distribution", "d", "/b/*")
	if code != 0 || !strings.Contains(out, "removed 1 objects from d") {
		t.Fatalf("path purge: code %d out %q err %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "invalidate", "--config", cfgPath, admin, "-d", "d", "--tag", "RELEASE-7")
	if code != 0 || !strings.Contains(out, "removed 1 objects") {
		t.Fatalf("tag purge: code %d out %q", code, out)
	}
	get("/a")
	if originHits != 3 {
		t.Fatalf("origin hits %d, want 3 (two fills, one refill after the purge)", originHits)
	}
	_, errOut, code = runCLI(t, "invalidate", "--config", cfgPath, admin, "-d", "nope", "/x")
	if code == 0 || !strings.Contains(errOut, `no distribution named "nope"`) {
		t.Fatalf("unknown distribution: code %d err %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "invalidate", admin, "--token-file", filepath.Join(dir, "token"), "-d", "d")
	if code == 0 || !strings.Contains(errOut, "at least one path or --tag") {
		t.Fatalf("nothing to purge: code %d err %q", code, errOut)
	}
}
