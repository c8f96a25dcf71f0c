package gateway

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOriginGroupFailover: a GET goes to the replica when the primary
// answers a failover status or cannot be reached; a POST goes to the
// primary only; the access log names the member that answered.
func TestOriginGroupFailover(t *testing.T) {
	var primaryStatus atomic.Int32
	primaryStatus.Store(200)
	var primaryHits, replicaHits atomic.Int32
	primary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		primaryHits.Add(1)
		w.WriteHeader(int(primaryStatus.Load()))
		w.Write([]byte("primary"))
	}))
	defer primary.Close()
	replica := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		replicaHits.Add(1)
		w.Write([]byte("replica"))
	}))
	defer replica.Close()
	// An address nothing listens on: a closed server's.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()

	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	cfg := writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: "off"}
access_log: {path: `+logPath+`, format: json}
distributions:
  - name: d
    hosts: [d.test]
    origins:
      - {id: primary, url: `+primary.URL+`}
      - {id: replica, url: `+replica.URL+`}
      - {id: dead, url: `+dead.URL+`, connection_attempts: 1, connect_timeout: 1s}
    origin_groups:
      - {id: ha, members: [primary, replica], failover_on: [500, 503]}
      - {id: ha-dead, members: [dead, replica]}
    default_behavior: {origin: ha, cache: disabled, allowed_methods: [ALL]}
    behaviors:
      - {path: /dead/*, origin: ha-dead, cache: disabled}
`)
	s, err := New(cfg, Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	get := func(method, path string) (int, string, string) {
		t.Helper()
		resp, body := do(t, http.DefaultClient, method, "http://"+s.Addr()+path, "d.test", nil, nil)
		return resp.StatusCode, body, resp.Header.Get("X-Request-Id")
	}

	if code, body, _ := get("GET", "/a"); code != 200 || body != "primary" {
		t.Fatalf("healthy primary: %d %q", code, body)
	}
	primaryStatus.Store(503)
	code, body, failedOverID := get("GET", "/a")
	if code != 200 || body != "replica" {
		t.Fatalf("primary 503: %d %q, want the replica's 200", code, body)
	}
	primaryStatus.Store(404) // not a failover status here: the primary's answer stands
	if code, body, _ := get("GET", "/a"); code != 404 || body != "primary" {
		t.Fatalf("primary 404: %d %q, want the primary's 404", code, body)
	}
	primaryStatus.Store(500)
	before := replicaHits.Load()
	if code, body, _ := get("POST", "/a"); code != 500 || body != "primary" || replicaHits.Load() != before {
		t.Fatalf("POST: %d %q (replica hits +%d); a POST must not fail over", code, body, replicaHits.Load()-before)
	}
	if code, body, _ := get("GET", "/dead/x"); code != 200 || body != "replica" {
		t.Fatalf("unreachable primary: %d %q, want the replica", code, body)
	}

	s.Shutdown(t.Context())
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.Contains(l, failedOverID) {
			line = l
		}
	}
	if !strings.Contains(line, `"origin":"replica"`) || !strings.Contains(line, `OriginFailover:replica`) {
		t.Errorf("the failed-over request's log line should name the replica: %s", line)
	}
}
