package keyfile

import (
	"crypto"
	"errors"
	"fmt"
	"os"
)

// File modes WriteKeyPair creates files with (the umask may narrow the
// public key's mode; it cannot widen either).
const (
	PrivateFileMode os.FileMode = 0o600
	PublicFileMode  os.FileMode = 0o644
)

// WriteKeyPair writes k's private key to prefix+".pem" (PKCS #8, mode 0600)
// and its public key to prefix+".pub.pem" (PKIX, mode 0644). Both files are
// created with O_EXCL: if either exists (as a file, directory or symlink),
// WriteKeyPair fails and leaves it untouched. On any failure it removes
// the files it created, so there is either a complete pair or nothing.
func WriteKeyPair(prefix string, k crypto.Signer) (privPath, pubPath string, err error) {
	if prefix == "" {
		return "", "", errors.New("empty key file prefix")
	}
	privPEM, err := MarshalPrivateKeyPEM(k)
	if err != nil {
		return "", "", err
	}
	pubPEM, err := MarshalPublicKeyPEM(k.Public())
	if err != nil {
		return "", "", err
	}
	return WritePEMPair(prefix, privPEM, pubPEM)
}

// WritePEMPair writes a key pair's PEM files as WriteKeyPair does: the
// private key to prefix+".pem" (mode 0600), the public key to
// prefix+".pub.pem" (mode 0644), both with O_EXCL, a complete pair or
// nothing. It is for key types this package does not marshal.
func WritePEMPair(prefix string, privPEM, pubPEM []byte) (privPath, pubPath string, err error) {
	if prefix == "" {
		return "", "", errors.New("empty key file prefix")
	}
	privPath, pubPath = prefix+".pem", prefix+".pub.pem"
	if err := writeNew(privPath, privPEM, PrivateFileMode); err != nil {
		return "", "", err
	}
	if err := writeNew(pubPath, pubPEM, PublicFileMode); err != nil {
		if rmErr := os.Remove(privPath); rmErr != nil {
			err = fmt.Errorf("%w (and removing %s failed: %v)", err, privPath, rmErr)
		}
		return "", "", err
	}
	return privPath, pubPath, nil
}

// writeNew creates path (which must not exist), writes data and syncs it.
// If anything after the create fails, it removes the file.
func writeNew(path string, data []byte, mode os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; not overwriting it (move it away or pick another name)", path)
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
