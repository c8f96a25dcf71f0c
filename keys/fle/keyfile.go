package fle

import (
	"bytes"
	"crypto/hpke"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
)

// PEM block types and headers of key files.
const (
	pemPrivate  = "HPKE PRIVATE KEY"
	pemPublic   = "HPKE PUBLIC KEY"
	headerKEMID = "KEM-ID"
	headerKeyID = "Key-Id"
)

// ParsePublicKeyPEM reads a public key file: one "HPKE PUBLIC KEY" PEM
// block with a KEM-ID header (0x0020 or 0x647a), an optional Key-Id header,
// and SerializePublicKey bytes (32 for X25519, 1216 for MLKEM768-X25519).
// Anything else, including text before or after the block, another header
// or a private key, is an error that says what is wrong.
func ParsePublicKeyPEM(data []byte) (*PublicKey, error) {
	kf, err := parseKeyBlock(data, pemPublic, pemPrivate)
	if err != nil {
		return nil, err
	}
	if len(kf.bytes) != kf.kem.pubLen {
		return nil, fmt.Errorf("%s for %s is %d bytes, want %d", pemPublic, kf.kem.name, len(kf.bytes), kf.kem.pubLen)
	}
	pk, err := kf.kem.kem.NewPublicKey(kf.bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid %s public key: %v", pemPublic, kf.kem.name, err)
	}
	// A key that deserializes can still be unusable (an X25519 point of
	// low order): seal once now rather than fail on every request.
	if _, _, err := hpke.NewSender(pk, suiteKDF, suiteAEAD, info); err != nil {
		return nil, fmt.Errorf("%s: the %s public key cannot be encrypted to: %v", pemPublic, kf.kem.name, err)
	}
	return &PublicKey{ID: kf.id, KEM: kf.kem.id, key: pk}, nil
}

// ParsePrivateKeyPEM reads a private key file: one "HPKE PRIVATE KEY" PEM
// block with a KEM-ID header, an optional Key-Id header, and
// SerializePrivateKey bytes (32 for either KEM; the seed for
// MLKEM768-X25519). Errors never quote the key bytes.
func ParsePrivateKeyPEM(data []byte) (*PrivateKey, error) {
	kf, err := parseKeyBlock(data, pemPrivate, pemPublic)
	if err != nil {
		return nil, err
	}
	defer clear(kf.bytes)
	if len(kf.bytes) != kf.kem.privLen {
		return nil, fmt.Errorf("%s for %s is %d bytes, want %d", pemPrivate, kf.kem.name, len(kf.bytes), kf.kem.privLen)
	}
	k, err := kf.kem.kem.NewPrivateKey(kf.bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid %s private key", pemPrivate, kf.kem.name)
	}
	return &PrivateKey{ID: kf.id, KEM: kf.kem.id, key: k}, nil
}

// MarshalPEM encodes k as an "HPKE PUBLIC KEY" PEM block with its KEM-ID
// and (if k.ID is set) Key-Id headers. It returns nil for a nil or zero
// PublicKey.
func (k *PublicKey) MarshalPEM() []byte {
	if _, err := k.check(); err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Headers: keyHeaders(k.KEM, k.ID), Bytes: k.key.Bytes()})
}

// MarshalPEM encodes k as an "HPKE PRIVATE KEY" PEM block with its KEM-ID
// and (if k.ID is set) Key-Id headers.
func (k *PrivateKey) MarshalPEM() ([]byte, error) {
	if _, err := k.check(); err != nil {
		return nil, err
	}
	b, err := k.key.Bytes()
	if err != nil {
		return nil, fmt.Errorf("serialize private key: %w", err)
	}
	// b is not cleared: it may be the key's own storage (crypto/hpke
	// returns an MLKEM768-X25519 key's seed itself, not a copy), and
	// clearing it would turn the key into that of the all-zero seed for
	// every later MarshalPEM.
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Headers: keyHeaders(k.KEM, k.ID), Bytes: b}), nil
}

func keyHeaders(kem uint16, id string) map[string]string {
	h := map[string]string{headerKEMID: fmt.Sprintf("0x%04x", kem)}
	if id != "" {
		h[headerKeyID] = id
	}
	return h
}

// keyBlock is a key file's block, checked up to the key bytes.
type keyBlock struct {
	kem   *kemInfo
	id    string
	bytes []byte
}

func parseKeyBlock(data []byte, want, other string) (keyBlock, error) {
	begin := bytes.Index(data, []byte("-----BEGIN "))
	if begin < 0 {
		return keyBlock{}, fmt.Errorf("no PEM block: want a %q block", want)
	}
	if len(bytes.TrimSpace(data[:begin])) != 0 {
		return keyBlock{}, errors.New("text before the PEM block: a key file holds one PEM block and nothing else")
	}
	block, rest := pem.Decode(data[begin:])
	if block == nil {
		return keyBlock{}, fmt.Errorf("malformed PEM block (bad BEGIN/END lines, headers or base64): want a %q block", want)
	}
	// pem.Decode skips what it cannot read as a block ("-----BEGIN junk"
	// lines, blocks with a mismatched END): the block it returns must be
	// the first thing in the file. Its BEGIN line is the last one before
	// its END line.
	if bytes.LastIndex(data[begin:len(data)-len(rest)], []byte("-----BEGIN ")) != 0 {
		return keyBlock{}, errors.New("text before the PEM block: a key file holds one PEM block and nothing else")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return keyBlock{}, errors.New("data after the PEM block: a key file holds one PEM block and nothing else")
	}
	switch block.Type {
	case want:
	case other:
		if want == pemPrivate {
			return keyBlock{}, fmt.Errorf("this is an %q; the private key (%q, PREFIX.pem) is needed here", other, want)
		}
		return keyBlock{}, fmt.Errorf("this is an %q; give the public key (%q, PREFIX.pub.pem) instead: the private key stays with the origin", other, want)
	default:
		return keyBlock{}, fmt.Errorf("PEM block %q is not an HPKE key; want %q", clip(block.Type), want)
	}
	kb := keyBlock{bytes: block.Bytes}
	for name := range block.Headers {
		if name != headerKEMID && name != headerKeyID {
			return keyBlock{}, fmt.Errorf("%s: unexpected header %q (only %s and %s)", want, clip(name), headerKEMID, headerKeyID)
		}
	}
	kemHeader, ok := block.Headers[headerKEMID]
	if !ok {
		return keyBlock{}, fmt.Errorf("%s: no %s header (0x%04x or 0x%04x)", want, headerKEMID, KEMX25519, KEMMLKEM768X25519)
	}
	kemID, err := parseKEMID(kemHeader)
	if err != nil {
		return keyBlock{}, fmt.Errorf("%s: %w", want, err)
	}
	if kb.kem, err = kemByID(kemID); err != nil {
		return keyBlock{}, fmt.Errorf("%s: %w", want, err)
	}
	if id, ok := block.Headers[headerKeyID]; ok {
		if err := CheckKeyID(id); err != nil {
			return keyBlock{}, fmt.Errorf("%s: %s header: %w", want, headerKeyID, err)
		}
		kb.id = id
	}
	return kb, nil
}

// parseKEMID reads "0x" and four hex digits.
func parseKEMID(s string) (uint16, error) {
	if len(s) == 6 && (s[:2] == "0x" || s[:2] == "0X") {
		if v, err := strconv.ParseUint(s[2:], 16, 16); err == nil {
			return uint16(v), nil
		}
	}
	return 0, fmt.Errorf("%s header %q: want 0x and four hex digits, such as 0x%04x", headerKEMID, clip(s), KEMX25519)
}
