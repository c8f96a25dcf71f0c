package fle_test

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/keys/fle/body"
)

// The seeds of these targets run under plain go test; fuzz them with
// go test -run '^$' -fuzz FuzzParseValue ./keys/fle (and so on).

// FuzzParseValue: ParseValue never panics, refuses with ErrMalformedValue
// without quoting the value, and what it accepts is the one spelling of
// its key id and sealed bytes.
func FuzzParseValue(f *testing.F) {
	for _, typ := range kemTypes {
		for _, c := range openFailures(f, typ) {
			f.Add(c.value)
		}
		f.Add(seal(f, newEncryptor(f, testKey(f, typ, "k1")), checkout, "4111111111111111"))
		f.Add(seal(f, newEncryptor(f, testKey(f, typ, strings.Repeat("k", fle.MaxKeyIDLen))), checkout, ""))
	}
	for _, v := range katValues(f) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		keyID, sealed, err := fle.ParseValue(value)
		if err != nil {
			if keyID != "" || sealed != nil {
				t.Errorf("ParseValue returned %q, %d bytes with error %v", keyID, len(sealed), err)
			}
			if !errors.Is(err, fle.ErrMalformedValue) {
				t.Errorf("error %v is not ErrMalformedValue", err)
			}
			if i := strings.LastIndexByte(value, ':'); len(value)-i > 16 && strings.Contains(err.Error(), value[i+1:]) {
				t.Errorf("error %q quotes the value", err)
			}
			return
		}
		if fle.CheckKeyID(keyID) != nil {
			t.Errorf("accepted the key id %q", keyID)
		}
		if len(sealed) < 48 {
			t.Errorf("accepted %d sealed bytes", len(sealed))
		}
		if again := fle.Prefix + keyID + ":" + base64.RawURLEncoding.EncodeToString(sealed); again != value {
			t.Errorf("ParseValue(%q) re-encodes as %q", value, again)
		}
	})
}

// katValues returns the values of testdata/kat-values.txt.
func katValues(t testing.TB) []string {
	t.Helper()
	var vs []string
	for _, line := range strings.Split(string(readFile(t, "kat-values.txt")), "\n") {
		if parts := strings.Split(line, "\t"); len(parts) == 3 {
			vs = append(vs, parts[2])
		}
	}
	return vs
}

// keyFileSeeds are the key files both key file targets start from: valid
// public and private keys of both KEMs, and every rejection case.
func keyFileSeeds(f *testing.F) {
	for _, kk := range katKeys {
		f.Add(readFile(f, kk.file))
		f.Add(readFile(f, strings.TrimSuffix(kk.file, ".pem")+".pub.pem"))
	}
	for _, typ := range kemTypes {
		k := testKey(f, typ, "k1")
		f.Add(mustMarshal(f, k))
		f.Add(k.Public().MarshalPEM())
	}
	for _, c := range keyFileRejections(f) {
		f.Add(c.data)
	}
	// What fuzzing found: an unclamped X25519 private key (MarshalPEM
	// writes it clamped), and no blank line after the headers.
	f.Add([]byte("-----BEGIN HPKE PRIVATE KEY-----\nKEM-ID:0X0020\n0000000000000000000000000000000000000000000=\n-----END HPKE PRIVATE KEY-----"))
}

// FuzzParsePublicKeyPEM: no panic; an accepted key re-marshals to a file
// that parses to the same key, holding the same key bytes.
func FuzzParsePublicKeyPEM(f *testing.F) {
	keyFileSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := fle.ParsePublicKeyPEM(data)
		if err != nil {
			if k != nil {
				t.Error("a key with an error")
			}
			return
		}
		p := k.MarshalPEM()
		if p == nil {
			t.Fatal("an accepted key does not marshal")
		}
		k2, err := fle.ParsePublicKeyPEM(p)
		if err != nil {
			t.Fatalf("the re-marshaled key does not parse: %v", err)
		}
		if k2.ID != k.ID || k2.KEM != k.KEM || !bytes.Equal(k2.MarshalPEM(), p) {
			t.Errorf("re-parsed as %q %#x, want %q %#x", k2.ID, k2.KEM, k.ID, k.KEM)
		}
		checkSameKeyBytes(t, data, p)
		if _, err := fle.NewEncryptor(withID(k)); err != nil {
			t.Errorf("an accepted public key cannot be used: %v", err)
		}
	})
}

