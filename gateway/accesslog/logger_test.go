package accesslog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testEntry(id string) *Entry {
	return &Entry{
		Time:          time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		EdgeLocation:  "TEST1",
		ClientIP:      "192.0.2.1",
		Method:        "GET",
		URIStem:       "/" + id,
		Status:        200,
		RequestID:     id,
		ContentLength: -1, RangeStart: -1, RangeEnd: -1,
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requestIDs returns the x-edge-request-id of each line of a CloudFront
// log, checking every line and that the header comes first and only once.
func requestIDs(t *testing.T, content string) []string {
	t.Helper()
	body, ok := strings.CutPrefix(content, cloudFrontHeader)
	if !ok {
		t.Fatalf("log does not start with the header: %q", content)
	}
	if strings.Contains(body, "#") {
		t.Fatalf("header or comment after the first lines: %q", body)
	}
	var ids []string
	for _, line := range splitLines([]byte(body)) {
		ids = append(ids, checkCloudFrontLine(t, line)[14])
	}
	return ids
}

func mustOpen(t *testing.T, path, format string) *Logger {
	t.Helper()
	l, err := Open(path, format)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustClose(t *testing.T, l *Logger) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, format, want string
	}{
		{"unknown format", "stdout", "xml", `unknown format "xml"`},
		{"empty format", "stdout", "", `unknown format ""`},
		{"format checked for off too", "off", "CloudFront", `unknown format "CloudFront"`},
		{"empty path", "", "json", "empty path"},
		{"missing directory", filepath.Join(dir, "nope", "access.log"), "json", "directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"parent is a file", filepath.Join(notDir, "access.log"), "json", "is not a directory"},
		{"path is a directory", dir, "cloudfront", "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(tt.path, tt.format)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestHeaderOnlyForNewOrEmptyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")

	l := mustOpen(t, path, FormatCloudFront)
	if l.Path() != path || l.Format() != FormatCloudFront {
		t.Fatalf("Path, Format = %q, %q", l.Path(), l.Format())
	}
	l.Log(testEntry("a"))
	l.Log(testEntry("b"))
	mustClose(t, l)

	l = mustOpen(t, path, FormatCloudFront) // appending to a non-empty file
	l.Log(testEntry("c"))
	mustClose(t, l)

	got := requestIDs(t, readFile(t, path))
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("request ids = %v", got)
	}

	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(dir, "empty.log")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		mustClose(t, mustOpen(t, path, FormatCloudFront))
		if got := readFile(t, path); got != cloudFrontHeader {
			t.Fatalf("empty file after Open = %q", got)
		}
	})
	t.Run("json has no header", func(t *testing.T) {
		path := filepath.Join(dir, "access.jsonl")
		l := mustOpen(t, path, FormatJSON)
		l.Log(testEntry("j"))
		mustClose(t, l)
		lines := splitLines([]byte(readFile(t, path)))
		if len(lines) != 1 || checkJSONLine(t, lines[0])["request_id"] != "j" {
			t.Fatalf("json log = %q", lines)
		}
	})
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	mustClose(t, mustOpen(t, path, FormatJSON))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&^fileMode != 0 || perm&0o600 != 0o600 {
		t.Fatalf("mode %v, want 0640 less the umask", perm)
	}
}

func TestReopenAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	l := mustOpen(t, path, FormatCloudFront)
	defer l.Close()
	l.Log(testEntry("before1"))
	l.Log(testEntry("before2"))
	if err := os.Rename(path, path+".1"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Log(testEntry("after"))
	mustClose(t, l)

	if got := requestIDs(t, readFile(t, path+".1")); strings.Join(got, ",") != "before1,before2" {
		t.Errorf("rotated file has %v", got)
	}
	if got := requestIDs(t, readFile(t, path)); strings.Join(got, ",") != "after" {
		t.Errorf("new file has %v", got)
	}
}

func TestReopenFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "logs")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	l := mustOpen(t, filepath.Join(sub, "access.log"), FormatCloudFront)
	defer l.Close()
	l.Log(testEntry("one"))
	moved := filepath.Join(dir, "moved")
	if err := os.Rename(sub, moved); err != nil {
		t.Fatal(err)
	}
	err := l.Reopen()
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Reopen = %v, want a missing-directory error", err)
	}
	l.Log(testEntry("two"))
	mustClose(t, l)
	if got := requestIDs(t, readFile(t, filepath.Join(moved, "access.log"))); strings.Join(got, ",") != "one,two" {
		t.Fatalf("old file has %v", got)
	}
}

