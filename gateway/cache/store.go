package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
)

// Store is the edge cache's object store: a memory tier and an optional
// disk tier. It is process-wide (it outlives configuration reloads) and
// safe for concurrent use.
type Store struct {
	// mu guards the index, the disk tier's entries and accounting, the
	// invalidation log, and the ordering of tier writes with them.
	// Memory hits do not take it.
	mu     sync.Mutex
	closed atomic.Bool
	idx    *index
	log    *invalLog
	gen    uint64 // invalidation generation

	mem  *memTier  // nil: no memory tier
	disk *diskTier // nil: no disk tier
	max  int64     // the largest body any tier keeps
	now  func() time.Time

	logger *slog.Logger
	worker sync.WaitGroup
}

// Stats is a snapshot of the store's size and evictions.
type Stats struct {
	MemoryBytes     int64 // weight of the memory tier (bodies + metadata estimate)
	MemoryObjects   int64
	DiskBytes       int64 // bytes of the disk tier's files
	DiskObjects     int64
	MemoryEvictions int64 // objects evicted from memory to respect MemoryBytes
	DiskEvictions   int64 // files evicted to respect Disk.Size
}

// Open validates cfg and opens the store. With a disk tier it takes
// Disk.Path for itself (a second store cannot open it), deletes leftover
// temp files, reads every object's header (deleting torn, truncated and
// misplaced files) and evicts the least recently modified files if the
// tier holds more than Disk.Size.
func Open(cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Store{idx: newIndex(), log: newInvalLog(), logger: cfg.Logger, now: cfg.Now}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.MemoryBytes > 0 {
		m, err := newMemTier(&cfg, s.logger)
		if err != nil {
			return nil, fmt.Errorf("cache: memory tier: %w", err)
		}
		s.mem = m
		s.max = cfg.MaxMemoryObject
	}
	if cfg.Disk != nil {
		d, found, err := openDisk(cfg.Disk, s.logger)
		if err != nil {
			return nil, err
		}
		s.disk = d
		s.max = max(s.max, d.maxObject)
		for _, f := range found {
			r := s.idx.ensure(f.key, f.loc)
			f.e.rec = r
			r.dsk = f.e
			d.add(f.e)
		}
		s.mu.Lock()
		s.evictDiskLocked(nil)
		s.mu.Unlock()
	}
	if s.mem != nil {
		s.worker.Add(1)
		go func() {
			defer s.worker.Done()
			s.mem.run(s.applyDeletions)
		}()
	}
	return s, nil
}

// Get returns the object stored under key: from memory, else from disk. A
// disk object small enough for the memory tier is verified, promoted into
// memory and returned as a memory object. The Object stays valid (its
// body readable) whatever happens to the key afterwards.
//
// A memory hit takes no lock and allocates nothing.
func (s *Store) Get(key string) (Object, bool) {
	if s.closed.Load() {
		return nil, false
	}
	if s.mem != nil {
		if o, ok := s.mem.c.GetIfPresent(key); ok {
			if s.disk != nil {
				o.touch()
			}
			return o, true
		}
	}
	if s.disk == nil {
		return nil, false
	}
	return s.getDisk(key)
}

func (s *Store) getDisk(key string) (Object, bool) {
	s.mu.Lock()
	r := s.idx.get(key)
	if r == nil || r.dsk == nil {
		s.mu.Unlock()
		return nil, false
	}
	e := r.dsk
	s.disk.touch(e)
	s.mu.Unlock()

	f, err := os.Open(s.disk.pathOf(e.sum))
	if err != nil {
		s.diskFailed(key, e, err)
		return nil, false
	}
	promote := s.mem != nil && e.bodyLen <= s.mem.maxObject
	_, rec, body, err := readHeader(f, e, promote)
	if err == nil && rec.Key != key {
		err = fmt.Errorf("%w: file holds another key", errBadHeader)
	}
	if err != nil {
		_ = f.Close()
		s.diskFailed(key, e, err)
		return nil, false
	}
	if !promote {
		o := &diskObject{s: s, key: key, e: e, meta: rec.Meta}
		o.pin.Store(f)
		return o, true
	}
	_ = f.Close()
	if crcOf(body) != e.bodyCRC {
		s.diskFailed(key, e, ErrCorrupt)
		return nil, false
	}
	e.verified.Store(true)
	o := newMemObject(key, rec.Meta, body)
	s.mu.Lock()
	// Promote only if the file is still the key's current object: an
	// invalidation or a newer fill may have come in meanwhile.
	if r := s.idx.get(key); r != nil && r.dsk == e && r.mem == nil && !s.closed.Load() {
		s.mem.c.Set(key, o)
		r.mem = o
	}
	s.mu.Unlock()
	return o, true
}

