package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func memConfig() Config {
	return Config{MemoryBytes: 1 << 20, MaxMemoryObject: 64 << 10, Logger: quietLogger()}
}

func diskConfig(dir string) Config {
	return Config{
		MemoryBytes: 1 << 20, MaxMemoryObject: 64 << 10, Logger: quietLogger(),
		Disk: &DiskConfig{Path: dir, Size: 64 << 20, MaxObject: 16 << 20},
	}
}

func diskOnlyConfig(dir string) Config {
	return Config{Logger: quietLogger(), Disk: &DiskConfig{Path: dir, Size: 64 << 20, MaxObject: 16 << 20}}
}

func open(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testMeta(dist, path, query string, tags ...string) *Meta {
	return &Meta{
		Dist: dist, Path: path, Query: query, Tags: tags,
		Status: 200,
		Header: http.Header{"Content-Type": {"text/plain"}, "Etag": {`"v1"`}},
		Stored: time.Now(), Fresh: time.Now().Add(time.Hour),
		Size: -1,
	}
}

func body(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func put(t testing.TB, s *Store, key string, m *Meta, b []byte) {
	t.Helper()
	if err := s.Put(key, m, b); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func fill(t testing.TB, s *Store, key string, m *Meta, b []byte, expected int64) {
	t.Helper()
	f, err := s.NewFill(key, m, expected)
	if err != nil {
		t.Fatalf("NewFill(%q): %v", key, err)
	}
	defer f.Abort()
	for off := 0; off < len(b); off += 1000 {
		if _, err := f.Write(b[off:min(off+1000, len(b))]); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", key, err)
	}
}

// readBody reads obj's body through Open.
func readBody(t testing.TB, obj Object) ([]byte, error) {
	t.Helper()
	b, err := obj.Open()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return io.ReadAll(b)
}

// mustGet gets key and checks its body.
func mustGet(t testing.TB, s *Store, key string, want []byte) Object {
	t.Helper()
	obj, ok := s.Get(key)
	if !ok {
		t.Fatalf("Get(%q): miss", key)
	}
	got, err := readBody(t, obj)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q): body of %d bytes differs from the %d stored", key, len(got), len(want))
	}
	if obj.Meta().Size != int64(len(want)) {
		t.Fatalf("Get(%q): Meta.Size = %d, want %d", key, obj.Meta().Size, len(want))
	}
	return obj
}

func mustMiss(t testing.TB, s *Store, key string) {
	t.Helper()
	if _, ok := s.Get(key); ok {
		t.Fatalf("Get(%q): hit, want miss", key)
	}
}

// sameMeta compares metadata as the disk stores it (JSON), Size aside.
func sameMeta(t testing.TB, got, want *Meta) {
	t.Helper()
	g, w := *got, *want
	g.Size, w.Size = 0, 0
	gj, _ := json.Marshal(&g)
	wj, _ := json.Marshal(&w)
	if !bytes.Equal(gj, wj) {
		t.Fatalf("meta differs:\n got %s\nwant %s", gj, wj)
	}
}

// settle waits until the memory tier's deletion events have reached the
// index.
func settle(t testing.TB, s *Store) {
	t.Helper()
	if s.mem == nil {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mem.c.CleanUp()
		s.mu.Lock()
		stale := 0
		for _, r := range s.idx.keys {
			if r.mem != nil {
				if v, ok := s.mem.c.GetIfPresent(r.key); !ok || v != r.mem {
					stale++
				}
			}
		}
		s.mu.Unlock()
		if stale == 0 && s.mem.pending() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("memory deletions not applied within 10s (%d stale records)", stale)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkInvariants checks that the index, the tiers and the files agree.
func checkInvariants(t testing.TB, s *Store) {
	t.Helper()
	settle(t, s)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, r := range s.idx.keys {
		if r.key != k {
			t.Errorf("record %q under key %q", r.key, k)
		}
		if r.mem == nil && r.dsk == nil {
			t.Errorf("record %q holds no tier", k)
		}
		d := s.idx.dists[r.loc.dist]
		if d == nil {
			t.Errorf("record %q: distribution %q not indexed", k, r.loc.dist)
		} else if _, ok := d.paths[r.loc.path][r]; !ok {
			t.Errorf("record %q: path %q not indexed", k, r.loc.path)
		}
		if r.dsk != nil && (r.dsk.rec != r || r.dsk.gone) {
			t.Errorf("record %q: disk entry not linked", k)
		}
	}
	n := 0
	for _, d := range s.idx.dists {
		for _, set := range d.paths {
			for r := range set {
				n++
				if s.idx.keys[r.key] != r {
					t.Errorf("path index holds a dead record %q", r.key)
				}
			}
		}
		for _, set := range d.tags {
			for r := range set {
				if s.idx.keys[r.key] != r {
					t.Errorf("tag index holds a dead record %q", r.key)
				}
			}
		}
	}
	if n != len(s.idx.keys) {
		t.Errorf("path index holds %d records, key map %d", n, len(s.idx.keys))
	}
	if s.mem != nil {
		for k, v := range s.mem.c.All() {
			if r := s.idx.keys[k]; r == nil || r.mem != v {
				t.Errorf("memory object %q is not indexed", k)
			}
		}
	}
	if s.disk == nil {
		return
	}
	var bytes, count int64
	files := map[string]bool{}
	for e := s.disk.head; e != nil; e = e.next {
		bytes += e.fileSize()
		count++
		files[s.disk.pathOf(e.sum)] = true
		if s.idx.keys[e.rec.key] != e.rec || e.rec.dsk != e {
			t.Errorf("disk entry %q is not indexed", e.rec.key)
		}
	}
	if bytes != s.disk.bytes || count != s.disk.count {
		t.Errorf("disk accounting: %d bytes %d files, entries add up to %d bytes %d files", s.disk.bytes, s.disk.count, bytes, count)
	}
	if s.disk.bytes > s.disk.size {
		t.Errorf("disk holds %d bytes, bound %d", s.disk.bytes, s.disk.size)
	}
	onDisk := 0
	err := filepath.WalkDir(s.disk.dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || filepath.Base(filepath.Dir(p)) == "tmp" || de.Name() == "LOCK" {
			return err
		}
		onDisk++
		if !files[p] {
			t.Errorf("file %s has no entry", p)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if int64(onDisk) != count {
		t.Errorf("%d files on disk, %d entries", onDisk, count)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }

// diskPath returns the file of key's disk object.
func (s *Store) diskPath(key string) string { return s.disk.pathOf(keySum(key)) }
