package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// now is the fixed clock of the tests (a whole second, as NumericDates are).
var now = time.Unix(1_900_000_000, 0)

func fixedNow() time.Time { return now }

// testKeySet is the keys every test shares: generating RSA keys is slow.
type testKeySet struct {
	rsaA, rsaB *rsa.PrivateKey
	ec         *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
}

var sharedKeys = sync.OnceValue(func() *testKeySet {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	var s testKeySet
	var err error
	s.rsaA, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	s.rsaB, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	s.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	_, s.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return &s
})

// Key ids of the configured keys. rsaB is configured under kidRSAB.
const (
	kidRSA  = "rsa-a"
	kidRSAB = "rsa-b"
	kidEC   = "ec-1"
	kidEd   = "ed-1"
)

func configuredKeys() []Key {
	k := sharedKeys()
	return []Key{
		{ID: kidRSA, Alg: RS256, Public: k.rsaA.Public()},
		{ID: kidRSAB, Alg: RS256, Public: k.rsaB.Public()},
		{ID: kidEC, Alg: ES256, Public: k.ec.Public()},
		{ID: kidEd, Alg: EdDSA, Public: k.ed.Public()},
	}
}

func newTestVerifier(tb testing.TB, skew time.Duration, aud string) *Verifier {
	tb.Helper()
	v, err := NewVerifier(Config{Keys: configuredKeys(), ClockSkew: skew, Audience: aud, Now: fixedNow})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// claims returns valid claims for path "/private/*", which the caller may
// change.
func claims() map[string]any {
	return map[string]any{
		"sub":  "viewer-7",
		"path": "/private/*",
		"exp":  now.Add(time.Hour).Unix(),
		"iat":  now.Add(-time.Minute).Unix(),
	}
}

func header(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jsonB64(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b64(b)
}

// forge builds a compact token from any header and claims, signed with
// method and key (an empty signature when method is nil).
func forge(tb testing.TB, h, c map[string]any, method jwt.SigningMethod, key any) string {
	tb.Helper()
	input := jsonB64(tb, h) + "." + jsonB64(tb, c)
	var sig []byte
	if method != nil {
		var err error
		if sig, err = method.Sign(input, key); err != nil {
			tb.Fatal(err)
		}
	}
	return input + "." + b64(sig)
}

// signAs signs claims c with the named configured key, honestly.
func signAs(tb testing.TB, kid string, c map[string]any) string {
	tb.Helper()
	k := sharedKeys()
	var method jwt.SigningMethod
	var key crypto.Signer
	switch kid {
	case kidRSA:
		method, key = jwt.SigningMethodRS256, k.rsaA
	case kidRSAB:
		method, key = jwt.SigningMethodRS256, k.rsaB
	case kidEC:
		method, key = jwt.SigningMethodES256, k.ec
	case kidEd:
		method, key = jwt.SigningMethodEdDSA, k.ed
	default:
		tb.Fatalf("no test key %q", kid)
	}
	return forge(tb, header(method.Alg(), kid), c, method, key)
}

func without(m map[string]any, name string) map[string]any {
	delete(m, name)
	return m
}

func with(m map[string]any, name string, v any) map[string]any {
	m[name] = v
	return m
}
