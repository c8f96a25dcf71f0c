package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"
)

func TestNewVerifierErrors(t *testing.T) {
	k := sharedKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := Key{ID: "a", Alg: ES256, Public: k.ec.Public()}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no keys", Config{}, "no keys"},
		{"empty kid", Config{Keys: []Key{{Alg: ES256, Public: k.ec.Public()}}}, "empty key id"},
		{"kid with space", Config{Keys: []Key{{ID: "a b", Alg: ES256, Public: k.ec.Public()}}}, "printable ASCII"},
		{"duplicate kid", Config{Keys: []Key{good, good}}, "used twice"},
		{"alg does not fit", Config{Keys: []Key{{ID: "a", Alg: RS256, Public: k.ec.Public()}}}, `alg "RS256" does not fit`},
		{"HMAC alg", Config{Keys: []Key{{ID: "a", Alg: "HS256", Public: k.rsaA.Public()}}}, `alg "HS256" does not fit`},
		{"empty alg", Config{Keys: []Key{{ID: "a", Public: k.ed.Public()}}}, `alg "" does not fit`},
		{"no key", Config{Keys: []Key{{ID: "a", Alg: RS256}}}, "no key"},
		{"private key", Config{Keys: []Key{{ID: "a", Alg: RS256, Public: k.rsaA}}}, "private key"},
		{"symmetric key", Config{Keys: []Key{{ID: "a", Alg: "HS256", Public: []byte("secret")}}}, "unsupported key type"},
		{"small RSA key", Config{Keys: []Key{{ID: "a", Alg: RS256, Public: small.Public()}}}, "1024 bits"},
		{"P-384 key", Config{Keys: []Key{{ID: "a", Alg: "ES384", Public: p384.Public()}}}, "P-384"},
		{"negative skew", Config{Keys: []Key{good}, ClockSkew: -time.Second}, "clock skew"},
		{"large skew", Config{Keys: []Key{good}, ClockSkew: time.Hour}, "clock skew"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(tc.cfg)
			if err == nil {
				t.Fatalf("NewVerifier succeeded (%v), want error with %q", v, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestNewVerifierDefaultClock(t *testing.T) {
	v, err := NewVerifier(Config{Keys: configuredKeys()})
	if err != nil {
		t.Fatal(err)
	}
	c := claims()
	c["exp"] = time.Now().Add(time.Hour).Unix()
	c["iat"] = time.Now().Add(-time.Hour).Unix()
	if _, err := v.Verify(signAs(t, kidEd, c), "/private/a"); err != nil {
		t.Fatal(err)
	}
}
