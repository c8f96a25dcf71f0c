package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func reopen(t *testing.T, s *Store, cfg Config) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return open(t, cfg)
}

func TestRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	s := open(t, cfg)
	type obj struct {
		key  string
		meta *Meta
		body []byte
	}
	vary := testMeta("d", "/v", "")
	vary.Vary = []string{"Accept-Encoding"}
	gz := testMeta("d", "/a", "x=1", "Tag1")
	gz.Encoding = "gzip"
	objs := []obj{
		{"small", testMeta("d", "/a", "x=1", "Tag1"), body(1500, 1)},
		{"gz", gz, body(700, 2)},
		{"large", testMeta("d", "/big", ""), body(300<<10, 3)},
		{"vary", vary, nil},
	}
	for _, o := range objs {
		if len(o.body) > 100<<10 {
			fill(t, s, o.key, o.meta, o.body, -1)
		} else {
			put(t, s, o.key, o.meta, o.body)
		}
	}
	s = reopen(t, s, cfg)
	if st := s.Stats(); st.DiskObjects != 4 || st.MemoryObjects != 0 {
		t.Fatalf("Stats after restart = %+v", st)
	}
	for _, o := range objs {
		got := mustGet(t, s, o.key, o.body)
		sameMeta(t, got.Meta(), o.meta)
	}
	// Invalidation still finds objects loaded from disk.
	if n := s.Invalidate("d", nil, []string{"TAG1"}); n != 2 {
		t.Fatalf("Invalidate by tag after restart removed %d, want 2", n)
	}
	checkInvariants(t, s)
	// And what was invalidated stays gone.
	s = reopen(t, s, cfg)
	mustMiss(t, s, "small")
	mustMiss(t, s, "gz")
	mustGet(t, s, "large", objs[2].body)
}

func TestVerificationAfterRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := diskOnlyConfig(dir)
	s := open(t, cfg)
	b := body(100_000, 3)
	put(t, s, "k", testMeta("d", "/a", ""), b)
	s = reopen(t, s, cfg)

	obj, ok := s.Get("k")
	if !ok {
		t.Fatal("miss after restart")
	}
	rd, err := obj.Open()
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := rd.File(); f != nil {
		t.Fatal("unverified body offers its file")
	}
	// Seek to the end and back (as http.ServeContent does) is fine.
	if n, err := rd.Seek(0, io.SeekEnd); err != nil || n != int64(len(b)) {
		t.Fatalf("Seek end = %d, %v", n, err)
	}
	if _, err := rd.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("read: %v", err)
	}
	if f, _ := rd.File(); f == nil {
		t.Fatal("verified body has no file")
	}
	rd.Close()

	// A range read after restart verifies the whole body first.
	s = reopen(t, s, cfg)
	obj, _ = s.Get("k")
	rd, err = obj.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if _, err := rd.Seek(50_000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 10)
	if _, err := io.ReadFull(rd, part); err != nil || !bytes.Equal(part, b[50_000:50_010]) {
		t.Fatalf("range read: %v", err)
	}
	if f, _ := rd.File(); f == nil {
		t.Fatal("body not verified by the out-of-order read")
	}
}

// corrupt opens key's file and applies fn to it.
func corrupt(t *testing.T, path string, fn func(f *os.File, size int64)) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	fn(f, fi.Size())
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTornFilesDiscardedAtOpen(t *testing.T) {
	flip := func(off int64) func(*os.File, int64) {
		return func(f *os.File, _ int64) {
			b := make([]byte, 1)
			f.ReadAt(b, off)
			b[0] ^= 0xff
			f.WriteAt(b, off)
		}
	}
	tests := []struct {
		name string
		mod  func(t *testing.T, path string)
	}{
		{"truncated by a few bytes", func(t *testing.T, p string) {
			corrupt(t, p, func(f *os.File, n int64) { f.Truncate(n - 3) })
		}},
		{"truncated into the header", func(t *testing.T, p string) {
			corrupt(t, p, func(f *os.File, n int64) { f.Truncate(20) })
		}},
		{"empty", func(t *testing.T, p string) {
			corrupt(t, p, func(f *os.File, n int64) { f.Truncate(0) })
		}},
		{"bytes appended", func(t *testing.T, p string) {
			corrupt(t, p, func(f *os.File, n int64) { f.WriteAt([]byte("xx"), n) })
		}},
		{"garbage in the metadata", func(t *testing.T, p string) { corrupt(t, p, flip(fixedLen+5)) }},
		{"garbage in the magic", func(t *testing.T, p string) { corrupt(t, p, flip(0)) }},
		{"wrong version", func(t *testing.T, p string) {
			corrupt(t, p, func(f *os.File, _ int64) {
				var v [2]byte
				binary.LittleEndian.PutUint16(v[:], 9)
				f.WriteAt(v[:], 4)
			})
		}},
		{"body length changed", func(t *testing.T, p string) { corrupt(t, p, flip(16)) }},
		{"under another key's name", func(t *testing.T, p string) {
			other := sha256.Sum256([]byte("other"))
			d := &diskTier{dir: filepath.Dir(filepath.Dir(filepath.Dir(p)))}
			dst := d.pathOf(other)
			if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(p, dst); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if _, err := os.Stat(dst); err == nil {
					t.Error("misplaced file not deleted")
				}
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := diskConfig(dir)
			s := open(t, cfg)
			put(t, s, "k", testMeta("d", "/a", ""), body(3000, 1))
			put(t, s, "good", testMeta("d", "/b", ""), body(3000, 2))
			path := s.diskPath("k")
			s.Close()
			tt.mod(t, path)
			s = open(t, cfg)
			mustMiss(t, s, "k")
			mustGet(t, s, "good", body(3000, 2))
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("torn file not deleted: %v", err)
			}
			if st := s.Stats(); st.DiskObjects != 1 {
				t.Fatalf("Stats = %+v", st)
			}
			checkInvariants(t, s)
		})
	}
}

