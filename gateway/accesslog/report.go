package accesslog

import (
	"log/slog"
	"time"
)

// reportEvery is the least time between two reports of lost lines.
const reportEvery = time.Minute

// reporter tells the operator, through log/slog and at most once per
// reportEvery, that access log lines were lost: the writes failed, or the
// writer fell so far behind that the buffer was full. It is used by the
// flusher only (under Logger.wmu), never on the request path.
type reporter struct {
	now    func() time.Time
	logger func() *slog.Logger

	last     time.Time // of the last report; zero before the first
	failures int       // failed writes since the last report
	lastErr  error     // the latest of them
	lost     int       // lines lost to failed writes
	dropped  int       // lines dropped because the buffer was full
}

// note records the outcome of one flush.
func (r *reporter) note(err error, lost, dropped int) {
	if err != nil {
		r.failures++
		r.lastErr = err
		r.lost += lost
	}
	r.dropped += dropped
}

// report logs what was noted since the last report, unless that report
// was less than reportEvery ago.
func (r *reporter) report(path string) {
	if r.failures == 0 && r.dropped == 0 {
		return
	}
	now := r.now()
	if !r.last.IsZero() && now.Sub(r.last) < reportEvery {
		return
	}
	r.last = now
	log := r.logger()
	if r.failures > 0 {
		log.Error("access log write failed", "path", path, "error", r.lastErr.Error(),
			"failures", r.failures, "lines_lost", r.lost, "lines_dropped", r.dropped)
	} else {
		log.Warn("access log buffer full, lines dropped", "path", path, "lines_dropped", r.dropped)
	}
	r.failures, r.lastErr, r.lost, r.dropped = 0, nil, 0, 0
}
