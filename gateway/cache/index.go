package cache

// record is the store's entry for one key: where its current object lives
// and what invalidation matches it by. The memory and disk copies of a key
// are always the same object (same Meta, same body). Records are created
// and changed only under Store.mu.
type record struct {
	key string
	loc location
	mem *memObject // the memory copy, or nil
	dsk *diskEntry // the disk copy, or nil
}

// location is what invalidation matches an object by.
type location struct {
	dist, path, query string
	tags              []string // lower-cased, deduplicated
}

func locationOf(m *Meta) location {
	return location{dist: m.Dist, path: m.Path, query: m.Query, tags: lowerTags(m.Tags)}
}

func (l *location) equal(o *location) bool {
	if l.dist != o.dist || l.path != o.path || l.query != o.query || len(l.tags) != len(o.tags) {
		return false
	}
	for i := range l.tags {
		if l.tags[i] != o.tags[i] {
			return false
		}
	}
	return true
}

// index maps keys to records and, per distribution, paths and tags to
// records, for every object in either tier. It is guarded by Store.mu.
type index struct {
	keys  map[string]*record
	dists map[string]*distIndex
}

type recordSet map[*record]struct{}

type distIndex struct {
	paths map[string]recordSet
	tags  map[string]recordSet
	n     int
}

func newIndex() *index {
	return &index{keys: make(map[string]*record), dists: make(map[string]*distIndex)}
}

// get returns key's record, or nil.
func (x *index) get(key string) *record { return x.keys[key] }

// ensure returns key's record, creating it (indexed under loc) if absent.
// An existing record is moved to loc.
func (x *index) ensure(key string, loc location) *record {
	if r := x.keys[key]; r != nil {
		x.relocate(r, loc)
		return r
	}
	r := &record{key: key, loc: loc}
	x.keys[key] = r
	x.link(r)
	return r
}

// relocate re-indexes r under loc if it differs from r's location.
func (x *index) relocate(r *record, loc location) {
	if r.loc.equal(&loc) {
		return
	}
	x.unlink(r)
	r.loc = loc
	x.link(r)
}

// drop removes r from the index if neither tier holds its object.
func (x *index) dropIfEmpty(r *record) {
	if r.mem != nil || r.dsk != nil {
		return
	}
	if x.keys[r.key] != r {
		return
	}
	delete(x.keys, r.key)
	x.unlink(r)
}

func (x *index) link(r *record) {
	d := x.dists[r.loc.dist]
	if d == nil {
		d = &distIndex{paths: make(map[string]recordSet), tags: make(map[string]recordSet)}
		x.dists[r.loc.dist] = d
	}
	d.n++
	addTo(d.paths, r.loc.path, r)
	for _, t := range r.loc.tags {
		addTo(d.tags, t, r)
	}
}

func (x *index) unlink(r *record) {
	d := x.dists[r.loc.dist]
	if d == nil {
		return
	}
	d.n--
	removeFrom(d.paths, r.loc.path, r)
	for _, t := range r.loc.tags {
		removeFrom(d.tags, t, r)
	}
	if d.n == 0 {
		delete(x.dists, r.loc.dist)
	}
}

func addTo(m map[string]recordSet, k string, r *record) {
	s := m[k]
	if s == nil {
		s = make(recordSet, 1)
		m[k] = s
	}
	s[r] = struct{}{}
}

func removeFrom(m map[string]recordSet, k string, r *record) {
	s := m[k]
	delete(s, r)
	if len(s) == 0 {
		delete(m, k)
	}
}

// match adds to out the records of dist that inv matches.
func (x *index) match(dist string, inv *invalidation, out recordSet) {
	d := x.dists[dist]
	if d == nil {
		return
	}
	if inv.all {
		for _, s := range d.paths {
			for r := range s {
				out[r] = struct{}{}
			}
		}
		return
	}
	for _, p := range inv.exact {
		for r := range d.paths[p] {
			out[r] = struct{}{}
		}
	}
	for _, pq := range inv.exactQuery {
		for r := range d.paths[pq.path] {
			if r.loc.query == pq.query {
				out[r] = struct{}{}
			}
		}
	}
	if len(inv.prefixes) > 0 {
		for p, s := range d.paths {
			for r := range s {
				if inv.matchesPrefix(p, r.loc.query) {
					out[r] = struct{}{}
				}
			}
		}
	}
	for _, t := range inv.tags {
		for r := range d.tags[t] {
			out[r] = struct{}{}
		}
	}
}
