package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the edgeward command, so the serve
// test runs the real main with real signals.
func TestMain(m *testing.M) {
	if os.Getenv("EDGEWARD_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestServeSignals runs `edgeward serve` as a process: SIGHUP with a broken
// config keeps serving the running one; SIGTERM while a request is in
// flight lets it finish and exits 0.
func TestServeSignals(t *testing.T) {
	inFlight := make(chan struct{}, 1)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			inFlight <- struct{}{}
			time.Sleep(500 * time.Millisecond)
		}
		io.WriteString(w, "from origin")
	}))
	defer origin.Close()

	dir := t.TempDir()
	cfgPath := writeOneOriginConfig(t, dir, origin.URL, "off", "")

	cmd := exec.Command(os.Args[0], "serve", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "EDGEWARD_RUN_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// Read the process log in the background; find the listen address.
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(re *regexp.Regexp) []string {
		t.Helper()
		timeout := time.After(30 * time.Second) // liveness bound
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("process exited before logging %v", re)
				}
				if m := re.FindStringSubmatch(l); m != nil {
					return m
				}
			case <-timeout:
				t.Fatalf("no log line matching %v", re)
			}
		}
	}
	addr := waitLine(regexp.MustCompile(`msg=serving addr=(\S+)`))[1]
	get := func(path string) (int, string, error) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Host = "d.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if code, body, err := get("/x"); err != nil || code != 200 || body != "from origin" {
		t.Fatalf("before reload: %d %q %v", code, body, err)
	}

	os.WriteFile(cfgPath, []byte("distributions: [{name: d, hostz: [d.test]}]\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitLine(regexp.MustCompile(`reload failed; keeping the running configuration.*hostz`))
	if code, _, err := get("/x"); err != nil || code != 200 {
		t.Fatalf("after a refused reload: %d %v, want the running config to serve", code, err)
	}

	type result struct {
		code int
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, body, err := get("/slow")
		done <- result{code, body, err}
	}()
	<-inFlight
	cmd.Process.Signal(syscall.SIGTERM)
	r := <-done
	if r.err != nil || r.code != 200 || r.body != "from origin" {
		t.Fatalf("request in flight at SIGTERM: %+v, want it to finish", r)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0", err)
	}
	for l := range lines {
		if strings.Contains(l, "level=ERROR") {
			t.Errorf("error logged during shutdown: %s", l)
		}
	}
}

// writeOneOriginConfig writes dir/edgeward.yaml: distribution "d" for host
// d.test in front of one HTTP origin, on ephemeral loopback ports. admin is
// the listen.admin value; top adds top-level settings.
func writeOneOriginConfig(t *testing.T, dir, originURL, admin, top string) string {
	t.Helper()
	path := filepath.Join(dir, "edgeward.yaml")
	cfg := fmt.Sprintf(`
listen: {http: 127.0.0.1:0, admin: %s}
access_log: {path: off}
%s
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: %s}]
    default_behavior: {origin: o}
`, admin, top, originURL)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
