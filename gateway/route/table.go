package route

import (
	"errors"
	"fmt"
	"net/netip"
)

// DistributionSpec describes one distribution for NewTable: the host names
// it serves, the caller's value for it, its ordered behaviors and the
// value used when no behavior matches.
type DistributionSpec[D, B any] struct {
	// Hosts are exact names ("www.example.com"), wildcards matching
	// exactly one extra label ("*.example.com"), or IP literals
	// ("192.0.2.1", "[2001:db8::1]"). Case-insensitive; a trailing dot is
	// ignored; no port.
	Hosts     []string
	Value     D
	Behaviors []BehaviorSpec[B] // ordered; the first match wins
	Default   B                 // when no behavior matches (CloudFront's default "*")
}

// BehaviorSpec is one cache behavior: a path pattern (see Pattern) and the
// caller's value for it.
type BehaviorSpec[B any] struct {
	Pattern string
	Value   B
}

// Table routes requests: Host to a distribution, then canonical path to
// one of its behaviors. It is immutable once built and safe for
// concurrent use; lookups do not allocate.
type Table[D, B any] struct {
	exact map[string]*dist[D, B] // lower-case name without trailing dot
	wild  map[string]*dist[D, B] // "*.example.com" stored as "example.com"
}

type dist[D, B any] struct {
	value     D
	behaviors Behaviors[B]
}

// Behaviors is one distribution's ordered list of behaviors and its
// default.
type Behaviors[B any] struct {
	rules []rule[B]
	def   B
}

type rule[B any] struct {
	pattern Pattern
	value   B
}

// NewTable compiles the distributions into a Table. It reports every
// problem it finds, joined: an invalid host name or path pattern (named),
// a distribution without hosts, and a host served by two distributions
// (or listed twice), after case folding and trailing-dot removal.
func NewTable[D, B any](dists []DistributionSpec[D, B]) (*Table[D, B], error) {
	t := &Table[D, B]{
		exact: make(map[string]*dist[D, B]),
		wild:  make(map[string]*dist[D, B]),
	}
	var errs []error
	owner := make(map[string]int) // host key ("*." kept for wildcards) -> distribution index
	for i := range dists {
		ds := &dists[i]
		name := fmt.Sprintf("distribution %d", i)
		if len(ds.Hosts) > 0 {
			name = fmt.Sprintf("distribution %d (%s)", i, ds.Hosts[0])
		} else {
			errs = append(errs, fmt.Errorf("%s: no hosts", name))
		}
		d := &dist[D, B]{value: ds.Value, behaviors: Behaviors[B]{def: ds.Default}}
		d.behaviors.rules = make([]rule[B], 0, len(ds.Behaviors))
		for j, bs := range ds.Behaviors {
			p, err := CompilePattern(bs.Pattern)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: behavior %d: %w", name, j, err))
				continue
			}
			d.behaviors.rules = append(d.behaviors.rules, rule[B]{pattern: p, value: bs.Value})
		}
		for _, h := range ds.Hosts {
			key, wildcard, err := specHost(h)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			m, shown := t.exact, key
			if wildcard {
				m, shown = t.wild, "*."+key
			}
			if prev, dup := owner[shown]; dup {
				if prev == i {
					errs = append(errs, fmt.Errorf("%s: host %q listed twice", name, shown))
				} else {
					errs = append(errs, fmt.Errorf("%s: host %q is already served by distribution %d", name, shown, prev))
				}
				continue
			}
			owner[shown] = i
			m[key] = d
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// Lookup routes a request: host is the Host header (or :authority) as
// received, path the canonical path (see CanonicalPath). ok is false when
// no distribution serves the host; the caller must then refuse the
// request, never fall back to another distribution.
func (t *Table[D, B]) Lookup(host, path string) (d D, b B, ok bool) {
	dd := t.find(host)
	if dd == nil {
		return d, b, false
	}
	return dd.value, dd.behaviors.Match(path), true
}

// Distribution is the first step of Lookup, for callers that need the
// distribution before they know the path to match (for example to apply
// its default root object): it returns the distribution serving host and
// its behaviors, or ok=false when no distribution serves it.
func (t *Table[D, B]) Distribution(host string) (d D, bs *Behaviors[B], ok bool) {
	dd := t.find(host)
	if dd == nil {
		return d, nil, false
	}
	return dd.value, &dd.behaviors, true
}

// Match returns the value of the first behavior whose pattern matches the
// canonical path, or the default. A nil *Behaviors returns the zero B.
func (bs *Behaviors[B]) Match(path string) B {
	if bs == nil {
		var zero B
		return zero
	}
	for i := range bs.rules {
		if bs.rules[i].pattern.match(path) {
			return bs.rules[i].value
		}
	}
	return bs.def
}

// find returns the distribution serving a Host header value: port and one
// trailing dot removed, case folded, exact names before wildcards.
func (t *Table[D, B]) find(host string) *dist[D, B] {
	h, ok := requestHost(host)
	if !ok || len(h) > maxHostLen {
		return nil
	}
	if d := findFolded(t, h); d != nil || host[0] != '[' {
		return d
	}
	// An IPv6 literal not in canonical form ("[2001:0db8::01]"): look
	// it up as configured hosts are kept (only then, so the common case
	// does not allocate).
	if a, err := netip.ParseAddr(h); err == nil && a.Is6() && a.Zone() == "" {
		return t.exact[a.String()]
	}
	return nil
}

// findFolded looks up h with ASCII case folded.
func findFolded[D, B any](t *Table[D, B], h string) *dist[D, B] {
	for i := 0; i < len(h); i++ {
		if 'A' <= h[i] && h[i] <= 'Z' {
			var buf [maxHostLen]byte
			lower := buf[:len(h)]
			copy(lower, h)
			for j := i; j < len(lower); j++ {
				if c := lower[j]; 'A' <= c && c <= 'Z' {
					lower[j] = c + 'a' - 'A'
				}
			}
			return findLower(t, lower)
		}
	}
	return findLower(t, h)
}

// findLower looks up a lower-case host name. A map index with string(b)
// does not allocate.
func findLower[D, B any, S ~string | ~[]byte](t *Table[D, B], name S) *dist[D, B] {
	if d := t.exact[string(name)]; d != nil {
		return d
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '.' {
			if i == 0 {
				return nil
			}
			return t.wild[string(name[i+1:])]
		}
		if !isLabelByte(c) {
			return nil
		}
	}
	return nil
}
