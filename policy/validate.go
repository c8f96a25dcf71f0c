package policy

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// validator applies defaults to a decoded Config and reports every
// semantic problem at the line of the key path it concerns.
type validator struct {
	ps   *problems
	root *yaml.Node
	dir  string // absolute directory of the config file
	// reported holds key paths whose values failed to decode (and were
	// reported then); problems at or below them are not reported again.
	reported map[string]bool
	// keyGroupNames are the names under key_groups, for trusted_key_groups.
	keyGroupNames map[string]bool
	// geoFiles are the geo policy files loaded so far, by absolute path
	// (nil for a file that failed: its problems were reported once).
	geoFiles map[string]*GeoPolicy
	wafFiles map[string]*WAFPolicy
	// fles are the fle_profiles by name, for behaviors' fle_profile.
	fles map[string]*FLEProfile
}

// errorf reports a problem with the value at path ("listen.http"),
// prefixing the message with the path.
func (v *validator) errorf(path, format string, args ...any) {
	for p := path; p != ""; p = p[:max(strings.LastIndexAny(p, ".["), 0)] {
		if v.reported[p] {
			return
		}
	}
	v.ps.add(lineOf(v.root, path), "%s: %s", where(path), fmt.Sprintf(format, args...))
}

// has reports whether path is written (and not null) in the file.
func (v *validator) has(path string) bool { return present(v.root, path) }

// line returns the line of path, for messages that point at a second place.
func (v *validator) line(path string) int { return lineOf(v.root, path) }

// ref returns " (line N)" naming the line of path prev, for a message
// reported at path here; "" when both are on the same line.
func (v *validator) ref(prev, here string) string {
	if l := v.line(prev); l != v.line(here) {
		return fmt.Sprintf(" (line %d)", l)
	}
	return ""
}

// abs resolves a file path from the config against the config's directory.
func (v *validator) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(v.dir, p)
}

// config validates c and fills in its defaults.
func (v *validator) config(c *Config) {
	v.nodeName(c)
	v.listen(&c.Listen)
	v.https(c)
	v.admin(&c.Admin)
	v.accessLog(&c.AccessLog)
	v.limits(&c.Limits)
	v.cache(&c.Cache)
	v.keyGroupNames = v.keyGroups(c.KeyGroups)
	v.geodata(c.Geodata)
	v.fleProfiles(c.FLEProfiles)
	v.distributions(c.Distributions)
}
