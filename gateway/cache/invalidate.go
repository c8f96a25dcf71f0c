package cache

import (
	"strings"
	"time"
)

// invalidation is a parsed Invalidate request for one distribution.
type invalidation struct {
	all        bool        // "/*" (or "*"): every object of the distribution
	exact      []string    // a path without "?": every query variant of it
	exactQuery []pathQuery // a path with "?": that path and query only
	prefixes   []string    // "prefix*": Path+("?"+Query) starts with prefix
	tags       []string    // lower-cased
}

type pathQuery struct{ path, query string }

func parseInvalidation(paths, tags []string) *invalidation {
	inv := &invalidation{}
	for _, p := range paths {
		switch {
		case p == "":
		case p == "*" || p == "/*":
			inv.all = true
		case strings.HasSuffix(p, "*"):
			inv.prefixes = append(inv.prefixes, p[:len(p)-1])
		default:
			if path, query, ok := strings.Cut(p, "?"); ok {
				inv.exactQuery = append(inv.exactQuery, pathQuery{path, query})
			} else {
				inv.exact = append(inv.exact, p)
			}
		}
	}
	for _, t := range tags {
		if t != "" {
			inv.tags = append(inv.tags, strings.ToLower(t))
		}
	}
	return inv
}

// matchesPrefix reports whether path+("?"+query if query is set) starts
// with one of the prefixes, without building the string.
func (inv *invalidation) matchesPrefix(path, query string) bool {
	for _, pre := range inv.prefixes {
		if len(pre) <= len(path) {
			if path[:len(pre)] == pre {
				return true
			}
			continue
		}
		if query == "" || pre[:len(path)] != path || pre[len(path)] != '?' {
			continue
		}
		if strings.HasPrefix(query, pre[len(path)+1:]) {
			return true
		}
	}
	return false
}

// matches reports whether inv matches an object at loc (of inv's
// distribution).
func (inv *invalidation) matches(loc *location) bool {
	if inv.all || inv.matchesPrefix(loc.path, loc.query) {
		return true
	}
	for _, p := range inv.exact {
		if p == loc.path {
			return true
		}
	}
	for _, pq := range inv.exactQuery {
		if pq.path == loc.path && pq.query == loc.query {
			return true
		}
	}
	for _, t := range inv.tags {
		for _, lt := range loc.tags {
			if t == lt {
				return true
			}
		}
	}
	return false
}

// Invalidate removes every object of distribution dist that one of paths
// or tags matches, from every tier, and returns how many objects it
// removed. It takes effect before it returns: no Get sees a removed object
// afterwards, and no Fill that started before it (nor a Put whose
// Meta.Stored is not after it) brings a matching object back.
//
// Paths match Meta.Path and Meta.Query:
//   - "/*" removes every object of the distribution;
//   - "prefix*" removes every object whose Path, followed by "?"+Query when
//     it has a query, starts with prefix ("/images/*" matches
//     "/images/a.jpg?x=1"; "/a*" matches "/a?q=1");
//   - a path without "?" removes every object with that Path, whatever its
//     query;
//   - "path?query" removes the object with that Path and Query.
//
// Tags match Meta.Tags, case-insensitively. A "*" anywhere but at the end
// is an ordinary character.
func (s *Store) Invalidate(dist string, paths, tags []string) int {
	inv := parseInvalidation(paths, tags)
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return 0
	}
	s.gen++
	s.log.add(s.gen, s.now(), dist, inv)
	s.log.prune(s.now())
	hit := make(recordSet)
	s.idx.match(dist, inv, hit)
	dirs := make(map[string]struct{})
	n := 0
	for r := range hit {
		if s.removeLocked(r, dirs) {
			n++
		}
	}
	s.mu.Unlock()
	// Make the unlinks durable, so that a crash cannot bring invalidated
	// objects back.
	for d := range dirs {
		if err := syncDir(d); err != nil {
			s.logger.Warn("cache: sync directory after invalidation", "dir", d, "err", err)
		}
	}
	return n
}

// invalLog remembers recent invalidations, so that an object whose fill
// started before one of them (or a Put whose Meta.Stored predates it)
// cannot be stored after it. Guarded by Store.mu.
type invalLog struct {
	dists map[string]*distLog
	fills map[uint64]int // generation at NewFill -> fills still open
}

type distLog struct {
	recs []invalRec
	// Compacted older records: a fill started before floorGen, or a Put
	// stored at or before floorAt, is dropped whatever it is.
	floorGen uint64
	floorAt  time.Time
}

type invalRec struct {
	gen uint64
	at  time.Time
	inv *invalidation
}

const (
	// putWindow is how long an invalidation is remembered for Puts whose
	// Meta.Stored predates it.
	putWindow = time.Minute
	// maxDistLog bounds the records kept per distribution; older ones are
	// compacted into the (more conservative) floors.
	maxDistLog = 1024
)

func newInvalLog() *invalLog {
	return &invalLog{dists: make(map[string]*distLog), fills: make(map[uint64]int)}
}

func (l *invalLog) startFill(gen uint64) { l.fills[gen]++ }

func (l *invalLog) endFill(gen uint64) {
	if l.fills[gen]--; l.fills[gen] <= 0 {
		delete(l.fills, gen)
	}
}

func (l *invalLog) add(gen uint64, at time.Time, dist string, inv *invalidation) {
	d := l.dists[dist]
	if d == nil {
		d = &distLog{}
		l.dists[dist] = d
	}
	d.recs = append(d.recs, invalRec{gen: gen, at: at, inv: inv})
	if len(d.recs) > maxDistLog {
		half := len(d.recs) / 2
		for _, r := range d.recs[:half] {
			d.floorGen = max(d.floorGen, r.gen)
			if r.at.After(d.floorAt) {
				d.floorAt = r.at
			}
		}
		d.recs = append(d.recs[:0], d.recs[half:]...)
	}
}

// minFill returns the oldest generation an open fill started at.
func (l *invalLog) minFill() uint64 {
	m := ^uint64(0)
	for g := range l.fills {
		m = min(m, g)
	}
	return m
}

// prune forgets records that no open fill and no plausible Put needs.
func (l *invalLog) prune(now time.Time) {
	oldest := l.minFill()
	horizon := now.Add(-putWindow)
	for name, d := range l.dists {
		keep := d.recs[:0]
		for _, r := range d.recs {
			if oldest < r.gen || !r.at.Before(horizon) {
				keep = append(keep, r)
			}
		}
		clear(d.recs[len(keep):])
		d.recs = keep
		if oldest >= d.floorGen {
			d.floorGen = 0
		}
		if d.floorAt.Before(horizon) {
			d.floorAt = time.Time{}
		}
		if len(d.recs) == 0 && d.floorGen == 0 && d.floorAt.IsZero() {
			delete(l.dists, name)
		}
	}
}

// drops reports whether an object at loc must not be stored because an
// invalidation came after it: after its fill started (fill, at generation
// startGen), or at or after its Meta.Stored (a Put with stored set).
func (l *invalLog) drops(loc *location, fill bool, startGen uint64, stored time.Time) bool {
	d := l.dists[loc.dist]
	if d == nil {
		return false
	}
	after := func(gen uint64, at time.Time) bool {
		if fill {
			return gen > startGen
		}
		return !stored.IsZero() && !at.Before(stored)
	}
	if (d.floorGen != 0 || !d.floorAt.IsZero()) && after(d.floorGen, d.floorAt) {
		return true
	}
	for i := range d.recs {
		r := &d.recs[i]
		if after(r.gen, r.at) && r.inv.matches(loc) {
			return true
		}
	}
	return false
}
