package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// TestKeysGenerateHPKE: `keys generate` writes an HPKE key pair of either
// type with the key id in both files, the private one 0600, and prints the
// fle_profiles lines to paste.
func TestKeysGenerateHPKE(t *testing.T) {
	for _, typ := range []string{fle.TypeX25519, fle.TypeMLKEM768X25519} {
		t.Run(typ, func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "fle1")
			out, errOut, code := runCLI(t, "keys", "generate", "--type", typ, "--id", "fle-2025.01_a", "--out", prefix)
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, out, errOut)
			}
			for _, want := range []string{
				prefix + ".pem", prefix + ".pub.pem",
				"fle_profiles:\n  PROFILE:\n    key_id: fle-2025.01_a\n    public_key: " + prefix + ".pub.pem\n    fields: [FIELD]\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}

			st, err := os.Stat(prefix + ".pem")
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
			}
			st, err = os.Stat(prefix + ".pub.pem")
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm()&^0o644 != 0 {
				t.Errorf("public key mode %v, want at most 0644", st.Mode().Perm())
			}

			privPEM, _ := os.ReadFile(prefix + ".pem")
			pubPEM, _ := os.ReadFile(prefix + ".pub.pem")
			for _, data := range [][]byte{privPEM, pubPEM} {
				if !bytes.Contains(data, []byte("\nKey-Id: fle-2025.01_a\n")) {
					t.Errorf("no Key-Id header in\n%s", data)
				}
			}
			priv, err := fle.ParsePrivateKeyPEM(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := fle.ParsePublicKeyPEM(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			wantKEM := fle.KEMX25519
			if typ == fle.TypeMLKEM768X25519 {
				wantKEM = fle.KEMMLKEM768X25519
			}
			if priv.ID != "fle-2025.01_a" || pub.ID != priv.ID || priv.KEM != wantKEM || pub.KEM != wantKEM {
				t.Errorf("keys: private %q 0x%04x, public %q 0x%04x; want %q 0x%04x", priv.ID, priv.KEM, pub.ID, pub.KEM, "fle-2025.01_a", wantKEM)
			}

			// The pair works: seal to the public key, open with the private one.
			e, err := fle.NewEncryptor(pub)
			if err != nil {
				t.Fatal(err)
			}
			b := fle.Binding{Distribution: "d", Method: "POST", Path: "/p", Field: "f"}
			v, err := e.Seal(b, []byte("secret"))
			if err != nil {
				t.Fatal(err)
			}
			d, err := fle.NewDecryptor(priv)
			if err != nil {
				t.Fatal(err)
			}
			if pt, err := d.Open(b, v); err != nil || string(pt) != "secret" {
				t.Errorf("open: %q, %v", pt, err)
			}

			// Never overwritten, not even by another type.
			for _, again := range []string{typ, "ecdsa"} {
				if _, errOut, code := runCLI(t, "keys", "generate", "--type", again, "--id", "fle2", "--out", prefix); code == 0 || !strings.Contains(errOut, "already exists") {
					t.Errorf("--type %s over an existing key: exit %d, %q", again, code, errOut)
				}
			}
			if after, _ := os.ReadFile(prefix + ".pem"); !bytes.Equal(after, privPEM) {
				t.Error("the private key file changed")
			}
		})
	}
}

func TestKeysGenerateHPKEErrors(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "k")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no id", []string{"--type", fle.TypeX25519, "--out", prefix}, []string{"--id is required"}},
		{"no id mlkem", []string{"--type", fle.TypeMLKEM768X25519, "--out", prefix}, []string{"--id is required"}},
		{"colon in id", []string{"--type", fle.TypeX25519, "--id", "a:b", "--out", prefix}, []string{"--id", "character 2"}},
		{"long id", []string{"--type", fle.TypeX25519, "--id", strings.Repeat("a", 65), "--out", prefix}, []string{"--id", "65 characters"}},
		{"no out", []string{"--type", fle.TypeX25519, "--id", "k"}, []string{"--out is required"}},
		{"bad type", []string{"--type", "hpke-p256", "--id", "k", "--out", prefix},
			[]string{`"hpke-p256"`, "rsa", "ecdsa", "ed25519", fle.TypeX25519, fle.TypeMLKEM768X25519}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, append([]string{"keys", "generate"}, tc.args...)...)
			if code == 0 {
				t.Fatalf("exit 0: %s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("error %q lacks %q", errOut, w)
				}
			}
			if _, err := os.Stat(prefix + ".pem"); err == nil {
				t.Fatal("a key file was written")
			}
		})
	}
}

func TestKeysGenerateHelpNamesHPKE(t *testing.T) {
	out, _, code := runCLI(t, "keys", "generate", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"generate --type rsa|ecdsa|ed25519|hpke-x25519|hpke-mlkem768x25519 --out PREFIX [--id KEY_ID]",
		"hpke-x25519", "hpke-mlkem768x25519", "X-Wing", "post-quantum", "1.5 KiB", "fle_profiles",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