func TestOff(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	l := mustOpen(t, PathOff, FormatJSON)
	if l.Path() != PathOff || l.Format() != FormatJSON {
		t.Fatalf("Path, Format = %q, %q", l.Path(), l.Format())
	}
	l.Log(testEntry("x"))
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, l)
	l.Log(testEntry("y"))
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("off created %v", ents)
	}
	var nilLogger *Logger
	nilLogger.Log(testEntry("z")) // must not panic
}

// captureStd replaces *std with a pipe while fn runs and returns what was
// written to it.
func captureStd(t *testing.T, std **os.File, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := *std
	*std = w
	defer func() { *std = old }()
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	fn()
	if _, err := w.WriteString("still open\n"); err != nil {
		t.Errorf("the stream was closed: %v", err)
	}
	w.Close()
	return string(<-done)
}

func TestStdStreams(t *testing.T) {
	for _, tt := range []struct {
		path string
		std  **os.File
	}{{PathStdout, &os.Stdout}, {PathStderr, &os.Stderr}} {
		t.Run(tt.path, func(t *testing.T) {
			out := captureStd(t, tt.std, func() {
				l := mustOpen(t, tt.path, FormatCloudFront)
				l.Log(testEntry("s1"))
				if err := l.Reopen(); err != nil { // a no-op
					t.Error(err)
				}
				l.Log(testEntry("s2"))
				mustClose(t, l)
			})
			body, ok := strings.CutSuffix(out, "still open\n")
			if !ok {
				t.Fatalf("output = %q", out)
			}
			if got := requestIDs(t, body); strings.Join(got, ",") != "s1,s2" {
				t.Fatalf("request ids = %v", got)
			}
		})
	}
}

func TestLogAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	l := mustOpen(t, path, FormatCloudFront)
	l.Log(testEntry("in"))
	mustClose(t, l)
	l.Log(testEntry("late"))
	if err := l.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatalf("Reopen after Close = %v", err)
	}
	if got := requestIDs(t, readFile(t, path)); strings.Join(got, ",") != "in" {
		t.Fatalf("request ids = %v", got)
	}
}

// TestFlushesWithoutClose checks that the flusher writes lines out on its
// own. It waits for that (a liveness bound), it does not time it.
func TestFlushesWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	l := mustOpen(t, path, FormatCloudFront)
	defer l.Close()
	l.Log(testEntry("tick"))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(readFile(t, path), "\ttick\t") {
		if time.Now().After(deadline) {
			t.Fatal("the line was not written within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConcurrentLog logs from many goroutines, with entries large enough
// to make Log wake the flusher, while the file is reopened, and checks that
// every line arrives exactly once and whole.
func TestConcurrentLog(t *testing.T) {
	for _, format := range []string{FormatCloudFront, FormatJSON} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			l := mustOpen(t, path, format)
			const goroutines, perG = 16, 200
			var wg sync.WaitGroup
			stop := make(chan struct{})
			reopened := make(chan struct{})
			go func() {
				defer close(reopened)
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := l.Reopen(); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			for g := range goroutines {
				wg.Go(func() {
					for i := range perG {
						e := testEntry(fmt.Sprintf("g%d-%d", g, i))
						e.UserAgent = hostile + strings.Repeat("x", (g*perG+i)%2000)
						l.Log(e)
					}
				})
			}
			wg.Wait()
			close(stop)
			<-reopened
			mustClose(t, l)

			content := readFile(t, path)
			var ids []string
			if format == FormatCloudFront {
				ids = requestIDs(t, content)
			} else {
				for _, line := range splitLines([]byte(content)) {
					ids = append(ids, checkJSONLine(t, line)["request_id"].(string))
				}
			}
			seen := make(map[string]bool, len(ids))
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("%s logged twice", id)
				}
				seen[id] = true
			}
			if len(seen) != goroutines*perG {
				t.Fatalf("%d lines, want %d", len(seen), goroutines*perG)
			}
		})
	}
}

// syncBuffer is a goroutine-safe bytes.Buffer for slog output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records returns the slog JSON records written so far.
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []map[string]any
	for _, line := range splitLines(s.b.Bytes()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	return recs
}

