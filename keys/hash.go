package keys

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"strings"
)

// HashAlgorithm is the digest a signature is made over.
type HashAlgorithm int

const (
	// HashDefault is SHA-1 without a Hash-Algorithm parameter or cookie,
	// CloudFront's original form. Verify reports it when the request names
	// no algorithm.
	HashDefault HashAlgorithm = iota
	// HashSHA1 is SHA-1 with an explicit Hash-Algorithm=SHA1, as the AWS SDK
	// for Go v2 emits when SHA1 is set.
	HashSHA1
	// HashSHA256 is SHA-256 with Hash-Algorithm=SHA256.
	HashSHA256
)

// String returns the Hash-Algorithm value ("SHA1", "SHA256"), or "default"
// for HashDefault.
func (h HashAlgorithm) String() string {
	switch h {
	case HashDefault:
		return "default"
	case HashSHA1:
		return "SHA1"
	case HashSHA256:
		return "SHA256"
	}
	return fmt.Sprintf("HashAlgorithm(%d)", int(h))
}

// param is the Hash-Algorithm value to emit ("" for none).
func (h HashAlgorithm) param() string {
	switch h {
	case HashSHA1:
		return "SHA1"
	case HashSHA256:
		return "SHA256"
	}
	return ""
}

func (h HashAlgorithm) valid() bool { return h >= HashDefault && h <= HashSHA256 }

// crypto returns the digest function.
func (h HashAlgorithm) crypto() crypto.Hash {
	if h == HashSHA256 {
		return crypto.SHA256
	}
	return crypto.SHA1
}

// digest hashes msg with h.
func (h HashAlgorithm) digest(msg []byte) []byte {
	if h == HashSHA256 {
		d := sha256.Sum256(msg)
		return d[:]
	}
	d := sha1.Sum(msg)
	return d[:]
}

// parseHashAlgorithm reads the Hash-Algorithm value v of the parameter or
// cookie name. The match is exact and case-sensitive: CloudFront documents
// "SHA256" (and the SDKs send "SHA1"), and a verifier that accepted
// "sha256" would let two spellings of one URL exist. Anything else is
// malformed.
func parseHashAlgorithm(name, v string) (HashAlgorithm, *Error) {
	switch v {
	case "SHA1":
		return HashSHA1, nil
	case "SHA256":
		return HashSHA256, nil
	}
	e := newError(ReasonMalformed, MessageBadHashAlgorithm, "%s %s is not SHA1 or SHA256", name, clip(v))
	if n := strings.ReplaceAll(v, "-", ""); strings.EqualFold(n, "SHA1") || strings.EqualFold(n, "SHA256") {
		e.Detail += " (the value is case-sensitive, without a hyphen)"
	}
	return 0, e
}
