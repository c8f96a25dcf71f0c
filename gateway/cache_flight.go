package gateway

import (
	"context"
	"sync"
	"time"
)

// flights collapse concurrent misses for one cache key into one origin
// request: the first request (the leader) fetches and fills; the others
// wait until the fill is done, then look the key up again. A waiter that
// waits longer than the collapse timeout, or finds nothing stored after
// (the response was not cacheable), goes to the origin itself, as nginx's
// proxy_cache_lock does.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
}

// join returns the flight for key and whether the caller leads it. The
// leader must call land when its fill is committed or abandoned.
func (f *flights) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = make(map[string]*flight)
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

// land ends the leader's flight and wakes the waiters.
func (f *flights) land(key string, fl *flight) {
	f.mu.Lock()
	if f.m[key] == fl {
		delete(f.m, key)
	}
	f.mu.Unlock()
	close(fl.done)
}

// wait blocks until the flight lands, the timeout passes or ctx ends; it
// reports whether the flight landed.
func (fl *flight) wait(ctx context.Context, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-fl.done:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}
