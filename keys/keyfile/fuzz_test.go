package keyfile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeward/edgeward/keys/keyfile"
)

// seedPEMs adds every testdata key and the generated keys' encodings.
func seedPEMs(f *testing.F) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.pem"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, k := range generated() {
		priv, err := keyfile.MarshalPrivateKeyPEM(k)
		if err != nil {
			f.Fatal(err)
		}
		pub, err := keyfile.MarshalPublicKeyPEM(k.Public())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(priv)
		f.Add(pub)
	}
	f.Add([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"))
}

// FuzzParsePrivateKeyPEM: no panics, and an accepted key survives a
// marshal/parse round trip.
func FuzzParsePrivateKeyPEM(f *testing.F) {
	seedPEMs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := keyfile.ParsePrivateKeyPEM(data)
		if err != nil {
			return
		}
		out, err := keyfile.MarshalPrivateKeyPEM(k)
		if err != nil {
			t.Fatalf("accepted a key it cannot write: %v", err)
		}
		back, err := keyfile.ParsePrivateKeyPEM(out)
		if err != nil {
			t.Fatalf("cannot read back its own output: %v", err)
		}
		again, err := keyfile.MarshalPrivateKeyPEM(back)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("round trip changed the key (%v)", err)
		}
	})
}

// FuzzParsePublicKeyPEM: no panics, and an accepted key survives a
// marshal/parse round trip and has a JWS algorithm.
func FuzzParsePublicKeyPEM(f *testing.F) {
	seedPEMs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := keyfile.ParsePublicKeyPEM(data)
		if err != nil {
			return
		}
		if _, err := keyfile.JWSAlgorithm(pub); err != nil {
			t.Fatalf("accepted a key with no algorithm: %v", err)
		}
		out, err := keyfile.MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatalf("accepted a key it cannot write: %v", err)
		}
		back, err := keyfile.ParsePublicKeyPEM(out)
		if err != nil || !back.(equaler).Equal(pub) {
			t.Fatalf("round trip changed the key (%v)", err)
		}
	})
}
