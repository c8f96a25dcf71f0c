package cache

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync/atomic"
)

// diskObject is an object whose body is in a disk file. Get opens the
// file and the object holds it ("pins" it), so that the first Open reads
// that very file even if the key is replaced, invalidated or evicted in
// between (an unlinked file stays readable while open). Later Opens reopen
// the file and fail with fs.ErrNotExist if it is no longer the key's
// object. An object that is never opened releases its file on Release (or,
// as a backstop, when it is garbage collected).
type diskObject struct {
	s    *Store
	key  string
	e    *diskEntry
	meta *Meta
	pin  atomic.Pointer[os.File]
}

var _ Object = (*diskObject)(nil)

// Meta returns the object's metadata; callers must not modify it.
func (o *diskObject) Meta() *Meta { return o.meta }

// Bytes returns nil: the body is on disk.
func (o *diskObject) Bytes() []byte { return nil }

// Release closes the pinned file if Open did not take it.
func (o *diskObject) Release() {
	if f := o.pin.Swap(nil); f != nil {
		_ = f.Close()
	}
}

// Open returns a reader over the body, with a file of its own.
func (o *diskObject) Open() (Body, error) {
	f := o.pin.Swap(nil)
	if f == nil {
		var err error
		if f, err = o.s.reopen(o.key, o.e); err != nil {
			return nil, err
		}
	}
	return &diskBody{s: o.s, key: o.key, e: o.e, f: f, off: o.e.bodyOff(), size: o.e.bodyLen,
		verify: !o.e.verified.Load()}, nil
}

// diskBody reads a disk object's body with positioned reads, so the
// file's own offset is the caller's (for sendfile). Until the entry is
// verified it computes the body's CRC while reading; a mismatch at the
// end returns ErrCorrupt instead of the last bytes and removes the object.
type diskBody struct {
	s    *Store
	key  string
	e    *diskEntry
	f    *os.File
	off  int64 // body offset in the file
	size int64
	pos  int64

	verify bool   // still checking the CRC
	crc    uint32 // CRC of the body's first crcPos bytes
	crcPos int64
	err    error // sticky ErrCorrupt
}

var _ Body = (*diskBody)(nil)

// verifyChunk is the read size when verifying a body out of order.
const verifyChunk = 256 << 10

func (b *diskBody) Read(p []byte) (int, error) {
	if b.f == nil {
		return 0, os.ErrClosed
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.verify && b.e.verified.Load() {
		b.verify = false // another reader verified it
	}
	if b.verify && b.pos != b.crcPos {
		// Read out of order (after a Seek): check the whole body first.
		if err := b.verifyRest(); err != nil {
			return 0, err
		}
	}
	if b.pos >= b.size {
		if b.verify { // an empty body
			if err := b.check(); err != nil {
				return 0, err
			}
		}
		return 0, io.EOF
	}
	if rem := b.size - b.pos; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := b.f.ReadAt(p, b.off+b.pos)
	if errors.Is(err, io.EOF) {
		if n < len(p) {
			// The file is shorter than its header says.
			return 0, b.corrupt(fmt.Errorf("%w: file truncated", ErrCorrupt))
		}
		err = nil
	}
	if b.verify {
		b.crc = crc32.Update(b.crc, castagnoli, p[:n])
		b.crcPos += int64(n)
		if b.crcPos == b.size {
			if err := b.check(); err != nil {
				return 0, err // withhold the last bytes
			}
		}
	}
	b.pos += int64(n)
	return n, err
}

// verifyRest reads the body from crcPos to the end, finishing the CRC.
func (b *diskBody) verifyRest() error {
	buf := make([]byte, min(verifyChunk, b.size-b.crcPos))
	for b.crcPos < b.size {
		chunk := buf[:min(int64(len(buf)), b.size-b.crcPos)]
		n, err := b.f.ReadAt(chunk, b.off+b.crcPos)
		b.crc = crc32.Update(b.crc, castagnoli, chunk[:n])
		b.crcPos += int64(n)
		if err != nil && (!errors.Is(err, io.EOF) || b.crcPos < b.size) {
			if errors.Is(err, io.EOF) {
				return b.corrupt(fmt.Errorf("%w: file truncated", ErrCorrupt))
			}
			return err
		}
	}
	return b.check()
}

// check compares the finished CRC with the header's.
func (b *diskBody) check() error {
	b.verify = false
	if b.crc != b.e.bodyCRC {
		return b.corrupt(ErrCorrupt)
	}
	b.e.verified.Store(true)
	return nil
}

func (b *diskBody) corrupt(err error) error {
	b.verify = false
	b.err = err
	b.s.diskFailed(b.key, b.e, err)
	return err
}

func (b *diskBody) Seek(offset int64, whence int) (int64, error) {
	if b.f == nil {
		return 0, os.ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += b.pos
	case io.SeekEnd:
		offset += b.size
	default:
		return 0, errors.New("cache: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("cache: seek: negative position")
	}
	b.pos = offset
	return offset, nil
}

// Close closes the body's file. It is idempotent.
func (b *diskBody) Close() error {
	if b.f == nil {
		return nil
	}
	err := b.f.Close()
	b.f = nil
	return err
}

// File returns the body's file and the body's offset in it once the body
// is verified (written by this process, or read whole since Open), else
// nil. The file belongs to the Body: the caller may Seek it and read or
// sendfile from it (Read does not use its offset), but must not Close it
// other than through Close.
func (b *diskBody) File() (*os.File, int64) {
	if b.f == nil || !b.e.verified.Load() {
		return nil, 0
	}
	return b.f, b.off
}