// testOptions returns options with a clock that moves only when told and
// a slog logger writing JSON records to the returned buffer.
func testOptions() (options, *atomic.Int64, *syncBuffer) {
	var now atomic.Int64
	now.Store(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	buf := &syncBuffer{}
	sl := slog.New(slog.NewJSONHandler(buf, nil))
	return options{
		interval: time.Hour, // flushes happen when the test says
		now:      func() time.Time { return time.Unix(0, now.Load()) },
		logger:   func() *slog.Logger { return sl },
	}, &now, buf
}

// flush writes out the buffer now, as the flusher does.
func (l *Logger) flush() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.flushLocked()
}

func TestWriteErrorsReportedOncePerMinute(t *testing.T) {
	opt, now, logs := testOptions()
	path := filepath.Join(t.TempDir(), "access.log")
	l, err := open(path, FormatCloudFront, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Make every write fail, as a full or vanished disk would.
	l.wmu.Lock()
	l.out.(*os.File).Close()
	l.wmu.Unlock()

	l.Log(testEntry("lost1"))
	if err := l.flush(); err == nil {
		t.Fatal("flush to a closed file succeeded")
	}
	l.Log(testEntry("lost2"))
	l.Log(testEntry("lost3"))
	_ = l.flush()
	if recs := logs.records(t); len(recs) != 1 {
		t.Fatalf("%d reports within a minute, want 1: %v", len(recs), recs)
	}

	now.Add(int64(reportEvery))
	_ = l.flush() // nothing new to write: reports what the last minute lost
	recs := logs.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d reports after a minute, want 2: %v", len(recs), recs)
	}
	lost := 0
	for _, r := range recs {
		if r["level"] != "ERROR" || r["msg"] != "access log write failed" || r["path"] != path || r["error"] == "" {
			t.Fatalf("report %v", r)
		}
		lost += int(r["lines_lost"].(float64))
	}
	if lost != 3 {
		t.Fatalf("reports count %d lost lines, want 3", lost)
	}
	if err := l.Close(); err == nil {
		t.Fatal("Close of a logger whose file failed returned nil")
	}
}

// blockingWriter blocks every Write until release is closed.
type blockingWriter struct {
	release chan struct{}
	mu      sync.Mutex
	b       bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (*blockingWriter) Close() error { return nil }

// TestStuckWriterDropsLines checks that Log never waits for a stuck writer:
// once maxPending bytes wait, lines are dropped and reported.
func TestStuckWriterDropsLines(t *testing.T) {
	opt, now, logs := testOptions()
	opt.now = func() time.Time { return time.Unix(0, now.Add(int64(reportEvery))) } // every report allowed
	l, err := open(filepath.Join(t.TempDir(), "access.log"), FormatCloudFront, opt)
	if err != nil {
		t.Fatal(err)
	}
	w := &blockingWriter{release: make(chan struct{})}
	l.wmu.Lock()
	old := l.out
	l.out = w
	l.wmu.Unlock()
	old.Close()

	const n = 20
	big := strings.Repeat("u", 1<<20)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		for i := range n {
			e := testEntry(fmt.Sprintf("big%d", i))
			e.UserAgent = big
			l.Log(e)
		}
	}()
	select {
	case <-logged:
	case <-time.After(10 * time.Second):
		t.Fatal("Log blocked on a stuck writer")
	}
	close(w.release)
	mustClose(t, l)

	written := strings.Count(w.b.String(), "\n")
	dropped := 0
	for _, r := range logs.records(t) {
		if d, ok := r["lines_dropped"].(float64); ok {
			dropped += int(d)
		}
	}
	if dropped == 0 || written+dropped != n {
		t.Fatalf("%d lines written and %d reported dropped, want some dropped and %d in all", written, dropped, n)
	}
}

func TestErrorsAreNotFatal(t *testing.T) {
	// A write error must never reach Log's caller: Log has no error result
	// and must not panic when the output fails.
	opt, _, _ := testOptions()
	l, err := open(filepath.Join(t.TempDir(), "access.log"), FormatJSON, opt)
	if err != nil {
		t.Fatal(err)
	}
	l.wmu.Lock()
	l.out.(*os.File).Close()
	l.wmu.Unlock()
	for i := range 1000 {
		l.Log(testEntry(fmt.Sprint(i)))
	}
	if err := l.Close(); err == nil || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Close = %v, want the write error", err)
	}
}
