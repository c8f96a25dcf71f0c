package fle_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// katBinding is the Binding the known-answer values were sealed with.
var katBinding = fle.Binding{Distribution: "shop", Method: "POST", Path: "/checkout/pay", Field: "card_number"}

// katKeys are the test-only keys of testdata/, with what is pinned of each.
var katKeys = []struct {
	file   string
	id     string
	kem    uint16
	encLen int
	// aad is katBinding's AAD with the key's id: each component as a
	// 2-byte big-endian length and its bytes, in the order key id,
	// distribution, method, path, field.
	aad string
	// pubSHA256 is the SHA-256 of the public key file's key bytes.
	pubSHA256 string
}{
	{"kat-x25519.pem", "kat-x25519", fle.KEMX25519, 32,
		"000a6b61742d783235353139" + "000473686f70" + "0004504f5354" + "000d2f636865636b6f75742f706179" + "000b636172645f6e756d626572",
		"4e481a29a6a8d3c95afc06a8b0827ead315e4c9d3084ca5bb95f6a5fde8c998a"},
	{"kat-mlkem768x25519.pem", "kat-xwing", fle.KEMMLKEM768X25519, 1120,
		"00096b61742d7877696e67" + "000473686f70" + "0004504f5354" + "000d2f636865636b6f75742f706179" + "000b636172645f6e756d626572",
		"c26d464389d7d9b62fb5ade45da9f693ee5a5d37ce60cd3cb6b7a7ee96628356"},
}

// TestKnownAnswers opens values sealed once with the committed test keys.
// It fails if anything of the wire format changes: the HPKE suite (KEM,
// HKDF-SHA256, AES-256-GCM, mode base), the info string, the AAD layout,
// the value's encoding, or the key file format.
func TestKnownAnswers(t *testing.T) {
	keys := map[string]*fle.PrivateKey{}
	for _, kk := range katKeys {
		k := readKATKey(t, kk.file)
		if k.ID != kk.id || k.KEM != kk.kem {
			t.Fatalf("%s: id %q KEM %#x, want %q %#x", kk.file, k.ID, k.KEM, kk.id, kk.kem)
		}
		b := katBinding
		b.KeyID = k.ID
		aad, err := b.AAD()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(aad); got != kk.aad {
			t.Errorf("%s: AAD %s, want %s", kk.id, got, kk.aad)
		}
		pubFile := strings.TrimSuffix(kk.file, ".pem") + ".pub.pem"
		pub := readFile(t, pubFile)
		parsed, err := fle.ParsePublicKeyPEM(pub)
		if err != nil {
			t.Fatalf("%s: %v", pubFile, err)
		}
		if !bytes.Equal(k.Public().MarshalPEM(), pub) || !bytes.Equal(parsed.MarshalPEM(), pub) {
			t.Errorf("%s is not the public key of %s", pubFile, kk.file)
		}
		// The public key is derived as it was (for X-Wing, from the seed
		// the private key file holds).
		if sum := sha256.Sum256(decodeBlock(t, pub).Bytes); hex.EncodeToString(sum[:]) != kk.pubSHA256 {
			t.Errorf("%s: SHA-256 of the key bytes %x, want %s", pubFile, sum, kk.pubSHA256)
		}
		keys[kk.file] = k
	}

	f, err := os.Open(filepath.Join("testdata", "kat-values.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			t.Fatalf("kat-values.txt:%d: %d tab-separated fields, want 3", line, len(parts))
		}
		file, value := parts[0], parts[2]
		want, err := strconv.Unquote(parts[1])
		if err != nil {
			t.Fatalf("kat-values.txt:%d: plaintext: %v", line, err)
		}
		k := keys[file]
		if k == nil {
			t.Fatalf("kat-values.txt:%d: no key %s", line, file)
		}
		var encLen int
		for _, kk := range katKeys {
			if kk.file == file {
				encLen = kk.encLen
			}
		}
		// The value's format: ENC:v1:<key id>:<base64url of enc || ct>.
		keyID, sealed, err := fle.ParseValue(value)
		if err != nil || keyID != k.ID || len(sealed) != encLen+len(want)+16 {
			t.Errorf("kat-values.txt:%d: ParseValue = %q, %d bytes, %v; want %q, %d bytes", line, keyID, len(sealed), err, k.ID, encLen+len(want)+16)
		}
		d := newDecryptor(t, k)
		got, err := d.Open(katBinding, value)
		if err != nil {
			t.Errorf("kat-values.txt:%d: Open: %v", line, err)
		} else if string(got) != want {
			t.Errorf("kat-values.txt:%d: Open = %q, want %q", line, got, want)
		}
		// It opens for that binding only.
		moved := katBinding
		moved.Field = "/card_number"
		if _, err := d.Open(moved, value); err == nil {
			t.Errorf("kat-values.txt:%d: opens for another field", line)
		}
		seen[file]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, kk := range katKeys {
		if seen[kk.file] < 2 {
			t.Errorf("kat-values.txt has %d values of %s, want at least 2", seen[kk.file], kk.file)
		}
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readKATKey(t testing.TB, name string) *fle.PrivateKey {
	t.Helper()
	k, err := fle.ParsePrivateKeyPEM(readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k
}
