//go:build linux

package origin

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestDirRefusesSpecialFiles checks that a FIFO in the tree is a 404, not a
// fetch that blocks forever in open(2).
func TestDirRefusesSpecialFiles(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	o := newDirOrigin(t, root, "")
	within(t, "fetching a FIFO", func() {
		resp, err := o.Fetch(request(t.Context(), "GET", "/fifo", "", nil))
		if err != nil || resp.StatusCode != 404 {
			t.Errorf("FIFO: %v %v, want 404", resp, err)
		}
	})
}
