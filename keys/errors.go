package keys

import "fmt"

// Reason is the stable code the access log records for a refused signed
// request. It never changes meaning between releases.
type Reason string

// The reasons Verify gives.
const (
	// ReasonMissing: the request carries no signing parameters, or an
	// incomplete set (no Key-Pair-Id, no Signature, neither Expires nor
	// Policy).
	ReasonMissing Reason = "missing"
	// ReasonExpired: now is not before DateLessThan (Expires) plus the
	// clock skew.
	ReasonExpired Reason = "expired"
	// ReasonNotYetValid: now is before DateGreaterThan minus the clock skew.
	ReasonNotYetValid Reason = "not-yet-valid"
	// ReasonBadSignature: the signature does not verify under the key named
	// by Key-Pair-Id with the hash named by Hash-Algorithm. A canned policy
	// replayed on another URL also ends here, because the verifier rebuilds
	// the canned policy from the request URL.
	ReasonBadSignature Reason = "bad-signature"
	// ReasonUnknownKey: Key-Pair-Id names no key of the verifier's groups,
	// or names one outside its NotBefore/NotAfter window.
	ReasonUnknownKey Reason = "unknown-key"
	// ReasonIPMismatch: the custom policy's IpAddress does not contain the
	// viewer address.
	ReasonIPMismatch Reason = "ip-mismatch"
	// ReasonResourceMismatch: the custom policy's Resource does not match
	// the request URL.
	ReasonResourceMismatch Reason = "resource-mismatch"
	// ReasonMalformed: a parameter, cookie, policy or the request itself is
	// not well-formed (duplicates, bad base64, bad JSON, unknown
	// Hash-Algorithm, sizes over the limits, ...).
	ReasonMalformed Reason = "malformed"
)

// Messages the viewer sees. The first four are CloudFront's own wording;
// the others are short texts in the same style where CloudFront has none
// we could confirm.
const (
	MessageMissingKeyPairID = "Missing Key-Pair-Id query parameter or cookie value"
	MessageUnknownKey       = "Unknown Key"
	MessageAccessDenied     = "Access denied"
	MessageMalformedPolicy  = "Malformed Policy"

	MessageMissingSignature = "Missing Signature query parameter or cookie value"
	MessageMissingPolicy    = "Missing Expires or Policy query parameter or cookie value"
	MessageBadHashAlgorithm = "Unsupported Hash-Algorithm"
)

// Error is why Verify refused a request. Reason and Detail are for the
// access log; Message is what the viewer may be shown. Detail says what
// was wrong and where, but never holds a signature or policy: at most a
// key id or a parameter value clipped to a short prefix.
type Error struct {
	Reason  Reason
	Message string
	Detail  string
}

var _ error = (*Error)(nil)

// Error returns "signed request refused (<reason>): <detail>".
func (e *Error) Error() string {
	return "signed request refused (" + string(e.Reason) + "): " + e.Detail
}

func newError(r Reason, msg, format string, args ...any) *Error {
	return &Error{Reason: r, Message: msg, Detail: fmt.Sprintf(format, args...)}
}

func errMalformed(format string, args ...any) *Error {
	return newError(ReasonMalformed, MessageMalformedPolicy, format, args...)
}

func errDenied(r Reason, format string, args ...any) *Error {
	return newError(r, MessageAccessDenied, format, args...)
}

// clipLen is how much of a viewer-supplied value a Detail may quote.
const clipLen = 24

// clip quotes at most clipLen bytes of s for a log detail.
func clip(s string) string {
	if len(s) > clipLen {
		return fmt.Sprintf("%q...(%d bytes)", s[:clipLen], len(s))
	}
	return fmt.Sprintf("%q", s)
}
