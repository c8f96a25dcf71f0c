package policy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// Key group limits. CloudFront allows 4 trusted key groups per behavior and
// 5 keys per group; Edgeward keeps both.
const (
	maxKeysPerGroup   = 5
	maxTrustedGroups  = 4
	maxClockSkew      = 5 * time.Minute
	maxKeyFileBytes   = 64 << 10
	maxJWKSBytes      = 1 << 20
	minRSABits        = 2048
	maxRSABits        = 4096
	defaultTokenHdr   = "Authorization"
	tokenHeaderOff    = "none"
	maxKeyPairIDBytes = 128
)

// signingParams are the query parameters and cookies a CloudFront signature
// travels in; a token parameter must not reuse them.
var signingParams = []string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

// keyGroups checks the key groups, loads their public keys and returns the
// group names.
func (v *validator) keyGroups(groups map[string][]GroupKey) map[string]bool {
	names := map[string]bool{}
	owner := map[string]string{} // key id -> path of its first GroupKey
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		path := fmt.Sprintf("key_groups[%q]", name)
		names[name] = true
		if !validName(name) {
			v.errorf(path, "%q: name key groups with letters, digits, '_' and '-', starting with a letter or digit", name)
		}
		ks := groups[name]
		switch {
		case len(ks) == 0:
			v.errorf(path, "a key group needs at least one key")
		case len(ks) > maxKeysPerGroup:
			v.errorf(path, "%d keys; a key group holds at most %d", len(ks), maxKeysPerGroup)
		}
		seen := seenAt{}
		for i := range ks {
			kpath := fmt.Sprintf("%s[%d]", path, i)
			v.groupKey(kpath, &ks[i], seen, owner, groups)
		}
	}
	return names
}

func (v *validator) groupKey(path string, k *GroupKey, seen seenAt, owner map[string]string, groups map[string][]GroupKey) {
	dup := false
	switch {
	case k.ID == "":
		v.errorf(path+".id", "a key needs an id: the Key-Pair-Id value signers send")
	case len(k.ID) > maxKeyPairIDBytes || !keyPairID(k.ID):
		v.errorf(path+".id", "%q: a key id is 1 to %d letters and digits", k.ID, maxKeyPairIDBytes)
	default:
		var prev string
		if prev, dup = seen.first(k.ID, path); dup {
			v.errorf(path+".id", "%q is already the id of %s (line %d)", k.ID, prev, v.line(prev+".id"))
		}
	}
	if k.PublicKey == "" {
		v.errorf(path+".public_key", "required: a PEM file with the RSA or ECDSA P-256 public key")
	} else {
		written := k.PublicKey
		k.PublicKey = v.abs(k.PublicKey)
		pub, err := loadPublicKey(k.PublicKey)
		if err != nil {
			v.errorf(path+".public_key", "%s: %v", written, err)
		}
		k.Key = pub
	}
	if k.ID != "" && k.PublicKey != "" && !dup {
		// One id names one key everywhere: a verifier finds the key by id.
		if first, ok := owner[k.ID]; ok {
			if other := groupKeyAt(groups, first); other != nil && other.PublicKey != k.PublicKey {
				v.errorf(path+".public_key", "key id %q is also used at %s (line %d) with another public_key file; one id names one key", k.ID, first, v.line(first+".id"))
			}
		} else {
			owner[k.ID] = path
		}
	}
	if !k.NotBefore.IsZero() && !k.NotAfter.IsZero() && !k.NotBefore.Before(k.NotAfter.Time) {
		v.errorf(path+".not_after", "%s is not after not_before (%s)", k.NotAfter.Format(time.RFC3339), k.NotBefore.Format(time.RFC3339))
	}
}

// groupKeyAt finds the GroupKey a path made by keyGroups names.
func groupKeyAt(groups map[string][]GroupKey, path string) *GroupKey {
	var name string
	var i int
	if _, err := fmt.Sscanf(path, "key_groups[%q][%d]", &name, &i); err != nil {
		return nil
	}
	if ks := groups[name]; i >= 0 && i < len(ks) {
		return &ks[i]
	}
	return nil
}

