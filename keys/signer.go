package keys

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signer makes CloudFront signed URLs and cookies: for the same key, URL,
// policy and hash, the same bytes the AWS SDK for Go v2
// (feature/cloudfront/sign v1.12.3) makes. It refuses some inputs the SDK
// accepts but no verifier could accept (see SignURL, SignURLWithPolicy,
// SignCookies). It is immutable and safe for concurrent use.
type Signer struct {
	keyID string
	key   crypto.Signer
	hash  HashAlgorithm
	rand  io.Reader
}

// SignerOption configures a Signer.
type SignerOption func(*Signer)

// WithRandom sets the randomness passed to the key's Sign method (default
// crypto/rand.Reader). RSA PKCS #1 v1.5 signatures use none. For an
// *ecdsa.PrivateKey, nil selects deterministic RFC 6979 signatures; since
// Go 1.26 crypto/ecdsa ignores any other reader (it always uses a secure
// source) unless GODEBUG=cryptocustomrand=1.
func WithRandom(r io.Reader) SignerOption {
	return func(s *Signer) { s.rand = r }
}

// NewSigner returns a Signer for the key registered under keyID. key is an
// *rsa.PrivateKey or *ecdsa.PrivateKey, or any crypto.Signer (an HSM or
// KMS key) whose public key is RSA of MinRSABits to MaxRSABits bits or
// ECDSA P-256. HashDefault signs with SHA-1 and emits no Hash-Algorithm;
// HashSHA1 emits Hash-Algorithm=SHA1 as the Go SDK does; HashSHA256 signs
// with SHA-256.
func NewSigner(keyID string, key crypto.Signer, hash HashAlgorithm, opts ...SignerOption) (*Signer, error) {
	if err := CheckKeyID(keyID); err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	if key == nil {
		return nil, errors.New("signer: no private key")
	}
	if err := checkPublicKey(key.Public()); err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	if !hash.valid() {
		return nil, fmt.Errorf("signer: unknown %v", hash)
	}
	s := &Signer{keyID: keyID, key: key, hash: hash, rand: rand.Reader}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// KeyID returns the Key-Pair-Id the signer emits.
func (s *Signer) KeyID() string { return s.keyID }

// HashAlgorithm returns the signer's hash algorithm.
func (s *Signer) HashAlgorithm() HashAlgorithm { return s.hash }

// SignURL signs rawURL with a canned policy expiring at expires and
// returns rawURL with "Expires=...&Signature=...&Key-Pair-Id=..." (and
// "&Hash-Algorithm=..." unless HashDefault) appended after '?' or '&'.
// Unlike the SDK it refuses schemes other than http and https (no "http*"
// or RTMP canned URLs, which a verifier rebuilding the URL cannot match),
// user information, a fragment, a '*', and Hash-Algorithm among the URL's
// own parameters.
func (s *Signer) SignURL(rawURL string, expires time.Time) (string, error) {
	if err := checkURLToSign(rawURL, false); err != nil {
		return "", err
	}
	p := CannedPolicy(rawURL, expires)
	if err := p.check(true); err != nil {
		return "", fmt.Errorf("sign %s: %w", clipLong(rawURL), err)
	}
	sig, err := s.sign(p.appendJSON(nil))
	if err != nil {
		return "", err
	}
	return s.appendParams(rawURL, "Expires="+strconv.FormatInt(expires.Unix(), 10), sig), nil
}

// SignURLWithPolicy signs p as a custom policy and returns rawURL with
// "Policy=...&Signature=...&Key-Pair-Id=..." (and "&Hash-Algorithm=...")
// appended. As in the SDK, an "http*" scheme in rawURL loses its '*'.
// Unlike the SDK it refuses a policy whose Resource does not match the
// URL (or has wildcards and the URL's path a dot-segment or an encoded
// separator, see Verify), a policy without DateLessThan, and URLs as
// SignURL does.
func (s *Signer) SignURLWithPolicy(rawURL string, p Policy) (string, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return "", fmt.Errorf("sign %s: no scheme", clipLong(rawURL))
	}
	clean := strings.Replace(scheme, "*", "", 1) + "://" + rest
	if err := checkURLToSign(clean, true); err != nil {
		return "", err
	}
	if err := p.check(false); err != nil {
		return "", fmt.Errorf("sign %s: %w", clipLong(rawURL), err)
	}
	if !compilePattern(p.Resource).match(clean) {
		return "", fmt.Errorf("sign %s: the policy's Resource %s does not match the URL", clipLong(clean), clipLong(p.Resource))
	}
	if strings.ContainsAny(p.Resource, "*?") && ambiguousPath(rawPathOf(clean)) {
		return "", fmt.Errorf("sign %s: the path has a dot-segment or an encoded separator, which a wildcard Resource never matches", clipLong(clean))
	}
	doc := p.appendJSON(nil)
	sig, err := s.sign(doc)
	if err != nil {
		return "", err
	}
	return s.appendParams(clean, "Policy="+encodeCF(doc), sig), nil
}

