package gateway

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheUnderConcurrentChurn sends requests for many paths, encodings
// and Vary values from several clients while another goroutine purges
// paths and tags and a third reloads the configuration. Every response
// must carry exactly the body of its own path and variant: a wrong body
// would mean keys, variants or fills crossed.
func TestCacheUnderConcurrentChurn(t *testing.T) {
	o := newCountingOrigin(t)
	for i := range 40 {
		path := fmt.Sprintf("/p/%d", i)
		o.handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Cache-Tag", fmt.Sprintf("group-%d", i%4))
			w.Header().Set("Content-Type", "text/plain")
			if i%3 == 0 {
				w.Header().Set("Vary", "X-Variant")
			}
			// Long enough to be compressed at the edge.
			io.WriteString(w, strings.Repeat(path+"|"+r.Header.Get("X-Variant")+"\n", 100))
		})
	}
	dir := t.TempDir()
	writeFile(dir+"/token", "tok")
	cfg := oneOriginConfig(o.URL, "admin: {token_file: "+dir+"/token}\ncache: {memory: 1MiB, max_memory_object: 256KiB}", "", "")
	cfgPath := writeConfig(t, dir, cfg)
	s, err := New(cfgPath, Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())

	const clients, perClient = 6, 300
	var wrong, failed atomic.Int64
	var firstWrong atomic.Value
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { // purges
		defer bg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
			}
			body := fmt.Sprintf(`{"distribution":"d","paths":["/p/%d*"]}`, n%40)
			if n%5 == 0 {
				body = fmt.Sprintf(`{"distribution":"d","tags":["group-%d"]}`, n%4)
			}
			req, _ := http.NewRequest("POST", "http://"+s.AdminAddr()+"/invalidations", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer tok")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	go func() { // reloads
		defer bg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if err := s.Reload(); err != nil {
				t.Errorf("reload: %v", err)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
			for range perClient {
				i := rng.IntN(40)
				path := fmt.Sprintf("/p/%d", i)
				variant := []string{"", "a", "b"}[rng.IntN(3)]
				ae := []string{"", "gzip", "br", "gzip, br"}[rng.IntN(4)]
				req, _ := http.NewRequest("GET", "http://"+s.Addr()+path, nil)
				req.Host = "d.test"
				if variant != "" {
					req.Header.Set("X-Variant", variant)
				}
				if ae != "" {
					req.Header.Set("Accept-Encoding", ae)
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				body, err := decodeBody(resp.Header.Get("Content-Encoding"), raw)
				if err != nil {
					wrong.Add(1)
					firstWrong.CompareAndSwap(nil, fmt.Sprintf("%s ae=%q: %v", path, ae, err))
					continue
				}
				want := path + "|"
				if i%3 == 0 {
					want += variant // only varying paths see the header's value per variant
				} else {
					want = "" // the first fill's variant decides the body; check the path only
				}
				line, _, _ := strings.Cut(body, "\n")
				if !strings.HasPrefix(line, path+"|") || (want != "" && line != want) {
					wrong.Add(1)
					firstWrong.CompareAndSwap(nil, fmt.Sprintf("%s variant=%q ae=%q got %q", path, variant, ae, line))
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	if failed.Load() != 0 || wrong.Load() != 0 {
		t.Fatalf("%d failed, %d wrong bodies of %d requests; first wrong: %v", failed.Load(), wrong.Load(), clients*perClient, firstWrong.Load())
	}
}