func TestCorruptBodyCaughtOnFirstRead(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int
	}{{"streamed", 200 << 10}, {"promoted", 2000}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := diskConfig(dir)
			s := open(t, cfg)
			put(t, s, "k", testMeta("d", "/a", ""), body(tt.size, 1))
			path := s.diskPath("k")
			s.Close()
			corrupt(t, path, func(f *os.File, n int64) { f.WriteAt([]byte{0}, n-100) })
			s = open(t, cfg)
			obj, ok := s.Get("k")
			if tt.size <= 64<<10 {
				// Promotion reads and checks the whole body: a miss.
				if ok {
					t.Fatal("corrupt small object served")
				}
			} else {
				if !ok {
					t.Fatal("miss before the body was read")
				}
				got, err := readBody(t, obj)
				if !isErr(err, ErrCorrupt) {
					t.Fatalf("read: %v, want ErrCorrupt", err)
				}
				if len(got) >= tt.size {
					t.Fatal("the whole corrupt body was returned")
				}
			}
			mustMiss(t, s, "k")
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("corrupt file not deleted: %v", err)
			}
			checkInvariants(t, s)
		})
	}
}

func TestTempLeftoversDeleted(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	s := open(t, cfg)
	f, err := s.NewFill("k", testMeta("d", "/a", ""), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(body(1000, 1))
	s.Close() // a crash would leave the temp file just the same
	os.WriteFile(filepath.Join(dir, "tmp", "put-123"), []byte("junk"), 0o600)
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 2 {
		t.Fatalf("%d temp files before Open, want 2", len(ents))
	}
	s = open(t, cfg)
	if n := tmpFiles(t, s); n != 0 {
		t.Fatalf("%d temp files after Open", n)
	}
	mustMiss(t, s, "k")
	if err := f.Commit(); !isErr(err, ErrClosed) {
		t.Fatalf("Commit of a fill of a closed store: %v", err)
	}
	mustMiss(t, s, "k")
}

func TestDiskLRU(t *testing.T) {
	dir := t.TempDir()
	cfg := diskOnlyConfig(dir)
	const objSize = 10_000
	probe := open(t, cfg)
	put(t, probe, "probe", testMeta("d", "/p", ""), body(objSize, 0))
	fileSize := probe.Stats().DiskBytes
	probe.Close()
	os.RemoveAll(dir)

	cfg.Disk.Size = 5 * fileSize
	cfg.Disk.MaxObject = objSize * 2
	s := open(t, cfg)
	keys := []string{"k0", "k1", "k2", "k3", "k4"}
	for i, k := range keys {
		put(t, s, k, testMeta("d", "/"+k, ""), body(objSize, byte(i)))
	}
	mustGet(t, s, "k0", body(objSize, 0)) // k0 is now the most recent
	for i, k := range []string{"k5", "k6", "k7"} {
		put(t, s, k, testMeta("d", "/"+k, ""), body(objSize, byte(5+i)))
	}
	for _, k := range []string{"k1", "k2", "k3"} {
		mustMiss(t, s, k)
	}
	for _, k := range []string{"k0", "k4", "k5", "k6", "k7"} {
		if _, ok := s.Get(k); !ok {
			t.Fatalf("%s evicted", k)
		}
	}
	st := s.Stats()
	if st.DiskBytes > cfg.Disk.Size || st.DiskEvictions != 3 || st.DiskObjects != 5 {
		t.Fatalf("Stats = %+v, bound %d", st, cfg.Disk.Size)
	}
	checkInvariants(t, s)

	// A smaller bound at the next Open evicts the least recently modified.
	s.Close()
	old := time.Now().Add(-time.Hour)
	os.Chtimes(s.diskPath("k7"), old, old)
	cfg.Disk.Size = 4 * fileSize
	s = open(t, cfg)
	mustMiss(t, s, "k7")
	if st := s.Stats(); st.DiskObjects != 4 {
		t.Fatalf("Stats after a smaller Open = %+v", st)
	}
	checkInvariants(t, s)
}

func TestDiskSecondChanceForMemoryHits(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	cfg.Disk.Size = 40_000
	cfg.Disk.MaxObject = 20_000
	s := open(t, cfg)
	put(t, s, "hot", testMeta("d", "/hot", ""), body(5000, 1))
	for i := range 20 {
		mustGet(t, s, "hot", body(5000, 1)) // memory hits only
		put(t, s, "cold"+string(rune('a'+i)), testMeta("d", "/c", ""), body(5000, 2))
	}
	s.mu.Lock()
	onDisk := s.idx.get("hot").dsk != nil
	s.mu.Unlock()
	if !onDisk {
		t.Fatal("the disk copy of a hot memory object was evicted")
	}
	checkInvariants(t, s)
}

func TestUpdateMeta(t *testing.T) {
	dir := t.TempDir()
	cfg := diskConfig(dir)
	s := open(t, cfg)
	small, large := body(2000, 1), body(200<<10, 2)
	put(t, s, "small", testMeta("d", "/s", ""), small)
	fill(t, s, "large", testMeta("d", "/l", ""), large, -1)

	if err := s.UpdateMeta("none", testMeta("d", "/", "")); !isErr(err, ErrNotFound) {
		t.Fatalf("UpdateMeta of a missing key: %v", err)
	}
	// In place: the new metadata fits the header's room.
	m := testMeta("d", "/s", "", "NewTag")
	m.Header.Set("Etag", `"v2"`)
	m.Size = 1 // ignored: the body stays
	if err := s.UpdateMeta("small", m); err != nil {
		t.Fatal(err)
	}
	// Rewritten: the metadata outgrows the header's room.
	ml := testMeta("d", "/l", "")
	ml.Header.Set("X-Big", string(bytes.Repeat([]byte("v"), 5000)))
	if err := s.UpdateMeta("large", ml); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store) {
		t.Helper()
		obj := mustGet(t, s, "small", small)
		sameMeta(t, obj.Meta(), m)
		obj = mustGet(t, s, "large", large)
		sameMeta(t, obj.Meta(), ml)
		if n := s.Invalidate("d", nil, []string{"newtag"}); n != 1 {
			t.Fatalf("tag added by UpdateMeta matched %d objects", n)
		}
		m.Stored = time.Now() // after the invalidation, or Put drops it
		put(t, s, "small", m, small)
	}
	check(s)
	checkInvariants(t, s)
	s = reopen(t, s, cfg)
	check(s)
	checkInvariants(t, s)
}

