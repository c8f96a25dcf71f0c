package keyfile_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/keyfile"
	"github.com/edgeward/edgeward/keys/token"
)

func publicKeys() map[string]crypto.PublicKey {
	g := generated()
	return map[string]crypto.PublicKey{
		"rsa-1": g[keyfile.RSA].Public(),
		"ec-1":  g[keyfile.ECDSA].Public(),
		"ed-1":  g[keyfile.Ed25519].Public(),
	}
}

func TestJWKS(t *testing.T) {
	keys := publicKeys()
	doc, err := keyfile.JWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	again, err := keyfile.JWKS(publicKeys())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Fatal("JWKS output is not deterministic")
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	want := []struct{ kid, kty, alg string }{{"ec-1", "EC", "ES256"}, {"ed-1", "OKP", "EdDSA"}, {"rsa-1", "RSA", "RS256"}}
	if len(set.Keys) != len(want) {
		t.Fatalf("%d keys, want %d:\n%s", len(set.Keys), len(want), doc)
	}
	for i, w := range want {
		k := set.Keys[i]
		if k["kid"] != w.kid || k["kty"] != w.kty || k["alg"] != w.alg || k["use"] != "sig" {
			t.Errorf("key %d = %v, want kid %s kty %s alg %s use sig", i, k, w.kid, w.kty, w.alg)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("key %s has private member %q", w.kid, private)
			}
		}
	}

	// The key set reads back with the token package, key for key.
	parsed, err := token.ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parsed {
		if p.ID != want[i].kid || p.Alg != want[i].alg || !p.Public.(equaler).Equal(keys[p.ID]) {
			t.Errorf("parsed key %d = %s %s, want %s %s and the same key", i, p.ID, p.Alg, want[i].kid, want[i].alg)
		}
	}
}

func TestJWKSErrors(t *testing.T) {
	g := generated()
	small := mustParsePublicUnchecked(t, "rsa-1024.pub.pem")
	p384 := mustParsePublicUnchecked(t, "ec-p384.pub.pem")
	cases := []struct {
		name string
		keys map[string]crypto.PublicKey
		want string
	}{
		{"no keys", nil, "no keys"},
		{"empty kid", map[string]crypto.PublicKey{"": g[keyfile.ECDSA].Public()}, "empty key id"},
		{"private key", map[string]crypto.PublicKey{"k": g[keyfile.ECDSA]}, "private key"},
		{"small RSA", map[string]crypto.PublicKey{"k": small}, "1024 bits"},
		{"P-384", map[string]crypto.PublicKey{"k": p384}, "P-384"},
		{"symmetric", map[string]crypto.PublicKey{"k": []byte("secret")}, "unsupported key type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := keyfile.JWKS(tc.keys)
			if err == nil {
				t.Fatalf("made %s, want error with %q", doc, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// mustParsePublicUnchecked reads a PKIX public key from testdata without
// keyfile's checks, to hand JWKS keys it must refuse.
func mustParsePublicUnchecked(tb testing.TB, name string) crypto.PublicKey {
	tb.Helper()
	block, _ := pem.Decode(readTestdata(tb, name))
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return pub
}
