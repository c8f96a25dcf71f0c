package token

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are what a verified token says.
type Claims struct {
	// Subject is the sub claim (may be empty).
	Subject string
	// Path is the path claim: the glob of paths the token grants.
	Path string
	// ExpiresAt is the exp claim.
	ExpiresAt time.Time
	// KeyID is the kid of the key that verified the token.
	KeyID string
}

// tokenClaims is the wire form of a token's claims: the registered claims
// plus "path".
type tokenClaims struct {
	jwt.RegisteredClaims
	Path string `json:"path,omitempty"`
}

var _ jwt.Claims = (*tokenClaims)(nil)
