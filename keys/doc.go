// Package keys implements CloudFront-compatible signed URLs and signed
// cookies: a Signer that writes what the AWS SDK for Go v2 writes, key
// groups with rotation windows, and a Verifier with a verification cache.
// (JWT tokens and PEM key files live in the token and keyfile
// subpackages.)
//
// # What a signature proves
//
// A signed URL or cookie set carries a policy (canned: rebuilt by the
// verifier from the request URL and Expires; custom: sent base64-encoded
// in Policy), a signature over the policy's exact bytes, the Key-Pair-Id
// of the key that made it and optionally the Hash-Algorithm. The verifier
// trusts nothing in a request until the signature has verified under a key
// of one of the behavior's trusted groups. After that, the policy is a
// statement by a key holder, and the verifier checks that this request is
// one the statement allows: now inside the dates, the viewer inside the
// CIDR, the URL matching the Resource.
//
// # Order of the checks
//
// Verifier.Verify runs, stopping at the first failure:
//
//  1. Parameters. If any signing parameter (Expires, Policy, Signature,
//     Key-Pair-Id, Hash-Algorithm) is in the query, the query is used and
//     the cookies are ignored entirely; otherwise the CloudFront-* cookies.
//     Names match exactly. A parameter twice, a cookie twice, a name that
//     is a signing parameter only once percent-decoded ("Expire%73"), or a
//     value over its size limit is malformed. Query values are
//     percent-decoded; cookie values are not.
//  2. Completeness. No signing parameter at all, or an absent or empty
//     Key-Pair-Id: missing, with CloudFront's "Missing Key-Pair-Id query
//     parameter or cookie value". Expires and Policy together: malformed.
//     No Signature, or neither Expires nor Policy: missing (with our own
//     message; CloudFront's wording for these is not documented).
//  3. Syntax. Hash-Algorithm must be exactly "SHA1" or "SHA256"
//     (case-sensitive; "sha256" is malformed, with a hint in the detail).
//     Signature and Policy must be CloudFront base64 (standard alphabet
//     with '+' '=' '/' written '-' '_' '~', padded, zero padding bits;
//     nothing else accepted). Policy is limited to 4096 decoded bytes,
//     checked on its encoded length before decoding. Expires must be a
//     canonical decimal epoch (no sign, no leading zero, at most year
//     9999). For a canned policy the request URL must be well-formed:
//     scheme http or https, a Host of host-name characters and an optional
//     port, a path starting with '/' without spaces, control or non-ASCII
//     bytes.
//  4. Key. Key-Pair-Id must name a key of one of the groups (unknown-key,
//     "Unknown Key"). A key outside its NotBefore/NotAfter window (widened
//     by the clock skew) is also unknown-key: to the viewer a retired or
//     not yet active key is not a trusted key; the log detail says which
//     bound it failed.
//  5. Signature. RSA keys: PKCS #1 v1.5; ECDSA P-256 keys: ASN.1 DER
//     signatures; the hash is SHA-1 unless Hash-Algorithm says SHA256. The
//     algorithm follows the key registered under Key-Pair-Id, never the
//     request: an RSA signature under an EC key's id, or a SHA-1 signature
//     presented as SHA256, is bad-signature. The signed bytes are, for a
//     canned policy,
//     {"Statement":[{"Resource":"<URL>","Condition":{"DateLessThan":{"AWS:EpochTime":<Expires>}}}]}
//     where <URL> is scheme://Host + raw path + ("?" + the query without
//     the signing parameters, when anything is left), JSON-escaped as
//     encoding/json does; for a custom policy, the decoded Policy bytes
//     exactly as sent. A canned URL replayed on another path therefore
//     fails here, as bad-signature.
//  6. Policy parse (custom only), strict: exactly one Statement; only the
//     keys Resource, Condition, DateLessThan (required), DateGreaterThan,
//     IpAddress, AWS:EpochTime, AWS:SourceIp; no key twice; epochs JSON
//     integers; Resource a non-empty string (absent means any URL);
//     AWS:SourceIp a CIDR, IPv4 or IPv6, or a bare address taken as /32 or
//     /128; nothing after the document. Failures are malformed ("Malformed
//     Policy").
//  7. Time. now must be strictly before DateLessThan (or Expires) plus the
//     skew (expired; now == DateLessThan with no skew is expired), and not
//     before DateGreaterThan minus the skew (not-yet-valid).
//  8. IpAddress: the viewer address (IPv4-mapped IPv6 unmapped first) must
//     be in the prefix; an IPv6 viewer never matches an IPv4 prefix
//     (ip-mismatch).
//  9. Resource: '*' matches any run of bytes including none, '?' one byte,
//     against scheme://Host + raw path + ("?" + query without signing
//     parameters). "http*://" and "*" need nothing special. The matcher is
//     a bit-parallel NFA: one pass over the URL, no backtracking, so no
//     pattern can make it slow. A wildcard Resource is never matched
//     against a path with a dot-segment ("..", "%2e%2e", "..;x"), a '\'
//     or an encoded '/' or '\': "https://h/public/*" must not admit
//     "/public/../private/x", whatever the origin makes of it
//     (resource-mismatch).
//
// # Why the signature comes before the parse
//
// The custom policy is attacker-supplied bytes until its signature
// verifies. Verifying first means the JSON parser only ever sees documents
// a key holder signed, so a parser bug or an ambiguity (duplicate keys,
// big numbers, odd escapes) cannot be reached by an anonymous viewer, and
// the signature covers exactly the bytes that are parsed: no
// re-serialisation, no canonicalisation, nothing for two parsers to
// disagree about. The strict parse then makes sure one signed document has
// one meaning.
//
// # The verification cache
//
// Verifying an RSA or ECDSA signature costs tens of microseconds; viewers
// repeat the same signed URL or cookies for every segment of a video.
// Verify remembers signature checks that succeeded, keyed by SHA-256 over
// the policy kind (canned or custom), the key id, the hash algorithm, the
// decoded signature and the exact signed bytes. A hit skips the
// public-key operation and the policy parse (the parsed policy is stored
// with the entry, unless it is large: then the bytes are parsed again),
// nothing else:
//
//   - what is cached is a fact that cannot change: "this signature verifies
//     over these bytes under this public key with this hash". Within a
//     Verifier a key id names one public key (NewVerifier refuses an id
//     bound to two keys), and the signed bytes in the key are the rebuilt
//     canned document (so they include this request's URL and Expires) or
//     the custom policy as sent, so a hit is only possible for exactly what
//     verified before. The kind is in the key because the Go SDK's canned
//     cookies carry canned-policy bytes in CloudFront-Policy: the same
//     bytes and signature can arrive as canned and as custom, and only a
//     custom entry holds a parsed policy (fuzzing found this);
//   - the parsed policy is a pure function of those bytes;
//   - the key lookup and its window, the dates, the IP and the Resource
//     are checked on every request, hit or miss, with this request's clock
//     and addresses;
//   - failures are never cached, and the cache is bounded (otter, size
//     from VerifierConfig.CacheSize); a configuration reload builds a new
//     Verifier with an empty cache.
//
// So a hit can never accept what the full path would refuse.
//
// # The signer
//
// Signer.SignURL, SignURLWithPolicy and SignCookies produce, for the same
// key, URL, policy and hash, byte-identical output to the AWS SDK for Go
// v2 feature/cloudfront/sign v1.12.3 (RSA signatures are deterministic;
// ECDSA ones are randomised unless WithRandom(nil) asks for RFC 6979). It
// refuses inputs whose signed form no verifier could accept (see each
// method). A key id is 1 to 128 ASCII letters and digits.
//
// # Limits
//
// Groups per verifier: 1 to MaxGroups (4). Keys per group: 1 to
// MaxKeysPerGroup (10; CloudFront's limit is believed to be 5, which the
// configuration enforces). RSA keys of 2048 to 4096 bits, ECDSA on P-256
// only. Clock skew 0 to 1 hour. Custom policy 4096 bytes decoded.
package keys
