package fle_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

func TestSealOpenRoundTrip(t *testing.T) {
	for _, typ := range kemTypes {
		t.Run(typ, func(t *testing.T) {
			k := testKey(t, typ, "fle-2026-11")
			e, d := newEncryptor(t, k), newDecryptor(t, k)
			for _, pt := range []string{"4111111111111111", "", "ünïcode ✓", strings.Repeat("x", 16<<10), "a\x00b\r\n"} {
				v := seal(t, e, checkout, pt)
				if !strings.HasPrefix(v, fle.Prefix+"fle-2026-11:") {
					t.Fatalf("value %.40q does not start with ENC:v1:fle-2026-11:", v)
				}
				if strings.ContainsFunc(v, func(r rune) bool {
					return !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:", r)
				}) {
					t.Errorf("value has characters that are not URL-safe: %.60q", v)
				}
				got, err := d.Open(checkout, v)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if got == nil || string(got) != pt {
					t.Errorf("Open = %q (nil %v), want %q", got, got == nil, pt)
				}
			}
		})
	}
}

// TestSealFreshEachTime: equal plaintexts give unrelated values (a fresh
// ephemeral key per value), so values cannot be compared.
func TestSealFreshEachTime(t *testing.T) {
	for _, typ := range kemTypes {
		e := newEncryptor(t, testKey(t, typ, "k1"))
		v1, v2 := seal(t, e, checkout, "4111111111111111"), seal(t, e, checkout, "4111111111111111")
		if v1 == v2 {
			t.Errorf("%s: two seals of one plaintext are equal", typ)
		}
		_, s1, _ := fle.ParseValue(v1)
		_, s2, _ := fle.ParseValue(v2)
		if wantEnc := map[string]int{fle.TypeX25519: 32, fle.TypeMLKEM768X25519: 1120}[typ]; bytes.Equal(s1[:wantEnc], s2[:wantEnc]) {
			t.Errorf("%s: the encapsulated key was reused", typ)
		}
		if len(s1) != map[string]int{fle.TypeX25519: 32, fle.TypeMLKEM768X25519: 1120}[typ]+16+16 {
			t.Errorf("%s: sealed 16 bytes into %d bytes", typ, len(s1))
		}
	}
}

// TestOpenBindingMismatch: every component of the binding is bound; a
// value moved to another one does not open.
func TestOpenBindingMismatch(t *testing.T) {
	for _, typ := range kemTypes {
		t.Run(typ, func(t *testing.T) {
			k := testKey(t, typ, "k1")
			e, d := newEncryptor(t, k), newDecryptor(t, k)
			v := seal(t, e, checkout, "4111111111111111")
			if _, err := d.Open(checkout, v); err != nil {
				t.Fatalf("the unchanged binding does not open: %v", err)
			}
			moved := func(f func(*fle.Binding)) fle.Binding { b := checkout; f(&b); return b }
			for _, tc := range []struct {
				name string
				b    fle.Binding
			}{
				{"field", moved(func(b *fle.Binding) { b.Field = "comment" })},
				{"field case", moved(func(b *fle.Binding) { b.Field = "Card_number" })},
				{"JSON pointer", moved(func(b *fle.Binding) { b.Field = "/card_number" })},
				{"path", moved(func(b *fle.Binding) { b.Path = "/checkout/refund" })},
				{"path trailing slash", moved(func(b *fle.Binding) { b.Path = "/checkout/pay/" })},
				{"method", moved(func(b *fle.Binding) { b.Method = "PUT" })},
				{"distribution", moved(func(b *fle.Binding) { b.Distribution = "shop-staging" })},
				{"bytes moved between components", moved(func(b *fle.Binding) { b.Path, b.Field = "/checkout/paycard_number", "" })},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := d.Open(tc.b, v)
					if !errors.Is(err, fle.ErrOpen) {
						t.Fatalf("Open = %v, want ErrOpen", err)
					}
				})
			}
		})
	}
}

// TestOpenKeyIDBound: relabeling a value with another key id, even that of
// a key that would otherwise open it, fails: the key id is bound too.
func TestOpenKeyIDBound(t *testing.T) {
	for _, typ := range kemTypes {
		k := testKey(t, typ, "k1")
		v := seal(t, newEncryptor(t, k), checkout, "4111111111111111")
		// The same key material under a second id.
		alias, err := fle.ParsePrivateKeyPEM(mustMarshal(t, k))
		if err != nil {
			t.Fatal(err)
		}
		alias.ID = "k2"
		d := newDecryptor(t, k, alias)
		relabeled := strings.Replace(v, ":k1:", ":k2:", 1)
		if _, err := d.Open(checkout, relabeled); !errors.Is(err, fle.ErrOpen) {
			t.Errorf("%s: relabeled value: Open = %v, want ErrOpen", typ, err)
		}
		// b.KeyID is ignored: the value names the key.
		b := checkout
		b.KeyID = "k2"
		if _, err := d.Open(b, v); err != nil {
			t.Errorf("%s: Open ignoring Binding.KeyID: %v", typ, err)
		}
	}
}

