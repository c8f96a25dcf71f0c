package cache

import "fmt"

// Fill streams one object into the store. The object becomes visible only
// at Commit; until then Gets see the previous object, if any. A Fill is
// used by one goroutine; it must end with Commit or Abort (Abort after
// Commit is a no-op, so `defer f.Abort()` is the idiom).
type Fill struct {
	s        *Store
	key      string
	meta     *Meta
	declared int64 // meta.Size at NewFill: the Content-Length, or -1
	gen      uint64
	limit    int64 // the most bytes any tier keeps
	memMax   int64 // the most bytes buffered in memory; -1: none

	buf []byte
	tmp *tempFile
	n   int64
	err error // sticky: ErrTooLarge or an I/O error
	end bool
}

// NewFill starts a streaming fill of key. The store copies meta; if
// meta.Size is >= 0 it is the declared length (a Content-Length) and
// Commit fails with ErrIncomplete unless exactly that many bytes were
// written, so set it to -1 when the length is unknown. expectedSize is the
// expected body length, or -1 when unknown: a body that fits
// MaxMemoryObject is buffered in memory (and written through to disk at
// Commit); a larger or unknown one spills to a temp file on the disk tier
// once it outgrows MaxMemoryObject. NewFill returns ErrTooLarge when the
// expected or declared length exceeds what any tier keeps.
func (s *Store) NewFill(key string, meta *Meta, expectedSize int64) (*Fill, error) {
	if err := checkArgs(key, meta); err != nil {
		return nil, err
	}
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if expectedSize > s.max || meta.Size > s.max {
		return nil, ErrTooLarge
	}
	f := &Fill{s: s, key: key, meta: cloneMeta(meta), declared: -1, limit: s.max, memMax: -1}
	if meta.Size >= 0 {
		f.declared = meta.Size
		if expectedSize < 0 {
			expectedSize = meta.Size
		}
	}
	if s.mem != nil {
		f.memMax = s.mem.maxObject
	}
	if expectedSize >= 0 && expectedSize <= f.memMax {
		f.buf = make([]byte, 0, expectedSize)
	} else if expectedSize > f.memMax && s.disk != nil {
		if err := f.spill(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		f.tmp.discard()
		return nil, ErrClosed
	}
	f.gen = s.gen
	s.log.startFill(f.gen)
	s.mu.Unlock()
	return f, nil
}

// spill moves the fill to a temp file on the disk tier.
func (f *Fill) spill() error {
	t, err := f.s.disk.newTemp(f.key, f.meta)
	if err != nil {
		return fmt.Errorf("cache: start disk fill: %w", err)
	}
	if len(f.buf) > 0 {
		if _, err := t.Write(f.buf); err != nil {
			t.discard()
			return fmt.Errorf("cache: write disk fill: %w", err)
		}
	}
	f.tmp, f.buf = t, nil
	return nil
}

// Write appends p to the body. Once the body outgrows what the store can
// keep it returns ErrTooLarge (and so does every later call); the caller
// then Aborts.
func (f *Fill) Write(p []byte) (int, error) {
	if f.end {
		return 0, errFillDone
	}
	if f.err != nil {
		return 0, f.err
	}
	if f.n+int64(len(p)) > f.limit {
		f.err = ErrTooLarge
		return 0, f.err
	}
	if f.tmp == nil && f.n+int64(len(p)) <= f.memMax {
		f.buf = append(f.buf, p...)
		f.n += int64(len(p))
		return len(p), nil
	}
	if f.tmp == nil {
		if f.s.disk == nil {
			f.err = ErrTooLarge
			return 0, f.err
		}
		if err := f.spill(); err != nil {
			f.err = err
			return 0, err
		}
	}
	n, err := f.tmp.Write(p)
	f.n += int64(n)
	if err != nil {
		f.err = fmt.Errorf("cache: write disk fill: %w", err)
		return n, f.err
	}
	return n, nil
}

// Commit makes the object visible, atomically replacing any previous
// object under the key, and returns once it is durable on the disk tier.
// The stored Meta's Size is the number of bytes written. If a Content-
// Length was declared (meta.Size >= 0 at NewFill) and differs, Commit
// fails with ErrIncomplete and stores nothing. If an invalidation matching
// the object came after NewFill, Commit stores nothing and returns nil:
// the object was invalidated.
func (f *Fill) Commit() error {
	if f.end {
		return errFillDone
	}
	if f.err != nil {
		err := f.err
		f.Abort()
		return err
	}
	if f.declared >= 0 && f.n != f.declared {
		f.Abort()
		return fmt.Errorf("%w: %d bytes written, %d declared", ErrIncomplete, f.n, f.declared)
	}
	f.end = true
	f.meta.Size = f.n
	var err error
	if f.tmp != nil {
		if err = f.tmp.finish(f.key, f.meta); err != nil {
			f.tmp.discard()
			err = fmt.Errorf("cache: finish disk fill: %w", err)
		}
	}
	if err == nil {
		body := f.buf
		if f.tmp == nil && cap(body)-len(body) > len(body)/8 {
			// Do not keep (or weigh) what append over-allocated.
			body = append([]byte(nil), body...)
		}
		err = f.s.install(f.key, f.meta, body, f.tmp, true, f.gen)
	}
	f.release()
	return err
}

// Abort discards the fill. It is idempotent and a no-op after Commit.
func (f *Fill) Abort() {
	if f.end {
		return
	}
	f.end = true
	f.tmp.discard()
	f.release()
}

func (f *Fill) release() {
	f.buf, f.tmp = nil, nil
	f.s.mu.Lock()
	f.s.log.endFill(f.gen)
	f.s.mu.Unlock()
}
