package accesslog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// output is where a Logger's bytes go: a file it owns, or a standard
// stream it shares.
type output interface {
	io.Writer
	Close() error
}

// The standard streams may be shared by several Loggers at once (a reload
// that changes the format opens a new one while the old one drains), so
// writes to each are serialized: lines of different Loggers never mix.
var (
	stdoutMu sync.Mutex
	stderrMu sync.Mutex
)

// stdOutput writes to a standard stream and never closes it.
type stdOutput struct {
	mu *sync.Mutex
	f  *os.File
}

var _ output = stdOutput{}

func (o stdOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.f.Write(p)
}

func (stdOutput) Close() error { return nil }

// fileMode is the permission of a log file the Logger creates (before the
// umask): the owner writes, the group (log readers, logrotate) reads.
const fileMode = 0o640

// openFile opens path for appending, creating it when missing, and writes
// header first when the file is new or empty. The parent directory must
// exist: a missing one is a configuration mistake, not something to create.
func openFile(path, header string) (*os.File, error) {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open %s: directory %s does not exist", path, dir)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	case !st.IsDir():
		return nil, fmt.Errorf("open %s: %s is not a directory", path, dir)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, fileMode)
	if err != nil {
		return nil, err // *fs.PathError names the file and the cause
	}
	if header == "" {
		return f, nil
	}
	st, err = f.Stat()
	if err == nil && st.Size() == 0 {
		_, err = io.WriteString(f, header)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}
