package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSignVerify(t *testing.T) {
	k := sharedKeys()
	v := newTestVerifier(t, 0, "cdn.example")
	sc := SignClaims{
		Subject:   "viewer-7",
		Audience:  "cdn.example",
		Path:      "/videos/*",
		ExpiresAt: now.Add(time.Hour).Add(500 * time.Millisecond), // truncated to the second
		NotBefore: now.Add(-time.Minute),
		IssuedAt:  now.Add(-time.Minute),
	}
	for _, tc := range []struct {
		kid string
		key crypto.Signer
		alg string
	}{{kidRSA, k.rsaA, RS256}, {kidEC, k.ec, ES256}, {kidEd, k.ed, EdDSA}} {
		t.Run(tc.alg, func(t *testing.T) {
			tok, err := Sign(tc.key, tc.kid, sc)
			if err != nil {
				t.Fatal(err)
			}
			h, _, _ := strings.Cut(tok, ".")
			raw, _ := base64.RawURLEncoding.DecodeString(h)
			var hdr map[string]any
			if err := json.Unmarshal(raw, &hdr); err != nil {
				t.Fatal(err)
			}
			if hdr["alg"] != tc.alg || hdr["kid"] != tc.kid {
				t.Errorf("header %v, want alg %s kid %s", hdr, tc.alg, tc.kid)
			}
			c := checkVerify(t, v, tok, "/videos/a.mp4", "")
			want := Claims{Subject: "viewer-7", Path: "/videos/*", ExpiresAt: now.Add(time.Hour), KeyID: tc.kid}
			if !c.ExpiresAt.Equal(want.ExpiresAt) {
				t.Errorf("ExpiresAt %v, want %v", c.ExpiresAt, want.ExpiresAt)
			}
			c.ExpiresAt = want.ExpiresAt
			if *c != want {
				t.Errorf("claims %+v, want %+v", *c, want)
			}
			checkVerify(t, v, tok, "/music/a.mp3", ReasonPathMismatch)
		})
	}
}

func TestSignOptionalClaimsOmitted(t *testing.T) {
	tok, err := Sign(sharedKeys().ed, kidEd, SignClaims{Path: "/*", ExpiresAt: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sub", "aud", "nbf", "iat"} {
		if _, ok := c[name]; ok {
			t.Errorf("claim %q present: %s", name, raw)
		}
	}
	if c["path"] != "/*" || c["exp"] != float64(now.Add(time.Minute).Unix()) {
		t.Errorf("claims %s", raw)
	}
}

// opaqueSigner hides the concrete key type behind crypto.Signer.
type opaqueSigner struct{ crypto.Signer }

func TestSignErrors(t *testing.T) {
	k := sharedKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := SignClaims{Path: "/a/*", ExpiresAt: now.Add(time.Hour)}
	cases := []struct {
		name string
		key  crypto.Signer
		kid  string
		c    SignClaims
		want string
	}{
		{"no key", nil, "k", good, "no key"},
		{"empty kid", k.ec, "", good, "empty key id"},
		{"no path", k.ec, "k", SignClaims{ExpiresAt: now.Add(time.Hour)}, "no path"},
		{"long path", k.ec, "k", SignClaims{Path: "/" + strings.Repeat("a", MaxPathClaimBytes), ExpiresAt: now.Add(time.Hour)}, "at most 1024"},
		{"no expiry", k.ec, "k", SignClaims{Path: "/a"}, "no expiry"},
		{"nbf at exp", k.ec, "k", SignClaims{Path: "/a", ExpiresAt: now, NotBefore: now}, "not before expiry"},
		{"small RSA key", small, "k", good, "1024 bits"},
		{"P-384 key", p384, "k", good, "P-384"},
		{"opaque signer", opaqueSigner{k.rsaA}, "k", good, "sign token with token.opaqueSigner"},
		{"oversized", k.ec, "k", SignClaims{Path: "/a", Subject: strings.Repeat("s", MaxTokenBytes), ExpiresAt: now.Add(time.Hour)}, "verifiers accept at most"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Sign(tc.key, tc.kid, tc.c)
			if err == nil {
				t.Fatalf("signed %q, want error with %q", tok, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// TestParserAcceptsOneAlg checks the second line of defence: even if a
// token with another alg reached a key's parser, and its keyfunc handed
// over the public key's PEM bytes as an HMAC secret, the parser refuses
// it before verifying anything.
func TestParserAcceptsOneAlg(t *testing.T) {
	k := sharedKeys()
	secret := []byte("-----BEGIN PUBLIC KEY-----")
	for _, alg := range []string{RS256, ES256, EdDSA} {
		p := newParser(alg, 0, "", fixedNow)
		for _, tok := range []string{
			forge(t, header("HS256", "k"), claims(), jwt.SigningMethodHS256, secret),
			forge(t, header("none", "k"), claims(), nil, nil),
			forge(t, header("PS256", "k"), claims(), jwt.SigningMethodPS256, k.rsaA),
		} {
			_, err := p.ParseWithClaims(tok, &tokenClaims{}, func(*jwt.Token) (any, error) { return secret, nil })
			if err == nil {
				t.Fatalf("%s parser accepted %s", alg, tok)
			}
		}
	}
}
