package cache

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestOpenRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no tier", Config{}, "no tier"},
		{"negative memory", Config{MemoryBytes: -1, Disk: &DiskConfig{Path: dir, Size: 1, MaxObject: 1}}, "MemoryBytes -1 is negative"},
		{"negative max object", Config{MemoryBytes: 10, MaxMemoryObject: -1}, "MaxMemoryObject -1 is negative"},
		{"max object over memory", Config{MemoryBytes: 10, MaxMemoryObject: 11}, "exceeds MemoryBytes"},
		{"max object over 4GiB", Config{MemoryBytes: 8 << 30, MaxMemoryObject: 5 << 30}, "largest memory entry"},
		{"empty disk path", Config{Disk: &DiskConfig{Size: 1, MaxObject: 1}}, "Disk.Path is empty"},
		{"zero disk size", Config{Disk: &DiskConfig{Path: dir, MaxObject: 1}}, "Disk.Size 0 must be positive"},
		{"zero disk max object", Config{Disk: &DiskConfig{Path: dir, Size: 1}}, "Disk.MaxObject 0 must be positive"},
		{"disk max object over size", Config{Disk: &DiskConfig{Path: dir, Size: 1, MaxObject: 2}}, "exceeds Disk.Size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
	// Every problem is reported at once.
	_, err := Open(Config{MemoryBytes: -1, MaxMemoryObject: -1, Disk: &DiskConfig{}})
	if err == nil || strings.Count(err.Error(), "\n") < 3 {
		t.Fatalf("want all problems reported, got %v", err)
	}
}

func TestSecondStoreOnSamePathFails(t *testing.T) {
	dir := t.TempDir()
	open(t, diskConfig(dir))
	if s, err := Open(diskConfig(dir)); err == nil {
		s.Close()
		t.Fatal("second Open of the same path succeeded")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Fatalf("error %q does not say the path is in use", err)
	}
}

func TestPutGetMemory(t *testing.T) {
	s := open(t, memConfig())
	m := testMeta("d", "/a", "")
	b := body(1024, 1)
	put(t, s, "k", m, b)

	obj := mustGet(t, s, "k", b)
	if !bytes.Equal(obj.Bytes(), b) {
		t.Fatal("Bytes differs from the body")
	}
	sameMeta(t, obj.Meta(), m)
	rd, err := obj.Open()
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := rd.File(); f != nil {
		t.Fatal("memory body has a file")
	}
	if _, err := rd.Seek(1000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(rd)
	if !bytes.Equal(rest, b[1000:]) {
		t.Fatal("read after Seek differs")
	}
	rd.Close()

	// The store keeps copies: the caller's buffers are its own.
	b[0]++
	m.Header.Set("Etag", "changed")
	m.Tags = append(m.Tags, "x")
	obj = mustGet(t, s, "k", body(1024, 1))
	if obj.Meta().Header.Get("Etag") != `"v1"` || len(obj.Meta().Tags) != 0 {
		t.Fatal("stored meta changed with the caller's")
	}

	// A body-less record (a Vary index).
	vm := testMeta("d", "/a", "")
	vm.Vary = []string{"Accept-Encoding"}
	put(t, s, "vary", vm, nil)
	obj = mustGet(t, s, "vary", nil)
	if got := obj.Meta().Vary; len(got) != 1 || got[0] != "Accept-Encoding" {
		t.Fatalf("Vary = %v", got)
	}
	st := s.Stats()
	if st.MemoryObjects != 2 || st.MemoryBytes <= 1024 || st.DiskObjects != 0 {
		t.Fatalf("Stats = %+v", st)
	}
	checkInvariants(t, s)
}

func TestPutGetDisk(t *testing.T) {
	t.Run("disk only", func(t *testing.T) {
		s := open(t, diskOnlyConfig(t.TempDir()))
		b := body(5000, 2)
		put(t, s, "k", testMeta("d", "/a", ""), b)
		obj := mustGet(t, s, "k", b)
		if obj.Bytes() != nil {
			t.Fatal("disk object has Bytes")
		}
		rd, err := obj.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		// Written by this process: trusted, so it can be sent with sendfile.
		f, off := rd.File()
		if f == nil {
			t.Fatal("verified disk body has no file")
		}
		got := make([]byte, len(b))
		if _, err := f.ReadAt(got, off); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("file region differs from the body (%v)", err)
		}
		st := s.Stats()
		if st.DiskObjects != 1 || st.DiskBytes <= 5000 || st.MemoryObjects != 0 {
			t.Fatalf("Stats = %+v", st)
		}
		checkInvariants(t, s)
	})
	t.Run("write-through and large objects", func(t *testing.T) {
		s := open(t, diskConfig(t.TempDir()))
		small, large := body(1000, 3), body(100<<10, 4) // MaxMemoryObject is 64 KiB
		put(t, s, "small", testMeta("d", "/s", ""), small)
		put(t, s, "large", testMeta("d", "/l", ""), large)
		if obj := mustGet(t, s, "small", small); obj.Bytes() == nil {
			t.Fatal("small object not in memory")
		}
		if obj := mustGet(t, s, "large", large); obj.Bytes() != nil {
			t.Fatal("large object in memory")
		}
		st := s.Stats()
		if st.MemoryObjects != 1 || st.DiskObjects != 2 {
			t.Fatalf("Stats = %+v, want 1 in memory, 2 on disk", st)
		}
		// A small disk object is promoted into memory by Get.
		s.mu.Lock()
		r := s.idx.get("small")
		s.mem.c.Invalidate("small")
		r.mem = nil
		s.mu.Unlock()
		settle(t, s)
		if obj := mustGet(t, s, "small", small); obj.Bytes() == nil {
			t.Fatal("small disk object not promoted")
		}
		if _, ok := s.mem.c.GetIfPresent("small"); !ok {
			t.Fatal("promoted object not in the memory tier")
		}
		checkInvariants(t, s)
	})
}

