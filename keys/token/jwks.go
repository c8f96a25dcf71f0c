package token

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/MicahParks/jwkset"
	"github.com/edgeward/edgeward/keys/keyfile"
)

// Supported JWS algorithms, one per key type.
const (
	RS256 = keyfile.AlgRS256
	ES256 = keyfile.AlgES256
	EdDSA = keyfile.AlgEdDSA
)

// MaxJWKSBytes is the largest key set ParseJWKS reads.
const MaxJWKSBytes = 1 << 20

// Key is one verification key: the kid tokens name it by, the one
// algorithm tokens signed with it must use, and the public key.
type Key struct {
	ID     string
	Alg    string // RS256, ES256 or EdDSA
	Public crypto.PublicKey
}

// privateMembers are the JWK members that carry private or secret key
// material (RFC 7518 section 6).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseJWKS reads a JSON Web Key Set of public signature keys, strictly:
//
//   - the document is one JSON object with a non-empty "keys" array and no
//     member named twice in any object;
//   - every key has a kid (unique in the set; see keyfile.CheckKeyID) and
//     a kty of "RSA", "EC" or "OKP";
//   - symmetric keys (kty "oct") and private key material ("d", "p", "q",
//     "dp", "dq", "qi", "oth", "k") are rejected: a public key set must
//     never hold a secret, and an HMAC key would let anyone who can read
//     the set mint tokens;
//   - alg is RS256, ES256 or EdDSA and must fit the key. Without alg it is
//     inferred only where unambiguous: EC P-256 is ES256 and OKP Ed25519 is
//     EdDSA. An RSA key without alg is an error, because RSA keys sign
//     with several algorithms (RS256/384/512, PS256/384/512) and guessing
//     would be choosing for the signer;
//   - use, if present, is "sig"; key_ops, if present, includes "verify";
//   - the key itself passes keyfile.CheckPublicKey (RSA 2048-4096 bits,
//     P-256 points on the curve, Ed25519 of 32 bytes).
//
// Member names are matched exactly (JSON members are case-sensitive);
// members ParseJWKS does not know are ignored, as RFC 7517 requires. Keys
// are returned in document order.
func ParseJWKS(data []byte) ([]Key, error) {
	if len(data) > MaxJWKSBytes {
		return nil, fmt.Errorf("JWKS is %d bytes; at most %d are read", len(data), MaxJWKSBytes)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("JWKS is not a JSON object: %w", err)
	}
	if err := checkNoDuplicateMembers(data); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	raw, ok := doc["keys"]
	if !ok {
		return nil, errors.New(`JWKS has no "keys" member`)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, errors.New(`JWKS "keys" is not an array`)
	}
	if len(list) == 0 {
		return nil, errors.New("JWKS has no keys")
	}
	out := make([]Key, 0, len(list))
	seen := make(map[string]int, len(list))
	for i, r := range list {
		k, err := parseJWK(r)
		if err != nil {
			if k.ID != "" {
				return nil, fmt.Errorf("JWKS key %d (kid %q): %w", i, k.ID, err)
			}
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
		if j, dup := seen[k.ID]; dup {
			return nil, fmt.Errorf("JWKS key %d: kid %q is already used by key %d; kids must be unique", i, k.ID, j)
		}
		seen[k.ID] = i
		out = append(out, k)
	}
	return out, nil
}

// parseJWK parses one JWK. On error, the returned Key carries the kid when
// it is known, for the message.
func parseJWK(raw json.RawMessage) (Key, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Key{}, errors.New("not a JSON object")
	}
	var k Key
	kty, ok, err := stringMember(m, "kty")
	switch {
	case err != nil:
		return k, err
	case !ok || kty == "":
		return k, errors.New(`no "kty"`)
	case kty == string(jwkset.KtyOct):
		return k, errors.New(`symmetric keys (kty "oct") are not allowed: tokens must be verified with public keys, and a shared secret in a key set lets its readers mint tokens`)
	}
	kid, ok, err := stringMember(m, "kid")
	switch {
	case err != nil:
		return k, err
	case !ok:
		return k, errors.New(`no "kid"; every key needs one, and tokens name their key by it`)
	}
	if err := keyfile.CheckKeyID(kid); err != nil {
		return k, err
	}
	k.ID = kid
	for _, name := range privateMembers {
		if _, ok := m[name]; ok {
			return k, fmt.Errorf("holds private key material (member %q); a public JWKS must hold public keys only", name)
		}
	}

	marshal := jwkset.JWKMarshal{KTY: jwkset.KTY(kty), KID: kid}
	alg, _, err := stringMember(m, "alg")
	if err != nil {
		return k, err
	}
	crv, _, err := stringMember(m, "crv")
	if err != nil {
		return k, err
	}
	if k.Alg, err = resolveAlg(kty, crv, alg); err != nil {
		return k, err
	}
	// Only copy alg if it was written: jwkset compares it with the key.
	marshal.ALG, marshal.CRV = jwkset.ALG(alg), jwkset.CRV(crv)
	if err := checkUse(m, &marshal); err != nil {
		return k, err
	}
	if err := copyKeyParams(m, kty, &marshal); err != nil {
		return k, err
	}
	jwk, err := jwkset.NewJWKFromMarshal(marshal, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		// jwkset joins errors with newlines; keep messages on one line.
		return k, errors.New(strings.ReplaceAll(err.Error(), "\n", ": "))
	}
	k.Public = jwk.Key()
	keyAlg, err := keyfile.JWSAlgorithm(k.Public)
	if err != nil {
		return k, err
	}
	if keyAlg != k.Alg { // resolveAlg already ties alg to kty/crv; belt and braces
		return k, fmt.Errorf("alg %s does not fit a %s key", k.Alg, keyAlg)
	}
	return k, nil
}

