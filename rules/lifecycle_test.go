package rules

import (
	"runtime"
	"sync"
	"testing"
)

// TestEngineCloseWaitsForTransactions: Close releases the engine only
// after the transactions started on it end.
func TestEngineCloseWaitsForTransactions(t *testing.T) {
	e, err := NewEngine(baseSpec())
	if err != nil {
		t.Fatal(err)
	}
	v := e.Inspect(get("/a", nil))
	e.Close()
	e.Close() // harmless
	if n := e.refs.Load(); n != 1 {
		t.Fatalf("%d references after Close with one transaction open, want 1", n)
	}
	if !v.Allowed {
		t.Fatal("a request in flight during Close was refused")
	}
	v.Close()
	v.Close() // harmless
	if n := e.refs.Load(); n != 0 {
		t.Fatalf("%d references after the last transaction, want 0", n)
	}
}

// TestEngineConcurrent: many goroutines share one engine.
func TestEngineConcurrent(t *testing.T) {
	e := engine(t, baseSpec())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				r := get("/search?q=hello", nil)
				if i%2 == 1 {
					r = get("/search?q="+sqli, nil)
				}
				v := e.Inspect(r)
				if v.Allowed != (i%2 == 0) {
					t.Errorf("allowed %v for goroutine %d", v.Allowed, i)
				}
				v.Close()
			}
		}()
	}
	wg.Wait()
}

// TestReloadMemoryFlat: building and closing an engine 50 times (what
// 50 reloads of a changed policy do) does not grow the heap.
func TestReloadMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the CRS 50 times")
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	build := func(i int) {
		s := baseSpec()
		s.InboundAnomalyThreshold = 100 + i // a distinct spec each time
		e, err := NewEngine(s)
		if err != nil {
			t.Fatal(err)
		}
		e.Inspect(get("/search?q="+sqli, nil)).Close()
		e.Close()
	}
	for i := range 5 { // warm up: Coraza's shared caches, the pools
		build(i)
	}
	before := heap()
	for i := range 50 {
		build(10 + i)
	}
	after := heap()
	t.Logf("heap before %d MiB, after 50 reloads %d MiB", before>>20, after>>20)
	if after > before+8<<20 {
		t.Errorf("the heap grew by %d MiB over 50 reloads", (after-before)>>20)
	}
}

// TestEngineMemory reports what one engine holds (the CRS compiled at
// paranoia 1, no operator rules), with rule pruning and without.
func TestEngineMemory(t *testing.T) {
	for i, noPrune := range []bool{false, true} {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		s := baseSpec()
		s.InboundAnomalyThreshold, s.NoPrune = 99+i, noPrune
		e, err := NewEngine(s)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		t.Logf("one engine (pruning off: %v) holds %.1f MiB of heap", noPrune, float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20))
		runtime.KeepAlive(e)
		e.Close()
	}
}
