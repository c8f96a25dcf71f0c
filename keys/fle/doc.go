// Package fle is Edgeward's field-level encryption: the gateway encrypts
// chosen fields of request bodies (a card number, a national id) to an
// HPKE public key before the request leaves the edge, and only the holder
// of the private key, the service that needs the plaintext, can decrypt
// them. Everything in between (origin load balancers, logs, queues, the
// rest of the application) sees ciphertext. The gateway uses Encryptor
// with the field patterns of a policy.FLEProfile; the origin uses Decryptor, or `edgeward fle decrypt`.
//
// # Format
//
// Each value is sealed on its own with HPKE (RFC 9180) in mode base:
// DHKEM(X25519, HKDF-SHA256) or MLKEM768-X25519 (X-Wing, post-quantum
// hybrid), as the key says, with HKDF-SHA256 and AES-256-GCM and the info
// string "edgeward-fle/v1". The value replacing the plaintext is
//
//	ENC:v1:<key id>:<base64url, no padding, of enc || ciphertext>
//
// which needs no escaping in a form, a multipart part or a JSON string.
// Key files are PEM blocks "HPKE PRIVATE KEY" and "HPKE PUBLIC KEY" with
// KEM-ID and Key-Id headers (see ParsePrivateKeyPEM, WriteKeyPair).
//
// # What is bound, and why
//
// The additional authenticated data of every value is its Binding: the
// key id, the distribution, the request method, the request path and the
// field name (for JSON, the value's pointer), each length-prefixed so no
// two bindings encode alike. A value opens only where it was sealed.
//
// Someone who sees ciphertexts (on the network behind the edge, in a log
// or a database of request bodies) learns nothing of the plaintexts but
// their lengths (a value is a fixed overhead longer than its plaintext),
// which fields were sent, and the key id. Every value is a single-shot
// HPKE context with a fresh ephemeral key, so equal plaintexts give
// unrelated values: ciphertexts cannot be compared to find equal card
// numbers, and no nonce is ever reused.
//
// Someone who can also change requests between the edge and the origin
// cannot change a value undetected (AES-GCM authenticates it), and cannot
// move one: a card number sealed for the field "card_number" of POST
// /checkout/pay does not open as the field "comment" (which the
// application might echo back), under another path or method, in another
// distribution, at another position of a JSON array, or relabeled with
// another key id. What they can do: drop a value, or replay it unchanged
// in the same field of the same endpoint (nothing binds a value to one
// request; the application's own replay defenses apply), or swap values
// between repeated fields of one name. And because the public key is
// public, anyone can make a valid value for any binding: a value proves
// where it may be used, not that the edge made it. Base mode HPKE
// authenticates no sender; the edge-to-origin channel (TLS, signed origin
// requests) does that.
//
// # Key rotation
//
// The key id in every value names the private key that opens it. To
// rotate, generate a key pair with a new id, give its private key to the
// origin's Decryptor alongside the old one (it holds several, by id),
// then point the gateway's profile at the new public key. Values sealed
// before the switch still open with the old key; retire it once nothing
// sealed to it remains (in flight, in queues, in stored bodies). An
// unknown key id is an error (ErrUnknownKey), never a trial of every key.
//
// # Errors
//
// No error of this package contains a plaintext, a sealed value or key
// bytes; errors name the field, the key id and lengths. A value that does
// not open gives ErrOpen whatever the reason (wrong key, moved, tampered):
// HPKE cannot tell them apart and a caller must not try. Decrypting a
// body fails as a whole if any value in it fails, so an application never
// processes a value it could not open as if it were plaintext.
package fle
