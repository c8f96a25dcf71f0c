package policy

import (
	"errors"
	"fmt"
	"os"
)

// geodata checks the GeoIP database setting. The file must exist and be
// readable; the gateway opens and verifies it (policy does not read
// databases).
func (v *validator) geodata(g *Geodata) {
	if g == nil {
		return
	}
	if g.Database == "" {
		v.errorf("geodata.database", "name a .mmdb file (GeoIP2, GeoLite2 or DB-IP, country or city), or leave geodata out to use the bundled database")
		return
	}
	g.Database = v.abs(g.Database)
	fi, err := os.Stat(g.Database)
	switch {
	case err != nil:
		v.errorf("geodata.database", "%s: %v", g.Database, unwrapPath(err))
	case !fi.Mode().IsRegular():
		v.errorf("geodata.database", "%s is not a regular file", g.Database)
	default:
		f, err := os.Open(g.Database)
		if err != nil {
			v.errorf("geodata.database", "%s: %v", g.Database, unwrapPath(err))
			return
		}
		f.Close()
	}
}

// policyRefs loads the policy files a distribution references (geo_policy,
// waf_policy) and sets every behavior's resolved policy: its own file,
// else the distribution's, else nil ("none" opts out).
func (v *validator) policyRefs(dpath string, d *Distribution) {
	resolveRefs(v, dpath, "geo_policy", d, d.GeoPolicy,
		func(b *Behavior) string { return b.GeoPolicy },
		func(b *Behavior, g *GeoPolicy) { b.Geo = g },
		func(path, name string) *GeoPolicy { return loadRef(v, &v.geoFiles, path, name, ParseGeoPolicy) })
	resolveRefs(v, dpath, "waf_policy", d, d.WAFPolicy,
		func(b *Behavior) string { return b.WAFPolicy },
		func(b *Behavior, w *WAFPolicy) { b.WAF = w },
		func(path, name string) *WAFPolicy { return loadRef(v, &v.wafFiles, path, name, ParseWAFPolicy) })
}

func resolveRefs[T any](v *validator, dpath, key string, d *Distribution, distRef string,
	ref func(*Behavior) string, set func(*Behavior, *T), load func(path, name string) *T) {
	var def *T
	switch distRef {
	case "":
	case "none":
		v.errorf(dpath+"."+key, `"none" is for a behavior opting out of its distribution's %s; leave %s out here`, key, key)
	default:
		def = load(dpath+"."+key, distRef)
	}
	one := func(bpath string, b *Behavior) {
		switch r := ref(b); r {
		case "":
			set(b, def)
		case "none":
			set(b, nil)
		default:
			set(b, load(bpath+"."+key, r))
		}
	}
	one(dpath+".default_behavior", &d.DefaultBehavior)
	for i := range d.Behaviors {
		one(fmt.Sprintf("%s.behaviors[%d]", dpath, i), &d.Behaviors[i])
	}
}

// loadRef loads the policy file name (relative to the config's
// directory) once per file: its problems are reported with its own file
// name and lines. It returns nil when the file has problems.
func loadRef[T any](v *validator, cache *map[string]*T, path, name string, parse func(string, []byte) (*T, error)) *T {
	abs := v.abs(name)
	if p, done := (*cache)[abs]; done {
		return p
	}
	if *cache == nil {
		*cache = map[string]*T{}
	}
	(*cache)[abs] = nil
	data, err := os.ReadFile(abs)
	if err != nil {
		v.errorf(path, "%s: %v", name, unwrapPath(err))
		return nil
	}
	p, err := parse(abs, data)
	var pe *Errors
	if errors.As(err, &pe) {
		v.errorf(path, "%s has problems (listed with its own lines)", name)
		v.ps.list = append(v.ps.list, pe.Problems...)
		return nil
	}
	(*cache)[abs] = p
	return p
}
