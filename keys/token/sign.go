package token

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edgeward/edgeward/keys/keyfile"
)

// SignClaims are the claims Sign puts in a token.
type SignClaims struct {
	Subject  string // sub (optional)
	Audience string // aud (optional)
	Path     string // path: the glob of paths granted (required)
	// ExpiresAt is exp (required). NotBefore (nbf) and IssuedAt (iat) are
	// optional: the zero time leaves them out. Times are truncated to
	// whole seconds.
	ExpiresAt, NotBefore, IssuedAt time.Time
}

// Sign makes a compact JWS token signed with key (an *rsa.PrivateKey,
// *ecdsa.PrivateKey on P-256 or ed25519.PrivateKey, as keyfile reads
// them), with kid in its header and the algorithm that fits the key.
func Sign(key crypto.Signer, kid string, c SignClaims) (string, error) {
	if key == nil {
		return "", errors.New("sign token: no key")
	}
	if err := keyfile.CheckKeyID(kid); err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	alg, err := keyfile.JWSAlgorithm(key.Public())
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	switch {
	case c.Path == "":
		return "", errors.New("sign token: no path: a token must say which paths it grants (\"/*\" for all)")
	case len(c.Path) > MaxPathClaimBytes:
		return "", fmt.Errorf("sign token: path is %d bytes; at most %d are accepted", len(c.Path), MaxPathClaimBytes)
	case c.ExpiresAt.IsZero():
		return "", errors.New("sign token: no expiry: tokens must expire")
	case !c.NotBefore.IsZero() && !c.NotBefore.Before(c.ExpiresAt):
		return "", fmt.Errorf("sign token: not-before %s is not before expiry %s", c.NotBefore.Format(time.RFC3339), c.ExpiresAt.Format(time.RFC3339))
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.Subject,
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
		Path: c.Path,
	}
	if c.Audience != "" {
		claims.Audience = jwt.ClaimStrings{c.Audience}
	}
	if !c.NotBefore.IsZero() {
		claims.NotBefore = jwt.NewNumericDate(c.NotBefore)
	}
	if !c.IssuedAt.IsZero() {
		claims.IssuedAt = jwt.NewNumericDate(c.IssuedAt)
	}
	t := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	t.Header["kid"] = kid
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign token with %T: %w", key, err)
	}
	if len(s) > MaxTokenBytes {
		return "", fmt.Errorf("sign token: token is %d bytes; verifiers accept at most %d", len(s), MaxTokenBytes)
	}
	return s, nil
}
