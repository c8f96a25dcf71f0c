package token

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edgeward/edgeward/keys/keyfile"
)

type verifyCase struct {
	name  string
	token func(tb testing.TB) string
	path  string
	want  Reason // "" means accepted
}

// verifyCases holds one failing case per check, then accepting cases. The
// verifier has no clock skew and no audience unless the case says so.
func verifyCases() []verifyCase {
	return []verifyCase{
		{"missing", func(testing.TB) string { return "" }, "/private/a", ReasonMissing},
		{"oversized", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "pad", strings.Repeat("x", MaxTokenBytes)))
		}, "/private/a", ReasonMalformed},
		{"one segment", func(testing.TB) string { return "abc" }, "/private/a", ReasonMalformed},
		{"two segments", func(tb testing.TB) string {
			s := signAs(tb, kidEC, claims())
			return s[:strings.LastIndexByte(s, '.')]
		}, "/private/a", ReasonMalformed},
		{"four segments", func(tb testing.TB) string { return signAs(tb, kidEC, claims()) + ".x" }, "/private/a", ReasonMalformed},
		{"header not base64url", func(tb testing.TB) string {
			s := signAs(tb, kidEC, claims())
			return "*" + s[1:]
		}, "/private/a", ReasonMalformed},
		{"header not JSON", func(tb testing.TB) string {
			s := signAs(tb, kidEC, claims())
			return b64([]byte("nope")) + s[strings.IndexByte(s, '.'):]
		}, "/private/a", ReasonMalformed},
		{"missing kid", func(tb testing.TB) string {
			return forge(tb, header("ES256", ""), claims(), jwt.SigningMethodES256, sharedKeys().ec)
		}, "/private/a", ReasonMalformed},
		{"kid not a string", func(tb testing.TB) string {
			return forge(tb, with(header("ES256", ""), "kid", 7), claims(), jwt.SigningMethodES256, sharedKeys().ec)
		}, "/private/a", ReasonMalformed},
		{"missing alg", func(tb testing.TB) string {
			return forge(tb, without(header("ES256", kidEC), "alg"), claims(), jwt.SigningMethodES256, sharedKeys().ec)
		}, "/private/a", ReasonMalformed},
		{"crit header", func(tb testing.TB) string {
			return forge(tb, with(header("ES256", kidEC), "crit", []string{"b64"}), claims(), jwt.SigningMethodES256, sharedKeys().ec)
		}, "/private/a", ReasonMalformed},
		{"unknown kid", func(tb testing.TB) string {
			return forge(tb, header("ES256", "nobody"), claims(), jwt.SigningMethodES256, sharedKeys().ec)
		}, "/private/a", ReasonUnknownKey},
		{"alg none", func(tb testing.TB) string {
			return forge(tb, header("none", kidRSA), claims(), nil, nil)
		}, "/private/a", ReasonBadSignature},
		{"HS256 keyed with the RSA public key PEM", func(tb testing.TB) string {
			pemBytes, err := keyfile.MarshalPublicKeyPEM(sharedKeys().rsaA.Public())
			if err != nil {
				tb.Fatal(err)
			}
			return forge(tb, header("HS256", kidRSA), claims(), jwt.SigningMethodHS256, pemBytes)
		}, "/private/a", ReasonBadSignature},
		{"HS256 keyed with the RSA public key DER", func(tb testing.TB) string {
			der, err := x509.MarshalPKIXPublicKey(sharedKeys().rsaA.Public())
			if err != nil {
				tb.Fatal(err)
			}
			return forge(tb, header("HS256", kidRSA), claims(), jwt.SigningMethodHS256, der)
		}, "/private/a", ReasonBadSignature},
		{"RS256 token under an ES256 kid", func(tb testing.TB) string {
			return forge(tb, header("RS256", kidEC), claims(), jwt.SigningMethodRS256, sharedKeys().rsaA)
		}, "/private/a", ReasonBadSignature},
		{"PS256 token under an RS256 kid", func(tb testing.TB) string {
			return forge(tb, header("PS256", kidRSA), claims(), jwt.SigningMethodPS256, sharedKeys().rsaA)
		}, "/private/a", ReasonBadSignature},
		{"signed by another key of the same alg", func(tb testing.TB) string {
			return forge(tb, header("RS256", kidRSA), claims(), jwt.SigningMethodRS256, sharedKeys().rsaB)
		}, "/private/a", ReasonBadSignature},
		{"tampered payload", func(tb testing.TB) string {
			s := signAs(tb, kidRSA, claims())
			parts := strings.Split(s, ".")
			parts[1] = jsonB64(tb, with(claims(), "path", "/*"))
			return strings.Join(parts, ".")
		}, "/public/a", ReasonBadSignature},
		{"tampered signature", func(tb testing.TB) string {
			s := signAs(tb, kidEd, claims())
			return s[:len(s)-2] + map[bool]string{true: "AA", false: "BA"}[!strings.HasSuffix(s, "AA")]
		}, "/private/a", ReasonBadSignature},
		{"empty signature", func(tb testing.TB) string {
			return forge(tb, header("ES256", kidEC), claims(), nil, nil)
		}, "/private/a", ReasonBadSignature},
		{"padded signature", func(tb testing.TB) string { return signAs(tb, kidEC, claims()) + "==" }, "/private/a", ReasonMalformed},
		{"expired", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "exp", now.Add(-time.Second).Unix()))
		}, "/private/a", ReasonExpired},
		{"expires now", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "exp", now.Unix()))
		}, "/private/a", ReasonExpired},
		{"not yet valid", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "nbf", now.Add(time.Second).Unix()))
		}, "/private/a", ReasonNotYetValid},
		{"issued in the future", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "iat", now.Add(time.Second).Unix()))
		}, "/private/a", ReasonNotYetValid},
		{"missing exp", func(tb testing.TB) string {
			return signAs(tb, kidEC, without(claims(), "exp"))
		}, "/private/a", ReasonMalformed},
		{"exp not a number", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "exp", "tomorrow"))
		}, "/private/a", ReasonMalformed},
		{"missing path claim", func(tb testing.TB) string {
			return signAs(tb, kidEC, without(claims(), "path"))
		}, "/private/a", ReasonMalformed},
		{"empty path claim", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "path", ""))
		}, "/private/a", ReasonMalformed},
		{"path claim not a string", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "path", []string{"/*"}))
		}, "/private/a", ReasonMalformed},
		{"path claim too long", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "path", "/"+strings.Repeat("a", MaxPathClaimBytes)))
		}, "/private/a", ReasonMalformed},
		{"path mismatch", func(tb testing.TB) string { return signAs(tb, kidEC, claims()) }, "/public/a", ReasonPathMismatch},
		{"path mismatch, prefix without slash", func(tb testing.TB) string { return signAs(tb, kidEC, claims()) }, "/private", ReasonPathMismatch},

		{"RS256 accepted", func(tb testing.TB) string { return signAs(tb, kidRSA, claims()) }, "/private/a/b.mp4", ""},
		{"second RS256 key accepted", func(tb testing.TB) string { return signAs(tb, kidRSAB, claims()) }, "/private/x", ""},
		{"ES256 accepted", func(tb testing.TB) string { return signAs(tb, kidEC, claims()) }, "/private/", ""},
		{"EdDSA accepted", func(tb testing.TB) string { return signAs(tb, kidEd, claims()) }, "/private/a", ""},
		{"exact path", func(tb testing.TB) string {
			return signAs(tb, kidEd, with(claims(), "path", "/a/b.txt"))
		}, "/a/b.txt", ""},
		{"glob path", func(tb testing.TB) string {
			return signAs(tb, kidEd, with(claims(), "path", "/videos/*/clip-??.mp4"))
		}, "/videos/2024/june/clip-07.mp4", ""},
		{"whole site, explicitly", func(tb testing.TB) string {
			return signAs(tb, kidEd, with(claims(), "path", "/*"))
		}, "/anything", ""},
		{"nbf now", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "nbf", now.Unix()))
		}, "/private/a", ""},
		{"expires in a second", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "exp", now.Add(time.Second).Unix()))
		}, "/private/a", ""},
		{"no iat", func(tb testing.TB) string {
			return signAs(tb, kidEC, without(claims(), "iat"))
		}, "/private/a", ""},
		{"aud ignored without configured audience", func(tb testing.TB) string {
			return signAs(tb, kidEC, with(claims(), "aud", "elsewhere"))
		}, "/private/a", ""},
		{"keys in the header are ignored", func(tb testing.TB) string {
			h := with(header("RS256", kidRSA), "jku", "https://attacker.example/jwks.json")
			return forge(tb, h, claims(), jwt.SigningMethodRS256, sharedKeys().rsaA)
		}, "/private/a", ""},
	}
}

