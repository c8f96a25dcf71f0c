package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// allMethods is what allowed_methods: [ALL] stands for, in the order
// methods are stored.
var allMethods = []string{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}

// defaultMethods is allowed_methods when it is left out.
var defaultMethods = []string{"GET", "HEAD"}

func (v *validator) defaultBehavior(path string, b *Behavior, origins map[string]bool) {
	if b.Path != "" {
		v.errorf(path+".path", "the default behavior matches every path and has no path setting")
	}
	v.behavior(path, b, origins)
}

func (v *validator) behaviors(dpath string, bs []Behavior, origins map[string]bool) {
	seen := seenAt{}
	for i := range bs {
		path := fmt.Sprintf("%s.behaviors[%d]", dpath, i)
		b := &bs[i]
		if v.pattern(path+".path", b.Path) {
			if prev, dup := seen.first(b.Path, path); dup {
				v.errorf(path+".path", "%q is already the path of %s (line %d)", b.Path, prev, v.line(prev+".path"))
			}
		}
		v.behavior(path, b, origins)
	}
}

// pattern checks a behavior's path pattern and reports whether it is valid.
func (v *validator) pattern(path, p string) bool {
	switch {
	case p == "":
		v.errorf(path, "a behavior needs a path pattern, such as /images/*")
	case p[0] != '/' && p[0] != '*':
		v.errorf(path, "%q must start with \"/\" or \"*\"", p)
	case len(p) > maxObjectLen:
		v.errorf(path, "the pattern is %d characters long; at most %d are allowed", len(p), maxObjectLen)
	default:
		r, pos, bad := badPathChar(p, "")
		if !bad {
			return true
		}
		v.errorf(path, "%q has an invalid character %q at position %d (patterns are printable ASCII without spaces; * and ? are the wildcards)", p, r, pos)
	}
	return false
}

// behavior checks what a behavior and the default behavior share: the
// origin, the allowed methods and the cache policy.
func (v *validator) behavior(path string, b *Behavior, origins map[string]bool) {
	switch {
	case b.Origin == "":
		v.errorf(path+".origin", "required: name the id of one of the distribution's origins or origin groups")
	case len(origins) == 0: // reported at origins
	case !origins[b.Origin]:
		known := strings.Join(slices.Sorted(maps.Keys(origins)), ", ")
		v.errorf(path+".origin", "%q is not an origin or origin group of this distribution (it has: %s)", b.Origin, known)
	}
	b.AllowedMethods = v.methods(path+".allowed_methods", b.AllowedMethods)
	b.Cache = v.cachePolicy(path+".cache", b.Cache)
	v.signedAccess(path, b)
	v.viewerProtocol(path, b)
	v.fleBehavior(path, b)
}

// methods checks allowed_methods and returns it upper-cased, in the
// order of allMethods, with ALL expanded and the default applied.
func (v *validator) methods(path string, ms []string) []string {
	if ms == nil && !v.has(path) {
		return slices.Clone(defaultMethods)
	}
	set := map[string]bool{}
	ok := true
	for i, m := range ms {
		up := strings.ToUpper(m)
		mp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case up == "ALL" && len(ms) == 1:
			return slices.Clone(allMethods)
		case up == "ALL":
			v.errorf(mp, "ALL must be the only method listed")
			ok = false
		case !slices.Contains(allMethods, up):
			v.errorf(mp, "%q is not a method; use GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE or ALL", m)
			ok = false
		case set[up]:
			v.errorf(mp, "%s is listed twice", up)
			ok = false
		default:
			set[up] = true
		}
	}
	if ok && (!set["GET"] || !set["HEAD"]) {
		v.errorf(path, "must include GET and HEAD (as in CloudFront, every behavior allows them)")
	}
	var out []string
	for _, m := range allMethods {
		if set[m] {
			out = append(out, m)
		}
	}
	return out
}

func (v *validator) errorResponses(dpath string, rs []CustomErrorResponse) {
	seen := seenAt{}
	for i := range rs {
		path := fmt.Sprintf("%s.custom_error_responses[%d]", dpath, i)
		r := &rs[i]
		switch {
		case r.Status == 0:
			v.errorf(path+".status", "required: the error status to replace (400 to 599)")
		case r.Status < 400 || r.Status > 599:
			v.errorf(path+".status", "%d is out of range: must be an error status from 400 to 599", r.Status)
		default:
			if prev, dup := seen.first(fmt.Sprint(r.Status), path); dup {
				v.errorf(path+".status", "%d already has a custom error response at %s (line %d)", r.Status, prev, v.line(prev+".status"))
			}
		}
		switch {
		case r.Page == "":
			v.errorf(path+".page", "required: the path of the page to serve, such as /errors/404.html")
		case r.Page[0] != '/':
			v.errorf(path+".page", "%q must start with \"/\"", r.Page)
		case len(r.Page) > maxObjectLen:
			v.errorf(path+".page", "is %d characters long; at most %d are allowed", len(r.Page), maxObjectLen)
		default:
			if c, _, bad := badPathChar(r.Page, "#\\"); bad {
				v.errorf(path+".page", "%q has an invalid character %q", r.Page, c)
			}
		}
		switch {
		case !v.has(path+".response_code") && r.ResponseCode == 0:
			r.ResponseCode = r.Status
		case r.ResponseCode < 200 || r.ResponseCode > 599:
			v.errorf(path+".response_code", "%d is out of range: must be from 200 to 599", r.ResponseCode)
		}
	}
}