func keyPairID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// loadPublicKey reads a PEM public key and checks it is one CloudFront
// accepts for signed URLs: RSA of 2048 to 4096 bits, or ECDSA on P-256.
func loadPublicKey(file string) (any, error) {
	data, err := readSmallFile(file, maxKeyFileBytes)
	if err != nil {
		return nil, err
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block (want -----BEGIN PUBLIC KEY-----)")
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, errors.New("holds more than one PEM block; put one public key per file")
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		return nil, errors.New("holds a private key; configure the public key (edgeward keys generate writes both)")
	default:
		return nil, fmt.Errorf("a %q PEM block is not a public key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < minRSABits || n > maxRSABits {
			return nil, fmt.Errorf("RSA key of %d bits; use %d to %d", n, minRSABits, maxRSABits)
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on %s; only P-256 is supported", k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("a %T key; use RSA or ECDSA P-256", pub)
	}
	return pub, nil
}

// signedAccess checks a behavior's trusted_key_groups and signed block.
func (v *validator) signedAccess(path string, b *Behavior) {
	seen := seenAt{}
	if len(b.TrustedKeyGroups) > maxTrustedGroups {
		v.errorf(path+".trusted_key_groups", "%d groups; a behavior trusts at most %d", len(b.TrustedKeyGroups), maxTrustedGroups)
	}
	for i, g := range b.TrustedKeyGroups {
		gpath := fmt.Sprintf("%s.trusted_key_groups[%d]", path, i)
		switch {
		case !v.keyGroupNames[g]:
			known := "no key_groups are defined"
			if len(v.keyGroupNames) > 0 {
				known = "key groups: " + strings.Join(slices.Sorted(maps.Keys(v.keyGroupNames)), ", ")
			}
			v.errorf(gpath, "%q is not a key group (%s)", g, known)
		default:
			if prev, dup := seen.first(g, gpath); dup {
				v.errorf(gpath, "%q is already listed at %s", g, prev)
			}
		}
	}
	s := b.Signed
	if s == nil {
		return
	}
	spath := path + ".signed"
	if time.Duration(s.ClockSkew) > maxClockSkew {
		v.errorf(spath+".clock_skew", "%s is more than the %s allowed", s.ClockSkew, maxClockSkew)
	}
	if s.Token == nil && len(b.TrustedKeyGroups) == 0 {
		v.errorf(spath, "has no effect without trusted_key_groups or token: set one of them, or remove signed")
	}
	if s.Token != nil {
		v.token(spath+".token", s.Token)
	}
}

func (v *validator) token(path string, t *Token) {
	switch {
	case t.Header == "":
		t.Header = defaultTokenHdr
	case strings.EqualFold(t.Header, tokenHeaderOff):
		t.Header = ""
	case !isToken(t.Header):
		v.errorf(path+".header", "%q is not a valid header name", t.Header)
	default:
		t.Header = textproto.CanonicalMIMEHeaderKey(t.Header)
	}
	if t.Cookie != "" && !isToken(t.Cookie) {
		v.errorf(path+".cookie", "%q is not a valid cookie name", t.Cookie)
	}
	if t.Query != "" {
		switch {
		case !isToken(t.Query):
			v.errorf(path+".query", "%q is not a valid query parameter name", t.Query)
		case slices.Contains(signingParams, t.Query):
			v.errorf(path+".query", "%q is a CloudFront signing parameter; pick another name, such as token", t.Query)
		}
	}
	if t.Header == "" && t.Cookie == "" && t.Query == "" {
		v.errorf(path, "no place to read the token from: set header, cookie or query")
	}
	if t.JWKS == "" {
		v.errorf(path+".jwks", "required: a JSON Web Key Set file with the public keys tokens are signed with")
		return
	}
	written := t.JWKS
	t.JWKS = v.abs(t.JWKS)
	data, err := readSmallFile(t.JWKS, maxJWKSBytes)
	if err != nil {
		v.errorf(path+".jwks", "%s: %v", written, err)
		return
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		v.errorf(path+".jwks", "%s: not a JSON Web Key Set: %v", written, err)
		return
	}
	if len(set.Keys) == 0 {
		v.errorf(path+".jwks", "%s: the key set has no keys", written)
		return
	}
	t.JWKSData = data
}
