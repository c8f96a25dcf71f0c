// Package route maps a request to what serves it: the Host header to a
// distribution, and the request path to one of that distribution's cache
// behaviors. It also defines the one canonical form of the request path
// that every later step uses.
//
// Everything is compiled once, by NewTable and CompilePattern, when the
// configuration is loaded; bad host names and patterns are constructor
// errors. Lookups on the request path only compare strings: they run in
// time linear in the input and do not allocate.
//
// # Hosts
//
// A Table maps host names to distributions. The Host header's port is
// ignored ("example.com:8443", "[2001:db8::1]:8443"), as is one trailing
// dot; names compare case-insensitively. An exact name wins over a
// wildcard; a wildcard "*.example.com" matches exactly one more label
// ("a.example.com", not "example.com" nor "a.b.example.com"), and only
// when that label is made of letters, digits, '-' and '_'. IPv6 literals
// are compared in their canonical text form. A host no distribution
// serves is not found, and the gateway refuses the request: it never
// serves another distribution's content. A host listed twice, in one
// distribution or two, is a constructor error.
//
// # Path patterns
//
// A distribution's behaviors are tried in order and the first whose
// pattern matches the path wins; the distribution's default applies when
// none does. Patterns follow CloudFront's cache-behavior syntax: '*'
// matches any run of characters including '/' and the empty run, '?'
// exactly one character, everything else itself, case-sensitively, and a
// leading '/' is implied. Because the path has been decoded, a character
// is a UTF-8 rune, not a byte: "/?.txt" matches "/é.txt". Matching splits
// the pattern at its stars, anchors the first and last pieces, and takes
// each middle piece at its leftmost occurrence, which is exact for globs
// and needs no backtracking, so patterns like "*a*a*a*b" cannot be made to
// take exponential time. The common shapes (exact, "/prefix*",
// "/prefix*suffix") are single string comparisons.
//
// # The canonical path
//
// CanonicalPath decodes and normalizes the raw request path once, at the
// edge (read it with RequestPath from the request target as received),
// and routing, signed-URL resource matching, the cache key and the
// origin request all use its result (EscapePath re-encodes it for the
// origin). If each of those steps read the raw path its own way, a
// request could be routed or authorized as one path and fetched as
// another: "/public/..%2Fprivate/x" or "/public/%2e%2e/private/x" matching
// a "/public/*" behavior while the origin serves "/private/x". So
// CanonicalPath decodes percent-escapes exactly once, collapses repeated
// slashes and resolves "." and ".." segments, and rejects (the gateway
// answers 400) what origins disagree about: encoded slashes and
// backslashes, raw backslashes, control characters, invalid UTF-8, a ".."
// that would climb above "/" (an error, not silently clamped), and "." or
// ".." segments carrying ";" parameters (which some servers treat as dot
// segments). The result starts with "/" and contains no "//", no dot
// segments, no NUL, and CanonicalPath(EscapePath(p)) == p.
package route
