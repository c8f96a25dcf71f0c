package fle

import (
	"encoding/binary"
	"fmt"
)

// Binding is what a value is sealed to besides its plaintext: the key id,
// and where the value sits, the distribution, the request method, the
// request path and the field. It is HPKE's additional authenticated data,
// so a value opens only with the same Binding it was sealed with.
//
// Path is the canonical request path the gateway routed and forwarded
// (percent-decoded, no query string, no origin_path prefix). Field is a
// form field's decoded name, or for JSON the RFC 6901 pointer of the value
// ("/card_number").
type Binding struct{ KeyID, Distribution, Method, Path, Field string }

// maxComponent is the longest component a 2-byte length can describe.
const maxComponent = 1<<16 - 1

// AAD returns the binding's encoding: each component as a 2-byte
// big-endian length then its bytes, in the order key id, distribution,
// method, path, field. The lengths make the encoding unambiguous: no two
// Bindings encode the same. A component over 65535 bytes is an error.
func (b Binding) AAD() ([]byte, error) {
	parts := [5]struct{ name, v string }{
		{"key id", b.KeyID}, {"distribution", b.Distribution}, {"method", b.Method},
		{"path", b.Path}, {"field", b.Field},
	}
	n := 0
	for _, p := range parts {
		if len(p.v) > maxComponent {
			return nil, fmt.Errorf("%w: the %s is %d bytes, more than %d", ErrBinding, p.name, len(p.v), maxComponent)
		}
		n += 2 + len(p.v)
	}
	aad := make([]byte, 0, n)
	for _, p := range parts {
		aad = binary.BigEndian.AppendUint16(aad, uint16(len(p.v)))
		aad = append(aad, p.v...)
	}
	return aad, nil
}
