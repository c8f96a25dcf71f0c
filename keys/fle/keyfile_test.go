package fle_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// pemBlock encodes one PEM block.
func pemBlock(typ string, headers map[string]string, b []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: b})
}

// decodeBlock decodes a key file made by MarshalPEM.
func decodeBlock(t testing.TB, data []byte) *pem.Block {
	t.Helper()
	b, rest := pem.Decode(data)
	if b == nil || len(rest) != 0 {
		t.Fatalf("not one PEM block: %q", data)
	}
	return b
}

func TestKeyFileRoundTrip(t *testing.T) {
	for _, typ := range kemTypes {
		for _, id := range []string{"fle-2026-11", ""} {
			t.Run(typ+"/"+id, func(t *testing.T) {
				k, err := fle.GenerateKey(typ, id)
				if err != nil {
					t.Fatal(err)
				}
				privPEM := mustMarshal(t, k)
				pubPEM := k.Public().MarshalPEM()
				wantKEM := map[string]string{fle.TypeX25519: "0x0020", fle.TypeMLKEM768X25519: "0x647a"}[typ]
				for _, p := range [][]byte{privPEM, pubPEM} {
					b := decodeBlock(t, p)
					if b.Headers["KEM-ID"] != wantKEM {
						t.Errorf("KEM-ID header %q, want %q", b.Headers["KEM-ID"], wantKEM)
					}
					if gotID, ok := b.Headers["Key-Id"]; gotID != id || ok != (id != "") {
						t.Errorf("Key-Id header %q (present %v), want %q", gotID, ok, id)
					}
				}
				if b := decodeBlock(t, privPEM); b.Type != "HPKE PRIVATE KEY" || len(b.Bytes) != 32 {
					t.Errorf("private key block %q of %d bytes", b.Type, len(b.Bytes))
				}
				wantPub := map[string]int{fle.TypeX25519: 32, fle.TypeMLKEM768X25519: 1216}[typ]
				if b := decodeBlock(t, pubPEM); b.Type != "HPKE PUBLIC KEY" || len(b.Bytes) != wantPub {
					t.Errorf("public key block %q of %d bytes, want %d", b.Type, len(b.Bytes), wantPub)
				}

				priv, err := fle.ParsePrivateKeyPEM(privPEM)
				if err != nil {
					t.Fatalf("ParsePrivateKeyPEM: %v", err)
				}
				pub, err := fle.ParsePublicKeyPEM(pubPEM)
				if err != nil {
					t.Fatalf("ParsePublicKeyPEM: %v", err)
				}
				if priv.ID != id || priv.KEM != k.KEM || pub.ID != id || pub.KEM != k.KEM {
					t.Errorf("parsed ids %q %q, KEMs %#x %#x; want %q %#x", priv.ID, pub.ID, priv.KEM, pub.KEM, id, k.KEM)
				}
				// Marshaling does not change the key (it once cleared an
				// X-Wing key's seed, so the second MarshalPEM was of
				// another key).
				if again := mustMarshal(t, k); !bytes.Equal(again, privPEM) {
					t.Error("a second MarshalPEM differs from the first")
				}
				if again := mustMarshal(t, priv); !bytes.Equal(again, privPEM) {
					t.Error("the private key re-marshals differently")
				}
				if !bytes.Equal(pub.MarshalPEM(), pubPEM) {
					t.Error("the public key re-marshals differently")
				}
				if !bytes.Equal(priv.Public().MarshalPEM(), pubPEM) {
					t.Error("the parsed private key's public key differs")
				}

				// The parsed keys are the key: a value sealed to the parsed
				// public key opens with the original private key and the
				// other way round.
				if id == "" {
					k.ID, priv.ID, pub.ID = "k1", "k1", "k1"
				}
				e, err := fle.NewEncryptor(pub)
				if err != nil {
					t.Fatal(err)
				}
				if pt, err := newDecryptor(t, k).Open(checkout, seal(t, e, checkout, "4111")); err != nil || string(pt) != "4111" {
					t.Errorf("sealed to the parsed public key: Open = %q, %v", pt, err)
				}
				if pt, err := newDecryptor(t, priv).Open(checkout, seal(t, newEncryptor(t, k), checkout, "4111")); err != nil || string(pt) != "4111" {
					t.Errorf("opened with the parsed private key: Open = %q, %v", pt, err)
				}
			})
		}
	}
}

