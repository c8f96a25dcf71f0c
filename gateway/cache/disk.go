package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// diskTier is the disk tier: one file per object under dir, named by the
// SHA-256 of its key and sharded into dir/h[0]/h[1:3]/ (4096
// directories). Its entries, LRU list and byte count are guarded by
// Store.mu; file I/O happens outside that lock except for the renames and
// unlinks that must be ordered with the index.
type diskTier struct {
	dir, tmp  string
	size      int64 // bound on bytes
	maxObject int64
	lock      *os.File

	head, tail *diskEntry // LRU list: head is the most recently used
	bytes      int64
	count      int64
	evictions  atomic.Int64

	shards sync.Map // shard directories known to exist
}

// diskEntry is one file of the disk tier. Its fields describe the file it
// was created for and never change; a file replaced under the same name
// gets a new entry.
type diskEntry struct {
	rec     *record
	sum     [sha256.Size]byte
	metaCap uint32
	bodyLen int64
	bodyCRC uint32
	// verified is set once the body's CRC has been checked (or was
	// computed while writing it in this process).
	verified atomic.Bool
	// hdrMu orders header reads with in-place header rewrites
	// (UpdateMeta).
	hdrMu sync.RWMutex

	prev, next *diskEntry
	gone       bool // removed from the tier (Store.mu)
}

func (e *diskEntry) bodyOff() int64  { return fixedLen + int64(e.metaCap) }
func (e *diskEntry) fileSize() int64 { return e.bodyOff() + e.bodyLen }

func keySum(key string) [sha256.Size]byte { return sha256.Sum256([]byte(key)) }

// pathOf returns the final file name for a key's sum.
func (d *diskTier) pathOf(sum [sha256.Size]byte) string {
	h := hex.EncodeToString(sum[:])
	return filepath.Join(d.dir, h[:1], h[1:3], h)
}

func (d *diskTier) shardOf(sum [sha256.Size]byte) string {
	h := hex.EncodeToString(sum[:2])
	return filepath.Join(d.dir, h[:1], h[1:3])
}

// ensureShard creates sum's shard directory if needed, durably.
func (d *diskTier) ensureShard(sum [sha256.Size]byte) error {
	dir := d.shardOf(sum)
	if _, ok := d.shards.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := syncDir(d.dir); err != nil {
		return err
	}
	d.shards.Store(dir, struct{}{})
	return nil
}

// LRU list operations; Store.mu held.

func (d *diskTier) pushFront(e *diskEntry) {
	e.prev, e.next = nil, d.head
	if d.head != nil {
		d.head.prev = e
	}
	d.head = e
	if d.tail == nil {
		d.tail = e
	}
}

func (d *diskTier) unlinkLRU(e *diskEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		d.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		d.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (d *diskTier) touch(e *diskEntry) {
	if d.head != e && !e.gone {
		d.unlinkLRU(e)
		d.pushFront(e)
	}
}

// add makes e a file of the tier (its file is in place).
func (d *diskTier) add(e *diskEntry) {
	d.pushFront(e)
	d.bytes += e.fileSize()
	d.count++
}

// forget removes e from the tier's accounting without touching its file
// (which a rename has replaced, or which is being removed).
func (d *diskTier) forget(e *diskEntry) {
	if e.gone {
		return
	}
	e.gone = true
	d.unlinkLRU(e)
	d.bytes -= e.fileSize()
	d.count--
}

// remove forgets e and unlinks its file. Open readers keep reading it.
// When dirs is not nil, the file's directory is added to it for a later
// sync.
func (d *diskTier) remove(e *diskEntry, dirs map[string]struct{}, logger *slog.Logger) {
	if e.gone {
		return
	}
	d.forget(e)
	p := d.pathOf(e.sum)
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		logger.Warn("cache: remove disk object", "file", p, "err", err)
	}
	if dirs != nil {
		dirs[filepath.Dir(p)] = struct{}{}
	}
}

