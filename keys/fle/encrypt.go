package fle

import (
	"crypto/hpke"
	"fmt"
)

// Encryptor seals values to one public key. It holds no mutable state, so
// it is safe for concurrent use.
type Encryptor struct {
	id  string
	kem *kemInfo
	pub hpke.PublicKey
}

// NewEncryptor returns an Encryptor for pub, whose ID must be a valid key
// id (CheckKeyID): every value carries it.
func NewEncryptor(pub *PublicKey) (*Encryptor, error) {
	ki, err := pub.check()
	if err != nil {
		return nil, err
	}
	if err := CheckKeyID(pub.ID); err != nil {
		return nil, fmt.Errorf("the public key needs a valid id: %w", err)
	}
	return &Encryptor{id: pub.ID, kem: ki, pub: pub.key}, nil
}

// KeyID returns the id of the key e seals to.
func (e *Encryptor) KeyID() string { return e.id }

// Seal encrypts plaintext bound to b (with e's key id: b.KeyID is ignored)
// and returns "ENC:v1:<key id>:<base64url of enc || ct>". Each call is a
// single-shot HPKE context with a fresh ephemeral key, so equal plaintexts
// give unrelated values. The only error is a Binding component too long
// to bind (or a failure of the system's random source).
func (e *Encryptor) Seal(b Binding, plaintext []byte) (string, error) {
	b.KeyID = e.id
	aad, err := b.AAD()
	if err != nil {
		return "", err
	}
	enc, s, err := hpke.NewSender(e.pub, suiteKDF, suiteAEAD, info)
	if err != nil {
		return "", fmt.Errorf("fle: seal with key %q: %w", e.id, err)
	}
	ct, err := s.Seal(aad, plaintext)
	if err != nil {
		return "", fmt.Errorf("fle: seal with key %q: %w", e.id, err)
	}
	sealed := make([]byte, 0, len(enc)+len(ct))
	sealed = append(append(sealed, enc...), ct...)
	return string(appendValue(make([]byte, 0, valueLen(e.id, len(sealed))), e.id, sealed)), nil
}
