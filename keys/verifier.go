package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// VerifierConfig is what a Verifier checks against.
type VerifierConfig struct {
	// Groups are the behavior's trusted key groups, 1 to MaxGroups.
	Groups []*Group
	// ClockSkew widens every time check by this much in the viewer's
	// favor: DateLessThan/Expires, DateGreaterThan and the keys'
	// NotBefore/NotAfter. 0 to one hour.
	ClockSkew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CacheSize is the number of verified signatures remembered (see
	// doc.go); 0 means DefaultCacheSize, < 0 turns the cache off.
	CacheSize int
}

// Verifier checks CloudFront signed URLs and signed cookies against a set
// of key groups. It is immutable and safe for concurrent use.
type Verifier struct {
	keys  map[string]*keyEntry
	skew  time.Duration
	now   func() time.Time
	cache *verifyCache
}

// keyEntry is one key id: its public key and the windows in which each
// group that holds it accepts it.
type keyEntry struct {
	pub     crypto.PublicKey
	windows []groupKey
}

type groupKey struct {
	group string
	key   Key
}

// Request is what the verifier needs from an HTTP request.
type Request struct {
	Scheme   string     // "http" or "https"
	Host     string     // the Host header as sent (may contain a port)
	RawPath  string     // the path exactly as the viewer sent it (not normalised, still percent-encoded)
	RawQuery string     // the raw query string, without '?'
	Cookie   []string   // the request's Cookie header lines (net/http's r.Header["Cookie"])
	ClientIP netip.Addr // the viewer address IpAddress conditions are checked against
}

// Grant describes an accepted request, for the access log.
type Grant struct {
	KeyID   string        // the Key-Pair-Id
	Group   string        // the key group the key was accepted from
	Source  string        // SourceURL or SourceCookie
	Policy  string        // PolicyCanned or PolicyCustom
	Hash    HashAlgorithm // HashDefault when the request named none
	Expires time.Time     // DateLessThan (Expires), UTC
	Cached  bool          // the signature check was answered from the cache
}

// NewVerifier checks cfg and builds a Verifier. A key id in several groups
// must name the same public key in each.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	switch n := len(cfg.Groups); {
	case n == 0:
		return nil, errors.New("verifier: no key groups")
	case n > MaxGroups:
		return nil, fmt.Errorf("verifier: %d key groups; a behavior trusts at most %d", n, MaxGroups)
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > maxClockSkewSize {
		return nil, fmt.Errorf("verifier: clock skew %v is outside 0 to %v", cfg.ClockSkew, maxClockSkewSize)
	}
	v := &Verifier{keys: map[string]*keyEntry{}, skew: cfg.ClockSkew, now: cfg.Now}
	if v.now == nil {
		v.now = time.Now
	}
	names := map[string]bool{}
	for i, g := range cfg.Groups {
		if g == nil || g.name == "" {
			return nil, fmt.Errorf("verifier: key group %d is nil (make groups with NewGroup)", i)
		}
		if names[g.name] {
			return nil, fmt.Errorf("verifier: key group %q is listed twice", g.name)
		}
		names[g.name] = true
		for _, k := range g.keys {
			e := v.keys[k.ID]
			if e == nil {
				e = &keyEntry{pub: k.Public}
				v.keys[k.ID] = e
			} else if !samePublicKey(e.pub, k.Public) {
				return nil, fmt.Errorf("verifier: key id %q names different public keys in groups %q and %q", k.ID, e.windows[0].group, g.name)
			}
			e.windows = append(e.windows, groupKey{group: g.name, key: k})
		}
	}
	c, err := newVerifyCache(cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("verifier: cache: %w", err)
	}
	v.cache = c
	return v, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	switch k := a.(type) {
	case *rsa.PublicKey:
		return k.Equal(b)
	case *ecdsa.PublicKey:
		return k.Equal(b)
	}
	return false
}