// SignCookies returns the signed cookies for p: with canned,
// CloudFront-Expires (the policy must be canned: an exact http or https
// URL and DateLessThan only); otherwise CloudFront-Policy. Then
// CloudFront-Signature, CloudFront-Key-Pair-Id and, unless HashDefault,
// CloudFront-Hash-Algorithm. The cookies are HttpOnly, as the SDK makes
// them; the caller sets Path, Domain, Secure, SameSite and Expires.
//
// The SDK's CookieSigner.Sign puts a canned policy in CloudFront-Policy;
// SignCookies(CannedPolicy(url, t), false) makes those same cookies.
func (s *Signer) SignCookies(p Policy, canned bool) ([]*http.Cookie, error) {
	if err := p.check(canned); err != nil {
		return nil, fmt.Errorf("sign cookies: %w", err)
	}
	if canned {
		if err := checkURLToSign(p.Resource, false); err != nil {
			return nil, err
		}
	}
	doc := p.appendJSON(nil)
	sig, err := s.sign(doc)
	if err != nil {
		return nil, err
	}
	first := &http.Cookie{Name: cookieNames[pPolicy], Value: encodeCF(doc)}
	if canned {
		first = &http.Cookie{Name: cookieNames[pExpires], Value: strconv.FormatInt(p.DateLessThan.Unix(), 10)}
	}
	cookies := []*http.Cookie{
		first,
		{Name: cookieNames[pSignature], Value: sig},
		{Name: cookieNames[pKeyPairID], Value: s.keyID},
	}
	if h := s.hash.param(); h != "" {
		cookies = append(cookies, &http.Cookie{Name: cookieNames[pHashAlgorithm], Value: h})
	}
	for _, c := range cookies {
		c.HttpOnly = true
	}
	return cookies, nil
}

// sign returns the CloudFront base64 signature of doc.
func (s *Signer) sign(doc []byte) (string, error) {
	sig, err := s.key.Sign(s.rand, s.hash.digest(doc), s.hash.crypto())
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return encodeCF(sig), nil
}

// appendParams appends the policy parameter, Signature, Key-Pair-Id and
// Hash-Algorithm to u, in the SDK's order.
func (s *Signer) appendParams(u, policy, sig string) string {
	var b strings.Builder
	b.WriteString(u)
	if strings.IndexByte(u, '?') >= 0 {
		b.WriteByte('&')
	} else {
		b.WriteByte('?')
	}
	b.WriteString(policy)
	b.WriteString("&Signature=")
	b.WriteString(sig)
	b.WriteString("&Key-Pair-Id=")
	b.WriteString(s.keyID)
	if h := s.hash.param(); h != "" {
		b.WriteString("&Hash-Algorithm=")
		b.WriteString(h)
	}
	return b.String()
}

// rawPathOf returns the path of an absolute URL, as written.
func rawPathOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return ""
	}
	path, _, _ := strings.Cut(rest[i:], "?")
	return path
}

// checkURLToSign refuses a URL the signed form of which no verifier would
// accept: no http or https scheme, no host, user information, a fragment,
// signing parameters of its own (as sent or once decoded), or for a canned
// URL a '*'.
func checkURLToSign(u string, custom bool) error {
	scheme, _, _ := strings.Cut(u, "://")
	if scheme != "http" && scheme != "https" {
		return fmt.Errorf("sign %s: the scheme must be http or https", clipLong(u))
	}
	pu, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if pu.Host == "" {
		return fmt.Errorf("sign %s: no host", clipLong(u))
	}
	if pu.User != nil {
		return fmt.Errorf("sign %s: a URL to sign has no user information", clipLong(u))
	}
	if strings.IndexByte(u, '#') >= 0 {
		return fmt.Errorf("sign %s: a URL to sign has no fragment", clipLong(u))
	}
	if !custom && strings.IndexByte(u, '*') >= 0 {
		return fmt.Errorf("sign %s: a canned policy covers one exact URL; use a custom policy for '*'", clipLong(u))
	}
	_, query, _ := strings.Cut(u, "?")
	for seg := range strings.SplitSeq(query, "&") {
		name, _, _ := strings.Cut(seg, "=")
		if queryIndex(name) < 0 {
			if dn, err := url.QueryUnescape(name); err != nil || queryIndex(dn) < 0 {
				continue
			}
		}
		return fmt.Errorf("sign %s: %s cannot be a query parameter of a URL to sign", clipLong(u), clip(name))
	}
	return nil
}
