package crstest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Target is a WAF under test: the address its HTTP listener answers on
// and its match log.
type Target struct {
	Addr string
	Log  Log
}

// Options tune a run. The zero value is go-ftw's behaviour with a 5s
// timeout per request.
type Options struct {
	Overrides *Overrides
	// Timeout bounds each request and each wait for a marker line.
	Timeout time.Duration
	// Include, when set, picks the tests to run by id ("920100-4").
	Include func(id string) bool
}

// Outcome is how a test ended.
type Outcome int

const (
	Passed     Outcome = iota
	Failed             // its expectations (or its override's) not met
	Skipped            // skipped by an override
	Overridden         // passed its override's expectations, failed its own
	Stale              // overridden, but passes as written: drop the override
)

func (o Outcome) String() string {
	return [...]string{"passed", "failed", "skipped", "overridden", "stale override"}[o]
}

// Result is one test's outcome.
type Result struct {
	Test    *Test
	Outcome Outcome
	// Problem says what failed (Failed), or what the override covers
	// (Overridden).
	Problem string
	// Log is the test's log lines, when it failed.
	Log string
	// Elapsed is how long the test took.
	Elapsed time.Duration
}

const markerHeader = "X-CRS-Test"

// Run runs tests on the targets, one worker per target, and returns
// every test's result in the order of tests.
func Run(targets []Target, tests []Test, opts Options) []Result {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	results := make([]Result, len(tests))
	next := make(chan int)
	var wg sync.WaitGroup
	for _, tg := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{target: tg, tail: &tail{r: tg.Log}, opts: &opts}
			for i := range next {
				start := time.Now()
				results[i] = w.run(&tests[i])
				results[i].Elapsed = time.Since(start)
			}
		}()
	}
	for i := range tests {
		if opts.Include != nil && !opts.Include(tests[i].ID()) {
			results[i] = Result{Test: &tests[i], Outcome: Skipped, Problem: "not included"}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

type worker struct {
	target Target
	tail   *tail
	opts   *Options
	// broken is set when a marker never showed in the target's log: the
	// rest of its tests fail at once rather than each wait the timeout.
	broken string
}

// run runs every stage of t, then weighs the outcome against t's
// override.
func (w *worker) run(t *Test) Result {
	ov := w.opts.Overrides.For(t.ID())
	if ov != nil && ov.Skip {
		return Result{Test: t, Outcome: Skipped, Problem: ov.Reason}
	}
	if w.broken != "" {
		return Result{Test: t, Outcome: Failed, Problem: w.broken}
	}
	var own, alt string // failures against the test's and the override's expectations
	var lines [][]byte
	for i := range t.Stages {
		st := &t.Stages[i]
		o, a, l := w.stage(t, i, st, ov)
		if o == "" && a == "" {
			continue
		}
		if st.Output.RetryOnce != nil && *st.Output.RetryOnce {
			o, a, l = w.stage(t, i, st, ov)
		}
		if o != "" && own == "" {
			own, lines = fmt.Sprintf("stage %d: %s", i+1, o), l
		}
		if a != "" && alt == "" {
			alt, lines = fmt.Sprintf("stage %d: %s", i+1, a), l
		}
	}
	switch {
	case ov == nil && own == "":
		return Result{Test: t, Outcome: Passed}
	case ov == nil:
		return Result{Test: t, Outcome: Failed, Problem: own, Log: excerpt(lines)}
	case own == "":
		return Result{Test: t, Outcome: Stale, Problem: "passes as written; the override (" + ov.Reason + ") is no longer needed"}
	case alt != "":
		return Result{Test: t, Outcome: Failed, Problem: "against the override: " + alt, Log: excerpt(lines)}
	}
	return Result{Test: t, Outcome: Overridden, Problem: own}
}

// stage runs one stage between two markers. It returns why the stage
// fails its own expectations and why it fails the override's ("" when
// met, or no override), and the log lines it produced.
func (w *worker) stage(t *Test, n int, st *Stage, ov *Override) (own, alt string, lines [][]byte) {
	expectErr := st.Output.ExpectError != nil && *st.Output.ExpectError
	raw, err := rawRequest(&st.Input)
	if err != nil {
		return "building the request: " + err.Error(), "", nil
	}
	id := markerID(t, n)
	start, err := w.mark(id + "-start")
	if err != nil {
		return err.Error(), "", nil
	}
	res, resErr := send(w.target.Addr, raw, w.opts.Timeout, min(w.opts.Timeout, time.Second))
	end, err := w.mark(id + "-end")
	if err != nil && !expectErr {
		return err.Error(), "", nil
	}
	if end > start {
		// A marker sent again shows twice: its lines are not the test's.
		for _, l := range w.tail.lines[start+1 : end] {
			if !bytes.Contains(l, []byte(id)) {
				lines = append(lines, l)
			}
		}
	}
	own = check(&st.Output, res, resErr, lines)
	if ov != nil {
		alt = check(ov.Output, res, resErr, lines)
	}
	// Lines up to the end marker are done with.
	w.tail.lines = w.tail.lines[max(end, start)+1:]
	return own, alt, lines
}

// mark sends a marker request and waits for its line in the log; it
// returns the line's index in w.tail.lines.
func (w *worker) mark(id string) (int, error) {
	raw := []byte("GET /status/200 HTTP/1.1\r\nAccept: */*\r\nUser-Agent: edgeward crstest\r\nHost: localhost\r\n" +
		markerHeader + ": " + id + "\r\nConnection: close\r\n\r\n")
	deadline := time.Now().Add(w.opts.Timeout)
	for {
		if _, err := send(w.target.Addr, raw, w.opts.Timeout, w.opts.Timeout); err != nil {
			return -1, fmt.Errorf("marker request: %w", err)
		}
		// The line is written before the response, by a synchronous
		// log; a log written later gets time, and another marker.
		resend := time.Now().Add(500 * time.Millisecond)
		for time.Now().Before(resend) {
			if err := w.tail.poll(); err != nil {
				return -1, fmt.Errorf("reading the log: %w", err)
			}
			if i := w.tail.find([]byte(id), 0); i >= 0 {
				return i, nil
			}
			if time.Now().After(deadline) {
				w.broken = "an earlier marker never showed in this target's log"
				return -1, fmt.Errorf("marker %s never showed in the log: is the WAF in test mode and writing that log?", id)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// markerID names a stage uniquely (a random suffix: the log may outlive
// one run).
func markerID(t *Test, n int) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", t.ID(), n+1, hex.EncodeToString(b[:]))
}
