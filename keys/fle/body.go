package fle

import (
	"bytes"
	"fmt"

	"github.com/edgeward/edgeward/keys/fle/body"
)

// DecryptBody decrypts every ENC:v1 value of a request body in place and
// keeps every other byte (see package body), for the origin. Each value is
// opened with the Binding b (Distribution, Method, Path) and the field
// name taken from where the value sits: a form field's decoded name, or
// the JSON pointer of the value. It returns the new body and how many
// values it decrypted; when there were none, out is body itself.
//
// contentType is the request's Content-Type: a urlencoded form, a
// multipart/form-data body (with its boundary) or JSON; anything else is
// an error. The whole body is checked as package body checks it (a body
// that does not parse fails, whether or not it holds values). Every value
// that body.RewriteAll offers is looked at: every urlencoded pair, every
// multipart part that can be rewritten, and every JSON string below the
// root. One that does not start with "ENC:v1:" is kept as it is. One that
// does and does not open fails the whole body (errors.Is
// ErrMalformedValue, ErrUnknownKey or ErrOpen): the caller must refuse the
// request rather than process ciphertext, or plaintext an attacker put
// where ciphertext belongs, as if it were what the client sent. Errors
// name fields, never values.
//
// Decrypted values are written in the format's plain encoding, and in
// JSON always as strings (the gateway encrypted a number's literal text;
// it comes back as a string holding that text). What is not looked at,
// and so kept as it is even if it starts with "ENC:v1:": a JSON root that
// is a bare string (it has no pointer), and a multipart part with a
// Content-Length or a Content-Transfer-Encoding other than 7bit, 8bit or
// binary. The gateway never encrypts such a part (it refuses a body where
// a part it would encrypt has one), and browsers do not send them.
func (d *Decryptor) DecryptBody(contentType string, data []byte, b Binding) (out []byte, n int, err error) {
	if _, _, ok, err := body.KindOf(contentType); err == nil && !ok {
		return nil, 0, fmt.Errorf("fle: decrypt body: content type %q is not a urlencoded form, multipart/form-data or JSON", clip(contentType))
	}
	open := func(f body.Field) ([]byte, error) {
		if f.JSONNumber || !bytes.HasPrefix(f.Value, []byte(Prefix)) {
			return nil, nil
		}
		fb := b
		fb.Field = f.Name
		return d.Open(fb, string(f.Value))
	}
	out, n, err = body.RewriteAll(contentType, data, open, body.Limits{})
	if err != nil {
		return nil, 0, fmt.Errorf("fle: decrypt body: %w", err)
	}
	return out, n, nil
}
