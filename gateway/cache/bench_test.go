package cache

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkGetMemory is the hot path: a 1 KiB memory hit, from parallel
// goroutines.
func BenchmarkGetMemory(b *testing.B) {
	s := open(b, Config{MemoryBytes: 64 << 20, MaxMemoryObject: 1 << 20, Logger: quietLogger()})
	const keys = 1024
	names := make([]string, keys)
	for i := range names {
		names[i] = fmt.Sprintf("/dist/path/object-%d.css", i)
		put(b, s, names[i], testMeta("d", names[i], ""), body(1024, byte(i)))
	}
	b.ReportAllocs()
	b.SetBytes(1024)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			obj, ok := s.Get(names[i%keys])
			if !ok || len(obj.Bytes()) != 1024 {
				b.Fatal("miss")
			}
			i++
		}
	})
}

// BenchmarkFillMemory streams a 1 KiB body into a memory-only store.
func BenchmarkFillMemory(b *testing.B) {
	s := open(b, Config{MemoryBytes: 64 << 20, MaxMemoryObject: 1 << 20, Logger: quietLogger()})
	m := testMeta("d", "/a", "")
	m.Size = 1024
	data := body(1024, 1)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
	}
	b.ReportAllocs()
	b.SetBytes(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := s.NewFill(keys[i%len(keys)], m, 1024)
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data[:512])
		f.Write(data[512:])
		if err := f.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetDisk reads a 1 KiB object from the disk tier (Get, Open,
// read, Close), with no memory tier to promote it into.
func BenchmarkGetDisk(b *testing.B) {
	s := open(b, diskOnlyConfig(b.TempDir()))
	const keys = 256
	names := make([]string, keys)
	for i := range names {
		names[i] = fmt.Sprint("k", i)
		put(b, s, names[i], testMeta("d", "/a", fmt.Sprint(i)), body(1024, byte(i)))
	}
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.SetBytes(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		obj, ok := s.Get(names[i%keys])
		if !ok {
			b.Fatal("miss")
		}
		rd, err := obj.Open()
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.ReadFull(rd, buf[:1024])
		if err != nil || n != 1024 {
			b.Fatal(err)
		}
		rd.Close()
	}
}

// BenchmarkOpenScan measures Open over a disk tier of 10,000 objects:
// headers only, in parallel.
func BenchmarkOpenScan(b *testing.B) {
	dir := b.TempDir()
	cfg := diskOnlyConfig(dir)
	cfg.Disk.Size = 1 << 30
	s := open(b, cfg)
	for i := range 10_000 {
		put(b, s, fmt.Sprint("k", i), testMeta("d", fmt.Sprint("/p", i), ""), body(2000, byte(i)))
	}
	s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if st := s.Stats(); st.DiskObjects != 10_000 {
			b.Fatalf("%d objects", st.DiskObjects)
		}
		s.Close()
	}
}