// TestKeyFileAccepts: what a key file may look like besides MarshalPEM's
// output.
func TestKeyFileAccepts(t *testing.T) {
	k := testKey(t, fle.TypeX25519, "k1")
	priv, pub := mustMarshal(t, k), k.Public().MarshalPEM()
	raw := decodeBlock(t, pub).Bytes
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"as marshaled", pub},
		{"whitespace around", append(append([]byte("\n \t\n"), pub...), "\n\n  \n"...)},
		{"CRLF", bytes.ReplaceAll(pub, []byte("\n"), []byte("\r\n"))},
		{"upper-case 0X", bytes.Replace(pub, []byte("0x0020"), []byte("0X0020"), 1)},
		{"hex upper-case", pemBlock("HPKE PUBLIC KEY", map[string]string{"KEM-ID": "0x0020"}, raw)},
		{"no Key-Id", pemBlock("HPKE PUBLIC KEY", map[string]string{"KEM-ID": "0x0020"}, raw)},
		{"Key-Id first", []byte("-----BEGIN HPKE PUBLIC KEY-----\nKey-Id: k1\nKEM-ID: 0x0020\n\n" +
			base64.StdEncoding.EncodeToString(raw) + "\n-----END HPKE PUBLIC KEY-----\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fle.ParsePublicKeyPEM(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.KEM != fle.KEMX25519 || !bytes.Equal(decodeBlock(t, got.MarshalPEM()).Bytes, raw) {
				t.Errorf("parsed %#x %q", got.KEM, got.MarshalPEM())
			}
		})
	}
	if got, err := fle.ParsePrivateKeyPEM(append([]byte("\n"), priv...)); err != nil || got.ID != "k1" {
		t.Errorf("private key after a blank line: %v", err)
	}
	// An unclamped X25519 private key is the key of its clamped bytes,
	// which MarshalPEM writes (RFC 9180 SerializePrivateKey clamps).
	unclamped := bytes.Repeat([]byte{0xff}, 32)
	clamped := bytes.Clone(unclamped)
	clamped[0] &= 248
	clamped[31] &= 127
	clamped[31] |= 64
	u, err := fle.ParsePrivateKeyPEM(pemBlock("HPKE PRIVATE KEY", map[string]string{"KEM-ID": "0x0020"}, unclamped))
	if err != nil {
		t.Fatal(err)
	}
	c, err := fle.ParsePrivateKeyPEM(pemBlock("HPKE PRIVATE KEY", map[string]string{"KEM-ID": "0x0020"}, clamped))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Public().MarshalPEM(), c.Public().MarshalPEM()) || !bytes.Equal(decodeBlock(t, mustMarshal(t, u)).Bytes, clamped) {
		t.Error("an unclamped X25519 private key is not the key of its clamped bytes")
	}
	// The zero values do not marshal.
	if p := (*fle.PublicKey)(nil).MarshalPEM(); p != nil {
		t.Errorf("nil public key marshals to %q", p)
	}
	if p := (&fle.PublicKey{KEM: fle.KEMX25519}).MarshalPEM(); p != nil {
		t.Errorf("zero public key marshals to %q", p)
	}
	if _, err := (&fle.PrivateKey{KEM: fle.KEMX25519}).MarshalPEM(); err == nil || !strings.Contains(err.Error(), "no private key") {
		t.Errorf("zero private key: MarshalPEM error %v", err)
	}
}

// keyFileRejection is a key file one of the parsers refuses.
type keyFileRejection struct {
	name    string
	private bool // for ParsePrivateKeyPEM, else ParsePublicKeyPEM
	data    []byte
	want    string
}

