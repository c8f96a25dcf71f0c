package keyfile

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// PEM block types.
const (
	pemPrivate      = "PRIVATE KEY"     // PKCS #8
	pemRSAPrivate   = "RSA PRIVATE KEY" // PKCS #1
	pemECPrivate    = "EC PRIVATE KEY"  // SEC 1
	pemPublic       = "PUBLIC KEY"      // PKIX
	pemRSAPublic    = "RSA PUBLIC KEY"  // PKCS #1
	pemECParameters = "EC PARAMETERS"   // written before the key by openssl ecparam -genkey
	pemEncrypted    = "ENCRYPTED PRIVATE KEY"
	pemOpenSSH      = "OPENSSH PRIVATE KEY"
)

var errEncrypted = errors.New("encrypted PEM keys are not supported; decrypt the key first (e.g. openssl pkey -in enc.pem -out key.pem) and protect the file with permissions")

// MarshalPrivateKeyPEM encodes k as a PKCS #8 "PRIVATE KEY" PEM block.
func MarshalPrivateKeyPEM(k crypto.Signer) ([]byte, error) {
	if _, err := checkSigner(k); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	if err := CheckPublicKey(pub); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// ParsePrivateKeyPEM reads one private key: PKCS #8 ("PRIVATE KEY"), PKCS #1
// ("RSA PRIVATE KEY", as written by AWS's console and openssl genrsa) or
// SEC 1 ("EC PRIVATE KEY"; an "EC PARAMETERS" block before it is skipped).
// Text around the block is ignored; a second key, an encrypted key, or a
// key CheckPublicKey rejects is an error.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case pemPrivate:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case pemRSAPrivate:
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case pemECPrivate:
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case pemPublic, pemRSAPublic:
		return nil, fmt.Errorf("PEM block is a public key (%q); a private key is needed here", block.Type)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key; want %q, %q or %q", block.Type, pemPrivate, pemRSAPrivate, pemECPrivate)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %q PEM block: %w", block.Type, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%T keys cannot sign; use RSA, ECDSA P-256 or Ed25519", key)
	}
	if _, err := checkSigner(signer); err != nil {
		return nil, err
	}
	return signer, nil
}

// ParsePublicKeyPEM reads one public key: PKIX ("PUBLIC KEY") or PKCS #1
// ("RSA PUBLIC KEY"). The key must pass CheckPublicKey; Ed25519 is
// allowed. A private key, a certificate or a second block is an error.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	var pub any
	switch block.Type {
	case pemPublic:
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case pemRSAPublic:
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case pemPrivate, pemRSAPrivate, pemECPrivate:
		return nil, fmt.Errorf("PEM block is a private key (%q); only the public key belongs here", block.Type)
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key; want %q or %q", block.Type, pemPublic, pemRSAPublic)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %q PEM block: %w", block.Type, err)
	}
	if err := CheckPublicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// onePEMBlock returns the only key block in data, skipping "EC PARAMETERS"
// blocks. It rejects data without a block, with two key blocks, and
// encrypted or OpenSSH-format keys, whose block types ParsePrivateKeyPEM
// and ParsePublicKeyPEM would otherwise report only as "not a key".
func onePEMBlock(data []byte) (*pem.Block, error) {
	var found *pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == pemECParameters:
			continue
		case b.Type == pemEncrypted, strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED"):
			return nil, errEncrypted
		case b.Type == pemOpenSSH:
			return nil, errors.New("OpenSSH key format is not supported; convert it with ssh-keygen -p -m PKCS8 -f FILE")
		case found != nil:
			return nil, fmt.Errorf("more than one PEM block (%q, then %q); put one key per file", found.Type, b.Type)
		}
		found = b
	}
	if found == nil {
		return nil, errors.New("no PEM block found (want -----BEGIN ... KEY-----)")
	}
	return found, nil
}
