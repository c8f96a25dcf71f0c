package token

// Reason is a stable, machine-readable code for why a token was refused.
// Metrics, logs and tests key on it; its values never change meaning.
type Reason string

// The reasons Verify refuses a token for.
const (
	// ReasonMissing: no token at all.
	ReasonMissing Reason = "missing"
	// ReasonMalformed: not a compact JWS of acceptable size, a header
	// without kid or alg or with "crit", claims that are not JSON of the
	// right types, or a required claim (exp, path) missing.
	ReasonMalformed Reason = "malformed"
	// ReasonUnknownKey: the kid names no configured key.
	ReasonUnknownKey Reason = "unknown-key"
	// ReasonBadSignature: the signature does not verify with the kid's
	// key, or the token's alg is not that key's algorithm (none, HMAC and
	// algorithm swaps end here).
	ReasonBadSignature Reason = "bad-signature"
	// ReasonExpired: now is at or after exp (plus clock skew).
	ReasonExpired Reason = "expired"
	// ReasonNotYetValid: now is before nbf or iat (minus clock skew).
	ReasonNotYetValid Reason = "not-yet-valid"
	// ReasonAudience: an audience is configured and aud does not hold it.
	ReasonAudience Reason = "audience"
	// ReasonPathMismatch: the path claim does not match the request path.
	ReasonPathMismatch Reason = "path-mismatch"
)

// messages are the viewer-facing texts: short, fixed, and free of
// anything taken from the request.
var messages = map[Reason]string{
	ReasonMissing:      "Missing token",
	ReasonMalformed:    "Malformed token",
	ReasonUnknownKey:   "Unknown token signing key",
	ReasonBadSignature: "Invalid token signature",
	ReasonExpired:      "Token has expired",
	ReasonNotYetValid:  "Token is not yet valid",
	ReasonAudience:     "Token is not for this audience",
	ReasonPathMismatch: "Token does not grant access to this path",
}

// Error says why Verify refused a token.
type Error struct {
	// Reason is the stable code.
	Reason Reason
	// Message is a short text safe to show the viewer: it depends only
	// on Reason.
	Message string
	// Detail is for the log: what exactly was wrong. It may quote parts
	// of the token's header and claims (never the signature), truncated.
	Detail string
}

var _ error = (*Error)(nil)

// Error returns the reason and the detail, for logs.
func (e *Error) Error() string {
	return "token " + string(e.Reason) + ": " + e.Detail
}

// fail builds an *Error for reason with a log detail.
func fail(r Reason, detail string) *Error {
	return &Error{Reason: r, Message: messages[r], Detail: detail}
}
