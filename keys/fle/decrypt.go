package fle

import (
	"crypto/hpke"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Decryptor opens values with the private keys it holds, found by the key
// id each value carries. Holding several keys is how keys rotate: values
// sealed to the old key and to the new one both open while both are
// held. It holds no mutable state, so it is safe for concurrent use.
type Decryptor struct {
	keys map[string]decryptKey
}

type decryptKey struct {
	kem *kemInfo
	key hpke.PrivateKey
}

// NewDecryptor returns a Decryptor holding keys. Every key needs a valid
// id (CheckKeyID); two keys with one id are an error, as is no key.
func NewDecryptor(keys ...*PrivateKey) (*Decryptor, error) {
	if len(keys) == 0 {
		return nil, errors.New("fle: a decryptor needs at least one private key")
	}
	d := &Decryptor{keys: make(map[string]decryptKey, len(keys))}
	for i, k := range keys {
		ki, err := k.check()
		if err != nil {
			return nil, fmt.Errorf("fle: private key %d: %w", i+1, err)
		}
		if err := CheckKeyID(k.ID); err != nil {
			return nil, fmt.Errorf("fle: private key %d needs a valid id: %w", i+1, err)
		}
		if _, dup := d.keys[k.ID]; dup {
			return nil, fmt.Errorf("fle: two private keys have the id %q; one id names one key", k.ID)
		}
		d.keys[k.ID] = decryptKey{kem: ki, key: k.key}
	}
	return d, nil
}

// KeyIDs returns the ids of the keys d holds, sorted.
func (d *Decryptor) KeyIDs() []string { return slices.Sorted(maps.Keys(d.keys)) }

// Open decrypts value with the key its key id names, bound to b with that
// key id (b.KeyID is ignored). It fails with ErrMalformedValue,
// ErrUnknownKey, ErrBinding or ErrOpen; the last covers every reason a
// well-formed value does not open (the wrong key, another binding, a
// changed byte), which HPKE cannot tell apart and the caller must not
// either. The plaintext is a fresh slice, never nil (empty for an empty
// plaintext).
func (d *Decryptor) Open(b Binding, value string) ([]byte, error) {
	keyID, sealed, err := ParseValue(value)
	if err != nil {
		return nil, err
	}
	k, ok := d.keys[keyID]
	if !ok {
		return nil, fmt.Errorf("%w: no private key has the id %q (held: %s)", ErrUnknownKey, keyID, strings.Join(d.KeyIDs(), ", "))
	}
	if len(sealed) < k.kem.encLen+tagSize {
		return nil, fmt.Errorf("%w: the sealed part is %d bytes, too short for key %q (%s: at least %d)",
			ErrMalformedValue, len(sealed), keyID, k.kem.name, k.kem.encLen+tagSize)
	}
	b.KeyID = keyID
	aad, err := b.AAD()
	if err != nil {
		return nil, err
	}
	r, err := hpke.NewRecipient(sealed[:k.kem.encLen], k.key, suiteKDF, suiteAEAD, info)
	if err != nil {
		return nil, openError(keyID, b.Field)
	}
	pt, err := r.Open(aad, sealed[k.kem.encLen:])
	if err != nil {
		return nil, openError(keyID, b.Field)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

func openError(keyID, field string) error {
	return fmt.Errorf("%w with key %q for field %q: the wrong key, a value moved from another field, path, method, distribution or key id, or a changed byte", ErrOpen, keyID, clip(field))
}