// Verify decides whether r carries a valid CloudFront signature. The
// checks run in this order; the first that fails decides the Error:
//
//  1. the signing parameters: from the query if any is there, else from
//     the cookies; duplicates, an encoded parameter name, sizes (malformed);
//  2. completeness: Key-Pair-Id, Signature, and exactly one of Expires and
//     Policy (missing; both Expires and Policy is malformed);
//  3. syntax: Hash-Algorithm, the base64 of Signature and Policy, the
//     integer Expires, the request URL for a canned policy (malformed);
//  4. the key: Key-Pair-Id in one of the groups and inside its window
//     (unknown-key);
//  5. the signature over the exact signed bytes (bad-signature), or a
//     verification cache hit for the same bytes;
//  6. for a custom policy, the strict parse of those bytes (malformed);
//  7. time: DateLessThan/Expires (expired), DateGreaterThan
//     (not-yet-valid);
//  8. IpAddress (ip-mismatch), then Resource (resource-mismatch).
func (v *Verifier) Verify(r *Request) (*Grant, *Error) {
	if r == nil {
		return nil, errRequest("no request")
	}
	now := v.now()
	p, e := requestParams(r.RawQuery, r.Cookie)
	if e != nil {
		return nil, e
	}
	if e := p.complete(); e != nil {
		return nil, e
	}
	g := &Grant{KeyID: p.val[pKeyPairID], Source: p.source, Hash: HashDefault}
	if p.has[pHashAlgorithm] {
		if g.Hash, e = parseHashAlgorithm(p.name(pHashAlgorithm), p.val[pHashAlgorithm]); e != nil {
			return nil, e
		}
	}
	sig, err := decodeCF(p.val[pSignature])
	if err != nil {
		return nil, newError(ReasonMalformed, MessageAccessDenied, "%s: %v", p.name(pSignature), err)
	}

	// The signed bytes: the canned policy rebuilt from this request, or the
	// custom policy as sent.
	var signed []byte
	if p.has[pExpires] {
		g.Policy = PolicyCanned
		exp, err := parseEpoch(p.val[pExpires])
		if err != nil {
			return nil, errMalformed("%s: %v", p.name(pExpires), err)
		}
		g.Expires = time.Unix(exp, 0).UTC()
		u, e := requestURL(r)
		if e != nil {
			return nil, e
		}
		signed = appendCanned(make([]byte, 0, len(u)+96), u, p.val[pExpires])
	} else {
		g.Policy = PolicyCustom
		if signed, err = decodeCF(p.val[pPolicy]); err != nil {
			return nil, errMalformed("%s: %v", p.name(pPolicy), err)
		}
	}

	key, e := v.key(g, now)
	if e != nil {
		return nil, e
	}

	ck := makeCacheKey(g.Policy, g.KeyID, g.Hash, sig, signed)
	entry, hit := v.cache.get(ck)
	if !hit {
		if !verifySignature(key.pub, g.Hash, signed, sig) {
			return nil, errDenied(ReasonBadSignature, "signature does not verify under key %q with %s (%s policy from the %s)",
				g.KeyID, g.Hash.crypto(), g.Policy, p.source)
		}
		entry = &cacheEntry{}
	}
	pol := entry.policy
	if g.Policy == PolicyCustom && pol == nil {
		// A miss, or a hit on a policy too large to keep parsed: parse the
		// bytes whose signature verified.
		if pol, err = parsePolicy(signed); err != nil {
			return nil, errMalformed("%s: %v", p.name(pPolicy), err)
		}
		if !hit && pol.footprint() <= maxCachedPolicy {
			entry.policy = pol
		}
	}
	if !hit {
		v.cache.put(ck, entry)
	}
	g.Cached = hit

	if g.Policy == PolicyCanned {
		if !now.Before(g.Expires.Add(v.skew)) {
			return nil, errDenied(ReasonExpired, "expired at %s (now %s, skew %v)", fmtTime(g.Expires), fmtTime(now), v.skew)
		}
		return g, nil
	}
	if e := v.checkCustom(pol, r, now, g); e != nil {
		return nil, e
	}
	return g, nil
}

