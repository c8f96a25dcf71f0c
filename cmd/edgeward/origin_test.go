package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/gateway/origin/s3test"
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

// TestOriginCheckS3: the check signs a request to each bucket, so good
// credentials pass and a wrong secret is reported as refused.
func TestOriginCheckS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "media")
	dir := t.TempDir()
	for name, secret := range map[string]string{"good.key": srv.SecretKey(), "bad.key": "wrong-secret"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s3 := func(id, keyFile string) string {
		return `      - {id: ` + id + `, s3: {bucket: media, region: us-east-1, endpoint: "` + srv.Endpoint() +
			`", path_style: true, credentials: {access_key_id: ` + srv.AccessKey() + `, secret_access_key_file: ` + keyFile + `}}}
`
	}
	cfg := filepath.Join(dir, "edgeward.yaml")
	if err := os.WriteFile(cfg, []byte(`distributions:
  - name: d
    hosts: [d.test]
    origins:
`+s3("good", "good.key")+s3("bad", "bad.key")+`    default_behavior: {origin: good}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "origin", "check", "--config", cfg)
	if code != 1 || !strings.Contains(out, "ok d/good") || !strings.Contains(out, "FAILED d/bad") || !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
