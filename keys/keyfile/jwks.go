package keyfile

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/MicahParks/jwkset"
)

// JWKS returns a JSON Web Key Set (RFC 7517) holding keys, one JWK per
// entry (kid -> public key), sorted by kid. Every JWK has kid, kty, alg
// (RS256, ES256 or EdDSA, from the key type) and use "sig". Private keys
// are rejected, not reduced to their public half.
func JWKS(keys map[string]crypto.PublicKey) ([]byte, error) {
	if len(keys) == 0 {
		return nil, errors.New("JWKS: no keys")
	}
	set := jwkset.JWKSMarshal{Keys: make([]jwkset.JWKMarshal, 0, len(keys))}
	for _, kid := range slices.Sorted(maps.Keys(keys)) {
		if err := CheckKeyID(kid); err != nil {
			return nil, fmt.Errorf("JWKS: %w", err)
		}
		pub := keys[kid]
		alg, err := JWSAlgorithm(pub)
		if err != nil {
			return nil, fmt.Errorf("JWKS: key %q: %w", kid, err)
		}
		jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{ALG: jwkset.ALG(alg), KID: kid, USE: jwkset.UseSig},
		})
		if err != nil {
			return nil, fmt.Errorf("JWKS: key %q: %w", kid, err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	out, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	return append(out, '\n'), nil
}
