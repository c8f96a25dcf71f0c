package fle

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Prefix starts every encrypted value.
const Prefix = "ENC:v1:"

// b64 is base64url without padding. Strict: the unused bits of the last
// character must be zero, so each sealed value has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// ParseValue splits an encrypted value, "ENC:v1:<key id>:<base64url of
// enc || ct>", into its key id and sealed bytes (enc || ct). It checks the
// form only; whether the sealed bytes open is Decryptor.Open's business.
// Errors wrap ErrMalformedValue and never quote the value.
func ParseValue(value string) (keyID string, sealed []byte, err error) {
	rest, ok := strings.CutPrefix(value, Prefix)
	if !ok {
		return "", nil, fmt.Errorf("%w: it does not start with %q", ErrMalformedValue, Prefix)
	}
	keyID, data, ok := strings.Cut(rest, ":")
	if !ok {
		return "", nil, fmt.Errorf("%w: no ':' after the key id", ErrMalformedValue)
	}
	if CheckKeyID(keyID) != nil {
		return "", nil, fmt.Errorf("%w: the key id is not 1 to %d of A-Z a-z 0-9 . _ -", ErrMalformedValue, MaxKeyIDLen)
	}
	// The decoder skips CR and LF; a value has neither, nor padding.
	for i := 0; i < len(data); i++ {
		if !isB64URLChar(data[i]) {
			return "", nil, fmt.Errorf("%w: character %d of the sealed part is not base64url (A-Z a-z 0-9 - _, no padding)", ErrMalformedValue, len(Prefix)+len(keyID)+1+i+1)
		}
	}
	if n := b64.DecodedLen(len(data)); n < minSealed {
		return "", nil, fmt.Errorf("%w: the sealed part is %d bytes, too short (at least %d)", ErrMalformedValue, n, minSealed)
	}
	sealed, err = b64.DecodeString(data)
	if err != nil {
		return "", nil, fmt.Errorf("%w: the sealed part is not canonical base64url", ErrMalformedValue)
	}
	return keyID, sealed, nil
}

// appendValue appends the value of keyID and sealed to dst.
func appendValue(dst []byte, keyID string, sealed []byte) []byte {
	dst = append(dst, Prefix...)
	dst = append(dst, keyID...)
	dst = append(dst, ':')
	return b64.AppendEncode(dst, sealed)
}

// valueLen is the length of a value of a key id and a sealed part.
func valueLen(keyID string, sealedLen int) int {
	return len(Prefix) + len(keyID) + 1 + b64.EncodedLen(sealedLen)
}

func isB64URLChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
