package keys

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/maypok86/otter/v2"
)

// DefaultCacheSize is the verification cache's size when
// VerifierConfig.CacheSize is 0.
const DefaultCacheSize = 10000

// verifyCache remembers signatures that verified, so a URL or cookie set
// seen again skips the RSA or ECDSA operation.
//
// Safety: an entry is stored only after the signature verified. Its key is
// SHA-256 over the policy kind, the key id, the hash algorithm, the
// decoded signature and the exact signed bytes (for a canned policy, the
// document rebuilt from this request's URL and Expires), each
// length-prefixed. Within one Verifier a key id names one public key
// (NewVerifier refuses an id bound to two keys), so a hit means "this
// signature verified over these bytes under this key with this hash", a
// fact that does not change with time. The stored value is the custom
// policy parsed from those same bytes, a pure function of them (or
// nothing, and the bytes are parsed again). Everything that depends on the
// request or the clock (the key's window, DateLessThan, DateGreaterThan,
// IpAddress, Resource) is checked on every request, hit or miss. Failures
// are never stored. A Verifier is rebuilt on every configuration change,
// so a retired key's entries go with the old Verifier.
type verifyCache struct {
	c *otter.Cache[cacheKey, *cacheEntry]
}

type cacheKey [sha256.Size]byte

type cacheEntry struct {
	// policy is the parsed custom policy; nil for a canned policy, and for
	// a custom one larger than maxCachedPolicy (parsed again on a hit), so
	// that a full cache stays within a few tens of MiB.
	policy *customPolicy
}

// maxCachedPolicy bounds the memory of a parsed policy kept in the cache.
const maxCachedPolicy = 4 << 10

func newVerifyCache(size int) (*verifyCache, error) {
	if size < 0 {
		return nil, nil
	}
	if size == 0 {
		size = DefaultCacheSize
	}
	c, err := otter.New(&otter.Options[cacheKey, *cacheEntry]{MaximumSize: size})
	if err != nil {
		return nil, err
	}
	return &verifyCache{c: c}, nil
}

func (vc *verifyCache) get(k cacheKey) (*cacheEntry, bool) {
	if vc == nil {
		return nil, false
	}
	return vc.c.GetIfPresent(k)
}

func (vc *verifyCache) put(k cacheKey, e *cacheEntry) {
	if vc != nil {
		vc.c.Set(k, e)
	}
}

// makeCacheKey hashes what a signature check depends on, and the kind of
// policy: a custom policy may hold exactly the bytes of a canned one (the
// Go SDK's canned cookies do), and its entry carries the parsed policy
// while a canned entry carries none.
func makeCacheKey(kind, keyID string, h HashAlgorithm, sig, signed []byte) cacheKey {
	d := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		d.Write(n[:])
		d.Write(b)
	}
	field([]byte(kind))
	field([]byte(keyID))
	field([]byte{byte(h.crypto())})
	field(sig)
	field(signed)
	var k cacheKey
	d.Sum(k[:0])
	return k
}
