package token

import (
	"crypto"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/keys/keyfile"
)

// publicJWK returns the JWK of pub as written by keyfile.JWKS, as a map
// the tests can change.
func publicJWK(tb testing.TB, kid string, pub crypto.PublicKey) map[string]any {
	tb.Helper()
	doc, err := keyfile.JWKS(map[string]crypto.PublicKey{kid: pub})
	if err != nil {
		tb.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(doc, &set); err != nil {
		tb.Fatal(err)
	}
	return set.Keys[0]
}

func jwksOf(tb testing.TB, keys ...map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

type jwksCase struct {
	name string
	doc  string
	want string // error substring; "" means accepted
}

func jwksCases(tb testing.TB) []jwksCase {
	k := sharedKeys()
	rsaJWK := func() map[string]any { return publicJWK(tb, "r1", k.rsaA.Public()) }
	ecJWK := func() map[string]any { return publicJWK(tb, "e1", k.ec.Public()) }
	edJWK := func() map[string]any { return publicJWK(tb, "d1", k.ed.Public()) }
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		tb.Fatal(err)
	}
	smallJWK := rsaJWK()
	smallJWK["n"] = base64.RawURLEncoding.EncodeToString(small.N.Bytes())
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	offCurve := ecJWK()
	y, _ := base64.RawURLEncoding.DecodeString(offCurve["y"].(string))
	y[31] ^= 1
	offCurve["y"] = base64.RawURLEncoding.EncodeToString(y)
	shortX := ecJWK()
	x, _ := base64.RawURLEncoding.DecodeString(shortX["x"].(string))
	shortX["x"] = base64.RawURLEncoding.EncodeToString(x[1:])

	return []jwksCase{
		{"all three types", jwksOf(tb, rsaJWK(), ecJWK(), edJWK()), ""},
		{"EC without alg is ES256", jwksOf(tb, without(ecJWK(), "alg")), ""},
		{"OKP without alg is EdDSA", jwksOf(tb, without(edJWK(), "alg")), ""},
		{"without use", jwksOf(tb, without(ecJWK(), "use")), ""},
		{"key_ops verify", jwksOf(tb, with(ecJWK(), "key_ops", []string{"verify"})), ""},
		{"unknown members ignored", jwksOf(tb, with(ecJWK(), "x-note", "hello")), ""},

		{"not JSON", "{", "not a JSON object"},
		{"not an object", "[]", "not a JSON object"},
		{"trailing data", jwksOf(tb, ecJWK()) + " {}", "not a JSON object"},
		{"no keys member", `{"Keys": []}`, `no "keys" member`},
		{"keys not an array", `{"keys": {}}`, "not an array"},
		{"keys null", `{"keys": null}`, "not an array"},
		{"empty keys", `{"keys": []}`, "no keys"},
		{"key not an object", `{"keys": [1]}`, "not a JSON object"},
		{"symmetric key", `{"keys": [{"kty": "oct", "kid": "s", "alg": "HS256", "k": "c2VjcmV0"}]}`, "symmetric keys"},
		{"symmetric key without kid", `{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}`, "symmetric keys"},
		{"missing kty", jwksOf(tb, without(ecJWK(), "kty")), `no "kty"`},
		{"kty not a string", jwksOf(tb, with(ecJWK(), "kty", 1)), `"kty" is not a string`},
		{"unknown kty", jwksOf(tb, with(ecJWK(), "kty", "ec")), `kty "ec" is not supported`},
		{"missing kid", jwksOf(tb, without(ecJWK(), "kid")), `no "kid"`},
		{"empty kid", jwksOf(tb, with(ecJWK(), "kid", "")), "empty key id"},
		{"kid null", jwksOf(tb, with(ecJWK(), "kid", nil)), `"kid" is not a string`},
		{"duplicate kid", jwksOf(tb, ecJWK(), with(edJWK(), "kid", "e1")), "already used by key 0"},
		{"EC private key", jwksOf(tb, with(ecJWK(), "d", "AAAA")), `private key material (member "d")`},
		{"RSA private key", jwksOf(tb, with(rsaJWK(), "p", "AAAA")), `private key material (member "p")`},
		{"empty private member", jwksOf(tb, with(edJWK(), "d", "")), `private key material (member "d")`},
		{"RSA without alg", jwksOf(tb, without(rsaJWK(), "alg")), `RSA key without "alg"`},
		{"RSA with HS256", jwksOf(tb, with(rsaJWK(), "alg", "HS256")), `alg "HS256" is not allowed`},
		{"alg none", jwksOf(tb, with(ecJWK(), "alg", "none")), `alg "none" is not allowed`},
		{"RSA with ES256", jwksOf(tb, with(rsaJWK(), "alg", "ES256")), `alg ES256 does not fit kty "RSA"`},
		{"RSA with PS256", jwksOf(tb, with(rsaJWK(), "alg", "PS256")), `alg "PS256" is not supported`},
		{"EC with EdDSA", jwksOf(tb, with(ecJWK(), "alg", "EdDSA")), `alg EdDSA does not fit kty "EC"`},
		{"EC P-384", jwksOf(tb, with(with(ecJWK(), "crv", "P-384"), "alg", "ES384")), `curve "P-384" is not supported`},
		{"OKP X25519", jwksOf(tb, map[string]any{"kty": "OKP", "kid": "x", "crv": "X25519", "x": base64.RawURLEncoding.EncodeToString(x25519.PublicKey().Bytes())}), `curve "X25519" is not supported`},
		{"use enc", jwksOf(tb, with(ecJWK(), "use", "enc")), `use "enc"`},
		{"key_ops without verify", jwksOf(tb, with(ecJWK(), "key_ops", []string{"encrypt"})), `does not include "verify"`},
		{"key_ops unknown op", jwksOf(tb, with(ecJWK(), "key_ops", []string{"verify", "launch"})), `key_opt "launch"`},
		{"key_ops not strings", jwksOf(tb, with(ecJWK(), "key_ops", "verify")), "not an array of strings"},
		{"EC coordinate too short", jwksOf(tb, shortX), `"x" is 31 bytes; want 32`},
		{"EC coordinate missing", jwksOf(tb, without(ecJWK(), "y")), `no "y"`},
		{"EC point off the curve", jwksOf(tb, offCurve), "invalid"},
		{"padded base64", jwksOf(tb, with(rsaJWK(), "e", "AQAB====")), "not unpadded base64url"},
		{"RSA exponent too long", jwksOf(tb, with(rsaJWK(), "e", "AQABAQAB")), `"e" is 6 bytes`},
		{"RSA exponent even", jwksOf(tb, with(rsaJWK(), "e", "AQAA")), "exponent"},
		{"small RSA key", jwksOf(tb, smallJWK), "RSA key is 1024 bits; at least 2048 are required"},
		{"Ed25519 key too short", jwksOf(tb, with(edJWK(), "x", "AAAA")), `"x" is 3 bytes; want 32`},
		{"x5u not https", jwksOf(tb, with(ecJWK(), "x5u", "http://example.com/c.pem")), "X5U URI scheme must be https"},
		{"bad x5c", jwksOf(tb, with(ecJWK(), "x5c", []string{"AAAA"})), "certificate"},
		{"duplicate member", `{"keys": [{"kty": "EC", "kty": "RSA"}]}`, `member "kty" appears twice`},
		{"duplicate keys member", `{"keys": [], "keys": []}`, `member "keys" appears twice`},
		{"too large", `{"keys": [], "pad": "` + strings.Repeat("x", MaxJWKSBytes) + `"}`, "at most"},
	}
}

func TestParseJWKS(t *testing.T) {
	for _, tc := range jwksCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseJWKS([]byte(tc.doc))
			if tc.want != "" {
				if err == nil {
					t.Fatalf("accepted %+v, want error with %q", keys, tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewVerifier(Config{Keys: keys}); err != nil {
				t.Fatalf("keys do not make a verifier: %v", err)
			}
		})
	}
}

// TestParseJWKSRoundTrip parses keyfile.JWKS's output back and verifies
// tokens made with each key.
func TestParseJWKSRoundTrip(t *testing.T) {
	k := sharedKeys()
	signers := map[string]crypto.Signer{kidRSA: k.rsaA, kidEC: k.ec, kidEd: k.ed}
	pubs := map[string]crypto.PublicKey{}
	for kid, s := range signers {
		pubs[kid] = s.Public()
	}
	doc, err := keyfile.JWKS(pubs)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantAlg := map[string]string{kidRSA: RS256, kidEC: ES256, kidEd: EdDSA}
	if len(keys) != len(wantAlg) {
		t.Fatalf("%d keys, want %d", len(keys), len(wantAlg))
	}
	for i, key := range keys {
		if i > 0 && keys[i-1].ID >= key.ID {
			t.Errorf("keys not sorted by kid: %q after %q", key.ID, keys[i-1].ID)
		}
		if key.Alg != wantAlg[key.ID] {
			t.Errorf("key %q: alg %s, want %s", key.ID, key.Alg, wantAlg[key.ID])
		}
		if !key.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(pubs[key.ID]) {
			t.Errorf("key %q: public key differs after the round trip", key.ID)
		}
	}
	v, err := NewVerifier(Config{Keys: keys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for kid, s := range signers {
		tok, err := Sign(s, kid, SignClaims{Path: "/a/*", ExpiresAt: now.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if _, verr := v.Verify(tok, "/a/b"); verr != nil {
			t.Errorf("key %q: %v", kid, verr)
		}
	}
}
