package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccessLogRecordsEveryOutcome runs real requests through the gateway
// with the JSON access log and checks each line against the response the
// viewer saw, tied by the request id.
func TestAccessLogRecordsEveryOutcome(t *testing.T) {
	o := newEchoOrigin(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	cfg := oneOriginConfig(o.URL, `access_log: {path: `+logPath+`, format: json}`, "", "")
	s, err := New(writeConfig(t, dir, cfg), Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	type sent struct {
		id     string
		status int
	}
	var reqs []sent
	for _, c := range []struct{ method, path, host string }{
		{"GET", "/ok?q=1", "d.test"},
		{"POST", "/no", "d.test"},
		{"GET", "/x", "nobody.test"},
	} {
		resp, _ := do(t, http.DefaultClient, c.method, "http://"+s.Addr()+c.path, c.host,
			http.Header{"User-Agent": {"tester\t\"1\""}, "Cookie": {"session=secret"}}, nil)
		reqs = append(reqs, sent{resp.Header.Get("X-Request-Id"), resp.StatusCode})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Shutdown(ctx) // flushes the log

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "secret") {
		t.Fatal("cookie value reached the access log")
	}
	byID := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		byID[m["request_id"].(string)] = m
	}
	want := []map[string]any{
		{"status": 200.0, "result": "Miss", "distribution": "d", "origin": "o", "path": "/ok", "query": "q=1"},
		{"status": 405.0, "result": "Error", "denied_by": "methods", "reason": "method not allowed"},
		{"status": 421.0, "result": "Error", "reason": "unknown host"},
	}
	for i, r := range reqs {
		line, ok := byID[r.id]
		if !ok {
			t.Fatalf("no log line for request %d (id %s)", i, r.id)
		}
		for k, v := range want[i] {
			if line[k] != v {
				t.Errorf("request %d: %s = %v, want %v (line %v)", i, k, line[k], v, line)
			}
		}
	}
}

// TestCloudFrontLogFromRealTraffic checks the gateway's own CloudFront-format
// output: the W3C header, 33 tab-separated fields per line, the request id
// and status in their columns, and no credential from the query string.
func TestCloudFrontLogFromRealTraffic(t *testing.T) {
	o := newEchoOrigin(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	cfg := oneOriginConfig(o.URL, `access_log: {path: `+logPath+`, format: cloudfront}`, "", "")
	s, err := New(writeConfig(t, dir, cfg), Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/v/a.mp4?Expires=1&Signature=SECRETSIG&Key-Pair-Id=K1", "d.test",
		http.Header{"User-Agent": {"Mozilla/5.0 (X11)"}}, nil)
	id := resp.Header.Get("X-Request-Id")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Shutdown(ctx)

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "#Version: 1.0" || !strings.HasPrefix(lines[1], "#Fields: date time x-edge-location") {
		t.Fatalf("want the two header lines and one record, got:\n%s", raw)
	}
	f := strings.Split(lines[2], "\t")
	if len(f) != 33 {
		t.Fatalf("%d fields, want 33: %q", len(f), lines[2])
	}
	for i, want := range map[int]string{5: "GET", 7: "/v/a.mp4", 8: "200", 13: "Miss", 14: id, 15: "d.test", 16: "http", 23: "HTTP/1.1"} {
		if f[i] != want {
			t.Errorf("field %d = %q, want %q", i+1, f[i], want)
		}
	}
	if strings.Contains(string(raw), "SECRETSIG") || !strings.Contains(f[11], "Signature=REDACTED") {
		t.Errorf("query field %q: the signature must be redacted", f[11])
	}
}
