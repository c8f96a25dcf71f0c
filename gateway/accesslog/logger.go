package accesslog

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

const (
	// flushInterval is the longest a logged line waits in the buffer.
	flushInterval = 500 * time.Millisecond
	// flushSize is the buffer size that wakes the flusher early.
	flushSize = 64 << 10
	// maxPending bounds the buffer when the writer falls behind (a stuck
	// disk or a blocked pipe): lines beyond it are dropped, and counted,
	// rather than making requests wait or memory grow.
	maxPending = 4 << 20
	// maxPooledLine is the largest line buffer returned to the pool.
	maxPooledLine = 16 << 10
	// initialBuffer is the capacity of each of the two buffers.
	initialBuffer = flushSize + flushSize/4
	// maxSpare is the largest buffer kept once a burst is over, and
	// calmFlushes the number of small flushes in a row that say so.
	maxSpare    = 4 * flushSize
	calmFlushes = 4
)

// Logger writes access log lines in one format to one destination. Log is
// cheap and safe for concurrent use: it formats the entry into a pooled
// buffer and appends it to the Logger's buffer under a mutex. A background
// flusher writes the buffer out every 500ms and as soon as it exceeds
// 64KiB, outside that mutex, so a slow disk never holds up a request.
type Logger struct {
	path   string
	format string
	encode func([]byte, *Entry) []byte // nil when the path is "off"
	header string                      // written first to a new or empty file
	std    bool                        // stdout or stderr: Reopen is a no-op

	mu      sync.Mutex // guards the three below; never held during I/O
	buf     []byte     // lines not yet written
	dropped int        // lines refused since the last flush (buf was full)
	closed  bool

	wmu   sync.Mutex // held while writing; guards the four below
	out   output
	spare []byte // the other half of buf: written while buf fills
	calm  int    // flushes in a row that found little to write
	rep   reporter

	kick chan struct{} // wakes the flusher early; capacity 1
	stop chan struct{}
	done chan struct{} // closed when the flusher has returned

	closeOnce sync.Once
	closeErr  error
}

// Formats and special paths accepted by Open.
const (
	FormatCloudFront = "cloudfront"
	FormatJSON       = "json"

	PathStdout = "stdout"
	PathStderr = "stderr"
	PathOff    = "off"
)

// options are what tests may change about a Logger.
type options struct {
	interval time.Duration // between two flushes
	now      func() time.Time
	logger   func() *slog.Logger
}

// Open returns a Logger writing format ("cloudfront" or "json") to path:
// "stdout", "stderr", "off" (a Logger that discards everything), or a
// file, opened for appending and created with mode 0640 when missing. The
// file's directory must exist. A CloudFront-format file that is new or
// empty gets the two header lines first; so does stdout or stderr, once
// when the Logger is opened. Close the Logger when done with it.
func Open(path, format string) (*Logger, error) {
	return open(path, format, options{interval: flushInterval, now: time.Now, logger: slog.Default})
}

func open(path, format string, opt options) (*Logger, error) {
	l := &Logger{path: path, format: format}
	switch format {
	case FormatCloudFront:
		l.encode, l.header = appendCloudFront, cloudFrontHeader
	case FormatJSON:
		l.encode = appendJSON
	default:
		return nil, fmt.Errorf("unknown format %q (want %q or %q)", format, FormatCloudFront, FormatJSON)
	}
	switch path {
	case "":
		return nil, fmt.Errorf("empty path (want %q, %q, %q or a file path)", PathStdout, PathStderr, PathOff)
	case PathOff:
		l.encode = nil
		return l, nil
	case PathStdout:
		l.out, l.std = stdOutput{&stdoutMu, os.Stdout}, true
	case PathStderr:
		l.out, l.std = stdOutput{&stderrMu, os.Stderr}, true
	default:
		f, err := openFile(path, l.header)
		if err != nil {
			return nil, err
		}
		l.out = f
	}
	l.buf = make([]byte, 0, initialBuffer)
	l.spare = make([]byte, 0, initialBuffer)
	if l.std {
		// The header goes out with the first flush; a failure to write
		// it is reported like any other write error.
		l.buf = append(l.buf, l.header...)
	}
	l.rep = reporter{now: opt.now, logger: opt.logger}
	l.kick = make(chan struct{}, 1)
	l.stop = make(chan struct{})
	l.done = make(chan struct{})
	go l.run(opt.interval)
	return l, nil
}