func TestVerify(t *testing.T) {
	v := newTestVerifier(t, 0, "")
	for _, tc := range verifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			checkVerify(t, v, tc.token(t), tc.path, tc.want)
		})
	}
}

// checkVerify runs Verify and checks the outcome is want.
func checkVerify(t *testing.T, v *Verifier, tok, path string, want Reason) *Claims {
	t.Helper()
	c, err := v.Verify(tok, path)
	if want == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		if c == nil {
			t.Fatal("accepted with nil claims")
		}
		return c
	}
	if err == nil {
		t.Fatalf("accepted (%+v), want %s", c, want)
	}
	if c != nil {
		t.Errorf("refused but returned claims %+v", c)
	}
	if err.Reason != want {
		t.Fatalf("reason %s (%v), want %s", err.Reason, err, want)
	}
	if err.Message == "" || err.Message != messages[want] {
		t.Errorf("message %q, want %q", err.Message, messages[want])
	}
	if err.Detail == "" {
		t.Error("empty detail")
	}
	if i := strings.LastIndexByte(tok, '.'); i >= 0 && len(tok)-i > 8 && strings.Contains(err.Detail, tok[i+1:]) {
		t.Errorf("detail %q quotes the signature", err.Detail)
	}
	return nil
}

func TestVerifyClaims(t *testing.T) {
	v := newTestVerifier(t, 0, "")
	c := checkVerify(t, v, signAs(t, kidEd, claims()), "/private/a", "")
	want := Claims{Subject: "viewer-7", Path: "/private/*", ExpiresAt: now.Add(time.Hour), KeyID: kidEd}
	if !c.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ExpiresAt %v, want %v", c.ExpiresAt, want.ExpiresAt)
	}
	c.ExpiresAt = want.ExpiresAt
	if *c != want {
		t.Errorf("claims %+v, want %+v", *c, want)
	}
}

