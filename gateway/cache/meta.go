package cache

import (
	"net/http"
	"strings"
)

// metaOverhead is the fixed part of a memory entry's weight: the object,
// its Meta and the otter node, roughly.
const metaOverhead = 512

// cloneMeta returns a deep copy of m, so that the store's objects never
// share mutable state with a caller.
func cloneMeta(m *Meta) *Meta {
	c := *m
	if m.Tags != nil {
		c.Tags = append([]string(nil), m.Tags...)
	}
	if m.Vary != nil {
		c.Vary = append([]string(nil), m.Vary...)
	}
	if m.Header != nil {
		c.Header = m.Header.Clone()
	}
	return &c
}

// metaWeight estimates the memory a Meta and its key hold.
func metaWeight(key string, m *Meta) int64 {
	n := int64(metaOverhead + len(key) + len(m.Dist) + len(m.Path) + len(m.Query) + len(m.Encoding))
	for _, t := range m.Tags {
		n += int64(16 + len(t))
	}
	for _, v := range m.Vary {
		n += int64(16 + len(v))
	}
	n += headerWeight(m.Header)
	return n
}

func headerWeight(h http.Header) int64 {
	var n int64
	for k, vs := range h {
		n += int64(48 + len(k))
		for _, v := range vs {
			n += int64(16 + len(v))
		}
	}
	return n
}

// lowerTags returns the tags lower-cased and without duplicates, for the
// invalidation index.
func lowerTags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(t)
		dup := false
		for _, o := range out {
			if o == t {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}