// Path returns the path the Logger was opened with.
func (l *Logger) Path() string { return l.path }

// Format returns the format the Logger was opened with.
func (l *Logger) Format() string { return l.format }

// linePool holds the buffers Log formats into.
var linePool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// Log writes e as one line. It does not keep e. It never blocks on I/O:
// when the writer is so far behind that maxPending bytes wait, the line is
// dropped and counted, and the loss is reported through log/slog. Log on a
// closed, "off" or nil Logger does nothing.
func (l *Logger) Log(e *Entry) {
	if l == nil || l.encode == nil || e == nil {
		return
	}
	bp := linePool.Get().(*[]byte)
	line := l.encode((*bp)[:0], e)

	l.mu.Lock()
	switch {
	case l.closed:
	case len(l.buf)+len(line) > maxPending:
		l.dropped++
	default:
		l.buf = append(l.buf, line...)
	}
	n := len(l.buf)
	l.mu.Unlock()

	if cap(line) <= maxPooledLine {
		*bp = line
		linePool.Put(bp)
	}
	if n >= flushSize {
		select {
		case l.kick <- struct{}{}:
		default: // a flush is already due
		}
	}
}

// run is the flusher: it writes the buffer out every interval, and sooner
// when Log finds it over flushSize, until Close.
func (l *Logger) run(interval time.Duration) {
	defer close(l.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		case <-l.kick:
		}
		l.wmu.Lock()
		l.flushLocked()
		l.wmu.Unlock()
	}
}

// flushLocked writes out what was logged so far. The caller holds wmu.
// Log keeps appending to the other buffer meanwhile. Bytes that fail to
// be written are lost: a log line is not worth blocking or retrying for.
func (l *Logger) flushLocked() error {
	l.mu.Lock()
	l.buf, l.spare = l.spare[:0], l.buf
	dropped := l.dropped
	l.dropped = 0
	l.mu.Unlock()

	var err error
	lost := 0
	if len(l.spare) > 0 {
		var n int
		n, err = l.out.Write(l.spare)
		if err != nil {
			lost = bytes.Count(l.spare[min(max(n, 0), len(l.spare)):], []byte{'\n'})
		}
	}
	// Once a burst is over (a few flushes in a row found little to
	// write), give back the memory the buffers grew to. While the load
	// lasts they are kept rather than grown again every time.
	if len(l.spare) <= flushSize/4 {
		l.calm++
	} else {
		l.calm = 0
	}
	if cap(l.spare) > maxSpare && l.calm >= calmFlushes {
		l.spare = make([]byte, 0, initialBuffer)
	} else {
		l.spare = l.spare[:0]
	}
	l.rep.note(err, lost, dropped)
	l.rep.report(l.path)
	return err
}

// Reopen makes a file Logger write to its path anew: after logrotate moved
// the file away, it creates a new one (with the header, for CloudFront)
// and closes the old one once the lines logged so far are in it. Call it
// from a SIGUSR1 handler. For stdout, stderr and "off", and on a closed
// Logger, Reopen does nothing. When the path cannot be opened, the Logger
// keeps writing to the old file and Reopen returns the error.
func (l *Logger) Reopen() error {
	if l == nil || l.encode == nil || l.std {
		return nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil
	}
	_ = l.flushLocked() // earlier lines belong to the old file; errors are reported
	f, err := openFile(l.path, l.header)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	old := l.out
	l.out = f
	if err := old.Close(); err != nil {
		return fmt.Errorf("reopen: closing the old file: %w", err)
	}
	return nil
}

// Close writes out what was logged, stops the flusher and closes the file
// (never stdout or stderr). Later calls to Log are ignored; calling Close
// again returns the first call's result.
func (l *Logger) Close() error {
	if l == nil || l.encode == nil {
		return nil
	}
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		close(l.stop)
		<-l.done

		l.wmu.Lock()
		defer l.wmu.Unlock()
		err := l.flushLocked()
		if cerr := l.out.Close(); err == nil {
			err = cerr
		}
		l.closeErr = err
	})
	return l.closeErr
}
