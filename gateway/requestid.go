package gateway

import (
	"crypto/rand"
	"encoding/base64"
)

// newRequestID returns a fresh, unguessable request id: 18 random bytes in
// URL-safe base64 (24 characters), the same role as CloudFront's
// x-edge-request-id. It ties what the viewer sees to what the log says.
func newRequestID() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