// diskFailed handles a disk object that could not be read: a missing,
// torn or corrupt file is removed from the tier; other errors (such as
// running out of file descriptors) are only logged.
func (s *Store) diskFailed(key string, e *diskEntry, err error) {
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errBadHeader) && !errors.Is(err, ErrCorrupt) {
		s.logger.Warn("cache: read disk object", "key", key, "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Unless the file was replaced or removed meanwhile (which can also
	// explain the failure).
	if r := s.idx.get(key); r != nil && r.dsk == e {
		s.logger.Warn("cache: removing unreadable disk object", "key", key, "err", err)
		s.disk.remove(e, nil, s.logger)
		r.dsk = nil
		s.idx.dropIfEmpty(r)
	}
}

// reopen opens e's file again if it is still key's current object.
func (s *Store) reopen(key string, e *diskEntry) (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.idx.get(key); r == nil || r.dsk != e {
		return nil, fmt.Errorf("cache: reopen %q: object no longer stored: %w", key, fs.ErrNotExist)
	}
	return os.Open(s.disk.pathOf(e.sum))
}

// Put stores a whole body at once (a compressed variant, a Vary index
// record with no body), replacing any object under key. The store keeps
// copies of meta and body; meta.Size is set to len(body). The body goes
// to memory if it fits MaxMemoryObject, and to disk too when there is a
// disk tier; a larger one goes to disk only. A Put whose Meta.Stored is
// not after a recent invalidation that matches it stores nothing (it
// holds pre-invalidation content).
func (s *Store) Put(key string, meta *Meta, body []byte) error {
	if err := checkArgs(key, meta); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	if int64(len(body)) > s.max {
		return ErrTooLarge
	}
	m := cloneMeta(meta)
	m.Size = int64(len(body))
	b := body
	if s.mem != nil && m.Size <= s.mem.maxObject {
		b = append(make([]byte, 0, len(body)), body...) // memory keeps it
	}
	return s.install(key, m, b, nil, false, 0)
}

func checkArgs(key string, meta *Meta) error {
	if key == "" {
		return errors.New("cache: empty key")
	}
	if meta == nil {
		return errors.New("cache: nil meta")
	}
	return nil
}

// install makes an object visible under key, replacing any previous one.
// The body is either in memory (tf nil) or in a finished temp file. For a
// fill, startGen is the generation it started at; for a Put, m.Stored is
// compared with recent invalidations instead.
func (s *Store) install(key string, m *Meta, body []byte, tf *tempFile, fill bool, startGen uint64) error {
	toMem := s.mem != nil && tf == nil && m.Size <= s.mem.maxObject
	toDisk := s.disk != nil && m.Size <= s.disk.maxObject
	if !toMem && !toDisk {
		tf.discard()
		return ErrTooLarge
	}
	var sum [32]byte
	if toDisk {
		var err error
		if tf == nil {
			tf, err = s.disk.writeTemp(key, m, body)
		}
		sum = keySum(key)
		if err == nil {
			err = s.disk.ensureShard(sum)
		}
		if err != nil {
			tf.discard()
			tf = nil
			if !toMem {
				return fmt.Errorf("cache: write disk object: %w", err)
			}
			// Degrade to memory only, but drop any older disk copy below.
			s.logger.Warn("cache: write disk object; keeping it in memory only", "key", key, "err", err)
			toDisk = false
		}
	} else if tf != nil {
		tf.discard()
		tf = nil
	}

	loc := locationOf(m)
	var stored time.Time
	if !fill {
		stored = m.Stored
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		tf.discard()
		return ErrClosed
	}
	if s.log.drops(&loc, fill, startGen, stored) {
		s.mu.Unlock()
		tf.discard()
		return nil
	}
	r := s.idx.ensure(key, loc)
	var renamed bool
	var ioErr error
	if toDisk {
		final := s.disk.pathOf(sum)
		if err := os.Rename(tf.name, final); err != nil {
			ioErr = fmt.Errorf("cache: install disk object: %w", err)
			tf.discard()
			if r.dsk != nil { // the old file is stale now
				s.disk.remove(r.dsk, nil, s.logger)
				r.dsk = nil
			}
		} else {
			renamed = true
			if r.dsk != nil {
				s.disk.forget(r.dsk) // replaced by the rename
			}
			e := tf.entryFor(key, true)
			e.rec = r
			r.dsk = e
			s.disk.add(e)
			s.evictDiskLocked(e)
		}
	} else if r.dsk != nil {
		s.disk.remove(r.dsk, nil, s.logger)
		r.dsk = nil
	}
	if toMem {
		o := newMemObject(key, m, body)
		s.mem.c.Set(key, o)
		r.mem = o
	} else if r.mem != nil {
		s.mem.c.Invalidate(key)
		r.mem = nil
	}
	s.idx.dropIfEmpty(r)
	s.mu.Unlock()
	if renamed {
		if err := syncDir(s.disk.shardOf(sum)); err != nil {
			s.logger.Warn("cache: sync disk directory", "err", err)
		}
	}
	if ioErr != nil && !toMem {
		return ioErr
	}
	if ioErr != nil {
		s.logger.Warn("cache: keeping object in memory only", "key", key, "err", ioErr)
	}
	return nil
}

// evictDiskLocked evicts least recently used files until the tier fits
// its Size, sparing keep. A file whose memory copy was hit since its last
// chance is moved to the front once instead of being evicted.
func (s *Store) evictDiskLocked(keep *diskEntry) {
	d := s.disk
	chances := d.count
	for d.bytes > d.size && d.tail != nil {
		e := d.tail
		if e == keep {
			if e.prev == nil {
				return // keep alone fits: its size is at most Size
			}
			// Second chances moved older files ahead of keep, the newest.
			d.touch(e)
			continue
		}
		if m := e.rec.mem; m != nil && m.touched.Load() && chances > 0 {
			chances--
			m.touched.Store(false)
			d.touch(e)
			continue
		}
		r := e.rec
		d.remove(e, nil, s.logger)
		d.evictions.Add(1)
		r.dsk = nil
		s.idx.dropIfEmpty(r)
	}
}

// applyDeletions updates the index after memory evictions. Events for an
// object that is no longer the key's memory copy (replaced, deleted or
// invalidated meanwhile) change nothing, so a late event can neither drop
// a newer object from the index nor bring an old one back.
func (s *Store) applyDeletions(batch []otter.DeletionEvent[string, *memObject]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range batch {
		if r := s.idx.get(ev.Key); r != nil && r.mem == ev.Value {
			r.mem = nil
			s.idx.dropIfEmpty(r)
		}
	}
}

// removeLocked removes r's object from every tier and the index and
// reports whether any tier still held it. dirs collects the directories of
// unlinked files.
func (s *Store) removeLocked(r *record, dirs map[string]struct{}) bool {
	removed := false
	if r.mem != nil {
		if v, ok := s.mem.c.Invalidate(r.key); ok && v == r.mem {
			removed = true
		}
		r.mem = nil
	}
	if r.dsk != nil {
		s.disk.remove(r.dsk, dirs, s.logger)
		r.dsk = nil
		removed = true
	}
	s.idx.dropIfEmpty(r)
	return removed
}

// Delete removes the object under key from every tier. Unlike Invalidate
// it does not sync the directory: after a crash the object may be back.
func (s *Store) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.idx.get(key); r != nil {
		s.removeLocked(r, nil)
	}
}

// Stats returns the store's sizes and eviction counts.
func (s *Store) Stats() Stats {
	var st Stats
	if s.mem != nil {
		s.mem.c.CleanUp() // apply pending writes to the weighted size
		st.MemoryBytes = int64(s.mem.c.WeightedSize())
		st.MemoryObjects = int64(s.mem.c.EstimatedSize())
		st.MemoryEvictions = s.mem.evictions.Load()
	}
	if s.disk != nil {
		s.mu.Lock()
		st.DiskBytes = s.disk.bytes
		st.DiskObjects = s.disk.count
		s.mu.Unlock()
		st.DiskEvictions = s.disk.evictions.Load()
	}
	return st
}

// Close closes the store: later calls miss or fail with ErrClosed, and
// open fills fail to commit. Bodies already open stay readable. The disk
// tier's files stay for the next Open.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed.Swap(true) {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	if s.mem != nil {
		close(s.mem.done)
		s.worker.Wait()
	}
	if s.disk != nil {
		return unlockDir(s.disk.lock)
	}
	return nil
}