// syncDir fsyncs a directory, making renames and unlinks in it durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// tempFile is an object being written under dir/tmp.
type tempFile struct {
	f       *os.File
	name    string
	bodyOff int64
	n       int64
	crc     uint32
	metaCap uint32
}

// newTemp creates a temp file for a streamed body, leaving room for a
// header of key and meta.
func (d *diskTier) newTemp(key string, meta *Meta) (*tempFile, error) {
	probe := *meta
	probe.Size = 1 << 62 // as long as the final size can print
	hdr, err := encodeHeader(key, &probe, 0, 0)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(d.tmp, "fill-*")
	if err != nil {
		return nil, err
	}
	t := &tempFile{f: f, name: f.Name(), bodyOff: int64(len(hdr)), metaCap: uint32(len(hdr) - fixedLen)}
	if _, err := f.Seek(t.bodyOff, io.SeekStart); err != nil {
		t.discard()
		return nil, err
	}
	return t, nil
}

func (t *tempFile) Write(p []byte) (int, error) {
	n, err := t.f.Write(p)
	t.crc = crc32.Update(t.crc, castagnoli, p[:n])
	t.n += int64(n)
	return n, err
}

// finish writes the header (meta.Size must be t.n), syncs and closes the
// file.
func (t *tempFile) finish(key string, meta *Meta) error {
	hdr, err := encodeHeader(key, meta, t.crc, t.metaCap)
	if err == nil {
		_, err = t.f.WriteAt(hdr, 0)
	}
	if err == nil {
		err = t.f.Sync()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	t.f = nil
	return err
}

// discard closes and removes the temp file.
func (t *tempFile) discard() {
	if t == nil {
		return
	}
	if t.f != nil {
		_ = t.f.Close()
		t.f = nil
	}
	_ = os.Remove(t.name)
}

// writeTemp writes a whole object to a synced temp file.
func (d *diskTier) writeTemp(key string, meta *Meta, body []byte) (*tempFile, error) {
	crc := crc32.Checksum(body, castagnoli)
	hdr, err := encodeHeader(key, meta, crc, 0)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(d.tmp, "put-*")
	if err != nil {
		return nil, err
	}
	t := &tempFile{f: f, name: f.Name(), bodyOff: int64(len(hdr)), n: int64(len(body)), crc: crc, metaCap: uint32(len(hdr) - fixedLen)}
	_, err = f.Write(hdr)
	if err == nil {
		_, err = f.Write(body)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	t.f = nil
	if err != nil {
		t.discard()
		return nil, err
	}
	return t, nil
}

// entryFor returns the entry for a finished temp file of key.
func (t *tempFile) entryFor(key string, verified bool) *diskEntry {
	e := &diskEntry{sum: keySum(key), metaCap: t.metaCap, bodyLen: t.n, bodyCRC: t.crc}
	e.verified.Store(verified)
	return e
}

// readHeader reads and decodes e's header from f (full metadata) and,
// with withBody, the body too.
func readHeader(f *os.File, e *diskEntry, withBody bool) (header, fileRecord, []byte, error) {
	buf := make([]byte, e.bodyOff())
	e.hdrMu.RLock()
	_, err := f.ReadAt(buf, 0)
	e.hdrMu.RUnlock()
	if err != nil {
		return header{}, fileRecord{}, nil, short(err)
	}
	h, rec, err := decodeHeader(buf, true)
	if err != nil {
		return h, rec, nil, err
	}
	if h.metaCap != e.metaCap || h.bodyLen != e.bodyLen || h.bodyCRC != e.bodyCRC {
		return h, rec, nil, fmt.Errorf("%w: file changed behind the store", errBadHeader)
	}
	if !withBody {
		return h, rec, nil, nil
	}
	body := make([]byte, e.bodyLen)
	if _, err := f.ReadAt(body, e.bodyOff()); err != nil {
		return h, rec, nil, short(err)
	}
	return h, rec, body, nil
}

// short turns the EOF of a read that came up short into a bad-file error.
func short(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: file too short", errBadHeader)
	}
	return err
}
