package policy

import (
	"reflect"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// The cache settings that YAML may write in more than one shape: a
// behavior's cache policy ("disabled" or a mapping) and the query strings
// and cookies of its cache key ("none", "all", a list, {except: [...]}).
// The strict decoder checks each shape here, and their UnmarshalYAML
// methods decode what it left.

var (
	cachePolicyType = reflect.TypeFor[CachePolicy]()
	keyValuesType   = reflect.TypeFor[KeyValues]()
	exceptType      = reflect.TypeFor[exceptNames]()
	namesType       = reflect.TypeFor[[]string]()
)

// cacheDisabled is the one string a cache policy may be.
const cacheDisabled = "disabled"

// exceptNames is the mapping form of KeyValues, {except: [names]}.
type exceptNames struct {
	Except []string `yaml:"except"`
}

// plainCachePolicy is CachePolicy without its UnmarshalYAML method, to
// decode the mapping form with yaml.v3's own struct decoding.
type plainCachePolicy CachePolicy

// cachePolicy checks a behavior's cache value: "disabled", or a mapping
// checked like any other settings block.
func (d *strictDecoder) cachePolicy(n *yaml.Node, path string) error {
	switch {
	case n.Kind == yaml.MappingNode:
		return d.mapping(n, cachePolicyType, path)
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value == cacheDisabled:
		return nil
	}
	d.wrongShape(n, path, `"disabled" or a mapping of cache settings (min_ttl, default_ttl, query_strings, ...)`)
	return nil
}

// keyValues checks the query strings or cookies of a cache key: "none",
// "all", a list of names, or a mapping {except: [names]}.
func (d *strictDecoder) keyValues(n *yaml.Node, path string) error {
	const want = `"none", "all", a list of names, or {except: [names]}`
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" && (n.Value == "none" || n.Value == "all") {
			return nil
		}
	case yaml.SequenceNode:
		return d.check(n, namesType, path)
	case yaml.MappingNode:
		before := len(d.ps.list)
		if err := d.check(n, exceptType, path); err != nil {
			return err
		}
		k, v := findKey(n, "except")
		switch {
		case len(d.ps.list) > before && (v == nil || isNull(deref(v))):
			// Already reported (an unknown key, a bad list).
		case v == nil:
			d.ps.add(n.Line, "%s: expected %s, got a mapping without except", where(path), want)
		case isNull(deref(v)):
			d.ps.add(k.Line, "%s: expected a list of names, got null", join(path, "except"))
		default:
			return nil
		}
		d.bad[path] = true
		nullify(n)
		return nil
	}
	d.wrongShape(n, path, want)
	return nil
}

// UnmarshalYAML decodes "disabled" or a mapping of cache settings.
func (c *CachePolicy) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value != cacheDisabled {
			return lineError(n, "expected \"disabled\" or a mapping of cache settings, got %s", describe(n))
		}
		*c = CachePolicy{Disabled: true}
		return nil
	}
	var p plainCachePolicy
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = CachePolicy(p)
	return nil
}

// UnmarshalYAML decodes "none", "all", a list of names (an allowlist) or
// {except: [names]}. An empty list or except list is kept as written; the
// validator turns them into none and all.
func (kv *KeyValues) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Value {
		case "none":
			*kv = KeyValues{Mode: KeyNone}
			return nil
		case "all":
			*kv = KeyValues{Mode: KeyAll}
			return nil
		}
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		*kv = KeyValues{Mode: KeyAllow, Names: names}
		return nil
	case yaml.MappingNode:
		var e exceptNames
		if err := n.Decode(&e); err != nil {
			return err
		}
		*kv = KeyValues{Mode: KeyExcept, Names: e.Except}
		return nil
	}
	return lineError(n, "expected \"none\", \"all\", a list of names, or {except: [names]}, got %s", describe(n))
}

// String names the mode as the YAML writes it: "none", "all", "allowlist"
// (a list of names) or "except".
func (m KeyMode) String() string {
	switch m {
	case KeyNone:
		return "none"
	case KeyAll:
		return "all"
	case KeyAllow:
		return "allowlist"
	case KeyExcept:
		return "except"
	}
	return "KeyMode(" + strconv.Itoa(int(m)) + ")"
}
