package policy

import (
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"
)

// fleContentTypes are the content types a profile may list.
var fleContentTypes = []string{FLEFormURLEncoded, FLEMultipart, FLEJSON}

// fleProfiles checks fle_profiles, loads their public keys, compiles their
// field patterns and applies the defaults.
func (v *validator) fleProfiles(ps map[string]*FLEProfile) {
	v.fles = map[string]*FLEProfile{}
	keyIDs := seenAt{}
	for _, name := range slices.Sorted(maps.Keys(ps)) {
		path := fmt.Sprintf("fle_profiles[%q]", name)
		p := ps[name]
		if p == nil {
			v.errorf(path, "a profile needs key_id, public_key and fields")
			continue
		}
		if !validName(name) {
			v.errorf(path, "%q: name profiles with letters, digits, '_' and '-', starting with a letter or digit", name)
		}
		p.Name = name
		v.fles[name] = p
		v.fleKey(path, p, keyIDs)
		v.fleFields(path, p)
		v.fleContentTypes(path, p)
		v.fleLimits(path, p)
	}
}

// fleKey checks the key id and reads the public key file; the gateway
// parses the key (and checks its Key-Id header against key_id).
func (v *validator) fleKey(path string, p *FLEProfile, keyIDs seenAt) {
	idOK := false
	switch msg := checkFLEKeyID(p.KeyID); {
	case p.KeyID == "":
		v.errorf(path+".key_id", "required: the id every ciphertext carries, naming the key pair (such as fle-2026-11)")
	case msg != "":
		v.errorf(path+".key_id", "%q: %s", p.KeyID, msg)
	default:
		idOK = true
	}
	if p.PublicKey == "" {
		v.errorf(path+".public_key", "required: the HPKE public key file `edgeward keys generate --type hpke-x25519` writes (PREFIX.pub.pem)")
		return
	}
	written := p.PublicKey
	p.PublicKey = v.abs(p.PublicKey)
	data, err := readSmallFile(p.PublicKey, maxFLEKeyFileBytes)
	if err != nil {
		v.errorf(path+".public_key", "%s: %v", written, err)
		return
	}
	p.PublicKeyPEM = data
	if idOK {
		// Two profiles may share a key (and so an id), never an id for two keys.
		if prev, dup := keyIDs.first(p.KeyID, path); dup {
			if other := v.fleAt(prev); other != nil && other.PublicKey != p.PublicKey {
				v.errorf(path+".key_id", "%q is also the key id of %s (line %d) with another public_key file; one id names one key", p.KeyID, prev, v.line(prev+".key_id"))
			}
		}
	}
}

// fleAt finds the profile a path made by fleProfiles names.
func (v *validator) fleAt(path string) *FLEProfile {
	var name string
	if _, err := fmt.Sscanf(path, "fle_profiles[%q]", &name); err != nil {
		return nil
	}
	return v.fles[name]
}

func (v *validator) fleFields(path string, p *FLEProfile) {
	if len(p.Fields) == 0 {
		v.errorf(path+".fields", "required: the names of the fields to encrypt (exact, or a prefix ending in *), at most %d", MaxFieldPatterns)
		return
	}
	pats, err := NewFieldPatterns(p.Fields)
	if err != nil {
		v.errorf(path+".fields", "%v", err)
		return
	}
	p.Patterns = pats
}

func (v *validator) fleContentTypes(path string, p *FLEProfile) {
	if p.ContentTypes == nil && !v.has(path+".content_types") {
		p.ContentTypes = []string{FLEFormURLEncoded}
		return
	}
	if len(p.ContentTypes) == 0 {
		v.errorf(path+".content_types", "list at least one of %s", strings.Join(fleContentTypes, ", "))
		return
	}
	seen := seenAt{}
	for i, ct := range p.ContentTypes {
		cpath := fmt.Sprintf("%s.content_types[%d]", path, i)
		mt, params, err := mime.ParseMediaType(ct)
		switch {
		case err != nil || len(params) != 0 || !slices.Contains(fleContentTypes, mt):
			v.errorf(cpath, "%q: use %s (no parameters)", ct, strings.Join(fleContentTypes, ", "))
			continue
		}
		p.ContentTypes[i] = mt
		if prev, dup := seen.first(mt, cpath); dup {
			v.errorf(cpath, "%q is already listed at %s", ct, prev)
		}
	}
}

func (v *validator) fleLimits(path string, p *FLEProfile) {
	switch {
	case p.MaxBody == 0 && !v.has(path+".max_body"):
		p.MaxBody = defaultFLEMaxBody
	case p.MaxBody < 1 || p.MaxBody > maxFLEBody:
		v.errorf(path+".max_body", "%s: 1 byte to %s (the gateway holds the body in memory to rewrite it)", p.MaxBody, maxFLEBody)
	}
	switch {
	case p.MaxField == 0 && !v.has(path+".max_field"):
		p.MaxField = defaultFLEMaxField
	case p.MaxField < 1:
		v.errorf(path+".max_field", "%s: at least 1 byte", p.MaxField)
	case p.MaxBody > 0 && p.MaxField > p.MaxBody:
		v.errorf(path+".max_field", "%s is more than max_body (%s)", p.MaxField, p.MaxBody)
	}
}

// fleBehavior resolves a behavior's fle_profile and checks what field-level
// encryption needs of the behavior: HTTPS only (the plaintext must not
// cross the network in the clear on its way to the edge) and a method that
// carries a body.
func (v *validator) fleBehavior(path string, b *Behavior) {
	if b.FLEProfile == "" {
		return
	}
	if _, ok := v.fles[b.FLEProfile]; !ok {
		known := "none are configured"
		if len(v.fles) > 0 {
			known = "configured: " + strings.Join(slices.Sorted(maps.Keys(v.fles)), ", ")
		}
		v.errorf(path+".fle_profile", "%q is not under fle_profiles (%s)", b.FLEProfile, known)
		return
	}
	if b.ViewerProtocol != ViewerHTTPSOnly {
		v.errorf(path+".viewer_protocol", "%q: a behavior with fle_profile needs viewer_protocol: https-only, so the fields it protects never travel in the clear", b.ViewerProtocol)
	}
	if !slices.ContainsFunc(b.AllowedMethods, func(m string) bool { return m == "POST" || m == "PUT" || m == "PATCH" }) {
		v.errorf(path+".allowed_methods", "a behavior with fle_profile must allow POST, PUT or PATCH: field-level encryption rewrites request bodies")
	}
}
