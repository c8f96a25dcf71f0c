// Package httpcache holds the HTTP caching semantics of the edge cache, as
// pure functions of requests, responses, cache policies and the time: what
// may be stored and for how long, the cache key, Vary variants,
// Accept-Encoding, edge compression, and the Cache-Status header. It does
// no I/O and starts no goroutines; the gateway calls it, and the cache
// package stores what it decides.
//
// # What is stored, and for how long
//
// Decide follows CloudFront's rules (Expiration.md and HTTPStatusCodes.md
// in CloudFront's developer guide). Only responses to GET and HEAD are
// stored, and only full objects: 200, 203, 204, 300, 301 and 410 by the
// TTL rules; 404, 414 and 500-504 always, for the policy's ErrorTTL or the
// origin's s-maxage/max-age if longer; 400, 403, 405, 412 and 415 the same
// way but only when the origin sent s-maxage or max-age; nothing else (not
// 206, not 416). The TTL rules: no-cache, no-store or private make the TTL
// the policy's MinTTL, so such a response is stored only when MinTTL > 0;
// otherwise the TTL is s-maxage, else max-age, else Expires (relative to
// the response's Date when present), else the policy's DefaultTTL, clamped
// into [MinTTL, MaxTTL]. A response is not stored when its TTL is 0, when
// it says Vary: *, or when it sets a cookie and the policy does not key on
// cookies (a Set-Cookie is meant for one viewer). stale-while-revalidate
// and stale-if-error come from the response, else from the policy, and
// FreshnessAt tells which window a stored response is in. Cache-Control
// is parsed leniently (ParseCacheControl): unknown directives are ignored,
// and an invalid number counts as 0, so a malformed header never makes an
// object live longer than its origin asked.
//
// # The cache key
//
// A Keyer, compiled from a behavior's cache policy, computes a request's
// key: the distribution, the canonical path, and the query parameters,
// cookies and headers the policy names (CloudFront's none / all /
// allowlist / all-except for query strings and cookies, an allowlist for
// headers). Parameters and cookies are sorted by name inside the key, so
// their order does not split the cache. The distribution stands for the
// host: the origin is sent its own host name, so all of a distribution's
// host names share entries, as CloudFront's alternate domain names do
// (key Host to split them). The method is not in the key: HEAD is served
// from GET's entry.
//
// What is not in the key is not forwarded. On a cached request the origin
// receives exactly the keyed query parameters and cookies (Key.OriginQuery,
// Key.OriginCookie) and the keyed headers, and nothing else of the kind.
// The response it returns can therefore only depend on what is in the key,
// so serving it to every request with the same key is correct: a viewer
// cannot get a response stored for another viewer's cookie, nor poison an
// entry with a parameter the key ignores. A request carrying Authorization
// is not shared at all unless Authorization is keyed (Keyer.Shareable).
//
// Keys are injective: each part is written with its length (see
// keyenc.go), so different distributions, paths, parameters, header or
// cookie values never produce the same key, whatever bytes they contain
// (FuzzKeyInjective checks it by decoding keys). Keys hold keyed cookie and
// header values verbatim, Authorization included: they must not be logged.
//
// # Variants
//
// When a stored response varies (VaryNames: its Vary header, plus
// Accept-Encoding whenever it is content-encoded), its variants are stored
// under VariantKey: the primary key plus the request's values of those
// headers. Accept-Encoding is first reduced (NormalizeAcceptEncoding) to
// the four values the edge distinguishes, "br,gzip", "br", "gzip" and
// identity, as CloudFront does for both the key and the origin request.
//
// # Compression
//
// The edge compresses what CloudFront would (Compressible: 200, 403 and
// 404 responses of 1,000 to 10,000,000 bytes of a listed text type,
// without Content-Encoding or no-transform), with Brotli when the viewer
// accepts it, else gzip (ChooseEncoding, Compress), and weakens the ETag
// of what it compressed (WeakETag).
//
// # Cache-Status
//
// CacheStatus renders what the cache did as an RFC 9211 Cache-Status
// member named "edgeward".
package httpcache
