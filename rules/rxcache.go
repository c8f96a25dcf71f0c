package rules

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// The verdict cache behind the @rx operator (rxmemo.go): which values a
// pattern matched, and where its groups were, for values seen recently.
//
// It is a set-associative table: a hash of the pattern's id and the
// value picks a set of rxWays slots (one cache line), and a slot holds
// the hash and one immutable entry behind an atomic pointer. A lookup
// is a hash, a scan of the set's hashes and, where one is equal, the
// entry compared by pattern and value (so a collision is a miss, never
// another value's verdict; a hash and entry stored apart by two
// writers at once are a miss too). A new verdict goes into an
// empty slot of its set, or else replaces the entry in the slot the
// hash's next bits pick. No locks: two requests storing into one slot
// at once both store a true verdict, and the last one stays.
//
// Bounded: at most rxSlots entries, each with a value of at most
// rxMaxValue bytes (longer values are never kept), so never more than
// about 10 MiB for the whole process however many engines share it,
// and about 2 MiB with the values benign requests carry. Values that
// keep coming back (headers, a site's paths and cookie names) stay or
// come straight back; a stream of new ones (a crawler's, an attacker's)
// costs a copy each and displaces what it lands on.
//
// An entry keeps a copy of its value: a value's bytes may belong to a
// buffer Coraza reuses once the transaction ends.

const (
	rxSlots    = 1 << 14
	rxWays     = 4
	rxMaxValue = 512
)

type rxVerdict struct {
	matched bool
	// groups holds the match's group positions (start, end pairs; -1
	// for a group that took no part), for at most maxCaptures groups;
	// nil when the match was found without them.
	groups []int32
}

type rxEntry struct {
	pattern uint64
	value   string
	verdict rxVerdict
}

type rxSlot struct {
	hash  atomic.Uint64
	entry atomic.Pointer[rxEntry]
}

type rxCache struct {
	seed  maphash.Seed
	slots [rxSlots]rxSlot
}

var rxVerdicts = newRXCache()

func newRXCache() *rxCache { return &rxCache{seed: maphash.MakeSeed()} }

// set is the slots (pattern, value) may be in, and its hash.
func (c *rxCache) set(pattern uint64, value string) ([]rxSlot, uint64) {
	h := maphash.String(c.seed, value) ^ (pattern * 0x9e3779b97f4a7c15)
	h ^= h >> 29
	first := h & (rxSlots - 1) &^ (rxWays - 1)
	return c.slots[first : first+rxWays], h
}

func (c *rxCache) get(pattern uint64, value string) (rxVerdict, bool) {
	if len(value) > rxMaxValue {
		return rxVerdict{}, false
	}
	set, h := c.set(pattern, value)
	for i := range set {
		if set[i].hash.Load() != h {
			continue
		}
		if e := set[i].entry.Load(); e != nil && e.pattern == pattern && e.value == value {
			return e.verdict, true
		}
	}
	return rxVerdict{}, false
}

// put stores v into the slot holding (pattern, value) already, an
// empty one, or else the one the hash's high bits pick.
func (c *rxCache) put(pattern uint64, value string, v rxVerdict) {
	if len(value) > rxMaxValue {
		return
	}
	set, h := c.set(pattern, value)
	slot := &set[(h>>40)%rxWays]
	for i := range set {
		if set[i].hash.Load() == h || set[i].entry.Load() == nil {
			slot = &set[i]
			break
		}
	}
	slot.hash.Store(0) // a reader between the two stores misses
	slot.entry.Store(&rxEntry{pattern: pattern, value: strings.Clone(value), verdict: v})
	slot.hash.Store(h)
}