// resolveAlg returns the algorithm for a key of type kty on curve crv
// whose JWK says alg (possibly "").
func resolveAlg(kty, crv, alg string) (string, error) {
	var want string
	switch kty {
	case string(jwkset.KtyRSA):
		if alg == "" {
			return "", errors.New(`RSA key without "alg": RSA keys can sign with several algorithms, so say which one (add "alg": "RS256")`)
		}
		want = RS256
	case string(jwkset.KtyEC):
		if crv != string(jwkset.CrvP256) {
			return "", fmt.Errorf("EC curve %q is not supported; only P-256 (ES256) is", crv)
		}
		want = ES256
	case string(jwkset.KtyOKP):
		if crv != string(jwkset.CrvEd25519) {
			return "", fmt.Errorf("OKP curve %q is not supported; only Ed25519 (EdDSA) is", crv)
		}
		want = EdDSA
	default:
		return "", fmt.Errorf("kty %q is not supported; use RSA, EC (P-256) or OKP (Ed25519)", kty)
	}
	switch {
	case alg == "" || alg == want:
		return want, nil
	case alg == "none" || (len(alg) > 2 && alg[:2] == "HS"):
		return "", fmt.Errorf("alg %q is not allowed: tokens must carry a public-key signature", alg)
	case alg == RS256 || alg == ES256 || alg == EdDSA:
		return "", fmt.Errorf("alg %s does not fit kty %q (want %s)", alg, kty, want)
	}
	return "", fmt.Errorf("alg %q is not supported; use %s for this key", alg, want)
}

// checkUse checks "use" and "key_ops" and copies them into marshal.
func checkUse(m map[string]json.RawMessage, marshal *jwkset.JWKMarshal) error {
	use, ok, err := stringMember(m, "use")
	if err != nil {
		return err
	}
	if ok && use != string(jwkset.UseSig) {
		return fmt.Errorf(`use %q: a token verification key must have use "sig"`, use)
	}
	marshal.USE = jwkset.USE(use)
	raw, ok := m["key_ops"]
	if !ok {
		return nil
	}
	var ops []string
	if err := json.Unmarshal(raw, &ops); err != nil {
		return errors.New(`"key_ops" is not an array of strings`)
	}
	verify := false
	for _, op := range ops {
		verify = verify || op == string(jwkset.KeyOpsVerify)
		marshal.KEYOPS = append(marshal.KEYOPS, jwkset.KEYOPS(op))
	}
	if !verify {
		return fmt.Errorf(`key_ops %q does not include "verify"`, ops)
	}
	return nil
}

// copyKeyParams copies the public key parameters for kty into marshal,
// checking their encoding and size first (unpadded base64url, RFC 7518:
// EC coordinates exactly 32 bytes for P-256, Ed25519 keys 32 bytes, RSA
// moduli up to MaxRSABits and exponents up to 4 bytes). jwkset would
// otherwise accept, or fail unpredictably on, out-of-range values.
func copyKeyParams(m map[string]json.RawMessage, kty string, marshal *jwkset.JWKMarshal) error {
	var err error
	switch kty {
	case string(jwkset.KtyEC):
		if marshal.X, err = b64Member(m, "x", 32, 32); err != nil {
			return err
		}
		if marshal.Y, err = b64Member(m, "y", 32, 32); err != nil {
			return err
		}
	case string(jwkset.KtyOKP):
		if marshal.X, err = b64Member(m, "x", 32, 32); err != nil {
			return err
		}
	case string(jwkset.KtyRSA):
		if marshal.N, err = b64Member(m, "n", 1, keyfile.MaxRSABits/8+1); err != nil {
			return err
		}
		if marshal.E, err = b64Member(m, "e", 1, 4); err != nil {
			return err
		}
	}
	for _, name := range []string{"x5u", "x5t", "x5t#S256"} {
		s, _, err := stringMember(m, name)
		if err != nil {
			return err
		}
		switch name {
		case "x5u":
			marshal.X5U = s
		case "x5t":
			marshal.X5T = s
		default:
			marshal.X5TS256 = s
		}
	}
	if raw, ok := m["x5c"]; ok {
		if err := json.Unmarshal(raw, &marshal.X5C); err != nil {
			return errors.New(`"x5c" is not an array of strings`)
		}
	}
	return nil
}

// stringMember returns member name of m, which must be a JSON string if
// present.
func stringMember(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", true, fmt.Errorf("%q is not a string", name)
	}
	return s, true, nil
}

// b64Member returns member name of m, which must be unpadded base64url
// decoding to min..max bytes.
func b64Member(m map[string]json.RawMessage, name string, minLen, maxLen int) (string, error) {
	s, ok, err := stringMember(m, name)
	if err != nil {
		return "", err
	}
	if !ok || s == "" {
		return "", fmt.Errorf("no %q", name)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("%q is not unpadded base64url: %v", name, err)
	}
	if len(b) < minLen || len(b) > maxLen {
		if minLen == maxLen {
			return "", fmt.Errorf("%q is %d bytes; want %d", name, len(b), minLen)
		}
		return "", fmt.Errorf("%q is %d bytes; want %d to %d", name, len(b), minLen, maxLen)
	}
	return s, nil
}
