// Package token is the JWT alternative to CloudFront signed URLs: a
// compact JWS token, signed with a private key the operator holds, that
// grants a glob of paths until it expires.
//
// # Tokens
//
// A token's header names its key ("kid") and algorithm ("alg": RS256,
// ES256 or EdDSA). Its claims are:
//
//	exp   required   expiry (NumericDate)
//	path  required   glob of paths granted: '*' any run of characters
//	                 including '/', '?' one character
//	nbf   optional   not valid before
//	iat   optional   issued at; a token from the future is refused
//	aud   optional   required to hold Config.Audience when that is set
//	sub   optional   reported in Claims, for logs
//
// Sign makes such tokens; Verify checks them. Keys come from a JSON Web
// Key Set (ParseJWKS), typically written by keyfile.JWKS.
//
// # Security model
//
//   - Algorithm confusion is impossible by construction. The algorithm is
//     a property of the configured key, fixed when the Verifier is built;
//     Verify looks the key up by kid and requires the token's alg to equal
//     the key's. Each key's parser is built with WithValidMethods holding
//     that one algorithm, so "none", every HMAC algorithm (including the
//     classic attack that uses the RSA public key's bytes as the HMAC
//     secret) and swaps between RSA, ECDSA and EdDSA are refused before a
//     signature is looked at. Keys in the token header (jwk, jku, x5u,
//     x5c) are ignored: only configured keys verify.
//   - No secrets. ParseJWKS refuses symmetric keys and any private key
//     material; Verifier keys must be public RSA (2048-4096 bits), ECDSA
//     P-256 or Ed25519 keys.
//   - Every token expires and says what it grants. exp is required, nbf
//     and iat are honoured, all with Config.ClockSkew (at most 5 minutes).
//     A token without a path claim is refused: it would otherwise grant
//     the whole site. "/*" grants everything, explicitly.
//   - Bounded work. Tokens longer than MaxTokenBytes are refused before
//     any decoding; path claims are at most MaxPathClaimBytes; the path
//     matcher never backtracks (linear in the request path for a given
//     pattern) and runs only after the signature verified, so only key
//     holders choose patterns. Key sets are at most MaxJWKSBytes.
//   - Strict decoding. base64url must be canonical and unpadded; a header
//     with "crit" is refused (no extensions are understood); JSON member
//     names are matched exactly, and a key set naming a member twice is
//     refused, so two parsers cannot read one key set two ways. Verify
//     reads the header once to pick the key and checks that the JWT
//     library read the same kid and alg.
//   - What the viewer sees is not what the log sees. An *Error carries a
//     stable Reason, a fixed Message for the viewer, and a Detail for the
//     log that may quote (truncated) header and claim values but never the
//     signature.
//   - Validate in constructors. NewVerifier checks every key and builds
//     one parser per algorithm; Verify only looks things up. A Verifier
//     is immutable and safe for concurrent use.
//
// # Reasons
//
// Verify's reasons are: missing (no token); malformed (oversized, not
// three segments, bad base64url or JSON, no kid or alg, "crit", claims of
// the wrong type, no exp, no path); unknown-key (kid not configured);
// bad-signature (alg differs from the key's, or the signature does not
// verify); expired; not-yet-valid (nbf or iat in the future); audience;
// path-mismatch.
package token
