package gateway

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestCacheMissThenHit(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/a.txt", static("hello", "Cache-Control", "max-age=60", "ETag", `"v1"`))
	clock := newFakeClock()
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), clock)

	r1, b1 := s.get(t, "/a.txt")
	clock.Advance(5 * time.Second)
	r2, b2 := s.get(t, "/a.txt")
	if b1 != "hello" || b2 != "hello" {
		t.Fatalf("bodies %q %q", b1, b2)
	}
	for _, c := range []struct{ name, got, want string }{
		{"first X-Cache", r1.Header.Get("X-Cache"), "Miss from edgeward"},
		{"second X-Cache", r2.Header.Get("X-Cache"), "Hit from edgeward"},
		{"Age on hit", r2.Header.Get("Age"), "5"},
		{"origin headers kept", r2.Header.Get("ETag"), `"v1"`},
		{"Cache-Status on miss", r1.Header.Get("Cache-Status"), "edgeward; fwd=miss; fwd-status=200; ttl=60; stored"},
		{"Cache-Status on hit", r2.Header.Get("Cache-Status"), "edgeward; hit; ttl=55"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if n := o.count("/a.txt"); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}

func TestCacheCollapsesConcurrentMisses(t *testing.T) {
	o := newCountingOrigin(t)
	release := make(chan struct{})
	o.handle("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "collapsed")
	})
	// A long collapse timeout: under heavy machine load a waiter must not
	// give up and go to the origin itself while the leader is still busy.
	s := startCacheGateway(t, oneOriginConfig(o.URL, "cache: {collapse_timeout: 60s}", "", ""), newFakeClock())
	const n = 20
	var wg sync.WaitGroup
	results := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := s.get(t, "/slow")
			results <- resp.Header.Get("X-Cache") + " " + body
		}()
	}
	// Wait until the leader's request reached the origin, then let it go.
	for deadline := time.Now().Add(10 * time.Second); o.count("/slow") == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the others queue behind it (not a timing assertion: they may arrive later and hit)
	close(release)
	wg.Wait()
	close(results)
	misses := 0
	for r := range results {
		if !strings.HasSuffix(r, " collapsed") {
			t.Errorf("response %q", r)
		}
		if strings.HasPrefix(r, "Miss") {
			misses++
		}
	}
	if got := o.count("/slow"); got != 1 || misses != 1 {
		t.Fatalf("origin requests %d, misses %d; want 1 and 1 for %d concurrent requests", got, misses, n)
	}
}

