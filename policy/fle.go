package policy

import "fmt"

// FLE content types: the body formats whose fields a profile can encrypt.
const (
	FLEFormURLEncoded = "application/x-www-form-urlencoded"
	FLEMultipart      = "multipart/form-data"
	FLEJSON           = "application/json"
)

// FLE limits. The defaults are CloudFront's (16 KB per field, 1 MB per
// body); the body limit can be raised to maxFLEBody, since the gateway
// holds the body in memory while it rewrites it.
const (
	defaultFLEMaxBody  ByteSize = 1 << 20
	defaultFLEMaxField ByteSize = 16 << 10
	maxFLEBody         ByteSize = 16 << 20
	maxFLEKeyFileBytes          = 64 << 10
)

// FLEProfile is one field-level encryption profile: the fields of request
// bodies that are encrypted with one HPKE public key before the request
// goes on to the origin.
type FLEProfile struct {
	// KeyID names the key pair; every ciphertext carries it, so the origin
	// knows which private key opens it (rotation: add a profile with the
	// new key, move the behaviors, retire the old key later).
	KeyID string `yaml:"key_id"`
	// PublicKey is the HPKE public key file `edgeward keys generate --type
	// hpke-x25519|hpke-mlkem768x25519` writes (PREFIX.pub.pem).
	PublicKey string `yaml:"public_key"`
	// Fields are up to 10 patterns: exact names or a trailing-* prefix,
	// case-sensitive. In JSON bodies a name matches a top-level member; a
	// pattern starting with "/" is a JSON pointer.
	Fields []string `yaml:"fields"`
	// ContentTypes are the body formats encrypted (default: urlencoded
	// forms only, as CloudFront): application/x-www-form-urlencoded,
	// multipart/form-data, application/json.
	ContentTypes []string `yaml:"content_types"`
	// ForwardUnmatchedContentTypes forwards a body of another content type
	// untouched; by default it is refused (400), so a client cannot slip a
	// configured field past the edge by changing the content type.
	ForwardUnmatchedContentTypes bool `yaml:"forward_unmatched_content_types"`
	// MaxBody (default 1MiB, at most 16MiB) and MaxField (default 16KiB)
	// bound a body and each encrypted field's value; over them: 400.
	MaxBody  ByteSize `yaml:"max_body"`
	MaxField ByteSize `yaml:"max_field"`

	// Set by validation.
	Name         string         `yaml:"-"` // the key under fle_profiles
	PublicKeyPEM []byte         `yaml:"-"` // the public_key file's contents; the gateway parses the key
	Patterns     *FieldPatterns `yaml:"-"` // Fields, compiled
}

// maxFLEKeyID is the longest FLE key id.
const maxFLEKeyID = 64

// checkFLEKeyID reports what is wrong with an FLE key id, the text every
// ciphertext carries before its ':'-separated payload: 1 to 64 of
// A-Z a-z 0-9 . _ - (no ':'). The gateway's key package checks the same.
func checkFLEKeyID(id string) string {
	if len(id) > maxFLEKeyID {
		return fmt.Sprintf("%d characters: at most %d", len(id), maxFLEKeyID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Sprintf("character %d is not one of A-Z a-z 0-9 . _ -", i+1)
		}
	}
	return ""
}