// complete checks that the parameters form a whole credential.
func (p *params) complete() *Error {
	switch {
	case !p.any():
		return newError(ReasonMissing, MessageMissingKeyPairID, "no signing parameters in the query or cookies")
	case p.val[pKeyPairID] == "":
		return newError(ReasonMissing, MessageMissingKeyPairID, "%s is missing or empty", p.name(pKeyPairID))
	case p.has[pExpires] && p.has[pPolicy]:
		return errMalformed("both %s and %s are present", p.name(pExpires), p.name(pPolicy))
	case p.val[pSignature] == "":
		return newError(ReasonMissing, MessageMissingSignature, "%s is missing or empty", p.name(pSignature))
	case !p.has[pExpires] && !p.has[pPolicy]:
		return newError(ReasonMissing, MessageMissingPolicy, "neither %s nor %s is present", p.name(pExpires), p.name(pPolicy))
	}
	return nil
}

// name is how parameter i is called where it came from.
func (p *params) name(i int) string {
	if p.source == SourceCookie {
		return "cookie " + cookieNames[i]
	}
	return queryNames[i]
}

// key finds the Key-Pair-Id's key and the first group whose window for it
// contains now.
func (v *Verifier) key(g *Grant, now time.Time) (*keyEntry, *Error) {
	e := v.keys[g.KeyID]
	if e == nil {
		return nil, newError(ReasonUnknownKey, MessageUnknownKey, "Key-Pair-Id %s is in none of the trusted key groups", clip(g.KeyID))
	}
	for i := range e.windows {
		if e.windows[i].key.inWindow(now, v.skew) {
			g.Group = e.windows[i].group
			return e, nil
		}
	}
	k := e.windows[0].key
	return nil, newError(ReasonUnknownKey, MessageUnknownKey, "key %q is outside its validity window (not before %s, not after %s; now %s, skew %v)",
		g.KeyID, fmtTime(k.NotBefore), fmtTime(k.NotAfter), fmtTime(now), v.skew)
}

// checkCustom runs the request-dependent checks of a custom policy.
func (v *Verifier) checkCustom(pol *customPolicy, r *Request, now time.Time, g *Grant) *Error {
	g.Expires = time.Unix(pol.lessThan, 0).UTC()
	if !now.Before(g.Expires.Add(v.skew)) {
		return errDenied(ReasonExpired, "expired at %s (now %s, skew %v)", fmtTime(g.Expires), fmtTime(now), v.skew)
	}
	if pol.hasGreater {
		start := time.Unix(pol.greaterThan, 0).UTC()
		if now.Before(start.Add(-v.skew)) {
			return errDenied(ReasonNotYetValid, "valid from %s (now %s, skew %v)", fmtTime(start), fmtTime(now), v.skew)
		}
	}
	if pol.hasIP {
		ip := r.ClientIP.Unmap().WithZone("")
		if !ip.IsValid() || !pol.ip.Contains(ip) {
			return errDenied(ReasonIPMismatch, "viewer %s is not in %s", ip, pol.ip)
		}
	}
	if pol.resource == nil {
		return nil
	}
	url, e := requestURL(r)
	if e != nil {
		return e
	}
	if pol.wildcard && ambiguousPath(r.RawPath) {
		return errDenied(ReasonResourceMismatch, "path %s has a dot-segment or an encoded separator; a wildcard Resource is never matched against it", clip(r.RawPath))
	}
	if !pol.resource.match(url) {
		return errDenied(ReasonResourceMismatch, "URL %s does not match Resource %s", clipLong(url), clipLong(pol.rawResource))
	}
	return nil
}

// verifySignature checks sig over msg with the algorithm the key implies:
// RSA PKCS #1 v1.5, or ECDSA with an ASN.1 DER signature.
func verifySignature(pub crypto.PublicKey, h HashAlgorithm, msg, sig []byte) bool {
	digest := h.digest(msg)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h.crypto(), digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	return false
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// clipLong quotes at most 64 bytes of a URL or Resource for a log detail.
func clipLong(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("%q...(%d bytes)", s[:64], len(s))
	}
	return fmt.Sprintf("%q", s)
}