// keyFileRejections returns one refused key file per check of
// ParsePublicKeyPEM and ParsePrivateKeyPEM (TestKeyFileRejects; the key
// file fuzz targets seed from them too).
func keyFileRejections(t testing.TB) []keyFileRejection {
	t.Helper()
	x, w := testKey(t, fle.TypeX25519, "k1"), testKey(t, fle.TypeMLKEM768X25519, "k1")
	xPriv, xPub := mustMarshal(t, x), x.Public().MarshalPEM()
	xPrivRaw, xPubRaw := decodeBlock(t, xPriv).Bytes, decodeBlock(t, xPub).Bytes
	wPubRaw := decodeBlock(t, w.Public().MarshalPEM()).Bytes
	const (
		pubT  = "HPKE PUBLIC KEY"
		privT = "HPKE PRIVATE KEY"
	)
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	x25519 := h("KEM-ID", "0x0020", "Key-Id", "k1")
	xwing := h("KEM-ID", "0x647a", "Key-Id", "k1")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	badBody := []byte("-----BEGIN HPKE PUBLIC KEY-----\nKEM-ID: 0x0020\n\n!!!notbase64!!!\n-----END HPKE PUBLIC KEY-----\n")
	cases := []keyFileRejection{
		// The file.
		{"empty", false, nil, `no PEM block: want a "HPKE PUBLIC KEY" block`},
		{"not PEM", false, []byte("hello"), "no PEM block"},
		{"raw key bytes", false, xPubRaw, "no PEM block"},
		{"text before", false, cat([]byte("key:\n"), xPub), "text before the PEM block"},
		{"BEGIN line before", false, cat([]byte("-----BEGIN junk\n"), xPub), "text before the PEM block"},
		{"unreadable block before", false, cat([]byte("-----BEGIN A-----\n-----END B-----\n"), xPub), "text before the PEM block"},
		{"a private block before", false, cat([]byte("-----BEGIN HPKE PRIVATE KEY-----\nKEM-ID: 0x0020\n\n!!\n-----END HPKE PRIVATE KEY-----\n"), xPub), "text before the PEM block"},
		{"text after", false, cat(xPub, []byte("more\n")), "data after the PEM block"},
		{"two blocks", false, cat(xPub, xPub), "data after the PEM block"},
		{"bad base64", false, badBody, "malformed PEM block"},
		{"no END line", false, bytes.TrimSuffix(xPub, []byte("-----END HPKE PUBLIC KEY-----\n")), "malformed PEM block"},
		{"END of another type", false, bytes.Replace(xPub, []byte("END HPKE PUBLIC"), []byte("END HPKE PRIVATE"), 1), "malformed PEM block"},
		{"truncated", false, xPub[:len(xPub)/2], "malformed PEM block"},
		// The block type.
		{"private key given as public", false, xPriv, `this is an "HPKE PRIVATE KEY"; give the public key ("HPKE PUBLIC KEY", PREFIX.pub.pem) instead`},
		{"public key given as private", true, xPub, `this is an "HPKE PUBLIC KEY"; the private key ("HPKE PRIVATE KEY", PREFIX.pem) is needed here`},
		{"other block type", false, pemBlock("PUBLIC KEY", x25519, xPubRaw), `PEM block "PUBLIC KEY" is not an HPKE key; want "HPKE PUBLIC KEY"`},
		{"other block type (private)", true, pemBlock("PRIVATE KEY", x25519, xPrivRaw), `PEM block "PRIVATE KEY" is not an HPKE key; want "HPKE PRIVATE KEY"`},
		{"lower-case block type", false, pemBlock("hpke public key", x25519, xPubRaw), `PEM block "hpke public key" is not an HPKE key`},
		{"long block type", false, pemBlock(strings.Repeat("K", 100), x25519, xPubRaw), `PEM block "` + strings.Repeat("K", 64) + `..." is not`},
		// The headers.
		{"unexpected header", false, pemBlock(pubT, h("KEM-ID", "0x0020", "Comment", "x"), xPubRaw), `HPKE PUBLIC KEY: unexpected header "Comment" (only KEM-ID and Key-Id)`},
		{"header name case", false, pemBlock(pubT, h("kem-id", "0x0020"), xPubRaw), `unexpected header "kem-id"`},
		{"no headers", false, pemBlock(pubT, nil, xPubRaw), "HPKE PUBLIC KEY: no KEM-ID header (0x0020 or 0x647a)"},
		{"no KEM-ID", false, pemBlock(pubT, h("Key-Id", "k1"), xPubRaw), "no KEM-ID header"},
		{"no KEM-ID (private)", true, pemBlock(privT, h("Key-Id", "k1"), xPrivRaw), "HPKE PRIVATE KEY: no KEM-ID header"},
		{"KEM-ID decimal", false, pemBlock(pubT, h("KEM-ID", "32"), xPubRaw), `KEM-ID header "32": want 0x and four hex digits, such as 0x0020`},
		{"KEM-ID short", false, pemBlock(pubT, h("KEM-ID", "0x20"), xPubRaw), `KEM-ID header "0x20": want 0x and four hex digits`},
		{"KEM-ID long", false, pemBlock(pubT, h("KEM-ID", "0x00020"), xPubRaw), `KEM-ID header "0x00020": want 0x`},
		{"KEM-ID not hex", false, pemBlock(pubT, h("KEM-ID", "0xzzzz"), xPubRaw), `KEM-ID header "0xzzzz": want 0x`},
		{"KEM-ID sign", false, pemBlock(pubT, h("KEM-ID", "0x+020"), xPubRaw), `KEM-ID header "0x+020": want 0x`},
		{"KEM-ID underscore", false, pemBlock(pubT, h("KEM-ID", "0x0_20"), xPubRaw), `KEM-ID header "0x0_20": want 0x`},
		{"KEM-ID empty", false, pemBlock(pubT, h("KEM-ID", ""), xPubRaw), `KEM-ID header "": want 0x`},
		{"KEM-ID unsupported", false, pemBlock(pubT, h("KEM-ID", "0x0010"), xPubRaw), "HPKE PUBLIC KEY: KEM-ID 0x0010 is not supported (0x0020 DHKEM(X25519, HKDF-SHA256) or 0x647a MLKEM768-X25519)"},
		{"KEM-ID unsupported (private)", true, pemBlock(privT, h("KEM-ID", "0x0021"), xPrivRaw), "HPKE PRIVATE KEY: KEM-ID 0x0021 is not supported"},
		{"Key-Id with a colon", false, pemBlock(pubT, h("KEM-ID", "0x0020", "Key-Id", "k:1"), xPubRaw), "HPKE PUBLIC KEY: Key-Id header: key id: character 2 is not one of A-Z a-z 0-9 . _ -"},
		{"Key-Id empty", false, pemBlock(pubT, h("KEM-ID", "0x0020", "Key-Id", ""), xPubRaw), "Key-Id header: empty key id"},
		{"Key-Id too long", false, pemBlock(pubT, h("KEM-ID", "0x0020", "Key-Id", strings.Repeat("k", 65)), xPubRaw), "Key-Id header: key id is 65 characters, more than 64"},
		{"Key-Id bad (private)", true, pemBlock(privT, h("KEM-ID", "0x0020", "Key-Id", "a b"), xPrivRaw), "HPKE PRIVATE KEY: Key-Id header: key id: character 2"},
		// The key bytes.
		{"public key short", false, pemBlock(pubT, x25519, xPubRaw[:31]), "HPKE PUBLIC KEY for DHKEM(X25519, HKDF-SHA256) is 31 bytes, want 32"},
		{"public key long", false, pemBlock(pubT, x25519, append(bytes.Clone(xPubRaw), 0)), "is 33 bytes, want 32"},
		{"public key empty", false, pemBlock(pubT, x25519, nil), "is 0 bytes, want 32"},
		{"X-Wing key labeled X25519", false, pemBlock(pubT, x25519, wPubRaw), "HPKE PUBLIC KEY for DHKEM(X25519, HKDF-SHA256) is 1216 bytes, want 32"},
		{"X25519 key labeled X-Wing", false, pemBlock(pubT, xwing, xPubRaw), "HPKE PUBLIC KEY for MLKEM768-X25519 is 32 bytes, want 1216"},
		{"X-Wing public key short", false, pemBlock(pubT, xwing, wPubRaw[:1215]), "is 1215 bytes, want 1216"},
		{"X25519 low-order point", false, pemBlock(pubT, x25519, make([]byte, 32)), "HPKE PUBLIC KEY: the DHKEM(X25519, HKDF-SHA256) public key cannot be encrypted to"},
		{"X-Wing invalid ML-KEM key", false, pemBlock(pubT, xwing, bytes.Repeat([]byte{0xff}, 1216)), "HPKE PUBLIC KEY: not a valid MLKEM768-X25519 public key"},
		{"private key short", true, pemBlock(privT, x25519, xPrivRaw[:31]), "HPKE PRIVATE KEY for DHKEM(X25519, HKDF-SHA256) is 31 bytes, want 32"},
		{"private key long", true, pemBlock(privT, x25519, append(bytes.Clone(xPrivRaw), 1)), "is 33 bytes, want 32"},
		{"private key empty", true, pemBlock(privT, xwing, nil), "HPKE PRIVATE KEY for MLKEM768-X25519 is 0 bytes, want 32"},
		{"X-Wing expanded private key", true, pemBlock(privT, xwing, bytes.Repeat([]byte{7}, 2432)), "HPKE PRIVATE KEY for MLKEM768-X25519 is 2432 bytes, want 32"},
		{"public key bytes as private", true, pemBlock(privT, xwing, wPubRaw), "is 1216 bytes, want 32"},
		{"private: text before", true, cat([]byte("-----BEGIN junk\n"), xPriv), "text before the PEM block"},
		{"private: data after", true, cat(xPriv, xPriv), "data after the PEM block"},
	}
	return cases
}

