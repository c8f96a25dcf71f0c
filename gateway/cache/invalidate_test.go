package cache

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// invalidationSet is the objects every invalidation case starts from. The
// large ones live on disk only, the others in memory and on disk.
var invalidationSet = []struct {
	key, dist, path, query string
	tags                   []string
	large                  bool
}{
	{"a", "d1", "/a", "", []string{"Red"}, false},
	{"a?q=1", "d1", "/a", "q=1", nil, true},
	{"a?q=2", "d1", "/a", "q=2", []string{"blue"}, false},
	{"a?q=2/br", "d1", "/a", "q=2", nil, false}, // a compressed variant
	{"ab", "d1", "/ab", "", nil, false},
	{"img1", "d1", "/images/x.jpg", "", []string{"RED", "img"}, true},
	{"img2", "d1", "/images/y.jpg", "x=1", nil, false},
	{"imgs", "d1", "/images", "", nil, false},
	{"other", "d2", "/a", "", []string{"red"}, false},
}

func TestInvalidate(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		tags  []string
		want  []string // keys removed
	}{
		{"exact path: every query variant", []string{"/a"}, nil, []string{"a", "a?q=1", "a?q=2", "a?q=2/br"}},
		{"exact path and query", []string{"/a?q=2"}, nil, []string{"a?q=2", "a?q=2/br"}},
		{"exact path with an empty query", []string{"/a?"}, nil, []string{"a"}},
		{"prefix", []string{"/images/*"}, nil, []string{"img1", "img2"}},
		{"prefix reaching into the query", []string{"/a*"}, nil, []string{"a", "a?q=1", "a?q=2", "a?q=2/br", "ab"}},
		{"prefix of a query", []string{"/a?q=*"}, nil, []string{"a?q=1", "a?q=2", "a?q=2/br"}},
		{"prefix within a query", []string{"/images/y.jpg?x*"}, nil, []string{"img2"}},
		{"everything", []string{"/*"}, nil, []string{"a", "a?q=1", "a?q=2", "a?q=2/br", "ab", "img1", "img2", "imgs"}},
		{"tag, any case", nil, []string{"rEd"}, []string{"a", "img1"}},
		{"paths and tags together", []string{"/ab"}, []string{"blue"}, []string{"a?q=2", "ab"}},
		{"no match", []string{"/nope", "/a/b*"}, []string{"green"}, nil},
		{"star inside is literal", []string{"/*/x.jpg"}, nil, nil},
	}
	for _, tier := range []string{"memory", "tiers"} {
		for _, tt := range tests {
			t.Run(tier+"/"+tt.name, func(t *testing.T) {
				var s *Store
				if tier == "memory" {
					s = open(t, memConfig())
				} else {
					s = open(t, diskConfig(t.TempDir()))
				}
				for i, o := range invalidationSet {
					n := 1000
					if o.large && tier != "memory" {
						n = 100 << 10
					}
					put(t, s, o.key, testMeta(o.dist, o.path, o.query, o.tags...), body(n, byte(i)))
				}
				if got := s.Invalidate("d1", tt.paths, tt.tags); got != len(tt.want) {
					t.Errorf("Invalidate removed %d objects, want %d", got, len(tt.want))
				}
				for _, o := range invalidationSet {
					_, hit := s.Get(o.key)
					if removed := slices.Contains(tt.want, o.key); hit == removed {
						t.Errorf("%s: hit=%v after invalidation, want removed=%v", o.key, hit, removed)
					}
				}
				checkInvariants(t, s)
			})
		}
	}
}

func TestInvalidationBeatsFillInFlight(t *testing.T) {
	s := open(t, diskConfig(t.TempDir()))
	b := body(5000, 1)
	start := func(key, path string, expected int64) *Fill {
		f, err := s.NewFill(key, testMeta("d", path, ""), expected)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
		return f
	}
	put(t, s, "k", testMeta("d", "/a", ""), b)
	before := start("k", "/a", -1)         // in memory
	beforeDisk := start("kd", "/a", 1<<20) // streamed to disk
	unrelated := start("u", "/b", -1)
	otherDist, _ := s.NewFill("x", testMeta("e", "/a", ""), -1)

	if n := s.Invalidate("d", []string{"/a"}, nil); n != 1 {
		t.Fatalf("Invalidate removed %d", n)
	}
	after := start("k2", "/a", -1)
	for _, f := range []*Fill{before, beforeDisk, unrelated, otherDist, after} {
		if err := f.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
	mustMiss(t, s, "k")  // the fill that started before would resurrect old content
	mustMiss(t, s, "kd") // likewise from disk
	mustGet(t, s, "u", b)
	mustGet(t, s, "x", nil)
	mustGet(t, s, "k2", b)
	if tmpFiles(t, s) != 0 {
		t.Fatal("temp files left behind")
	}

	// Put compares Meta.Stored with the invalidation's time.
	old := testMeta("d", "/a", "")
	old.Stored = time.Now().Add(-time.Second)
	put(t, s, "variant", old, b)
	mustMiss(t, s, "variant")
	fresh := testMeta("d", "/a", "")
	fresh.Stored = time.Now().Add(time.Second)
	put(t, s, "variant", fresh, b)
	mustGet(t, s, "variant", b)
	checkInvariants(t, s)
}

func TestInvalidationLogIsBounded(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	cfg := memConfig()
	cfg.Now = clock
	s := open(t, cfg)
	f, _ := s.NewFill("k", testMeta("d", "/keep", ""), -1) // pins the log
	for i := range 3 * maxDistLog {
		s.Invalidate("d", []string{fmt.Sprintf("/p%d", i)}, nil)
	}
	s.mu.Lock()
	n := len(s.log.dists["d"].recs)
	s.mu.Unlock()
	if n > maxDistLog {
		t.Fatalf("%d records kept, bound %d", n, maxDistLog)
	}
	// Compaction is conservative: the pinned fill is dropped.
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, s, "k")

	// Once no fill needs them and the Put window has passed, records go.
	now = now.Add(2 * putWindow)
	s.Invalidate("other", []string{"/x"}, nil)
	s.mu.Lock()
	_, kept := s.log.dists["d"]
	s.mu.Unlock()
	if kept {
		t.Fatal("old invalidation records kept")
	}
	put(t, s, "k", testMeta("d", "/keep", ""), nil)
	mustGet(t, s, "k", nil)
}
