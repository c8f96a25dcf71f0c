package token

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edgeward/edgeward/keys/keyfile"
)

// Limits.
const (
	// MaxTokenBytes is the longest token Verify parses; longer ones are
	// refused before any decoding.
	MaxTokenBytes = 8 << 10
	// MaxPathClaimBytes is the longest path claim accepted.
	MaxPathClaimBytes = 1024
	// MaxClockSkew is the largest Config.ClockSkew accepted.
	MaxClockSkew = 5 * time.Minute
)

// Config configures a Verifier.
type Config struct {
	// Keys are the verification keys (at least one), typically from
	// ParseJWKS. Each token names one by its kid.
	Keys []Key
	// ClockSkew is tolerated on exp, nbf and iat (0 to MaxClockSkew).
	ClockSkew time.Duration
	// Audience, when set, must be one of the token's aud values; a token
	// without aud is then refused.
	Audience string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Verifier checks tokens against a fixed set of keys. It is immutable and
// safe for concurrent use.
type Verifier struct {
	keys map[string]*verifyKey
	now  func() time.Time
}

// verifyKey is one configured key with the parser for its one algorithm.
type verifyKey struct {
	id     string
	alg    string
	public crypto.PublicKey
	parser *jwt.Parser
}

// NewVerifier checks cfg and builds a Verifier: every key needs a valid,
// unique ID, an Alg of RS256, ES256 or EdDSA that fits the key, and a key
// keyfile.CheckPublicKey accepts.
func NewVerifier(cfg Config) (*Verifier, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("token verifier: no keys")
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew {
		return nil, fmt.Errorf("token verifier: clock skew %s is out of range (0 to %s)", cfg.ClockSkew, MaxClockSkew)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	parsers := map[string]*jwt.Parser{}
	v := &Verifier{keys: make(map[string]*verifyKey, len(cfg.Keys)), now: now}
	for i, k := range cfg.Keys {
		if err := keyfile.CheckKeyID(k.ID); err != nil {
			return nil, fmt.Errorf("token verifier: key %d: %w", i, err)
		}
		if _, dup := v.keys[k.ID]; dup {
			return nil, fmt.Errorf("token verifier: key %d: kid %q is used twice", i, k.ID)
		}
		alg, err := keyfile.JWSAlgorithm(k.Public)
		if err != nil {
			return nil, fmt.Errorf("token verifier: key %q: %w", k.ID, err)
		}
		if k.Alg != alg {
			return nil, fmt.Errorf("token verifier: key %q: alg %q does not fit the key; want %s", k.ID, k.Alg, alg)
		}
		p := parsers[alg]
		if p == nil {
			p = newParser(alg, cfg.ClockSkew, cfg.Audience, now)
			parsers[alg] = p
		}
		v.keys[k.ID] = &verifyKey{id: k.ID, alg: alg, public: k.Public, parser: p}
	}
	return v, nil
}

// newParser returns a parser that accepts exactly one algorithm and
// requires exp.
func newParser(alg string, skew time.Duration, aud string, now func() time.Time) *jwt.Parser {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{alg}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(skew),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	}
	if aud != "" {
		opts = append(opts, jwt.WithAudience(aud))
	}
	return jwt.NewParser(opts...)
}

// Verify checks a compact JWS token and that its path claim matches
// requestPath (the gateway's canonical path). It returns the claims, or
// an *Error saying why the token is refused; exactly one is non-nil.
//
// The checks, in order: present; at most MaxTokenBytes; three segments;
// a header with a kid naming a configured key, an alg equal to that
// key's algorithm and no "crit"; the signature; exp present and not
// passed, nbf and iat not in the future (all with ClockSkew); the
// audience; a path claim present and matching requestPath.
func (v *Verifier) Verify(token string, requestPath string) (*Claims, *Error) {
	switch {
	case token == "":
		return nil, fail(ReasonMissing, "no token")
	case len(token) > MaxTokenBytes:
		return nil, fail(ReasonMalformed, fmt.Sprintf("token is %d bytes; at most %d are accepted", len(token), MaxTokenBytes))
	}
	headerSeg, _, ok := strings.Cut(token, ".")
	if !ok || strings.Count(token, ".") != 2 {
		return nil, fail(ReasonMalformed, "not a compact JWS (want header.payload.signature)")
	}
	kid, alg, err := readHeader(headerSeg)
	if err != nil {
		return nil, fail(ReasonMalformed, err.Error())
	}
	k, ok := v.keys[kid]
	if !ok {
		return nil, fail(ReasonUnknownKey, fmt.Sprintf("kid %s is not a configured key", quote(kid)))
	}
	if alg != k.alg {
		// none, HS256 (an HMAC keyed with the public key's bytes) or
		// another public-key algorithm: never verified with this key.
		return nil, fail(ReasonBadSignature, fmt.Sprintf("token alg %s, but key %q is %s", quote(alg), kid, k.alg))
	}

	var c tokenClaims
	_, err = k.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		// The library decodes the header again; make sure it read the
		// same kid and alg as readHeader did.
		if h, _ := t.Header["kid"].(string); h != k.id {
			return nil, fmt.Errorf("header kid %s changed between parses", quote(h))
		}
		if t.Method == nil || t.Method.Alg() != k.alg {
			return nil, errors.New("header alg changed between parses")
		}
		return k.public, nil
	})
	if err != nil {
		return nil, classify(err, &c, kid)
	}
	switch {
	case c.Path == "":
		return nil, fail(ReasonMalformed, fmt.Sprintf("kid %q: no path claim (a token must say which paths it grants)", kid))
	case len(c.Path) > MaxPathClaimBytes:
		return nil, fail(ReasonMalformed, fmt.Sprintf("kid %q: path claim is %d bytes; at most %d are accepted", kid, len(c.Path), MaxPathClaimBytes))
	case !matchPath(c.Path, requestPath):
		return nil, fail(ReasonPathMismatch, fmt.Sprintf("kid %q: path claim %s does not match %s", kid, quote(c.Path), quote(requestPath)))
	}
	return &Claims{Subject: c.Subject, Path: c.Path, ExpiresAt: c.ExpiresAt.Time, KeyID: kid}, nil
}

