package fle

import (
	"errors"

	"github.com/edgeward/edgeward/keys/keyfile"
)

// File modes WriteKeyPair creates files with (the umask may narrow them,
// never widen them): those of every key pair Edgeward writes.
const (
	PrivateFileMode = keyfile.PrivateFileMode
	PublicFileMode  = keyfile.PublicFileMode
)

// WriteKeyPair writes k to prefix+".pem" (mode 0600) and its public key to
// prefix+".pub.pem" (mode 0644). Both are created with O_EXCL: an existing
// file, directory or symlink in either place is never overwritten or
// followed; WriteKeyPair fails instead. On any failure it removes what it
// created, so there is a complete pair or nothing.
func WriteKeyPair(prefix string, k *PrivateKey) (privPath, pubPath string, err error) {
	if prefix == "" {
		return "", "", errors.New("empty key file prefix")
	}
	privPEM, err := k.MarshalPEM()
	if err != nil {
		return "", "", err
	}
	defer clear(privPEM)
	return keyfile.WritePEMPair(prefix, privPEM, k.Public().MarshalPEM())
}
