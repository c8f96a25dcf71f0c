// Package keyfile generates, writes, reads and publishes the key pairs the
// bundled signer uses: PEM key files for signed URLs and signed cookies, and
// a JSON Web Key Set for JWT tokens.
//
// # Key types
//
// Three types are supported, each with one JWS algorithm:
//
//	Type      key                   JWS alg
//	rsa       RSA, 2048-4096 bits   RS256
//	ecdsa     ECDSA on P-256        ES256
//	ed25519   Ed25519               EdDSA
//
// Generate makes RSA keys of 2048 bits. The same rules apply to every key
// this package reads or writes (CheckPublicKey): RSA keys under 2048 bits
// are too weak, RSA keys over 4096 bits make every verification needlessly
// slow (and CloudFront rejects them), and only the P-256 curve is accepted,
// because ES256 is defined on it and nothing else signs with it. RSA public
// exponents must be odd and between 3 and 2^31-1; ECDSA points must lie on
// the curve.
//
// # Security model
//
//   - Parsing is strict and explains itself: a file with no PEM block, an
//     encrypted key, a public key where a private key is expected (or the
//     other way round), two keys in one file, a weak or unsupported key:
//     each is an error naming what is wrong, never a guess.
//   - Private keys are written with mode 0600, created with O_EXCL: an
//     existing file (or a symlink planted in its place) is never
//     overwritten or followed; WriteKeyPair fails instead, and removes any
//     file it created before failing, so a half-written pair is never left
//     behind.
//   - Encrypted PEM keys are refused rather than half-supported: legacy
//     PEM encryption (Proc-Type: 4,ENCRYPTED) is insecure, and the gateway
//     could not prompt for a passphrase anyway. Protect key files with file
//     permissions or a secrets manager.
//   - JWKS publishes public keys only: a private key handed to it is an
//     error, not silently reduced to its public half, and every key carries
//     kid, kty, alg and use "sig", so a verifier never has to infer the
//     algorithm. The output is sorted by kid, so the same keys always give
//     the same bytes.
package keyfile
