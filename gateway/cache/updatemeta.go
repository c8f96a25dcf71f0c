package cache

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// UpdateMeta replaces the metadata of the object under key, keeping its
// body: after a 304 revalidation. It updates every tier; meta.Size is set
// to the body's length. It returns ErrNotFound if no object is stored
// under key. On the disk tier the header is rewritten in place when the
// new metadata fits the room the file has (a crash during that write
// leaves a header whose checksum fails, and the object is dropped at the
// next Open); otherwise the file is copied with the new header and renamed
// over the old one. If the disk copy cannot be updated it is removed.
func (s *Store) UpdateMeta(key string, meta *Meta) error {
	if err := checkArgs(key, meta); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return ErrClosed
	}
	r := s.idx.get(key)
	if r == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	m := cloneMeta(meta)
	switch {
	case r.mem != nil:
		m.Size = int64(len(r.mem.body))
	default:
		m.Size = r.dsk.bodyLen
	}
	s.idx.relocate(r, locationOf(m))
	if r.mem != nil {
		o := newMemObject(key, m, r.mem.body)
		s.mem.c.Set(key, o)
		r.mem = o
	}
	e := r.dsk
	if e == nil {
		s.mu.Unlock()
		return nil
	}
	hdr, err := encodeHeader(key, m, e.bodyCRC, e.metaCap)
	if err == nil {
		// In place, under the store's lock so that it is ordered with
		// renames of the key's file, and under hdrMu so that no Get reads
		// a half-written header.
		var f *os.File
		f, err = os.OpenFile(s.disk.pathOf(e.sum), os.O_WRONLY, 0)
		if err == nil {
			e.hdrMu.Lock()
			_, err = f.WriteAt(hdr, 0)
			e.hdrMu.Unlock()
		}
		s.mu.Unlock()
		if f != nil {
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
	} else if errors.Is(err, errMetaTooLarge) {
		s.mu.Unlock()
		err = s.rewrite(key, m, e)
	} else {
		s.mu.Unlock()
	}
	if err != nil {
		s.diskFailed(key, e, fmt.Errorf("%w: update metadata: %w", errBadHeader, err))
		return fmt.Errorf("cache: update disk metadata: %w", err)
	}
	return nil
}

// rewrite copies e's body into a new file with m's header and renames it
// over e's file if e is still key's disk object.
func (s *Store) rewrite(key string, m *Meta, e *diskEntry) error {
	hdr, err := encodeHeader(key, m, e.bodyCRC, 0)
	if err != nil {
		return err
	}
	src, err := os.Open(s.disk.pathOf(e.sum))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.CreateTemp(s.disk.tmp, "meta-*")
	if err != nil {
		return err
	}
	t := &tempFile{f: dst, name: dst.Name(), bodyOff: int64(len(hdr)), n: e.bodyLen, crc: e.bodyCRC, metaCap: uint32(len(hdr) - fixedLen)}
	_, err = dst.Write(hdr)
	if err == nil {
		var n int64
		n, err = io.Copy(dst, io.NewSectionReader(src, e.bodyOff(), e.bodyLen))
		if err == nil && n != e.bodyLen {
			err = fmt.Errorf("%w: file truncated", errBadHeader)
		}
	}
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	t.f = nil
	if err != nil {
		t.discard()
		return err
	}
	s.mu.Lock()
	r := s.idx.get(key)
	if r == nil || r.dsk != e || s.closed.Load() {
		// Replaced, removed or closed meanwhile: the update is moot.
		s.mu.Unlock()
		t.discard()
		return nil
	}
	if err := os.Rename(t.name, s.disk.pathOf(e.sum)); err != nil {
		s.mu.Unlock()
		t.discard()
		return err
	}
	s.disk.forget(e)
	ne := t.entryFor(key, e.verified.Load())
	ne.rec = r
	r.dsk = ne
	s.disk.add(ne)
	s.evictDiskLocked(ne)
	s.mu.Unlock()
	return syncDir(s.disk.shardOf(e.sum))
}
