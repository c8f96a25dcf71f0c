package cache

import (
	"os"
	"path/filepath"
	"testing"
)

// tmpFiles counts the files in the disk tier's temp directory.
func tmpFiles(t *testing.T, s *Store) int {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.disk.dir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestFill(t *testing.T) {
	b := body(10_000, 5)
	tests := []struct {
		name     string
		declared int64 // meta.Size at NewFill
		expected int64
		write    []byte
		abort    bool
		wantErr  error
		stored   bool
	}{
		{name: "known length", declared: 10_000, expected: 10_000, write: b, stored: true},
		{name: "unknown length", declared: -1, expected: -1, write: b, stored: true},
		{name: "empty body", declared: 0, expected: 0, write: nil, stored: true},
		{name: "short of Content-Length", declared: 10_001, expected: 10_001, write: b, wantErr: ErrIncomplete},
		{name: "beyond Content-Length", declared: 9_999, expected: -1, write: b, wantErr: ErrIncomplete},
		{name: "aborted", declared: -1, expected: -1, write: b, abort: true},
	}
	for _, cfg := range []struct {
		name string
		cfg  func(string) Config
	}{{"memory", func(string) Config { return memConfig() }}, {"disk", diskConfig}} {
		for _, tt := range tests {
			t.Run(cfg.name+"/"+tt.name, func(t *testing.T) {
				s := open(t, cfg.cfg(t.TempDir()))
				put(t, s, "k", testMeta("d", "/old", ""), body(10, 1))
				m := testMeta("d", "/a", "")
				m.Size = tt.declared
				f, err := s.NewFill("k", m, tt.expected)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write(tt.write); err != nil {
					t.Fatal(err)
				}
				// Nothing is visible before Commit.
				mustGet(t, s, "k", body(10, 1))
				if tt.abort {
					f.Abort()
					f.Abort()
					if err := f.Commit(); err == nil {
						t.Fatal("Commit after Abort succeeded")
					}
				} else {
					err := f.Commit()
					if !isErr(err, tt.wantErr) {
						t.Fatalf("Commit: %v, want %v", err, tt.wantErr)
					}
					f.Abort() // a no-op after Commit
					if _, err := f.Write([]byte("x")); err == nil {
						t.Fatal("Write after Commit succeeded")
					}
				}
				if tt.stored {
					obj := mustGet(t, s, "k", tt.write)
					if obj.Meta().Path != "/a" {
						t.Fatalf("Path = %q", obj.Meta().Path)
					}
				} else {
					mustGet(t, s, "k", body(10, 1))
				}
				if s.disk != nil && tmpFiles(t, s) != 0 {
					t.Fatal("temp files left behind")
				}
				checkInvariants(t, s)
			})
		}
	}
}

func TestFillSpillsToDisk(t *testing.T) {
	cfg := diskConfig(t.TempDir())
	cfg.MaxMemoryObject = 1024
	s := open(t, cfg)
	b := body(10_000, 7)
	// Unknown length: buffered, then spilled once it outgrows 1 KiB.
	fill(t, s, "unknown", testMeta("d", "/u", ""), b, -1)
	// Known to be large: straight to disk.
	fill(t, s, "known", testMeta("d", "/k", ""), b, int64(len(b)))
	// Announced small, turned out large (no Content-Length to hold it to).
	fill(t, s, "liar", testMeta("d", "/l", ""), b, 100)
	for _, k := range []string{"unknown", "known", "liar"} {
		if obj := mustGet(t, s, k, b); obj.Bytes() != nil {
			t.Fatalf("%s: large fill kept in memory", k)
		}
	}
	// Small unknown-length fill stays in memory (and on disk).
	fill(t, s, "small", testMeta("d", "/s", ""), b[:1000], -1)
	if obj := mustGet(t, s, "small", b[:1000]); obj.Bytes() == nil {
		t.Fatal("small fill not in memory")
	}
	if st := s.Stats(); st.DiskObjects != 4 || st.MemoryObjects != 1 {
		t.Fatalf("Stats = %+v", st)
	}
	checkInvariants(t, s)
}

func TestErrTooLarge(t *testing.T) {
	big := body(2<<20, 1)
	tests := []struct {
		name     string
		cfg      func(dir string) Config
		declared int64
		expected int64
		write    int // bytes written
		put      bool
		newErr   bool // NewFill fails (else Write does)
	}{
		{name: "memory only, expected too large", cfg: func(string) Config { return memConfig() }, declared: -1, expected: 65 << 10, newErr: true},
		{name: "memory only, declared too large", cfg: func(string) Config { return memConfig() }, declared: 65 << 10, expected: -1, newErr: true},
		{name: "memory only, outgrows", cfg: func(string) Config { return memConfig() }, declared: -1, expected: -1, write: 65 << 10},
		{name: "memory only, put", cfg: func(string) Config { return memConfig() }, write: 65 << 10, put: true},
		{name: "disk, expected too large", cfg: smallDisk, declared: -1, expected: 1<<20 + 1, newErr: true},
		{name: "disk, outgrows", cfg: smallDisk, declared: -1, expected: -1, write: 1<<20 + 1},
		{name: "disk, outgrows from a known size", cfg: smallDisk, declared: -1, expected: 500 << 10, write: 1<<20 + 1},
		{name: "disk, put", cfg: smallDisk, write: 1<<20 + 1, put: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, tt.cfg(t.TempDir()))
			m := testMeta("d", "/a", "")
			if tt.put {
				if err := s.Put("k", m, big[:tt.write]); !isErr(err, ErrTooLarge) {
					t.Fatalf("Put: %v, want ErrTooLarge", err)
				}
				mustMiss(t, s, "k")
				return
			}
			m.Size = tt.declared
			f, err := s.NewFill("k", m, tt.expected)
			if tt.newErr {
				if !isErr(err, ErrTooLarge) {
					t.Fatalf("NewFill: %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var werr error
			for off := 0; off < tt.write && werr == nil; off += 4096 {
				_, werr = f.Write(big[off:min(off+4096, tt.write)])
			}
			if !isErr(werr, ErrTooLarge) {
				t.Fatalf("Write: %v, want ErrTooLarge", werr)
			}
			if _, err := f.Write([]byte("x")); !isErr(err, ErrTooLarge) {
				t.Fatalf("later Write: %v, want ErrTooLarge", err)
			}
			f.Abort()
			mustMiss(t, s, "k")
			if s.disk != nil && tmpFiles(t, s) != 0 {
				t.Fatal("temp files left behind")
			}
		})
	}
}

// smallDisk is a store with a 64 KiB memory object bound and a 1 MiB disk
// object bound.
func smallDisk(dir string) Config {
	cfg := diskConfig(dir)
	cfg.Disk.MaxObject = 1 << 20
	return cfg
}
