package gateway

import (
	"slices"
	"strings"
)

// canonicalQuery orders a raw query's parameters by name, keeping the
// order of repeated names (as the cache key does), so that an object stored
// for "?b=2&a=1" is found by an invalidation of "?a=1&b=2".
func canonicalQuery(raw string) string {
	if !strings.Contains(raw, "&") {
		return raw
	}
	params := strings.Split(raw, "&")
	slices.SortStableFunc(params, func(a, b string) int {
		an, _, _ := strings.Cut(a, "=")
		bn, _, _ := strings.Cut(b, "=")
		return strings.Compare(an, bn)
	})
	return strings.Join(params, "&")
}
