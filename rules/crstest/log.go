package crstest

import (
	"bytes"
	"io"
	"sync"
)

// Log reads a target's match log as it grows: each Read returns bytes
// appended since the last one (io.EOF when there are none yet). An
// *os.File opened for reading does this; so does a Buffer.
type Log = io.Reader

// tail splits a Log into lines and finds markers in it.
type tail struct {
	r       Log
	partial []byte
	lines   [][]byte
}

// poll appends what the log gained to t.lines.
func (t *tail) poll() error {
	buf := make([]byte, 64<<10)
	for {
		n, err := t.r.Read(buf)
		if n > 0 {
			t.partial = append(t.partial, buf[:n]...)
			for {
				i := bytes.IndexByte(t.partial, '\n')
				if i < 0 {
					break
				}
				t.lines = append(t.lines, bytes.Clone(t.partial[:i]))
				t.partial = t.partial[i+1:]
			}
		}
		if err == io.EOF || n == 0 && err == nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// find returns the index of the first line at or after from containing
// marker, or -1.
func (t *tail) find(marker []byte, from int) int {
	for i := from; i < len(t.lines); i++ {
		if bytes.Contains(t.lines[i], marker) {
			return i
		}
	}
	return -1
}

// Buffer is an in-memory Log: an io.Writer for the WAF's match log and
// a Log for the runner, safe for concurrent use.
type Buffer struct {
	mu   sync.Mutex
	data []byte
	off  int
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data = append(b.data, p...)
	return len(p), nil
}

func (b *Buffer) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.off == len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	if b.off == len(b.data) { // all read: let the memory go
		b.data, b.off = b.data[:0], 0
	}
	return n, nil
}
