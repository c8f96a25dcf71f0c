package fle

import (
	"crypto/ecdh"
	"crypto/hpke"
	"fmt"
)

// The KEMs a key can use, by their HPKE ids (RFC 9180 section 7.1 and
// draft-ietf-hpke-pq).
const (
	// KEMX25519 is DHKEM(X25519, HKDF-SHA256).
	KEMX25519 uint16 = 0x0020
	// KEMMLKEM768X25519 is MLKEM768-X25519, a.k.a. X-Wing: post-quantum
	// ML-KEM-768 combined with X25519, secure while either one holds.
	KEMMLKEM768X25519 uint16 = 0x647a
)

// The key type names GenerateKey takes (and `edgeward keys generate --type`).
const (
	TypeX25519         = "hpke-x25519"
	TypeMLKEM768X25519 = "hpke-mlkem768x25519"
)

// info is HPKE's info parameter for every value: it separates this
// protocol (and its version) from any other use of the same keys.
var info = []byte("edgeward-fle/v1")

// The rest of the suite is fixed: HKDF-SHA256 and AES-256-GCM, mode base.
var (
	suiteKDF  = hpke.HKDFSHA256()
	suiteAEAD = hpke.AES256GCM()
)

// tagSize is AES-256-GCM's tag: the ciphertext of n bytes is n+tagSize.
const tagSize = 16

// kemInfo describes one supported KEM.
type kemInfo struct {
	id      uint16
	typ     string // TypeX25519 or TypeMLKEM768X25519
	name    string // for messages
	kem     hpke.KEM
	pubLen  int // SerializePublicKey length
	privLen int // SerializePrivateKey length
	encLen  int // encapsulated key length, the head of every sealed value
}

var kems = []kemInfo{
	{KEMX25519, TypeX25519, "DHKEM(X25519, HKDF-SHA256)", hpke.DHKEM(ecdh.X25519()), 32, 32, 32},
	{KEMMLKEM768X25519, TypeMLKEM768X25519, "MLKEM768-X25519", hpke.MLKEM768X25519(), 1216, 32, 1120},
}

// minSealed is the shortest sealed value of any KEM: an encapsulated key
// and the tag of an empty plaintext.
const minSealed = 32 + tagSize

func kemByID(id uint16) (*kemInfo, error) {
	for i := range kems {
		if kems[i].id == id {
			return &kems[i], nil
		}
	}
	return nil, fmt.Errorf("KEM-ID 0x%04x is not supported (0x%04x %s or 0x%04x %s)",
		id, KEMX25519, kems[0].name, KEMMLKEM768X25519, kems[1].name)
}

func kemByType(typ string) (*kemInfo, error) {
	for i := range kems {
		if kems[i].typ == typ {
			return &kems[i], nil
		}
	}
	return nil, fmt.Errorf("key type %q is not an HPKE type; use %s or %s", typ, TypeX25519, TypeMLKEM768X25519)
}
