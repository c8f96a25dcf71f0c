//go:build !unix

package cache

import (
	"os"
	"path/filepath"
)

// lockDir creates dir/LOCK; without flock it cannot keep a second store
// out.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
}

func unlockDir(f *os.File) error { return f.Close() }