// classify maps a jwt error to a reason. Claims errors are only returned
// after the signature verified, so c may be read then.
func classify(err error, c *tokenClaims, kid string) *Error {
	detail := fmt.Sprintf("kid %q: %v", kid, err)
	if !errors.Is(err, jwt.ErrTokenInvalidClaims) {
		if errors.Is(err, jwt.ErrTokenMalformed) {
			return fail(ReasonMalformed, detail)
		}
		return fail(ReasonBadSignature, detail)
	}
	switch {
	case c.ExpiresAt == nil:
		return fail(ReasonMalformed, fmt.Sprintf("kid %q: no exp claim (tokens must expire)", kid))
	case errors.Is(err, jwt.ErrTokenExpired):
		return fail(ReasonExpired, detail)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fail(ReasonNotYetValid, detail)
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// exp is present, so the missing claim is aud.
		return fail(ReasonAudience, detail)
	}
	return fail(ReasonMalformed, detail)
}

// readHeader decodes the protected header and returns its kid and alg. It
// requires both as non-empty strings and refuses "crit": no extension is
// understood, and RFC 7515 requires refusing what is not.
func readHeader(seg string) (kid, alg string, err error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return "", "", fmt.Errorf("header is not base64url: %v", err)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b, &h); err != nil || h == nil {
		return "", "", errors.New("header is not a JSON object")
	}
	if _, ok := h["crit"]; ok {
		return "", "", errors.New(`header has "crit"; no JWS extensions are supported`)
	}
	if kid, err = headerString(h, "kid"); err != nil {
		return "", "", err
	}
	if alg, err = headerString(h, "alg"); err != nil {
		return "", "", err
	}
	return kid, alg, nil
}

func headerString(h map[string]json.RawMessage, name string) (string, error) {
	raw, ok := h[name]
	if !ok {
		return "", fmt.Errorf("header has no %q", name)
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil || s == "" {
		return "", fmt.Errorf("header %q is not a non-empty string", name)
	}
	return s, nil
}

// quote quotes s for a log detail, truncated to 64 bytes.
func quote(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("%q...", s[:64])
	}
	return fmt.Sprintf("%q", s)
}
