//go:build linux

package cache

import (
	"os"
	"testing"
)

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestReleaseClosesUnopenedDiskObjects: a disk object looked up but never
// read (a HEAD, a 304) gives its file back on Release, so a flood of such
// requests cannot exhaust file descriptors before the garbage collector
// runs.
func TestReleaseClosesUnopenedDiskObjects(t *testing.T) {
	s := open(t, diskOnlyConfig(t.TempDir()))
	if err := s.Put("k", testMeta("d", "/k", ""), []byte("on disk")); err != nil {
		t.Fatal(err)
	}
	before := openFiles(t)
	var objs []Object
	for range 50 {
		o, ok := s.Get("k")
		if !ok {
			t.Fatal("miss")
		}
		if o.Bytes() != nil {
			t.Skip("object came from memory; this test needs a disk object")
		}
		objs = append(objs, o)
	}
	if held := openFiles(t) - before; held < 50 {
		t.Fatalf("50 disk lookups hold %d files; the test expects each to pin one", held)
	}
	for _, o := range objs {
		o.Release()
		o.Release() // idempotent
	}
	if held := openFiles(t) - before; held > 0 {
		t.Fatalf("%d files still open after Release", held)
	}
	// Open after Release still works while the object is current.
	b, err := objs[0].Open()
	if err != nil {
		t.Fatalf("Open after Release: %v", err)
	}
	b.Close()
}