func TestCacheRevalidatesWithValidators(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/r", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=10")
		w.Header().Set("ETag", `"e1"`)
		if r.Header.Get("If-None-Match") == `"e1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "body-e1")
	})
	clock := newFakeClock()
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), clock)
	s.get(t, "/r")
	clock.Advance(11 * time.Second)
	resp, body := s.get(t, "/r")
	if resp.Header.Get("X-Cache") != "RefreshHit from edgeward" || body != "body-e1" {
		t.Fatalf("after expiry: %q %q, want RefreshHit with the stored body", resp.Header.Get("X-Cache"), body)
	}
	if got := o.lastRequest("/r").Header.Get("If-None-Match"); got != `"e1"` {
		t.Errorf("revalidation sent If-None-Match %q", got)
	}
	resp, _ = s.get(t, "/r")
	if resp.Header.Get("X-Cache") != "Hit from edgeward" {
		t.Errorf("after the refresh: %q, want Hit", resp.Header.Get("X-Cache"))
	}
	if o.count("/r") != 2 {
		t.Errorf("origin requests %d, want 2", o.count("/r"))
	}
	// Viewer conditional request answered from the cache.
	resp, body = s.get(t, "/r", "If-None-Match", `"e1"`)
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("viewer If-None-Match: %d %q, want 304", resp.StatusCode, body)
	}
}

func TestCacheStaleIfErrorAndWhileRevalidate(t *testing.T) {
	o := newCountingOrigin(t)
	var fail sync.Mutex
	failing := false
	version := 1
	o.handle("/s", func(w http.ResponseWriter, r *http.Request) {
		fail.Lock()
		f, v := failing, version
		fail.Unlock()
		if f {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "max-age=10, stale-if-error=60, stale-while-revalidate=5")
		fmt.Fprintf(w, "v%d", v)
	})
	clock := newFakeClock()
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), clock)
	s.get(t, "/s")

	// Within stale-while-revalidate: the stale copy at once, a refresh behind.
	fail.Lock()
	version = 2
	fail.Unlock()
	clock.Advance(12 * time.Second)
	resp, body := s.get(t, "/s")
	if body != "v1" || resp.Header.Get("X-Cache") != "Hit from edgeward" {
		t.Fatalf("within stale-while-revalidate: %q %q", resp.Header.Get("X-Cache"), body)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, b := s.get(t, "/s"); b == "v2" {
			break
		}
	}
	if _, b := s.get(t, "/s"); b != "v2" {
		t.Fatalf("the background refresh never replaced the object: %q", b)
	}

	// The origin fails: the stale copy within stale-if-error, then the error.
	fail.Lock()
	failing = true
	fail.Unlock()
	clock.Advance(30 * time.Second) // expired 20s ago: past swr, within sie
	resp, body = s.get(t, "/s")
	if resp.StatusCode != 200 || body != "v2" || !strings.Contains(resp.Header.Get("Cache-Status"), "stale-if-error") {
		t.Fatalf("origin 503 within stale-if-error: %d %q %q", resp.StatusCode, body, resp.Header.Get("Cache-Status"))
	}
	clock.Advance(60 * time.Second)
	resp, _ = s.get(t, "/s")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("past stale-if-error: %d, want the origin's 503", resp.StatusCode)
	}

	// The origin stopped altogether.
	fail.Lock()
	failing = false
	fail.Unlock()
	clock.Advance(time.Hour)
	s.get(t, "/s") // fresh copy
	o.Close()
	clock.Advance(20 * time.Second)
	resp, body = s.get(t, "/s")
	if resp.StatusCode != 200 || body != "v2" {
		t.Fatalf("origin stopped, within stale-if-error: %d %q", resp.StatusCode, body)
	}
}

func TestCacheRangeAndHeadFromHit(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/big", static(strings.Repeat("0123456789", 1000), "Cache-Control", "max-age=60", "Content-Type", "application/octet-stream"))
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), newFakeClock())
	s.get(t, "/big")
	resp, body := s.get(t, "/big", "Range", "bytes=10-19")
	if resp.StatusCode != http.StatusPartialContent || body != "0123456789" || resp.Header.Get("Content-Range") != "bytes 10-19/10000" {
		t.Fatalf("range on a hit: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	resp, body = do(t, noDecompress, "HEAD", "http://"+s.Addr()+"/big", "d.test", nil, nil)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") != "10000" || resp.Header.Get("X-Cache") != "Hit from edgeward" {
		t.Fatalf("HEAD on a hit: %d %q len=%q %q", resp.StatusCode, body, resp.Header.Get("Content-Length"), resp.Header.Get("X-Cache"))
	}
	if n := o.count("/big"); n != 1 {
		t.Fatalf("origin requests %d, want 1", n)
	}
}

func TestCacheCompressionNegotiation(t *testing.T) {
	o := newCountingOrigin(t)
	page := strings.Repeat("<p>edgeward compresses text at the edge</p>\n", 200)
	o.handle("/page.html", static(page, "Cache-Control", "max-age=60", "Content-Type", "text/html; charset=utf-8", "ETag", `"p1"`))
	o.handle("/photo.jpg", static(page, "Cache-Control", "max-age=60", "Content-Type", "image/jpeg"))
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), newFakeClock())
	s.get(t, "/page.html")
	for _, c := range []struct {
		ae, wantEnc string
	}{
		{"gzip, deflate, br", "br"},
		{"gzip", "gzip"},
		{"identity", ""},
		{"br;q=0, gzip", "gzip"},
	} {
		resp, body := s.get(t, "/page.html", "Accept-Encoding", c.ae)
		if got := resp.Header.Get("Content-Encoding"); got != c.wantEnc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.ae, got, c.wantEnc)
			continue
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q lacks Accept-Encoding", c.ae, resp.Header.Get("Vary"))
		}
		if got := decode(t, c.wantEnc, body); got != page {
			t.Errorf("Accept-Encoding %q: decoded body differs", c.ae)
		}
		if c.wantEnc != "" && resp.Header.Get("ETag") != `W/"p1"` {
			t.Errorf("compressed ETag %q, want weak", resp.Header.Get("ETag"))
		}
	}
	s.get(t, "/photo.jpg")
	if resp, _ := s.get(t, "/photo.jpg", "Accept-Encoding", "br"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("image/jpeg was compressed")
	}
}

func decode(t *testing.T, enc, body string) string {
	t.Helper()
	out, err := decodeBody(enc, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeBody undoes a br or gzip Content-Encoding.
func decodeBody(enc string, body []byte) (string, error) {
	var r io.Reader = bytes.NewReader(body)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return "", err
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

func TestCacheWhatIsNotShared(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/cookie", static("set", "Cache-Control", "max-age=60", "Set-Cookie", "s=1"))
	o.handle("/auth", static("private", "Cache-Control", "max-age=60"))
	o.handle("/nostore", static("x", "Cache-Control", "no-store"))
	o.handle("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	o.handle("/missing", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) })
	o.handle("/vary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Vary", "X-Lang")
		io.WriteString(w, "lang="+r.Header.Get("X-Lang"))
	})
	o.handle("/q", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, r.URL.RawQuery+"|"+r.Header.Get("Cookie"))
	})
	clock := newFakeClock()
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), clock)
	twice := func(path string, hdr ...string) {
		s.get(t, path, hdr...)
		s.get(t, path, hdr...)
	}
	twice("/cookie")
	twice("/auth", "Authorization", "Bearer x")
	twice("/nostore")
	twice("/forbidden")
	for _, c := range []struct {
		path string
		want int64
	}{{"/cookie", 2}, {"/auth", 2}, {"/nostore", 2}, {"/forbidden", 2}} {
		if got := o.count(c.path); got != c.want {
			t.Errorf("%s: origin requests %d, want %d (must not be shared)", c.path, got, c.want)
		}
	}
	// 404 is cached for the error TTL (10s by default), then fetched again.
	twice("/missing")
	clock.Advance(11 * time.Second)
	s.get(t, "/missing")
	if got := o.count("/missing"); got != 2 {
		t.Errorf("/missing: origin requests %d, want 2 (cached 10s)", got)
	}
	// Vary: one entry per value.
	_, a := s.get(t, "/vary", "X-Lang", "de")
	_, b := s.get(t, "/vary", "X-Lang", "fr")
	_, c := s.get(t, "/vary", "X-Lang", "de")
	if a != "lang=de" || b != "lang=fr" || c != "lang=de" || o.count("/vary") != 2 {
		t.Errorf("vary: %q %q %q with %d origin requests, want 2", a, b, c, o.count("/vary"))
	}
	// Query strings are keyed (all, by default) in any order; cookies are
	// neither keyed nor forwarded by default.
	_, q1 := s.get(t, "/q?b=2&a=1", "Cookie", "session=secret")
	_, q2 := s.get(t, "/q?a=1&b=2")
	if q1 != "b=2&a=1|" || q2 != q1 || o.count("/q") != 1 {
		t.Errorf("query keying: %q %q with %d origin requests", q1, q2, o.count("/q"))
	}
}

func TestCacheNeverStoresIncompleteBodies(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/cut", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 5000))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), newFakeClock())
	for range 2 {
		req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/cut", nil)
		req.Host = "d.test"
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	if n := o.count("/cut"); n != 2 {
		t.Fatalf("origin requests %d, want 2: a truncated body must not be cached", n)
	}
}

func TestCacheInvalidation(t *testing.T) {
	o := newCountingOrigin(t)
	for _, p := range []string{"/img/a.jpg", "/img/b.jpg", "/index.html", "/tagged"} {
		tag := ""
		if p == "/tagged" || p == "/img/b.jpg" {
			tag = "product-42"
		}
		o.handle(p, static("x", "Cache-Control", "max-age=600", "Cache-Tag", tag))
	}
	dir := t.TempDir()
	writeFile(dir+"/token", "tok")
	cfg := oneOriginConfig(o.URL, "admin: {token_file: "+dir+"/token}", "", "")
	s := startCacheGateway(t, cfg, newFakeClock())
	fill := func() {
		for _, p := range []string{"/img/a.jpg", "/img/a.jpg?w=100", "/img/b.jpg", "/index.html", "/tagged"} {
			s.get(t, p)
		}
	}
	invalidate := func(body string) string {
		t.Helper()
		resp, out := do(t, http.DefaultClient, "POST", "http://"+s.AdminAddr()+"/invalidations", "",
			http.Header{"Authorization": {"Bearer tok"}}, strings.NewReader(body))
		if resp.StatusCode != 200 {
			t.Fatalf("invalidate %s: %d %s", body, resp.StatusCode, out)
		}
		return out
	}
	hit := func(p string) bool {
		resp, _ := s.get(t, p)
		return resp.Header.Get("X-Cache") == "Hit from edgeward"
	}
	fill()
	if out := invalidate(`{"distribution":"d","paths":["/img/*"]}`); !strings.Contains(out, `"removed":3`) {
		t.Errorf("prefix invalidation: %s, want 3 removed (a.jpg, a.jpg?w=100, b.jpg)", out)
	}
	if hit("/img/a.jpg") || hit("/img/a.jpg?w=100") || !hit("/index.html") {
		t.Error("after /img/*: the images must miss and /index.html still hit")
	}
	fill()
	if out := invalidate(`{"distribution":"d","tags":["Product-42"]}`); !strings.Contains(out, `"removed":2`) {
		t.Errorf("tag invalidation: %s, want 2 removed", out)
	}
	if hit("/tagged") || !hit("/img/a.jpg") {
		t.Error("after the tag purge: /tagged must miss and /img/a.jpg hit")
	}
	s.get(t, "/img/a.jpg?w=100&h=50")
	if out := invalidate(`{"distribution":"d","paths":["/img/a.jpg?h=50&w=100"]}`); !strings.Contains(out, `"removed":1`) {
		t.Errorf("exact path with the query in another order: %s, want 1 removed", out)
	}
	for _, bad := range []string{`{"distribution":"nope","paths":["/x"]}`, `{"distribution":"d","paths":["/a*b"]}`, `{"distribution":"d"}`, `{"distribution":"d","paths":["x"]}`, `{"bogus":1}`} {
		resp, out := do(t, http.DefaultClient, "POST", "http://"+s.AdminAddr()+"/invalidations", "",
			http.Header{"Authorization": {"Bearer tok"}}, strings.NewReader(bad))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("invalidate %s: %d %s, want 400", bad, resp.StatusCode, out)
		}
	}
	if resp, _ := do(t, http.DefaultClient, "POST", "http://"+s.AdminAddr()+"/invalidations", "", nil, strings.NewReader(`{}`)); resp.StatusCode != 401 {
		t.Errorf("invalidate without token: %d, want 401", resp.StatusCode)
	}
}

func TestCacheDiskTierSurvivesRestart(t *testing.T) {
	o := newCountingOrigin(t)
	big := bytes.Repeat([]byte("d"), 3<<20)
	o.handle("/disk.bin", static(string(big), "Cache-Control", "max-age=3600", "Content-Type", "application/octet-stream"))
	o.handle("/small", static("small", "Cache-Control", "max-age=3600"))
	dir := t.TempDir()
	cfg := oneOriginConfig(o.URL, "cache: {memory: 4MiB, max_memory_object: 1MiB, disk: {path: "+dir+"/cache, size: 64MiB}}", "", "")
	clock := newFakeClock()
	s1, err := New(writeConfig(t, dir, cfg), Options{Logger: discardLogger(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Start(); err != nil {
		t.Fatal(err)
	}
	s1.get(t, "/disk.bin")
	s1.get(t, "/small")
	s1.Shutdown(t.Context())

	s2 := startCacheGateway(t, cfg, clock)
	for _, p := range []string{"/disk.bin", "/small"} {
		resp, body := s2.get(t, p)
		if resp.Header.Get("X-Cache") != "Hit from edgeward" {
			t.Errorf("%s after restart: %q, want a hit from the disk tier", p, resp.Header.Get("X-Cache"))
		}
		if p == "/disk.bin" && body != string(big) {
			t.Errorf("%s: body of %d bytes differs", p, len(body))
		}
		if o.count(p) != 1 {
			t.Errorf("%s: origin requests %d, want 1", p, o.count(p))
		}
	}
}

// TestCacheUncacheableIsNotSerialized: once a key's response proved not
// storable, concurrent requests for it go to the origin side by side
// instead of each waiting for the previous one (hit-for-miss).
func TestCacheUncacheableIsNotSerialized(t *testing.T) {
	o := newCountingOrigin(t)
	const n = 5
	var inFlight, peak int
	var mu sync.Mutex
	allIn := make(chan struct{})
	o.handle("/api", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		if inFlight == n {
			close(allIn)
		}
		mu.Unlock()
		if o.count("/api") > 1 { // the first request teaches the gateway; the rest wait for each other
			select { // wait for the others; a liveness bound, not a timing assertion
			case <-allIn:
			case <-time.After(30 * time.Second):
			}
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "dynamic")
	})
	s := startCacheGateway(t, oneOriginConfig(o.URL, "", "", ""), newFakeClock())
	s.get(t, "/api") // learns that /api is not storable
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); s.get(t, "/api") }()
	}
	wg.Wait()
	if peak != n {
		t.Fatalf("at most %d requests reached the origin together, want all %d", peak, n)
	}
}

// TestCustomErrorPagesThroughTheCache: a 404 with a custom page is stored
// like any error, and the page is cached too, so a flood of requests for a
// missing object costs the origin one fetch of each.
func TestCustomErrorPagesThroughTheCache(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/errors/404.html", static("<h1>custom not found</h1>", "Cache-Control", "max-age=600", "Content-Type", "text/html", "ETag", `"page"`))
	cfg := oneOriginConfig(o.URL, "", "", "") + `    custom_error_responses:
      - {status: 404, page: /errors/404.html, response_code: 404}
      - {status: 503, page: /errors/404.html, response_code: 200}
