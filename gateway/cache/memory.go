package cache

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/maypok86/otter/v2"
)

// memTier is the memory tier: an otter cache (W-TinyLFU, bounded by
// weight) of immutable objects. Reads go straight to otter, without the
// store's lock; writes happen under Store.mu so that the index stays in
// step.
type memTier struct {
	c         *otter.Cache[string, *memObject]
	maxObject int64
	evictions atomic.Int64

	// Evictions are reported under otter's locks, where the store's lock
	// cannot be taken; they are queued and a single goroutine applies them
	// to the index in batches.
	qmu   sync.Mutex
	queue []otter.DeletionEvent[string, *memObject]
	wake  chan struct{}
	done  chan struct{}
}

func newMemTier(cfg *Config, logger *slog.Logger) (*memTier, error) {
	m := &memTier{maxObject: cfg.MaxMemoryObject, wake: make(chan struct{}, 1), done: make(chan struct{})}
	c, err := otter.New(&otter.Options[string, *memObject]{
		MaximumWeight: uint64(cfg.MemoryBytes),
		Weigher:       func(_ string, o *memObject) uint32 { return o.weight },
		// Runs under otter's bucket lock: it only queues evictions (our
		// own replacements and invalidations are already in the index).
		OnAtomicDeletion: m.enqueue,
		Logger:           otterLogger{logger},
	})
	if err != nil {
		return nil, err
	}
	m.c = c
	return m, nil
}

func (m *memTier) enqueue(e otter.DeletionEvent[string, *memObject]) {
	if !e.WasEvicted() {
		return
	}
	m.evictions.Add(1)
	m.qmu.Lock()
	m.queue = append(m.queue, e)
	m.qmu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// run applies queued deletions until done is closed.
func (m *memTier) run(apply func([]otter.DeletionEvent[string, *memObject])) {
	var batch []otter.DeletionEvent[string, *memObject]
	for {
		select {
		case <-m.wake:
		case <-m.done:
			return
		}
		m.qmu.Lock()
		batch, m.queue = m.queue, batch[:0]
		m.qmu.Unlock()
		if len(batch) > 0 {
			apply(batch)
			clear(batch)
		}
	}
}

// pending reports how many deletion events wait to be applied.
func (m *memTier) pending() int {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	return len(m.queue)
}

// memObject is an object held in memory. It never changes once built
// (touched is a hint for the disk tier, not part of the object).
type memObject struct {
	meta   *Meta
	body   []byte
	weight uint32
	// touched is set by memory hits and cleared by the disk tier's
	// eviction, which gives the disk copy of an object that is hot in
	// memory a second chance.
	touched atomic.Bool
}

var _ Object = (*memObject)(nil)

func newMemObject(key string, meta *Meta, body []byte) *memObject {
	if body == nil {
		body = []byte{} // Bytes is nil only for bodies not in memory
	}
	w := metaWeight(key, meta) + int64(cap(body))
	return &memObject{meta: meta, body: body, weight: uint32(min(w, maxWeight))}
}

func (o *memObject) touch() {
	if !o.touched.Load() {
		o.touched.Store(true)
	}
}

// Meta returns the object's metadata; callers must not modify it.
func (o *memObject) Meta() *Meta { return o.meta }

// Bytes returns the body; callers must not modify it.
func (o *memObject) Bytes() []byte { return o.body }

// Release does nothing: a memory object holds no resource.
func (o *memObject) Release() {}

// Open returns a reader over the body.
func (o *memObject) Open() (Body, error) {
	b := &memBody{}
	b.Reset(o.body)
	return b, nil
}

// memBody reads a memory object's body.
type memBody struct{ bytes.Reader }

var _ Body = (*memBody)(nil)

func (b *memBody) Close() error            { return nil }
func (b *memBody) File() (*os.File, int64) { return nil, 0 }

// otterLogger sends otter's messages to the store's logger.
type otterLogger struct{ l *slog.Logger }

func (o otterLogger) Warn(ctx context.Context, msg string, err error) {
	o.l.WarnContext(ctx, "cache: memory tier: "+msg, "err", err)
}

func (o otterLogger) Error(ctx context.Context, msg string, err error) {
	o.l.ErrorContext(ctx, "cache: memory tier: "+msg, "err", err)
}
