package testtool

import "sync"

// Tail keeps the last Max bytes written to it (a program's output, for
// the report of a test that fails). Safe for concurrent writers.
type Tail struct {
	Max int
	mu  sync.Mutex
	b   []byte
}

func (w *Tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if over := len(w.b) - w.Max; over > 0 {
		w.b = append(w.b[:0], w.b[over:]...)
	}
	return len(p), nil
}

func (w *Tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