func TestVerifyAudience(t *testing.T) {
	v := newTestVerifier(t, 0, "cdn.example")
	cases := []struct {
		name string
		aud  any // nil: no aud claim
		want Reason
	}{
		{"wrong audience", "other.example", ReasonAudience},
		{"no audience", nil, ReasonAudience},
		{"empty audience", "", ReasonAudience},
		{"audience not in list", []string{"a.example", "b.example"}, ReasonAudience},
		{"audience matches", "cdn.example", ""},
		{"audience in list", []string{"a.example", "cdn.example"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := claims()
			if tc.aud != nil {
				c["aud"] = tc.aud
			}
			checkVerify(t, v, signAs(t, kidEC, c), "/private/a", tc.want)
		})
	}
}

// TestVerifySkewBoundaries checks exp, nbf and iat at the edges of a 30s
// clock skew: exp is honoured while now < exp+skew, nbf and iat while
// now >= nbf-skew.
func TestVerifySkewBoundaries(t *testing.T) {
	const skew = 30 * time.Second
	v := newTestVerifier(t, skew, "")
	cases := []struct {
		name  string
		claim string
		at    time.Duration // claim value relative to now
		want  Reason
	}{
		{"exp inside skew", "exp", -skew + time.Second, ""},
		{"exp at skew", "exp", -skew, ReasonExpired},
		{"exp past skew", "exp", -skew - time.Second, ReasonExpired},
		{"nbf at skew", "nbf", skew, ""},
		{"nbf past skew", "nbf", skew + time.Second, ReasonNotYetValid},
		{"iat at skew", "iat", skew, ""},
		{"iat past skew", "iat", skew + time.Second, ReasonNotYetValid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkVerify(t, v, signAs(t, kidEC, with(claims(), tc.claim, now.Add(tc.at).Unix())), "/private/a", tc.want)
		})
	}
}

// TestVerifyConcurrent runs Verify from many goroutines (for -race).
func TestVerifyConcurrent(t *testing.T) {
	v := newTestVerifier(t, 0, "")
	good := signAs(t, kidEd, claims())
	bad := signAs(t, kidEC, with(claims(), "exp", now.Unix()))
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if _, err := v.Verify(good, "/private/a"); err != nil {
					t.Error(err)
				}
				if _, err := v.Verify(bad, "/private/a"); err == nil || err.Reason != ReasonExpired {
					t.Errorf("got %v, want expired", err)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func TestErrorString(t *testing.T) {
	e := fail(ReasonExpired, "kid \"k\": token is expired")
	var err error = e
	if got := err.Error(); got != `token expired: kid "k": token is expired` {
		t.Errorf("Error() = %q", got)
	}
	for r, m := range messages {
		if m == "" || strings.ContainsAny(m, "%\n") {
			t.Errorf("reason %s: bad message %q", r, m)
		}
	}
}
