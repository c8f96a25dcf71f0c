package geodata_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/geodatatest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var probe = netip.MustParseAddr("192.0.2.1")

func countryDB(t *testing.T, country string) []byte {
	return geodatatest.Build(t, "GeoIP2-Country", map[string]geodata.Location{"192.0.2.0/24": {Country: country}})
}

func country(t *testing.T, db *geodata.DB) string {
	t.Helper()
	loc, err := db.Lookup(probe)
	if err != nil {
		t.Fatal(err)
	}
	return loc.Country
}

type storeEnv struct {
	path   string
	store  *geodata.Store
	logs   *syncBuffer
	loads  []string
	errors int
	mu     sync.Mutex
}

func newStoreEnv(t *testing.T, initial []byte, now time.Time) *storeEnv {
	t.Helper()
	e := &storeEnv{path: filepath.Join(t.TempDir(), "geo.mmdb"), logs: &syncBuffer{}}
	if err := os.WriteFile(e.path, initial, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := geodata.NewStore(e.path, geodata.StoreOptions{
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
		Now:    func() time.Time { return now },
		OnLoad: func(db *geodata.DB) {
			e.mu.Lock()
			defer e.mu.Unlock()
			loc, _ := db.Lookup(probe)
			e.loads = append(e.loads, loc.Country)
		},
		OnError: func(error) { e.mu.Lock(); e.errors++; e.mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	return e
}

func (e *storeEnv) write(t *testing.T, data []byte) {
	t.Helper()
	if err := os.WriteFile(e.path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *storeEnv) rename(t *testing.T, data []byte) {
	t.Helper()
	tmp := e.path + ".new"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, e.path); err != nil {
		t.Fatal(err)
	}
}

func check(t *testing.T, s *geodata.Store, wantChanged, wantErr bool) {
	t.Helper()
	changed, err := s.Check()
	if changed != wantChanged || (err != nil) != wantErr {
		t.Fatalf("Check = %v, %v; want changed %v, error %v", changed, err, wantChanged, wantErr)
	}
}

var fresh = geodatatest.BuildEpoch.Add(24 * time.Hour)

func TestStoreReplacements(t *testing.T) {
	e := newStoreEnv(t, countryDB(t, "DE"), fresh)
	s := e.store
	held := s.DB() // a request that started before the swaps
	check(t, s, false, false)

	e.rename(t, countryDB(t, "FR")) // atomic rename
	check(t, s, true, false)
	if got := country(t, s.DB()); got != "FR" {
		t.Fatalf("after rename: %s", got)
	}

	e.write(t, countryDB(t, "NL")) // in place
	check(t, s, true, false)
	if got := country(t, s.DB()); got != "NL" {
		t.Fatalf("after overwrite: %s", got)
	}

	full := countryDB(t, "GB")
	e.write(t, full[:len(full)*2/3]) // truncated in place
	check(t, s, false, true)
	check(t, s, false, true) // the same bad version: still an error, not retried, not logged again
	if got := country(t, s.DB()); got != "NL" {
		t.Fatalf("after a truncated file: %s, want NL kept", got)
	}
	if n := strings.Count(e.logs.String(), "cannot be used; keeping the loaded data"); n != 1 {
		t.Errorf("the bad version was logged %d times, want once:\n%s", n, e.logs.String())
	}
	e.write(t, full[:len(full)-1]) // another bad version: logged again
	check(t, s, false, true)
	if n := strings.Count(e.logs.String(), "cannot be used; keeping the loaded data"); n != 2 {
		t.Errorf("two bad versions were logged %d times, want twice:\n%s", n, e.logs.String())
	}
	e.write(t, full) // the write completes
	check(t, s, true, false)
	if got := country(t, s.DB()); got != "GB" {
		t.Fatalf("after completing the file: %s", got)
	}

	if err := os.Remove(e.path); err != nil {
		t.Fatal(err)
	}
	check(t, s, false, true)
	check(t, s, false, true) // still gone: logged and counted once
	if got := country(t, s.DB()); got != "GB" {
		t.Fatalf("after deleting the file: %s, want GB kept", got)
	}
	if n := strings.Count(e.logs.String(), "cannot be read; keeping the loaded data"); n != 1 {
		t.Errorf("the missing file was logged %d times, want once:\n%s", n, e.logs.String())
	}
	e.write(t, countryDB(t, "SE")) // back again
	check(t, s, true, false)

	// The DB held from the start still answers: its memory is its own.
	if got := country(t, held); got != "DE" {
		t.Fatalf("a DB held across swaps answers %s, want DE", got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if strings.Join(e.loads, ",") != "DE,FR,NL,GB,SE" || e.errors != 3 {
		t.Errorf("OnLoad saw %v and OnError %d times; want DE,FR,NL,GB,SE and 3 (two truncated versions, the missing file)", e.loads, e.errors)
	}
}

func TestStoreStaleWarning(t *testing.T) {
	e := newStoreEnv(t, countryDB(t, "DE"), geodatatest.BuildEpoch.Add(61*24*time.Hour))
	if !strings.Contains(e.logs.String(), "GeoIP database is stale") || !strings.Contains(e.logs.String(), "age_days=61") {
		t.Errorf("no stale warning for a 61-day-old database:\n%s", e.logs.String())
	}
	e = newStoreEnv(t, countryDB(t, "DE"), geodatatest.BuildEpoch.Add(59*24*time.Hour))
	if strings.Contains(e.logs.String(), "stale") {
		t.Errorf("a 59-day-old database was called stale:\n%s", e.logs.String())
	}
}

func TestNewStoreRefusesBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.mmdb")
	os.WriteFile(path, []byte("nope"), 0o644)
	if _, err := geodata.NewStore(path, geodata.StoreOptions{}); err == nil || !strings.Contains(err.Error(), "not a MaxMind DB file") {
		t.Fatalf("NewStore of a bad file: %v", err)
	}
	if _, err := geodata.NewStore(path+".missing", geodata.StoreOptions{}); err == nil {
		t.Fatal("NewStore of a missing file succeeded")
	}
}

func TestStoreEmbedded(t *testing.T) {
	logs := &syncBuffer{}
	s, err := geodata.NewStore("", geodata.StoreOptions{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !s.DB().Embedded() || s.Path() != "" {
		t.Fatal("the empty path is not the bundled database")
	}
	check(t, s, false, false)
	if !strings.Contains(logs.String(), geodata.Attribution) {
		t.Errorf("the start-up log does not carry the attribution:\n%s", logs.String())
	}
}

func TestStoreRun(t *testing.T) {
	e := newStoreEnv(t, countryDB(t, "DE"), fresh)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.store.Run(ctx, 5*time.Millisecond); close(done) }()
	e.rename(t, countryDB(t, "FR"))
	deadline := time.Now().Add(10 * time.Second)
	for country(t, e.store.DB()) != "FR" {
		if time.Now().After(deadline) {
			t.Fatal("Run did not pick up the new file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
}

// TestStoreConcurrentLookups: lookups during swaps always see a whole,
// valid database (run with -race).
func TestStoreConcurrentLookups(t *testing.T) {
	e := newStoreEnv(t, countryDB(t, "DE"), fresh)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				loc, err := e.store.DB().Lookup(probe)
				if err != nil || (loc.Country != "DE" && loc.Country != "FR") {
					t.Errorf("lookup during swaps: %+v, %v", loc, err)
					return
				}
			}
		}()
	}
	for i := range 20 {
		e.rename(t, countryDB(t, []string{"FR", "DE"}[i%2]))
		_, _ = e.store.Check()
	}
	close(stop)
	wg.Wait()
}
