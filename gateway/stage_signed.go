package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/keys/token"
	"github.com/edgeward/edgeward/policy"
)

// signedStage admits a request to a private behavior only with proof the
// content owner signed for it: a CloudFront signed URL or signed cookies
// made with a key of one of the behavior's trusted key groups, or, where
// the behavior configures signed.token, a JWT verified against its JWKS.
//
// Order of the checks: a JWT, when the behavior takes them and the
// request carries one, decides alone (a bad token is refused even if a
// signature is also present, so a viewer cannot probe with two
// credentials). Otherwise the CloudFront signature decides; signing
// parameters in the URL win over cookies (keys.Verifier).
//
// After admission the credentials are removed from the request: signing
// query parameters and cookies, and the token's header, cookie or query
// parameter. The origin never sees them, and since the cache key and the
// origin request are both made from the request afterwards, signed URLs
// for the same object share one cache entry.
type signedStage struct {
	cf  *keys.Verifier  // nil: no trusted key groups
	jwt *token.Verifier // nil: no token configured
	tok *policy.Token
}

var _ Stage = (*signedStage)(nil)

func newSignedStage(b *behaviorSpec) (Stage, error) {
	var skew time.Duration
	var tok *policy.Token
	if b.cfg.Signed != nil {
		skew = b.cfg.Signed.ClockSkew.Std()
		tok = b.cfg.Signed.Token
	}
	if len(b.cfg.TrustedKeyGroups) == 0 && tok == nil {
		return nil, nil
	}
	st := &signedStage{tok: tok}
	if len(b.cfg.TrustedKeyGroups) > 0 {
		groups := make([]*keys.Group, 0, len(b.cfg.TrustedKeyGroups))
		for _, name := range b.cfg.TrustedKeyGroups {
			g := b.keyGroups[name]
			if g == nil { // policy validation prevents this; never run open
				return nil, configError{".trusted_key_groups", fmt.Errorf("unknown key group %q", name)}
			}
			groups = append(groups, g)
		}
		v, err := keys.NewVerifier(keys.VerifierConfig{Groups: groups, ClockSkew: skew, Now: b.now})
		if err != nil {
			return nil, configError{".trusted_key_groups", err}
		}
		st.cf = v
	}
	if tok != nil {
		ks, err := token.ParseJWKS(tok.JWKSData)
		if err != nil {
			return nil, configError{".signed.token.jwks", err}
		}
		v, err := token.NewVerifier(token.Config{Keys: ks, ClockSkew: skew, Audience: tok.Audience, Now: b.now})
		if err != nil {
			return nil, configError{".signed.token", err}
		}
		st.jwt = v
	}
	return st, nil
}

func (s *signedStage) Name() string { return "signed" }

func (s *signedStage) Check(x *Exchange) *Denial {
	r := x.Req
	if s.jwt != nil {
		if raw, ok := s.findToken(r); ok {
			if _, err := s.jwt.Verify(raw, x.Path); err != nil {
				return tokenDenial(string(err.Reason), err.Message, err.Detail)
			}
			s.stripToken(r)
			return nil
		}
		if s.cf == nil {
			return tokenDenial("missing", "a bearer token is required", "no token in the request")
		}
	}
	req := keys.Request{
		Scheme:   x.Scheme,
		Host:     r.Host,
		RawPath:  rawRequestPath(r),
		RawQuery: r.URL.RawQuery,
		Cookie:   r.Header["Cookie"],
		ClientIP: x.Viewer.Addr(),
	}
	if _, err := s.cf.Verify(&req); err != nil {
		return signatureDenial(err)
	}
	r.URL.RawQuery = keys.StripSigningParams(r.URL.RawQuery)
	if len(r.Header["Cookie"]) > 0 {
		setCookieLines(r.Header, keys.StripSigningCookies(r.Header["Cookie"]))
	}
	return nil
}

// findToken returns the JWT the request carries, looking at the header,
// then the cookie, then the query parameter the behavior names.
func (s *signedStage) findToken(r *http.Request) (string, bool) {
	if h := s.tok.Header; h != "" {
		if v := r.Header.Get(h); v != "" {
			scheme, cred, ok := strings.Cut(v, " ")
			if ok && strings.EqualFold(scheme, "Bearer") {
				return strings.TrimSpace(cred), true
			}
		}
	}
	if c := s.tok.Cookie; c != "" {
		if v, ok := cookieValue(r.Header, c); ok && v != "" {
			return v, true
		}
	}
	if q := s.tok.Query; q != "" {
		if v, ok := queryValue(r.URL.RawQuery, q); ok && v != "" {
			if u, err := url.QueryUnescape(v); err == nil {
				return u, true
			}
			return v, true
		}
	}
	return "", false
}

// stripToken removes every place a token may travel in from the request.
func (s *signedStage) stripToken(r *http.Request) {
	if s.tok.Header != "" {
		r.Header.Del(s.tok.Header)
	}
	if s.tok.Cookie != "" {
		withoutCookie(r.Header, s.tok.Cookie)
	}
	if s.tok.Query != "" {
		r.URL.RawQuery = withoutQueryParam(r.URL.RawQuery, s.tok.Query)
	}
}

// rawRequestPath is the path as the viewer sent it, still percent-encoded:
// a canned policy's Resource is the URL the signer saw, byte for byte.
func rawRequestPath(r *http.Request) string {
	if uri := r.RequestURI; strings.HasPrefix(uri, "/") {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			return uri[:i]
		}
		return uri
	}
	return r.URL.EscapedPath() // absolute-form target
}

// CloudFront's error codes for its signed URL messages.
var signedErrorCodes = map[string]string{
	"Missing Key-Pair-Id query parameter or cookie value": "MissingKey",
	"Unknown Key":      "InvalidKey",
	"Malformed Policy": "MalformedPolicy",
}

// signatureDenial is CloudFront's answer to a refused signed request: 403
// with its XML error body and wording; the reason code and detail go to
// the log.
func signatureDenial(err *keys.Error) *Denial {
	msg := err.Message
	code := signedErrorCodes[msg]
	if code == "" {
		code, msg = "AccessDenied", "Access denied"
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`
	return &Denial{
		Status:         http.StatusForbidden,
		Reason:         string(err.Reason),
		Detail:         err.Detail,
		ContentType:    "text/xml",
		Body:           []byte(body),
		DetailedResult: "Error",
	}
}

// tokenDenial refuses a request that needed a valid JWT: 401 with the
// Bearer challenge of RFC 6750, so clients know to fetch a token.
func tokenDenial(reason, message, detail string) *Denial {
	challenge := `Bearer realm="edgeward"`
	if reason != "missing" {
		challenge += `, error="invalid_token", error_description="` + reason + `"`
	}
	return &Denial{
		Status: http.StatusUnauthorized,
		Reason: reason,
		Detail: detail + " (" + message + ")",
		Header: http.Header{"Www-Authenticate": {challenge}},
	}
}
