package cache

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// scanned is a file found valid by the scan at Open.
type scanned struct {
	e     *diskEntry
	key   string
	loc   location
	mtime time.Time
}

// openDisk prepares cfg.Path (creating it, locking it against a second
// store, emptying tmp) and reads the header of every file in it.
func openDisk(cfg *DiskConfig, logger *slog.Logger) (*diskTier, []scanned, error) {
	dir, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("cache: disk path: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("cache: disk path: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	d := &diskTier{dir: dir, tmp: filepath.Join(dir, "tmp"), size: cfg.Size, maxObject: cfg.MaxObject, lock: lock}
	fail := func(err error) (*diskTier, []scanned, error) {
		_ = unlockDir(lock)
		return nil, nil, err
	}
	// Leftover temp files are fills a crash (or a Close) interrupted.
	if err := os.RemoveAll(d.tmp); err != nil {
		return fail(fmt.Errorf("cache: remove leftover temp files: %w", err))
	}
	if err := os.Mkdir(d.tmp, 0o750); err != nil {
		return fail(fmt.Errorf("cache: disk path: %w", err))
	}
	found, err := d.scan(logger)
	if err != nil {
		return fail(err)
	}
	return d, found, nil
}

// isHex reports whether s is lower-case hexadecimal.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// scan reads every object file's header, in parallel over the shard
// directories, deleting the files that are torn, truncated or misplaced.
func (d *diskTier) scan(logger *slog.Logger) ([]scanned, error) {
	tops, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("cache: scan: %w", err)
	}
	var shards []string
	for _, t := range tops {
		if !t.IsDir() || len(t.Name()) != 1 || !isHex(t.Name()) {
			continue
		}
		subs, err := os.ReadDir(filepath.Join(d.dir, t.Name()))
		if err != nil {
			return nil, fmt.Errorf("cache: scan: %w", err)
		}
		for _, s := range subs {
			if s.IsDir() && len(s.Name()) == 2 && isHex(s.Name()) {
				shard := filepath.Join(d.dir, t.Name(), s.Name())
				shards = append(shards, shard)
				d.shards.Store(shard, struct{}{})
			}
		}
	}
	var (
		mu    sync.Mutex
		found []scanned
		g     errgroup.Group
	)
	g.SetLimit(8)
	for _, shard := range shards {
		g.Go(func() error {
			names, err := os.ReadDir(shard)
			if err != nil {
				return fmt.Errorf("cache: scan: %w", err)
			}
			prefix := filepath.Base(filepath.Dir(shard)) + filepath.Base(shard)
			var local []scanned
			head := make([]byte, scanHead)
			for _, n := range names {
				name := n.Name()
				if len(name) != 64 || !isHex(name) || name[:3] != prefix || !n.Type().IsRegular() {
					logger.Warn("cache: unknown file in the disk cache left alone", "file", filepath.Join(shard, name))
					continue
				}
				p := filepath.Join(shard, name)
				s, err := readScanned(p, name, head)
				if err != nil {
					logger.Warn("cache: discarding unreadable disk object", "file", p, "err", err)
					if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
						return fmt.Errorf("cache: scan: %w", err)
					}
					continue
				}
				local = append(local, s)
			}
			mu.Lock()
			found = append(found, local...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Oldest first: the LRU order the files' modification times suggest.
	sort.Slice(found, func(i, j int) bool { return found[i].mtime.Before(found[j].mtime) })
	return found, nil
}

// scanHead is how much of a file the scan reads at first; most headers
// fit.
const scanHead = 4096

// readScanned reads and checks one file's header, reading into buf
// (scanHead bytes) first.
func readScanned(p, name string, buf []byte) (scanned, error) {
	f, err := os.Open(p)
	if err != nil {
		return scanned{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return scanned{}, err
	}
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return scanned{}, err
	}
	buf = buf[:n]
	h, err := decodeFixed(buf)
	if err != nil {
		return scanned{}, err
	}
	if fi.Size() != h.fileSize() {
		return scanned{}, fmt.Errorf("%w: file is %d bytes, header says %d", errBadHeader, fi.Size(), h.fileSize())
	}
	if int64(len(buf)) < h.bodyOff() {
		more := make([]byte, h.bodyOff())
		copy(more, buf)
		if _, err := f.ReadAt(more[len(buf):], int64(len(buf))); err != nil {
			return scanned{}, err
		}
		buf = more
	}
	h, rec, err := decodeHeader(buf[:h.bodyOff()], false)
	if err != nil {
		return scanned{}, err
	}
	sum := keySum(rec.Key)
	if hex.EncodeToString(sum[:]) != name {
		return scanned{}, fmt.Errorf("%w: key does not match the file name", errBadHeader)
	}
	e := &diskEntry{sum: sum, metaCap: h.metaCap, bodyLen: h.bodyLen, bodyCRC: h.bodyCRC}
	return scanned{e: e, key: rec.Key, loc: locationOf(rec.Meta), mtime: fi.ModTime()}, nil
}
