package gateway

import "strings"

// credentialParams are query parameters that carry a credential a reader
// of the log could replay: CloudFront signatures, bearer tokens, S3
// presigned-URL signatures and session tokens. Their values never reach
// the access log; the names stay so an operator can see they were sent.
var credentialParams = []string{
	"Signature", "token", "access_token",
	"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
}

const redacted = "REDACTED"

// redactQuery returns the raw query with credential values replaced. The
// common case, a query with none of them, costs a scan and no allocation.
func redactQuery(raw string) string {
	if raw == "" || !mayHoldCredential(raw) {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i, part := range strings.Split(raw, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(part, "=")
		if hasValue && isCredentialParam(name) {
			b.WriteString(name)
			b.WriteString("=" + redacted)
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}

func mayHoldCredential(raw string) bool {
	return strings.Contains(raw, "ignature") || strings.Contains(raw, "oken") ||
		strings.Contains(raw, "Credential")
}

func isCredentialParam(name string) bool {
	for _, p := range credentialParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}