// FuzzParsePrivateKeyPEM: no panic, errors never quote the key bytes; an
// accepted key re-marshals to a file that parses to the same key.
func FuzzParsePrivateKeyPEM(f *testing.F) {
	keyFileSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := fle.ParsePrivateKeyPEM(data)
		if err != nil {
			if k != nil {
				t.Error("a key with an error")
			}
			checkNoKeyBytes(t, err, data)
			return
		}
		p, err := k.MarshalPEM()
		if err != nil {
			t.Fatalf("an accepted key does not marshal: %v", err)
		}
		k2, err := fle.ParsePrivateKeyPEM(p)
		if err != nil {
			t.Fatalf("the re-marshaled key does not parse: %v", err)
		}
		p2, err := k2.MarshalPEM()
		if err != nil || k2.ID != k.ID || k2.KEM != k.KEM || !bytes.Equal(p2, p) {
			t.Errorf("re-parsed as %q %#x (%v), want %q %#x", k2.ID, k2.KEM, err, k.ID, k.KEM)
		}
		// Not the same bytes as data's: MarshalPEM clamps an X25519
		// private key (RFC 9180 SerializePrivateKey), a file need not.
		if !bytes.Equal(k2.Public().MarshalPEM(), k.Public().MarshalPEM()) {
			t.Error("the re-parsed key has another public key")
		}
	})
}

// checkSameKeyBytes checks that the block of an accepted file and of its
// re-marshaled form hold the same bytes.
func checkSameKeyBytes(t *testing.T, data, remarshaled []byte) {
	t.Helper()
	b1, _ := pem.Decode(data)
	b2, _ := pem.Decode(remarshaled)
	if b1 == nil || b2 == nil || !bytes.Equal(b1.Bytes, b2.Bytes) || b1.Type != b2.Type {
		t.Error("the re-marshaled file holds other key bytes")
	}
}

func withID(k *fle.PublicKey) *fle.PublicKey {
	c := *k
	if c.ID == "" {
		c.ID = "k"
	}
	return &c
}

// FuzzDecryptBody: DecryptBody never panics or changes its input; its
// errors never quote a value of the body, nor a plaintext a value opens
// to; a body without values comes back as it was; a decrypted body is
// still a body of its kind.
func FuzzDecryptBody(f *testing.F) {
	d, cases := decryptBodyCases(f)
	for _, c := range cases {
		f.Add(c.ct, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		in := bytes.Clone(data)
		out, n, err := d.DecryptBody(ct, data, bodyBinding)
		if !bytes.Equal(in, data) {
			t.Fatal("DecryptBody changed its input")
		}
		if err != nil {
			if out != nil || n != 0 {
				t.Errorf("out %d bytes, n %d with error %v", len(out), n, err)
			}
			checkNoBodyValues(t, d, err, ct, data)
			return
		}
		if n == 0 {
			if !bytes.Equal(out, data) || len(out) > 0 && &out[0] != &data[0] {
				t.Error("nothing decrypted, but the body is not returned as it was")
			}
			return
		}
		if _, _, err := body.RewriteAll(ct, out, nil, body.Limits{}); err != nil {
			t.Errorf("the decrypted body is not valid: %v", err)
		}
	})
}

// checkNoBodyValues fails if err quotes a value of the body (one at
// least 12 bytes long that is not also a name, the content type or a key
// id there, which errors may quote), the sealed part of an ENC:v1 value,
// or the plaintext such a value opens to.
func checkNoBodyValues(t *testing.T, d *fle.Decryptor, err error, ct string, data []byte) {
	t.Helper()
	var fields []body.Field
	// A body RewriteAll refuses offers nothing: no value to look for.
	_, _, _ = body.RewriteAll(ct, data, func(f body.Field) ([]byte, error) {
		fields = append(fields, f)
		return nil, nil
	}, body.Limits{})
	allowed := []string{ct}
	var secrets []string
	for _, f := range fields {
		allowed = append(allowed, f.Name)
		v := string(f.Value)
		secrets = append(secrets, v)
		if rest, ok := strings.CutPrefix(v, fle.Prefix); ok {
			keyID, sealed, _ := strings.Cut(rest, ":")
			allowed = append(allowed, keyID)
			secrets = append(secrets, sealed)
			b := bodyBinding
			b.Field = f.Name
			if pt, err := d.Open(b, v); err == nil {
				secrets = append(secrets, string(pt))
			}
		}
	}
	msg := err.Error()
	for _, s := range secrets {
		if len(s) < 12 || !strings.Contains(msg, s) || inAny(allowed, s) {
			continue
		}
		t.Errorf("error %q quotes the value %.40q", msg, s)
	}
}

// inAny reports whether s is a substring of one of list.
func inAny(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