`
	o.handle("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) })
	s := startCacheGateway(t, cfg, newFakeClock())
	for range 3 {
		resp, body := s.get(t, "/missing")
		if resp.StatusCode != 404 || body != "<h1>custom not found</h1>" || resp.Header.Get("ETag") != "" {
			t.Fatalf("missing object: %d %q ETag %q, want 404 with the custom page and no validator", resp.StatusCode, body, resp.Header.Get("ETag"))
		}
	}
	resp, _ := s.get(t, "/also-missing")
	if cs := resp.Header.Get("Cache-Status"); cs != "edgeward; hit; ttl=600" {
		t.Errorf("page served for a new missing path: Cache-Status %q, want the cached page's hit", cs)
	}
	if got := o.count("/missing"); got != 1 {
		t.Errorf("origin fetched /missing %d times, want 1 (the 404 is cached for error_ttl)", got)
	}
	if got := o.count("/errors/404.html"); got != 1 {
		t.Errorf("origin fetched the page %d times, want 1 (the page is cached)", got)
	}
	resp, body := s.get(t, "/down")
	if resp.StatusCode != 200 || body != "<h1>custom not found</h1>" {
		t.Errorf("503 mapped to 200: %d %q", resp.StatusCode, body)
	}
	// Without its page the original error goes out.
	o.handle("/errors/404.html", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	s.Shutdown(t.Context())
	s2 := startCacheGateway(t, cfg, newFakeClock())
	resp, body = s2.get(t, "/missing2")
	if resp.StatusCode != 404 || !strings.Contains(body, "404 page not found") {
		t.Errorf("page unavailable: %d %q, want the origin's own 404", resp.StatusCode, body)
	}
}

// TestCacheUnkeyedInputsDoNotReachTheOrigin: on cached requests the origin
// gets no input the key does not hold: no X-Forwarded-Host (the viewer
// chooses Host under a wildcard) and no URL or method override headers;
// the scheme, which it does get, is part of the key.
func TestCacheUnkeyedInputsDoNotReachTheOrigin(t *testing.T) {
	o := newCountingOrigin(t)
	o.handle("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, r.Header.Get("X-Forwarded-Proto")+"|"+r.Header.Get("X-Forwarded-Host")+"|"+r.Header.Get("X-Original-Url"))
	})
	cfg := oneOriginConfig(o.URL, "", "", "")
	s := startCacheGateway(t, cfg, newFakeClock())
	_, body := s.get(t, "/page", "X-Original-URL", "/admin", "X-Forwarded-Host", "evil.test")
	if body != "http||" {
		t.Fatalf("origin saw %q, want only X-Forwarded-Proto", body)
	}
	// The same path over https is another entry: a response that depends
	// on X-Forwarded-Proto never crosses schemes.
	req := httptest.NewRequest("GET", "https://d.test/page", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Body.String() != "https||" || o.count("/page") != 2 {
		t.Fatalf("https request: %q after %d origin requests, want its own entry", rec.Body.String(), o.count("/page"))
	}

	// With Host keyed, the origin may hear of it.
	o2 := newCountingOrigin(t)
	o2.handle("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, r.Header.Get("X-Forwarded-Host"))
	})
	s2 := startCacheGateway(t, oneOriginConfig(o2.URL, "", "", `, cache: {headers: [Host]}`), newFakeClock())
	if _, body := s2.get(t, "/page"); body != "d.test" {
		t.Fatalf("Host keyed: origin saw X-Forwarded-Host %q, want d.test", body)
	}
}
