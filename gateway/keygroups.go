package gateway

import (
	"fmt"
	"maps"
	"slices"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/policy"
)

// buildKeyGroups compiles the config's key groups (public keys already
// loaded and checked by policy) into the verifier's groups. A reload builds
// them anew, so a new or retired key takes effect with the new runtime
// while requests in flight finish on the old one.
func buildKeyGroups(c *policy.Config) (map[string]*keys.Group, error) {
	cfg := c.KeyGroups
	groups := make(map[string]*keys.Group, len(cfg))
	for _, name := range slices.Sorted(maps.Keys(cfg)) {
		list := make([]keys.Key, 0, len(cfg[name]))
		for _, k := range cfg[name] {
			list = append(list, keys.Key{ID: k.ID, Public: k.Key, NotBefore: k.NotBefore.Time, NotAfter: k.NotAfter.Time})
		}
		g, err := keys.NewGroup(name, list)
		if err != nil {
			return nil, &policy.Errors{Problems: []policy.Problem{c.Problem(fmt.Sprintf("key_groups[%q]", name), "%v", err)}}
		}
		groups[name] = g
	}
	return groups, nil
}