func mustMarshal(t testing.TB, k *fle.PrivateKey) []byte {
	t.Helper()
	p, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openFailure is one value that does not open, and the error it gives.
type openFailure struct {
	name  string
	d     *fle.Decryptor
	value string
	is    error
	msg   string
}

// openFailures returns one failing value per check of Open and
// ParseValue, for keys of type typ (TestOpenFailures; FuzzParseValue
// seeds from them too).
func openFailures(t testing.TB, typ string) []openFailure {
	t.Helper()
	k := testKey(t, typ, "k1")
	other := testKey(t, typ, "other")
	// The same id, another key: what a mixed-up key file looks like.
	impostor, err := fle.GenerateKey(typ, "k1")
	if err != nil {
		t.Fatal(err)
	}
	e, d := newEncryptor(t, k), newDecryptor(t, k, other)
	v := seal(t, e, checkout, "4111111111111111")
	keyID, sealed, err := fle.ParseValue(v)
	if err != nil || keyID != "k1" {
		t.Fatalf("ParseValue = %q, %v", keyID, err)
	}
	encLen := map[string]int{fle.TypeX25519: 32, fle.TypeMLKEM768X25519: 1120}[typ]
	reseal := func(b []byte) string { return fle.Prefix + "k1:" + base64.RawURLEncoding.EncodeToString(b) }
	flip := func(i int) string { b := bytes.Clone(sealed); b[i] ^= 1; return reseal(b) }
	return []openFailure{
		{"wrong key with the same id", newDecryptor(t, impostor), v, fle.ErrOpen, `key "k1" for field "card_number"`},
		{"unknown key id", newDecryptor(t, other), v, fle.ErrUnknownKey, `no private key has the id "k1" (held: other)`},
		{"flipped enc byte", d, flip(0), fle.ErrOpen, "does not open"},
		{"flipped ciphertext byte", d, flip(encLen + 3), fle.ErrOpen, "does not open"},
		{"flipped tag byte", d, flip(len(sealed) - 1), fle.ErrOpen, "does not open"},
		{"truncated by one byte", d, reseal(sealed[:len(sealed)-1]), fle.ErrOpen, "does not open"},
		{"truncated to enc and tag", d, reseal(sealed[:encLen+16]), fle.ErrOpen, "does not open"},
		{"truncated below enc and tag", d, reseal(sealed[:encLen+15]), fle.ErrMalformedValue, "too short"},
		{"extended by one byte", d, reseal(append(bytes.Clone(sealed), 0)), fle.ErrOpen, "does not open"},
		{"zero enc (low-order point)", d, reseal(append(make([]byte, encLen), sealed[encLen:]...)), fle.ErrOpen, "does not open"},
		{"empty", d, "", fle.ErrMalformedValue, "does not start with"},
		{"bad prefix", d, "ENC:v2:" + v[len(fle.Prefix):], fle.ErrMalformedValue, "does not start with"},
		{"lower-case prefix", d, "enc:v1:" + v[len(fle.Prefix):], fle.ErrMalformedValue, "does not start with"},
		{"prefix only", d, fle.Prefix, fle.ErrMalformedValue, "no ':' after the key id"},
		{"no key id", d, fle.Prefix + ":" + v[len(fle.Prefix)+3:], fle.ErrMalformedValue, "key id is not"},
		{"bad key id", d, fle.Prefix + "k+1:" + v[len(fle.Prefix)+3:], fle.ErrMalformedValue, "key id is not"},
		{"padding", d, v + "==", fle.ErrMalformedValue, "not base64url"},
		{"standard base64", d, fle.Prefix + "k1:" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 40)), fle.ErrMalformedValue, "not base64url"},
		{"newline inside", d, v[:30] + "\n" + v[30:], fle.ErrMalformedValue, "not base64url"},
		{"trailing space", d, v + " ", fle.ErrMalformedValue, "not base64url"},
		{"impossible length", d, impossibleLength(v), fle.ErrMalformedValue, "not canonical base64url"},
		{"non-zero trailing bits", d, nonCanonical(reseal(sealed[:withUnusedBits(len(sealed))])), fle.ErrMalformedValue, "not canonical base64url"},
		{"too short", d, fle.Prefix + "k1:AAAA", fle.ErrMalformedValue, "too short"},
	}
}

// TestOpenFailures: one failing value per check, each with its error.
func TestOpenFailures(t *testing.T) {
	for _, typ := range kemTypes {
		t.Run(typ, func(t *testing.T) {
			for _, tc := range openFailures(t, typ) {
				t.Run(tc.name, func(t *testing.T) {
					pt, err := tc.d.Open(checkout, tc.value)
					if pt != nil {
						t.Errorf("Open returned a plaintext with error %v", err)
					}
					if !errors.Is(err, tc.is) {
						t.Fatalf("Open = %v, want %v", err, tc.is)
					}
					wantErr(t, err, tc.msg)
				})
			}
		})
	}
}

