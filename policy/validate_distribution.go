package policy

import (
	"fmt"
	"strings"
)

// maxObjectLen bounds default_root_object, behavior paths and error pages
// (CloudFront's limit for path patterns).
const maxObjectLen = 255

// seenAt remembers where a name was first used, for "already used by"
// messages.
type seenAt map[string]string // name -> key path

// first records path as the first use of key, or returns the earlier one.
func (s seenAt) first(key, path string) (prev string, dup bool) {
	if prev, dup = s[key]; !dup {
		s[key] = path
	}
	return prev, dup
}

func (v *validator) distributions(ds []Distribution) {
	if len(ds) == 0 {
		v.errorf("distributions", "at least one distribution is required")
		return
	}
	names, hosts := seenAt{}, seenAt{}
	for i := range ds {
		path := fmt.Sprintf("distributions[%d]", i)
		v.distribution(path, &ds[i], names, hosts)
	}
}

func (v *validator) distribution(path string, d *Distribution, names, hosts seenAt) {
	v.identifier(path, "name", d.Name, "a distribution needs a name", names)
	v.hosts(path, d.Hosts, hosts)
	if d.DefaultRootObject != "" {
		v.rootObject(path+".default_root_object", d.DefaultRootObject)
	}
	ids := v.origins(path, d.Origins)
	targets := v.originGroups(path, d.OriginGroups, ids)
	for id := range ids {
		targets[id] = true
	}
	v.defaultBehavior(path+".default_behavior", &d.DefaultBehavior, targets)
	v.behaviors(path, d.Behaviors, targets)
	v.errorResponses(path, d.CustomErrorResponses)
	v.responseHeaders(path+".response_headers", &d.ResponseHeaders)
	v.policyRefs(path, d)
}

// hosts checks and normalizes a distribution's hosts; seen holds every
// host of the file, so a host is served by one distribution only.
func (v *validator) hosts(path string, hs []string, seen seenAt) {
	if len(hs) == 0 {
		v.errorf(path+".hosts", "at least one host is required")
		return
	}
	for i, h := range hs {
		hp := fmt.Sprintf("%s.hosts[%d]", path, i)
		norm, err := normalizeHost(h)
		if err != nil {
			v.errorf(hp, "%q: %v", h, err)
			continue
		}
		hs[i] = norm
		if prev, dup := seen.first(norm, hp); dup {
			v.errorf(hp, "%q is already listed at %s (line %d); a host belongs to one distribution", h, prev, v.line(prev))
		}
	}
}

func (v *validator) rootObject(path, obj string) {
	switch {
	case strings.HasPrefix(obj, "/"):
		v.errorf(path, "%q must not start with \"/\" (write %q)", obj, strings.TrimLeft(obj, "/"))
	case strings.Contains(obj, ".."):
		v.errorf(path, "%q must not contain \"..\"", obj)
	case len(obj) > maxObjectLen:
		v.errorf(path, "is %d characters long; at most %d are allowed", len(obj), maxObjectLen)
	default:
		if r, _, bad := badPathChar(obj, "?#\\"); bad {
			v.errorf(path, "%q has an invalid character %q", obj, r)
		}
	}
}

// validName reports a distribution name or origin id: letters, digits,
// '_' and '-'.
// identifier checks a name or id field: present, well-formed (validName)
// and not already used in seen; problems are reported at path.field.
func (v *validator) identifier(path, field, value, missing string, seen seenAt) {
	switch {
	case value == "":
		v.errorf(path+"."+field, "%s", missing)
	case !validName(value):
		v.errorf(path+"."+field, "%q: use only letters, digits, '_' and '-', starting with a letter or digit", value)
	default:
		if prev, dup := seen.first(value, path); dup {
			v.errorf(path+"."+field, "%q is already the %s of %s (line %d)", value, field, prev, v.line(prev+"."+field))
		}
	}
}

// validName: letters, digits, '_' and '-', starting with a letter or digit
// (a leading '-' would read as a command-line flag, and "-" is the metrics
// label of requests no distribution served).
func validName(s string) bool {
	if s == "" || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// badPathChar finds the first character of s that is not printable ASCII
// (a space is not) or is one of extra, and its 1-based position.
func badPathChar(s, extra string) (r rune, pos int, found bool) {
	for _, r := range s {
		pos++
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(extra, r) {
			return r, pos, true
		}
	}
	return 0, 0, false
}