// genReader yields n pseudo-random bytes.
type genReader struct {
	rng *rand.ChaCha8
	n   int64
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n)]
	g.rng.Read(p)
	g.n -= int64(len(p))
	return len(p), nil
}

func hashOf(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var h hash.Hash = sha256.New()
	if _, err := io.CopyBuffer(h, r, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

func TestOneGiBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB fill skipped under -short")
	}
	const size = 1 << 30
	dir := t.TempDir()
	cfg := diskConfig(dir)
	cfg.Disk.Size, cfg.Disk.MaxObject = 2<<30, 2<<30
	s := open(t, cfg)
	seed := [32]byte{1, 2, 3}
	want := hashOf(t, &genReader{rng: rand.NewChaCha8(seed), n: size})

	m := testMeta("d", "/huge", "")
	m.Size = size
	f, err := s.NewFill("huge", m, -1) // length from Meta.Size
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyBuffer(f, &genReader{rng: rand.NewChaCha8(seed), n: size}, make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func() {
		obj, ok := s.Get("huge")
		if !ok || obj.Bytes() != nil || obj.Meta().Size != size {
			t.Fatal("1 GiB object missing, in memory or of the wrong size")
		}
		rd, err := obj.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		if got := hashOf(t, rd); !bytes.Equal(got, want) {
			t.Fatal("1 GiB body read back differs")
		}
	}
	check()
	s = reopen(t, s, cfg) // and verified on its first read after a restart
	check()
}
