package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const reloadConfig = `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
admin: {token_file: token}
access_log: {path: off}
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: %s, headers: {X-Generation: "%d"}}]
    default_behavior: {origin: o}
`

// TestReloadUnderLoadDropsNothing sends requests continuously while the
// configuration is reloaded several times (and once with an invalid file),
// and counts: every request must succeed, the generation seen by the
// origin must move forward, and the invalid file must change nothing.
func TestReloadUnderLoadDropsNothing(t *testing.T) {
	var seen sync.Map
	o := newGenerationOrigin(t, &seen)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "token"), []byte("t0ken\n"), 0o600)
	cfgPath := writeConfig(t, dir, fmt.Sprintf(reloadConfig, o, 0))
	s := startGateway(t, cfgPath)

	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/x", nil)
				req.Host = "d.test"
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, resp.Status)
					continue
				}
				ok.Add(1)
			}
		}()
	}

	waitFor := func(n int64) { // until n more requests succeeded, bounded
		target := ok.Load() + n
		for deadline := time.Now().Add(20 * time.Second); ok.Load() < target && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	const reloads = 6
	for gen := 1; gen <= reloads; gen++ {
		waitFor(200)
		writeConfig(t, dir, fmt.Sprintf(reloadConfig, o, gen))
		if gen%2 == 0 {
			if err := s.Reload(); err != nil {
				t.Fatalf("reload %d: %v", gen, err)
			}
		} else {
			adminReload(t, s, "t0ken", http.StatusOK)
		}
	}
	waitFor(50)
	// An invalid config: refused, running config kept.
	os.WriteFile(cfgPath, []byte("distributions: [{name: d, bogus: 1}]\n"), 0o644)
	if err := s.Reload(); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("invalid reload: err = %v, want an error naming the unknown field", err)
	}
	body := adminReload(t, s, "t0ken", http.StatusUnprocessableEntity)
	if !strings.Contains(body, "edgeward.yaml:1") {
		t.Errorf("admin reload error %q should name file:line", body)
	}
	waitFor(50)
	close(stop)
	wg.Wait()

	if failed.Load() != 0 {
		t.Fatalf("%d of %d requests failed across %d reloads; first: %v", failed.Load(), ok.Load()+failed.Load(), reloads, firstErr.Load())
	}
	if _, ok := seen.Load(fmt.Sprint(reloads)); !ok {
		t.Fatalf("origin never saw generation %d", reloads)
	}
	resp, _ := do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/gen", "d.test", nil, nil)
	if g := resp.Header.Get("X-Seen-Generation"); g != fmt.Sprint(reloads) {
		t.Fatalf("after the invalid reload the generation is %q, want %d (the running config)", g, reloads)
	}
	t.Logf("%d requests, 0 failed, across %d reloads and one refused reload", ok.Load(), reloads)
}

func newGenerationOrigin(t *testing.T, seen *sync.Map) string {
	o := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := r.Header.Get("X-Generation")
		seen.Store(g, true)
		w.Header().Set("Cache-Control", "no-store") // every request must reach the origin
		w.Header().Set("X-Seen-Generation", g)
		io.WriteString(w, "ok")
	}))
	return o
}

func adminReload(t *testing.T, s *Server, token string, want int) string {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+s.AdminAddr()+"/reload", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("POST /reload: status %d, want %d: %s", resp.StatusCode, want, b)
	}
	return string(b)
}

func TestShutdownDrainsInFlight(t *testing.T) {
	started := make(chan struct{})
	o := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "finished")
	}))
	cfg := oneOriginConfig(o, "", "", "")
	logger := discardLogger()
	s, err := New(writeConfig(t, "", cfg), Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/slow", nil)
		req.Host = "d.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	r := <-done
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %+v, want 200 finished", r)
	}
	if _, err := http.Get("http://" + s.Addr() + "/"); err == nil {
		t.Fatal("listener still accepting after Shutdown")
	}
}
