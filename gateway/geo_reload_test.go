package gateway

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/geodatatest"
)

// lockedBuffer is a log sink tests read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// geoDBBytes builds a database mapping 127.0.0.1 to country.
func geoDBBytes(t *testing.T, country string) []byte {
	return geodatatest.Build(t, "GeoIP2-Country", map[string]geodata.Location{"127.0.0.1/32": {Country: country}})
}

// countryOf asks the gateway for /deny/x (deny US, unknown allowed) from
// 127.0.0.1 and returns the country the origin was told, or "blocked".
func countryOf(t *testing.T, s *Server) string {
	t.Helper()
	resp, body := do(t, clientFrom("127.0.0.1"), "GET", "http://"+s.Addr()+"/deny/x", "d.test", nil, nil)
	if resp.StatusCode == http.StatusForbidden {
		return "blocked"
	}
	c, _, _ := strings.Cut(strings.TrimPrefix(body, "country="), " ")
	return c
}

// waitCountry polls until the gateway reports want (the file check runs
// every 20ms in these tests); it fails after 10 s.
func waitCountry(t *testing.T, s *Server, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := countryOf(t, s)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("country %q, want %q after the database file changed", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func geoFailures(s *Server) float64 {
	return testutil.ToFloat64(s.metrics.geoLoads.WithLabelValues("failure"))
}

// TestGeoDatabaseHotReload replaces the database file while the gateway
// runs: by atomic rename, by overwriting it in place, with a truncated
// file (the loaded data stays), and by deleting it.
func TestGeoDatabaseHotReload(t *testing.T) {
	dir := t.TempDir()
	o := newGeoOrigin(t)
	dbPath := filepath.Join(dir, "geo.mmdb")
	if err := os.WriteFile(dbPath, geoDBBytes(t, "DE"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	s := startGeoGateway(t, geoConfig(t, dir, o.url, dbPath, ""), logs)
	if got := countryOf(t, s); got != "DE" {
		t.Fatalf("country %q at start, want DE", got)
	}

	// Atomic rename: the way database updaters (geoipupdate) replace it.
	tmp := filepath.Join(dir, "geo.mmdb.tmp")
	if err := os.WriteFile(tmp, geoDBBytes(t, "US"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		t.Fatal(err)
	}
	waitCountry(t, s, "blocked") // US is denied on /deny/*

	// In place.
	if err := os.WriteFile(dbPath, geoDBBytes(t, "FR"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitCountry(t, s, "FR")

	// A truncated file (a copy cut short): the FR data stays, and the
	// failure is counted and logged.
	before := geoFailures(s)
	full := geoDBBytes(t, "US")
	if err := os.WriteFile(dbPath, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for geoFailures(s) == before {
		if time.Now().After(deadline) {
			t.Fatal("the truncated database file was not noticed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := countryOf(t, s); got != "FR" {
		t.Fatalf("country %q after a truncated file, want FR (the data loaded before)", got)
	}
	if !strings.Contains(logs.String(), "level=ERROR") && !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("the bad file was not logged:\n%s", logs.String())
	}
	// Completing the write is picked up.
	if err := os.WriteFile(dbPath, full, 0o644); err != nil {
		t.Fatal(err)
	}
	waitCountry(t, s, "blocked")

	// Deleted: the loaded data stays.
	if err := os.Remove(dbPath); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // several checks
	if got := countryOf(t, s); got != "blocked" {
		t.Fatalf("country %q after the file was deleted, want the loaded data (US, blocked)", got)
	}
}

// TestGeoDatabaseReload: SIGHUP (Reload) checks the file at once, a
// config naming another file swaps the database, and a config naming a
// file that is not a database is refused whole.
func TestGeoDatabaseReload(t *testing.T) {
	dir := t.TempDir()
	o := newGeoOrigin(t)
	dbPath := filepath.Join(dir, "geo.mmdb")
	if err := os.WriteFile(dbPath, geoDBBytes(t, "DE"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := geoConfig(t, dir, o.url, dbPath, "")
	s := startGatewayWith(t, cfgPath, Options{Logger: discardLogger(), geoCheckEvery: time.Hour})
	store := s.holder.cur.Load().geo

	if err := os.WriteFile(dbPath, geoDBBytes(t, "FR"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := countryOf(t, s); got != "FR" {
		t.Fatalf("country %q after Reload, want FR", got)
	}
	if s.holder.cur.Load().geo != store {
		t.Errorf("a reload naming the same file opened a second store")
	}
	if n, err := testutil.GatherAndCount(s.metrics.reg, "edgeward_geodata_build_timestamp_seconds"); err != nil || n != 1 {
		t.Errorf("edgeward_geodata_build_timestamp_seconds: %d series, %v", n, err)
	}
	want := fmt.Sprintf("edgeward_geodata_build_timestamp_seconds %g", float64(geodatatest.BuildEpoch.Unix()))
	if !strings.Contains(scrape(t, s), want) {
		t.Errorf("metrics lack %q", want)
	}

	// Another file.
	other := filepath.Join(dir, "other.mmdb")
	if err := os.WriteFile(other, geoDBBytes(t, "GB"), 0o644); err != nil {
		t.Fatal(err)
	}
	geoConfig(t, dir, o.url, other, "")
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := countryOf(t, s); got != "GB" {
		t.Fatalf("country %q after naming another file, want GB", got)
	}

	// Not a database: the reload fails, GB stays.
	bad := filepath.Join(dir, "bad.mmdb")
	if err := os.WriteFile(bad, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	geoConfig(t, dir, o.url, bad, "")
	err := s.Reload()
	if err == nil || !strings.Contains(err.Error(), "edgeward.yaml:") || !strings.Contains(err.Error(), "geodata.database") {
		t.Fatalf("Reload with a bad database: %v, want a file:line error naming geodata.database", err)
	}
	if got := countryOf(t, s); got != "GB" {
		t.Fatalf("country %q after a refused reload, want GB", got)
	}
}

// TestGeoEmbeddedDatabase: without geodata.database the bundled DB-IP
// data decides, the start-up log credits it, and so does the block page.
func TestGeoEmbeddedDatabase(t *testing.T) {
	dir := t.TempDir()
	o := newGeoOrigin(t)
	logs := &lockedBuffer{}
	s := startGeoGateway(t, geoConfig(t, dir, o.url, "", ""), logs)
	// Loopback has no country in real data: /eu/* denies unknown.
	resp, body := do(t, clientFrom("127.0.0.1"), "GET", "http://"+s.Addr()+"/eu/a", "d.test", nil, nil)
	if resp.StatusCode != 403 || !strings.Contains(body, `href="https://db-ip.com"`) {
		t.Errorf("status %d, body %q; want 403 with DB-IP's attribution link", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "db-ip.com") {
		t.Errorf("the start-up log does not credit DB-IP:\n%s", logs.String())
	}
}

// TestGeoCacheKey: a behavior whose cache key includes
// CloudFront-Viewer-Country keeps one object per country, and a viewer
// cannot pick another country's object by sending the header.
func TestGeoCacheKey(t *testing.T) {
	dir := t.TempDir()
	o := newGeoOrigin(t)
	db := geodatatest.WriteFile(t, dir, "GeoIP2-Country", geoTestNets)
	s := startGeoGateway(t, geoConfig(t, dir, o.url, db, ""), nil)
	get := func(from string, hdr http.Header) (string, string) {
		resp, body := do(t, clientFrom(from), "GET", "http://"+s.Addr()+"/keyed/a", "d.test", hdr, nil)
		return body, resp.Header.Get("X-Cache")
	}
	steps := []struct {
		from  string
		hdr   http.Header
		body  string
		cache string
	}{
		{"127.0.0.1", nil, "country=DE", "Miss from edgeward"},
		{"127.0.0.1", nil, "country=DE", "Hit from edgeward"},
		{"127.0.0.2", nil, "country=US", "Miss from edgeward"},
		{"127.0.0.2", http.Header{"Cloudfront-Viewer-Country": {"DE"}}, "country=US", "Hit from edgeward"},
		{"127.0.0.3", http.Header{"Cloudfront-Viewer-Country": {"DE"}}, "country= ", "Miss from edgeward"},
	}
	for i, st := range steps {
		body, xc := get(st.from, st.hdr)
		if !strings.HasPrefix(body, st.body) || xc != st.cache {
			t.Errorf("step %d (%s): %q, X-Cache %q; want %q, %q", i, st.from, body, xc, st.body, st.cache)
		}
	}
	if n := o.hits.Load(); n != 3 {
		t.Errorf("origin fetched %d times, want 3 (one per country, unknown included)", n)
	}
}

// scrape returns the admin listener's /metrics text.
func scrape(t *testing.T, s *Server) string {
	t.Helper()
	resp, err := http.Get("http://" + s.AdminAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
