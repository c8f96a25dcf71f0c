package keyfile_test

import (
	"bytes"
	"crypto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/keyfile"
)

func TestWriteKeyPair(t *testing.T) {
	for typ, k := range generated() {
		t.Run(string(typ), func(t *testing.T) {
			prefix := filepath.Join(t.TempDir(), "edge")
			privPath, pubPath, err := keyfile.WriteKeyPair(prefix, k)
			if err != nil {
				t.Fatal(err)
			}
			if privPath != prefix+".pem" || pubPath != prefix+".pub.pem" {
				t.Fatalf("paths %s, %s", privPath, pubPath)
			}
			st, err := os.Stat(privPath)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
			}
			st, err = os.Stat(pubPath)
			if err != nil {
				t.Fatal(err)
			}
			// 0644 narrowed by the umask: owner-readable, never writable
			// by others, never executable.
			if m := st.Mode().Perm(); m&0o400 == 0 || m&^0o644 != 0 {
				t.Errorf("public key mode %v, want 0644 (less the umask)", m)
			}
			priv, err := keyfile.ParsePrivateKeyPEM(mustRead(t, privPath))
			if err != nil {
				t.Fatal(err)
			}
			pub, err := keyfile.ParsePublicKeyPEM(mustRead(t, pubPath))
			if err != nil {
				t.Fatal(err)
			}
			if !priv.(interface{ Equal(crypto.PrivateKey) bool }).Equal(k) || !pub.(equaler).Equal(k.Public()) {
				t.Error("written keys differ from the key")
			}
		})
	}
}

func TestWriteKeyPairRefusesToOverwrite(t *testing.T) {
	k := generated()[keyfile.Ed25519]
	other := generated()[keyfile.ECDSA]
	prefix := filepath.Join(t.TempDir(), "edge")
	if _, _, err := keyfile.WriteKeyPair(prefix, k); err != nil {
		t.Fatal(err)
	}
	privBefore, pubBefore := mustRead(t, prefix+".pem"), mustRead(t, prefix+".pub.pem")
	_, _, err := keyfile.WriteKeyPair(prefix, other)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write: %v, want already exists", err)
	}
	if !bytes.Equal(mustRead(t, prefix+".pem"), privBefore) || !bytes.Equal(mustRead(t, prefix+".pub.pem"), pubBefore) {
		t.Fatal("existing key files changed")
	}
}

// TestWriteKeyPairRemovesPartialPair: when only the public file is in the
// way, the private key written first is removed again.
func TestWriteKeyPairRemovesPartialPair(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "edge")
	if err := os.WriteFile(prefix+".pub.pem", []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := keyfile.WriteKeyPair(prefix, generated()[keyfile.ECDSA])
	if err == nil || !strings.Contains(err.Error(), prefix+".pub.pem already exists") {
		t.Fatalf("got %v, want already exists", err)
	}
	if _, err := os.Lstat(prefix + ".pem"); !os.IsNotExist(err) {
		t.Fatalf("private key left behind: %v", err)
	}
	if got := string(mustRead(t, prefix+".pub.pem")); got != "keep me" {
		t.Fatalf("existing file changed to %q", got)
	}
}

// TestWriteKeyPairSymlink: a symlink planted at the private key's path is
// neither followed nor replaced.
func TestWriteKeyPairSymlink(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "edge")
	target := filepath.Join(dir, "elsewhere")
	if err := os.Symlink(target, prefix+".pem"); err != nil {
		t.Skip("symlinks not available:", err)
	}
	if _, _, err := keyfile.WriteKeyPair(prefix, generated()[keyfile.Ed25519]); err == nil {
		t.Fatal("wrote through a symlink")
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("symlink target created: %v", err)
	}
	if _, err := os.Lstat(prefix + ".pub.pem"); !os.IsNotExist(err) {
		t.Fatalf("public key written: %v", err)
	}
}

func TestWriteKeyPairErrors(t *testing.T) {
	k := generated()[keyfile.Ed25519]
	if _, _, err := keyfile.WriteKeyPair("", k); err == nil {
		t.Error("empty prefix accepted")
	}
	if _, _, err := keyfile.WriteKeyPair(filepath.Join(t.TempDir(), "missing", "edge"), k); err == nil {
		t.Error("missing directory accepted")
	}
	if _, _, err := keyfile.WriteKeyPair(filepath.Join(t.TempDir(), "edge"), nil); err == nil {
		t.Error("nil key accepted")
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