func TestKeyFileRejects(t *testing.T) {
	for _, tc := range keyFileRejections(t) {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.private {
				var k *fle.PrivateKey
				k, err = fle.ParsePrivateKeyPEM(tc.data)
				if k != nil {
					t.Error("ParsePrivateKeyPEM returned a key with its error")
				}
			} else {
				var k *fle.PublicKey
				k, err = fle.ParsePublicKeyPEM(tc.data)
				if k != nil {
					t.Error("ParsePublicKeyPEM returned a key with its error")
				}
			}
			wantErr(t, err, tc.want)
			if err != nil {
				checkNoKeyBytes(t, err, tc.data)
			}
		})
	}
}

// checkNoKeyBytes fails if err quotes the bytes of the PEM block in data,
// in base64 or hex.
func checkNoKeyBytes(t testing.TB, err error, data []byte) {
	t.Helper()
	b, _ := pem.Decode(data)
	if b == nil || len(b.Bytes) < 8 {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, base64.StdEncoding.EncodeToString(b.Bytes[:9])) || strings.Contains(strings.ToLower(msg), hex.EncodeToString(b.Bytes[:8])) {
		t.Errorf("error %q quotes the key bytes", msg)
	}
}

func TestWriteKeyPair(t *testing.T) {
	for _, typ := range kemTypes {
		t.Run(typ, func(t *testing.T) {
			k := testKey(t, typ, "k1")
			prefix := filepath.Join(t.TempDir(), "fle-2026-11")
			privPath, pubPath, err := fle.WriteKeyPair(prefix, k)
			if err != nil {
				t.Fatal(err)
			}
			if privPath != prefix+".pem" || pubPath != prefix+".pub.pem" {
				t.Errorf("paths %s %s", privPath, pubPath)
			}
			checkMode(t, privPath, fle.PrivateFileMode)
			checkMode(t, pubPath, fle.PublicFileMode)
			privPEM, err := os.ReadFile(privPath)
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := os.ReadFile(pubPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(privPEM, mustMarshal(t, k)) || !bytes.Equal(pubPEM, k.Public().MarshalPEM()) {
				t.Error("the files are not MarshalPEM's output")
			}
			priv, err := fle.ParsePrivateKeyPEM(privPEM)
			if err != nil || priv.ID != "k1" || priv.KEM != k.KEM {
				t.Errorf("ParsePrivateKeyPEM of the written file: %v", err)
			}
			if _, err := fle.ParsePublicKeyPEM(pubPEM); err != nil {
				t.Errorf("ParsePublicKeyPEM of the written file: %v", err)
			}

			// A second write refuses and leaves the pair as it was.
			_, _, err = fle.WriteKeyPair(prefix, testKey(t, typ, "k2"))
			wantErr(t, err, privPath+" already exists; not overwriting it")
			if again, _ := os.ReadFile(privPath); !bytes.Equal(again, privPEM) {
				t.Error("the private key file changed")
			}
			if again, _ := os.ReadFile(pubPath); !bytes.Equal(again, pubPEM) {
				t.Error("the public key file changed")
			}
		})
	}
}

// checkMode checks a file's permission bits: want, or narrower by the
// umask, never wider.
func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	got := fi.Mode()
	if !got.IsRegular() || got.Perm()&^want != 0 || got.Perm()&0o600 != 0o600 {
		t.Errorf("%s: mode %v, want a regular file with %v", filepath.Base(path), got, want)
	}
	if want == fle.PrivateFileMode && got.Perm() != 0o600 {
		t.Errorf("%s: mode %v, want exactly 0600", filepath.Base(path), got)
	}
}

