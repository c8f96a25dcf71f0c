package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"time"
)

// Limits on key groups and keys. CloudFront allows 4 trusted key groups per
// behavior and (we believe) 5 keys per group; this package takes up to
// MaxKeysPerGroup so a rotation can overlap old and new keys generously,
// and leaves the stricter limit to the config validation.
const (
	MaxGroups        = 4
	MaxKeysPerGroup  = 10
	MaxKeyIDLen      = 128
	MinRSABits       = 2048
	MaxRSABits       = 4096
	maxGroupNameLen  = 128
	maxClockSkewSize = time.Hour
)

// Key is one public key of a key group, as configured.
type Key struct {
	// ID is the Key-Pair-Id value signers send: 1 to MaxKeyIDLen ASCII
	// letters and digits (CloudFront's ids are upper-case alphanumerics),
	// so it travels in a URL or cookie without escaping.
	ID string
	// Public is an *rsa.PublicKey of MinRSABits to MaxRSABits bits, or an
	// *ecdsa.PublicKey on P-256.
	Public crypto.PublicKey
	// NotBefore and NotAfter bound when signatures made with the key are
	// accepted: from NotBefore (inclusive) until NotAfter (exclusive), each
	// widened by the verifier's clock skew. Zero means no bound.
	NotBefore time.Time
	NotAfter  time.Time
}

// Group is a named key group: the unit a behavior trusts.
type Group struct {
	name string
	keys []Key
}

// NewGroup checks and returns a key group: a non-empty name, 1 to
// MaxKeysPerGroup keys with unique, well-formed ids, RSA keys of
// MinRSABits to MaxRSABits bits or ECDSA P-256 keys, and NotBefore before
// NotAfter where both are set.
func NewGroup(name string, keys []Key) (*Group, error) {
	if name == "" {
		return nil, errors.New("key group: empty name")
	}
	if len(name) > maxGroupNameLen || !printable(name) {
		return nil, fmt.Errorf("key group %s: a name is 1 to %d printable ASCII characters", clip(name), maxGroupNameLen)
	}
	switch {
	case len(keys) == 0:
		return nil, fmt.Errorf("key group %q: no keys", name)
	case len(keys) > MaxKeysPerGroup:
		return nil, fmt.Errorf("key group %q: %d keys; a group holds at most %d", name, len(keys), MaxKeysPerGroup)
	}
	g := &Group{name: name, keys: make([]Key, len(keys))}
	seen := make(map[string]int, len(keys))
	for i, k := range keys {
		if err := CheckKeyID(k.ID); err != nil {
			return nil, fmt.Errorf("key group %q, key %d: %w", name, i, err)
		}
		if j, dup := seen[k.ID]; dup {
			return nil, fmt.Errorf("key group %q, key %d: id %q is already key %d", name, i, k.ID, j)
		}
		seen[k.ID] = i
		if err := checkPublicKey(k.Public); err != nil {
			return nil, fmt.Errorf("key group %q, key %q: %w", name, k.ID, err)
		}
		if !k.NotBefore.IsZero() && !k.NotAfter.IsZero() && !k.NotBefore.Before(k.NotAfter) {
			return nil, fmt.Errorf("key group %q, key %q: NotAfter %s is not after NotBefore %s",
				name, k.ID, k.NotAfter.Format(time.RFC3339), k.NotBefore.Format(time.RFC3339))
		}
		g.keys[i] = k
	}
	return g, nil
}

// Name returns the group's name.
func (g *Group) Name() string { return g.name }

// Keys returns a copy of the group's keys.
func (g *Group) Keys() []Key { return append([]Key(nil), g.keys...) }

// CheckKeyID accepts a Key-Pair-Id: 1 to MaxKeyIDLen ASCII letters and
// digits, as CloudFront's public key ids.
func CheckKeyID(id string) error {
	if id == "" {
		return errors.New("empty key id")
	}
	if len(id) > MaxKeyIDLen || !alnum(id) {
		return fmt.Errorf("key id %s: want 1 to %d ASCII letters and digits", clip(id), MaxKeyIDLen)
	}
	return nil
}

// checkPublicKey accepts the key types CloudFront accepts for signed URLs.
func checkPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return errors.New("nil RSA key")
		}
		if n := k.N.BitLen(); n < MinRSABits || n > MaxRSABits {
			return fmt.Errorf("RSA key of %d bits; want %d to %d", n, MinRSABits, MaxRSABits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return fmt.Errorf("RSA public exponent %d is not an odd number >= 3", k.E)
		}
		return nil
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return errors.New("nil ECDSA key")
		}
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA key on %s; only P-256 is supported", k.Curve.Params().Name)
		}
		if _, err := k.ECDH(); err != nil { // checks the point is on the curve
			return fmt.Errorf("ECDSA key: %w", err)
		}
		return nil
	case nil:
		return errors.New("no public key")
	}
	return fmt.Errorf("a %T key; want *rsa.PublicKey or *ecdsa.PublicKey (P-256)", pub)
}

// inWindow reports whether t, with skew tolerance, is within k's window.
func (k *Key) inWindow(t time.Time, skew time.Duration) bool {
	if !k.NotBefore.IsZero() && t.Before(k.NotBefore.Add(-skew)) {
		return false
	}
	if !k.NotAfter.IsZero() && !t.Before(k.NotAfter.Add(skew)) {
		return false
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
