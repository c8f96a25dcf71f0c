package ratelimit

import (
	"errors"
	"hash/maphash"
	"sync"
	"time"
)

// Limiter admits at most Limit requests per key in any trailing Window.
// It is safe for concurrent use.
type Limiter struct {
	limit  float64
	window int64 // nanoseconds
	now    func() time.Time
	seed   maphash.Seed
	shards []shard
	perCap int
}

// Config configures a Limiter.
type Config struct {
	Limit  int           // requests allowed per window; at least 1
	Window time.Duration // at least 1s
	// MaxKeys bounds the keys tracked (default 1,000,000: about 100 MB
	// at worst, with the key strings).
	MaxKeys int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

type shard struct {
	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one key's two fixed-window counters.
type entry struct {
	win  int64 // index of the current window (time / window)
	cur  uint32
	prev uint32
	seen int64 // last request, ns since the epoch
}

const numShards = 64

// New validates cfg and returns a Limiter.
func New(cfg Config) (*Limiter, error) {
	if cfg.Limit < 1 {
		return nil, errors.New("ratelimit: the limit must be at least 1")
	}
	if cfg.Window < time.Second {
		return nil, errors.New("ratelimit: the window must be at least 1s")
	}
	if cfg.MaxKeys == 0 {
		cfg.MaxKeys = 1_000_000
	}
	if cfg.MaxKeys < numShards {
		cfg.MaxKeys = numShards
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Limiter{
		limit: float64(cfg.Limit), window: int64(cfg.Window), now: cfg.Now,
		seed: maphash.MakeSeed(), shards: make([]shard, numShards), perCap: cfg.MaxKeys / numShards,
	}
	for i := range l.shards {
		l.shards[i].entries = map[string]*entry{}
	}
	return l, nil
}

// Allow counts a request for key and reports whether it is within the
// limit. A refused request is not counted.
func (l *Limiter) Allow(key string) bool {
	s, now, win := l.lock(key)
	defer s.mu.Unlock()
	e := s.entries[key]
	if e == nil {
		if len(s.entries) >= l.perCap {
			s.makeRoom(now, l.window, l.perCap)
		}
		e = &entry{win: win}
		s.entries[key] = e
	}
	e.roll(win)
	e.seen = now
	if l.estimate(e, now, win)+1 > l.limit {
		return false
	}
	e.cur++
	return true
}

// Count is the estimate of key's requests in the trailing window.
func (l *Limiter) Count(key string) float64 {
	s, now, win := l.lock(key)
	defer s.mu.Unlock()
	e := s.entries[key]
	if e == nil {
		return 0
	}
	c := *e
	c.roll(win)
	return l.estimate(&c, now, win)
}

// estimate is the count of e's requests in the trailing window ending at
// now: the trailing window covers the current fixed window (index win)
// up to now and the previous one from the same offset on.
func (l *Limiter) estimate(e *entry, now, win int64) float64 {
	elapsed := float64(now-win*l.window) / float64(l.window)
	return float64(e.prev)*(1-elapsed) + float64(e.cur)
}

// lock locks key's shard and returns it with the time and its window.
func (l *Limiter) lock(key string) (s *shard, now, win int64) {
	now = l.now().UnixNano()
	s = &l.shards[maphash.String(l.seed, key)%numShards]
	s.mu.Lock()
	return s, now, now / l.window
}

// Keys is the number of keys tracked.
func (l *Limiter) Keys() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.entries)
		s.mu.Unlock()
	}
	return n
}

// roll moves e to window win.
func (e *entry) roll(win int64) {
	switch {
	case win == e.win:
	case win == e.win+1:
		e.prev, e.cur, e.win = e.cur, 0, win
	case win > e.win:
		e.prev, e.cur, e.win = 0, 0, win
	}
	// win < e.win: the clock went back; keep counting in e's window.
}

// makeRoom frees space in a full shard: first every key idle for two
// windows, then, if none was, the least recently seen eighth.
func (s *shard) makeRoom(now, window int64, capacity int) {
	for k, e := range s.entries {
		if now-e.seen > 2*window {
			delete(s.entries, k)
		}
	}
	if len(s.entries) < capacity {
		return
	}
	// Still full of live keys: drop the oldest eighth (at least one).
	n := max(capacity/8, 1)
	oldest := make([]int64, 0, len(s.entries))
	for _, e := range s.entries {
		oldest = append(oldest, e.seen)
	}
	cut := nthSmallest(oldest, n-1)
	for k, e := range s.entries {
		if n == 0 {
			break
		}
		if e.seen <= cut {
			delete(s.entries, k)
			n--
		}
	}
}

// nthSmallest returns the k-th smallest value of v (0-based), reordering v.
func nthSmallest(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		p := v[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
