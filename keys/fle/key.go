package fle

import (
	"crypto/hpke"
	"errors"
	"fmt"
)

// PublicKey is an HPKE public key and the id that names its key pair.
// The gateway seals with it (NewEncryptor).
type PublicKey struct {
	ID  string // key id; may be empty until configured (NewEncryptor needs one)
	KEM uint16 // KEMX25519 or KEMMLKEM768X25519
	key hpke.PublicKey
}

// PrivateKey is an HPKE private key and the id that names its key pair.
// The origin opens values with it (NewDecryptor).
type PrivateKey struct {
	ID  string // key id; may be empty until configured (NewDecryptor needs one)
	KEM uint16 // KEMX25519 or KEMMLKEM768X25519
	key hpke.PrivateKey
}

// GenerateKey makes a new key pair of the type TypeX25519
// ("hpke-x25519") or TypeMLKEM768X25519 ("hpke-mlkem768x25519"). id may
// be empty; if not, it must pass CheckKeyID.
func GenerateKey(kemName, id string) (*PrivateKey, error) {
	ki, err := kemByType(kemName)
	if err != nil {
		return nil, err
	}
	if id != "" {
		if err := CheckKeyID(id); err != nil {
			return nil, err
		}
	}
	k, err := ki.kem.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", ki.name, err)
	}
	return &PrivateKey{ID: id, KEM: ki.id, key: k}, nil
}

// Public returns the public half of k, with the same id.
func (k *PrivateKey) Public() *PublicKey {
	return &PublicKey{ID: k.ID, KEM: k.KEM, key: k.key.PublicKey()}
}

// check reports whether k is a usable key: made by this package, with
// KEM matching the key inside.
func (k *PublicKey) check() (*kemInfo, error) {
	if k == nil || k.key == nil {
		return nil, errors.New("no public key (use GenerateKey or ParsePublicKeyPEM)")
	}
	return checkKEM(k.KEM, k.key.KEM())
}

func (k *PrivateKey) check() (*kemInfo, error) {
	if k == nil || k.key == nil {
		return nil, errors.New("no private key (use GenerateKey or ParsePrivateKeyPEM)")
	}
	return checkKEM(k.KEM, k.key.KEM())
}

func checkKEM(id uint16, kem hpke.KEM) (*kemInfo, error) {
	ki, err := kemByID(id)
	if err != nil {
		return nil, err
	}
	if kem.ID() != id {
		return nil, fmt.Errorf("the key's KEM field says 0x%04x but the key is 0x%04x", id, kem.ID())
	}
	return ki, nil
}