func TestReplaceAndDelete(t *testing.T) {
	s := open(t, diskConfig(t.TempDir()))
	small, large := body(1000, 1), body(100<<10, 2)
	put(t, s, "k", testMeta("d", "/a", ""), small)
	// A larger body replaces the memory copy with a disk-only one.
	put(t, s, "k", testMeta("d", "/a", ""), large)
	if obj := mustGet(t, s, "k", large); obj.Bytes() != nil {
		t.Fatal("replaced object still in memory")
	}
	put(t, s, "k", testMeta("d", "/a", ""), small)
	mustGet(t, s, "k", small)
	checkInvariants(t, s)
	s.Delete("k")
	mustMiss(t, s, "k")
	s.Delete("k")
	checkInvariants(t, s)
	if st := s.Stats(); st.DiskObjects != 0 || st.MemoryObjects != 0 {
		t.Fatalf("Stats after Delete = %+v", st)
	}
}

func TestObjectOutlivesItsKey(t *testing.T) {
	s := open(t, diskOnlyConfig(t.TempDir()))
	old, repl := body(3000, 1), body(3000, 9)

	put(t, s, "k", testMeta("d", "/a", ""), old)
	obj, _ := s.Get("k")
	s.Invalidate("d", []string{"/a"}, nil)
	if got, err := readBody(t, obj); err != nil || !bytes.Equal(got, old) {
		t.Fatalf("object unreadable after invalidation: %v", err)
	}

	put(t, s, "k", testMeta("d", "/a", ""), old)
	obj, _ = s.Get("k")
	rd, err := obj.Open()
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "k", testMeta("d", "/a", ""), repl)
	got, err := io.ReadAll(rd)
	rd.Close()
	if err != nil || !bytes.Equal(got, old) {
		t.Fatalf("open body changed by a replacement: %v", err)
	}
	// A second Open of a replaced disk object cannot find its file.
	if _, err := obj.Open(); err == nil {
		t.Fatal("second Open of a replaced object succeeded")
	}
	mustGet(t, s, "k", repl)
}

func TestClosedStore(t *testing.T) {
	s, err := Open(diskConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "k", testMeta("d", "/a", ""), body(10, 1))
	f, err := s.NewFill("f", testMeta("d", "/f", ""), -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	mustMiss(t, s, "k")
	if err := s.Put("k", testMeta("d", "/a", ""), nil); !isErr(err, ErrClosed) {
		t.Fatalf("Put after Close: %v", err)
	}
	if _, err := s.NewFill("k", testMeta("d", "/a", ""), -1); !isErr(err, ErrClosed) {
		t.Fatalf("NewFill after Close: %v", err)
	}
	if err := f.Commit(); !isErr(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v", err)
	}
	if err := s.UpdateMeta("k", testMeta("d", "/a", "")); !isErr(err, ErrClosed) {
		t.Fatalf("UpdateMeta after Close: %v", err)
	}
	if n := s.Invalidate("d", []string{"/*"}, nil); n != 0 {
		t.Fatalf("Invalidate after Close removed %d", n)
	}
}
