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

// geoPolicies loads the geo policy files of a distribution and sets
// every behavior's Geo: its own file, else the distribution's, else nil.
func (v *validator) geoPolicies(dpath string, d *Distribution) {
	var def *GeoPolicy
	switch d.GeoPolicy {
	case "":
	case "none":
		v.errorf(dpath+".geo_policy", `"none" is for a behavior opting out of its distribution's geo policy; leave geo_policy out here`)
	default:
		def = v.geoFile(dpath+".geo_policy", d.GeoPolicy)
	}
	set := func(bpath string, b *Behavior) {
		switch b.GeoPolicy {
		case "":
			b.Geo = def
		case "none":
			b.Geo = nil
		default:
			b.Geo = v.geoFile(bpath+".geo_policy", b.GeoPolicy)
		}
	}
	set(dpath+".default_behavior", &d.DefaultBehavior)
	for i := range d.Behaviors {
		set(fmt.Sprintf("%s.behaviors[%d]", dpath, i), &d.Behaviors[i])
	}
}

// geoFile loads the geo policy file name (relative to the config's
// directory), once per file: its problems are reported with its own
// file name and lines. It returns nil when the file has problems.
func (v *validator) geoFile(path, name string) *GeoPolicy {
	abs := v.abs(name)
	if g, done := v.geoFiles[abs]; done {
		return g
	}
	if v.geoFiles == nil {
		v.geoFiles = map[string]*GeoPolicy{}
	}
	v.geoFiles[abs] = nil
	data, err := os.ReadFile(abs)
	if err != nil {
		v.errorf(path, "%s: %v", name, unwrapPath(err))
		return nil
	}
	g, err := ParseGeoPolicy(abs, data)
	var pe *Errors
	if errors.As(err, &pe) {
		v.errorf(path, "%s has problems (listed with its own lines)", name)
		v.ps.list = append(v.ps.list, pe.Problems...)
		return nil
	}
	v.geoFiles[abs] = g
	return g
}
