package keys

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// cfBase64 is CloudFront's URL-safe base64: the standard alphabet with
// padding, with '+' written '-', '/' written '~' and the '=' padding
// written '_'. It is not RFC 4648 base64url. Decoding is strict: only
// this alphabet, padding required, padding bits zero, so one value has
// one spelling.
var cfBase64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~").
	WithPadding('_').Strict()

// encodeCF returns the CloudFront base64 of b.
func encodeCF(b []byte) string { return cfBase64.EncodeToString(b) }

// decodeCF decodes CloudFront base64. A '+', '/' or '=' is refused rather
// than guessed at.
func decodeCF(s string) ([]byte, error) {
	if len(s) == 0 || len(s)%4 != 0 {
		return nil, fmt.Errorf("length %d is not a positive multiple of 4", len(s))
	}
	// encoding/base64 skips CR and LF; a CloudFront value has none.
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, fmt.Errorf("byte %d is a line break", i)
	}
	b, err := cfBase64.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not CloudFront base64: %w", err)
	}
	return b, nil
}
