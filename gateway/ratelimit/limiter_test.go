package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// start is the beginning of a fixed window for every window length used.
var start = time.Unix(1_800_000_000, 0).Truncate(time.Hour)

func newTest(t *testing.T, limit int, window time.Duration) (*Limiter, *clock) {
	t.Helper()
	c := &clock{t: start}
	l, err := New(Config{Limit: limit, Window: window, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return l, c
}

func allowN(l *Limiter, key string, n int) int {
	ok := 0
	for range n {
		if l.Allow(key) {
			ok++
		}
	}
	return ok
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Limit: 0, Window: time.Minute}, "ratelimit: the limit must be at least 1"},
		{Config{Limit: 1, Window: time.Millisecond}, "ratelimit: the window must be at least 1s"},
	} {
		if _, err := New(c.cfg); err == nil || err.Error() != c.want {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}

// TestLimitWithinWindow: exactly Limit requests pass, the next is refused.
func TestLimitWithinWindow(t *testing.T) {
	l, c := newTest(t, 100, 5*time.Minute)
	if got := allowN(l, "a", 150); got != 100 {
		t.Fatalf("admitted %d of 150, want 100", got)
	}
	c.add(4 * time.Minute) // still the same fixed window
	if l.Allow("a") {
		t.Fatal("admitted within the window after the limit")
	}
}

// TestKeysAreIndependent: one key's count does not touch another's.
func TestKeysAreIndependent(t *testing.T) {
	l, _ := newTest(t, 3, time.Minute)
	allowN(l, "a", 10)
	if got := allowN(l, "b", 3); got != 3 {
		t.Fatalf("key b admitted %d of 3 after key a used its limit", got)
	}
}

// TestWindowBoundary: at a fixed-window boundary the previous window
// still counts, weighted by how much of it the trailing window covers;
// two windows later the count is reset.
func TestWindowBoundary(t *testing.T) {
	l, c := newTest(t, 10, time.Minute)
	if allowN(l, "a", 10) != 10 {
		t.Fatal("first window")
	}
	c.add(time.Minute) // the start of the next window: the previous counts fully
	if l.Allow("a") {
		t.Fatal("admitted right after the boundary with a full previous window")
	}
	c.add(30 * time.Second) // half of the previous window is left: 5 counted
	if got := allowN(l, "a", 10); got != 5 {
		t.Fatalf("admitted %d half a window later, want 5", got)
	}
	c.add(2 * time.Minute) // both windows expired
	if got := allowN(l, "a", 20); got != 10 {
		t.Fatalf("admitted %d two windows later, want 10 (counts reset)", got)
	}
}

// TestRefusedNotCounted: hammering while over the limit does not extend
// the block: the client is admitted again once its admitted requests
// leave the window.
func TestRefusedNotCounted(t *testing.T) {
	l, c := newTest(t, 5, time.Minute)
	allowN(l, "a", 5)
	for range 50 {
		c.add(time.Second)
		l.Allow("a")
	}
	c.add(2 * time.Minute)
	if !l.Allow("a") {
		t.Fatal("still refused after the admitted requests left the window")
	}
}

func TestCount(t *testing.T) {
	l, c := newTest(t, 100, time.Minute)
	allowN(l, "a", 40)
	c.add(time.Minute + 15*time.Second) // 3/4 of the previous window left
	if got := l.Count("a"); got != 30 {
		t.Fatalf("Count = %v, want 30", got)
	}
	if got := l.Count("none"); got != 0 {
		t.Fatalf("Count of an unknown key = %v", got)
	}
}

// TestBounded: the table never holds more than MaxKeys keys, idle keys
// go first, and a live key survives a flood of new ones long enough to
// be limited.
func TestBounded(t *testing.T) {
	c := &clock{t: start}
	l, err := New(Config{Limit: 2, Window: time.Minute, MaxKeys: 6400, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100_000 {
		l.Allow(fmt.Sprint("k", i))
		if i%10_000 == 0 {
			c.add(time.Second)
		}
	}
	if n := l.Keys(); n > 6400 {
		t.Fatalf("%d keys tracked, bound is 6400", n)
	}
	c.add(3 * time.Minute)
	l.Allow("fresh")
	for i := range 200 { // fills the shards again; idle keys are swept first
		l.Allow(fmt.Sprint("n", i))
	}
	if n := l.Keys(); n > 6400 {
		t.Fatalf("%d keys tracked after a sweep, bound is 6400", n)
	}
}

func TestClockBackwards(t *testing.T) {
	l, c := newTest(t, 3, time.Minute)
	allowN(l, "a", 3)
	c.add(-2 * time.Minute)
	if l.Allow("a") {
		t.Fatal("a clock step back reset the count")
	}
}

func TestConcurrent(t *testing.T) {
	l, _ := newTest(t, 1000, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := allowN(l, "shared", 500)
			allowN(l, fmt.Sprint("own", g), 10)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 1000 {
		t.Fatalf("admitted %d of 4000 concurrent requests, want exactly 1000", total)
	}
}

func BenchmarkAllow(b *testing.B) {
	l, err := New(Config{Limit: 1 << 30, Window: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("203.0.113.", i)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.Allow(keys[i&1023])
			i++
		}
	})
}
