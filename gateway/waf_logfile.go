package gateway

import (
	"os"
	"sync"
)

// wafLogFile is a WAF match or audit log file that can be reopened
// (SIGUSR1, after logrotate moved it) while engines write to it. Each
// Write is one line or one record, so lines stay whole across a reopen.
type wafLogFile struct {
	path string
	mu   sync.RWMutex
	f    *os.File
}

func openWAFLog(path string) (*wafLogFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	return &wafLogFile{path: path, f: f}, nil
}

func (l *wafLogFile) Write(p []byte) (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.f.Write(p)
}

// reopen opens the path again and switches to it; on failure the old
// file is kept.
func (l *wafLogFile) reopen() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	return old.Close()
}

func (l *wafLogFile) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// reopenLogs reopens every WAF log file of the set's engines.
func (ws *wafSet) reopenLogs() error {
	var first error
	for _, e := range ws.engines {
		for _, f := range e.files {
			if err := f.reopen(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
