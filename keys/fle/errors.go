package fle

import "errors"

// Errors to match with errors.Is. Every error of this package says what is
// wrong without quoting a plaintext, a sealed value or key bytes; it may
// name a key id, a field name or a length, which are not secret.
var (
	// ErrMalformedValue: a value is not "ENC:v1:<key id>:<base64url>" with
	// a sealed part of a possible length.
	ErrMalformedValue = errors.New("fle: malformed encrypted value")
	// ErrUnknownKey: the value's key id names no key of the Decryptor.
	ErrUnknownKey = errors.New("fle: unknown key id")
	// ErrOpen: the value does not open: the wrong key, a Binding other than
	// the one it was sealed with (moved to another field, path, method,
	// distribution, or relabeled with another key id), or a changed byte.
	ErrOpen = errors.New("fle: value does not open")
	// ErrBinding: a Binding component is too long to be bound.
	ErrBinding = errors.New("fle: binding cannot be encoded")
)

// clip shortens a string from a file or a request (a PEM type or header,
// a field name) for a message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