func TestWriteKeyPairRefuses(t *testing.T) {
	k := testKey(t, fle.TypeX25519, "k1")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, prefix string) // makes what is in the way
		key   *fle.PrivateKey
		want  string
	}{
		{"private key file exists", func(t *testing.T, prefix string) { writeFile(t, prefix+".pem", "old") }, k, ".pem already exists; not overwriting it"},
		{"public key file exists", func(t *testing.T, prefix string) { writeFile(t, prefix+".pub.pem", "old") }, k, ".pub.pem already exists; not overwriting it"},
		{"directory in the way", func(t *testing.T, prefix string) { mkdir(t, prefix+".pub.pem") }, k, ".pub.pem already exists"},
		{"dangling symlink as private key", func(t *testing.T, prefix string) { symlink(t, prefix+".target", prefix+".pem") }, k, ".pem already exists"},
		{"dangling symlink as public key", func(t *testing.T, prefix string) { symlink(t, prefix+".target", prefix+".pub.pem") }, k, ".pub.pem already exists"},
		{"no such directory", func(t *testing.T, prefix string) {}, k, "create "},
		{"nil key", func(t *testing.T, prefix string) {}, nil, "no private key"},
		{"zero key", func(t *testing.T, prefix string) {}, &fle.PrivateKey{ID: "k1", KEM: fle.KEMX25519}, "no private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "k")
			if tc.name == "no such directory" {
				prefix = filepath.Join(dir, "missing", "k")
			}
			tc.setup(t, prefix)
			before := listDir(t, dir)
			privPath, pubPath, err := fle.WriteKeyPair(prefix, tc.key)
			wantErr(t, err, tc.want)
			if privPath != "" || pubPath != "" {
				t.Errorf("paths %q %q with an error", privPath, pubPath)
			}
			// No partial pair: the directory is as it was, and nothing
			// was written through a symlink.
			if after := listDir(t, dir); after != before {
				t.Errorf("directory changed:\nbefore %s\nafter  %s", before, after)
			}
			if _, err := os.Lstat(prefix + ".target"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a symlink was followed: %v", err)
			}
		})
	}
	_, _, err := fle.WriteKeyPair("", k)
	wantErr(t, err, "empty key file prefix")
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
}

// listDir describes the files under dir: names, types and contents.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b.WriteString(rel + " " + d.Type().String())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b.WriteString(" " + strings.ReplaceAll(string(data), "\n", "|"))
		}
		b.WriteString("; ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