// impossibleLength appends characters to v until its sealed part has a
// length no base64 encoding has (1 mod 4).
func impossibleLength(v string) string {
	data := v[strings.LastIndexByte(v, ':')+1:]
	for len(data)%4 != 1 {
		data += "A"
		v += "A"
	}
	return v
}

// withUnusedBits returns n or n-1, whichever is not a multiple of 3: a
// length whose encoding has unused bits in its last character.
func withUnusedBits(n int) int {
	if n%3 == 0 {
		return n - 1
	}
	return n
}

// nonCanonical changes the last character of v so it decodes to the same
// bytes with non-zero unused bits (the sealed lengths leave some).
func nonCanonical(v string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, v[len(v)-1])
	return v[:len(v)-1] + string(alphabet[last|1])
}

func TestNewEncryptorDecryptorErrors(t *testing.T) {
	k := testKey(t, fle.TypeX25519, "k1")
	noID, err := fle.GenerateKey(fle.TypeX25519, "")
	if err != nil {
		t.Fatal(err)
	}
	badID := k.Public()
	badID.ID = "bad:id"
	wrongKEM := k.Public()
	wrongKEM.KEM = fle.KEMMLKEM768X25519
	for _, tc := range []struct {
		name string
		pub  *fle.PublicKey
		want string
	}{
		{"nil", nil, "no public key"},
		{"zero", &fle.PublicKey{ID: "k1", KEM: fle.KEMX25519}, "no public key"},
		{"no id", noID.Public(), "needs a valid id: empty key id"},
		{"bad id", badID, "needs a valid id: key id: character 4"},
		{"KEM field lies", wrongKEM, "KEM field says 0x647a but the key is 0x0020"},
	} {
		t.Run("encryptor/"+tc.name, func(t *testing.T) {
			_, err := fle.NewEncryptor(tc.pub)
			wantErr(t, err, tc.want)
		})
	}
	for _, tc := range []struct {
		name string
		keys []*fle.PrivateKey
		want string
	}{
		{"no keys", nil, "at least one private key"},
		{"nil key", []*fle.PrivateKey{k, nil}, "private key 2: no private key"},
		{"no id", []*fle.PrivateKey{noID}, "private key 1 needs a valid id"},
		{"duplicate id", []*fle.PrivateKey{k, testKey(t, fle.TypeMLKEM768X25519, "k1")}, `two private keys have the id "k1"`},
	} {
		t.Run("decryptor/"+tc.name, func(t *testing.T) {
			_, err := fle.NewDecryptor(tc.keys...)
			wantErr(t, err, tc.want)
		})
	}
	if _, err := fle.GenerateKey("rsa", "k1"); err == nil {
		t.Error("GenerateKey accepted rsa")
	}
	if _, err := fle.GenerateKey(fle.TypeX25519, "a b"); err == nil {
		t.Error("GenerateKey accepted the id \"a b\"")
	}
}

// TestRotation: a Decryptor holding the old and the new key opens values
// of both, each by its key id; the Encryptor's key id is the one its
// values carry.
func TestRotation(t *testing.T) {
	oldK, newK := testKey(t, fle.TypeX25519, "fle-2026-05"), testKey(t, fle.TypeMLKEM768X25519, "fle-2026-11")
	d := newDecryptor(t, oldK, newK)
	if got := strings.Join(d.KeyIDs(), ","); got != "fle-2026-05,fle-2026-11" {
		t.Errorf("KeyIDs = %s", got)
	}
	for _, k := range []*fle.PrivateKey{oldK, newK} {
		e := newEncryptor(t, k)
		if e.KeyID() != k.ID {
			t.Errorf("KeyID = %q, want %q", e.KeyID(), k.ID)
		}
		v := seal(t, e, checkout, "secret")
		if pt, err := d.Open(checkout, v); err != nil || string(pt) != "secret" {
			t.Errorf("%s: Open = %q, %v", k.ID, pt, err)
		}
	}
}

// TestConcurrentUse runs Seal and Open from many goroutines (go test -race).
func TestConcurrentUse(t *testing.T) {
	k := testKey(t, fle.TypeX25519, "k1")
	e, d := newEncryptor(t, k), newDecryptor(t, k)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				b := checkout
				b.Field = strings.Repeat("f", i+1)
				v, err := e.Seal(b, []byte("4111111111111111"))
				if err != nil {
					t.Error(err)
					return
				}
				if pt, err := d.Open(b, v); err != nil || string(pt) != "4111111111111111" {
					t.Errorf("Open = %q, %v", pt, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
