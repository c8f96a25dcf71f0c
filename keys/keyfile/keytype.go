package keyfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Type names a kind of key pair.
type Type string

// The supported key types.
const (
	RSA     Type = "rsa"     // RSA, 2048 bits (RS256)
	ECDSA   Type = "ecdsa"   // ECDSA on P-256 (ES256)
	Ed25519 Type = "ed25519" // Ed25519 (EdDSA)
)

// Key size limits for RSA, in bits.
const (
	MinRSABits = 2048
	MaxRSABits = 4096
)

// JWS algorithm names (RFC 7518, RFC 8037) for the supported key types.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
)

// Generate returns a new private key of type t from crypto/rand.
func Generate(t Type) (crypto.Signer, error) {
	switch t {
	case RSA:
		return rsa.GenerateKey(rand.Reader, MinRSABits)
	case ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return priv, nil
	}
	return nil, fmt.Errorf("unknown key type %q; use %q, %q or %q", string(t), RSA, ECDSA, Ed25519)
}

// CheckPublicKey reports whether pub is a public key this project accepts:
// *rsa.PublicKey of MinRSABits to MaxRSABits bits with a sane exponent,
// *ecdsa.PublicKey on P-256 with a point on the curve, or a 32-byte
// ed25519.PublicKey. The error says what is wrong.
func CheckPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.Sign() <= 0 {
			return fmt.Errorf("RSA key has no modulus")
		}
		if bits := k.N.BitLen(); bits < MinRSABits {
			return fmt.Errorf("RSA key is %d bits; at least %d are required", bits, MinRSABits)
		} else if bits > MaxRSABits {
			return fmt.Errorf("RSA key is %d bits; at most %d are supported", bits, MaxRSABits)
		}
		if k.N.Bit(0) == 0 {
			return fmt.Errorf("RSA modulus is even; not an RSA key")
		}
		if k.E < 3 || k.E > 1<<31-1 || k.E%2 == 0 {
			return fmt.Errorf("RSA public exponent %d is invalid; it must be odd and between 3 and 2^31-1", k.E)
		}
		return nil
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return fmt.Errorf("ECDSA key has no curve")
		}
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA key uses curve %s; only P-256 is supported", k.Curve.Params().Name)
		}
		if _, err := k.Bytes(); err != nil { // rejects points off the curve and the point at infinity
			return fmt.Errorf("ECDSA P-256 key is invalid: %v", err)
		}
		return nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("Ed25519 key is %d bytes; want %d", len(k), ed25519.PublicKeySize)
		}
		return nil
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return fmt.Errorf("got a private key (%T) where a public key is expected", pub)
	case nil:
		return fmt.Errorf("no key")
	}
	return fmt.Errorf("unsupported key type %T; use RSA, ECDSA P-256 or Ed25519", pub)
}

// JWSAlgorithm returns the one JWS algorithm used with pub (RS256, ES256 or
// EdDSA), after checking pub with CheckPublicKey.
func JWSAlgorithm(pub crypto.PublicKey) (string, error) {
	if err := CheckPublicKey(pub); err != nil {
		return "", err
	}
	switch pub.(type) {
	case *rsa.PublicKey:
		return AlgRS256, nil
	case *ecdsa.PublicKey:
		return AlgES256, nil
	default: // ed25519.PublicKey, the only other kind CheckPublicKey accepts
		return AlgEdDSA, nil
	}
}

// MaxKeyIDBytes is the longest key id (JWK "kid") accepted.
const MaxKeyIDBytes = 128

// CheckKeyID reports whether kid is usable as a key id: 1 to MaxKeyIDBytes
// bytes of printable ASCII (it ends up in logs and in JWT headers).
func CheckKeyID(kid string) error {
	if kid == "" {
		return fmt.Errorf("empty key id")
	}
	if len(kid) > MaxKeyIDBytes {
		return fmt.Errorf("key id %.32q... is %d bytes; at most %d are allowed", kid, len(kid), MaxKeyIDBytes)
	}
	for i := 0; i < len(kid); i++ {
		if c := kid[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("key id %q: only printable ASCII without spaces is allowed", kid)
		}
	}
	return nil
}

// checkSigner checks that k is a supported private key and returns its
// public half.
func checkSigner(k crypto.Signer) (crypto.PublicKey, error) {
	if k == nil {
		return nil, fmt.Errorf("no key")
	}
	switch k.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil, fmt.Errorf("unsupported private key type %T; use RSA, ECDSA P-256 or Ed25519", k)
	}
	if p, ok := k.(ed25519.PrivateKey); ok && len(p) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("Ed25519 private key is %d bytes; want %d", len(p), ed25519.PrivateKeySize)
	}
	pub := k.Public()
	if err := CheckPublicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}
