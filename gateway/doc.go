// Package gateway is the running edge node: listeners, routing, the
// security pipeline, origins, the access log, metrics, the admin API and
// configuration reloads.
//
// # One request
//
// The handler (handler.go) takes every viewer request through the same
// steps: bound the request (header and URL sizes, timeouts), compute the
// one canonical path (route.CanonicalPath), pick the distribution by Host
// (an unknown host gets 421, never another distribution's content) and the
// behavior by path (first match wins), run the behavior's stages in the
// order written once in pipeline.go, then fetch from the origin and stream
// the response back. Every request gets a request id that the viewer, the
// origin and the logs all see.
//
// # Security model
//
//   - Stages are built from validated configuration when a runtime is
//     compiled; on the request path they only look things up.
//   - Fail closed: a stage that cannot decide denies. A response whose body
//     breaks off mid-stream aborts the viewer's connection rather than
//     ending it cleanly, so a truncated object never looks complete.
//   - What the viewer sees is not what the log sees: a denial carries a
//     short stable reason for the viewer and a detail for the log, tied by
//     the request id. Cookies and the viewer's Authorization header are
//     never logged.
//   - Headers a viewer could forge for the gateway's own purposes
//     (X-Forwarded-Proto, X-Forwarded-Host, X-Request-Id) are replaced, and
//     X-Forwarded-For is appended to. Only from trusted_proxies are
//     X-Forwarded-For and X-Forwarded-Proto believed (clientaddr.go), and
//     PROXY protocol headers read (proxyproto.go); from anyone else they
//     are ignored.
//   - TLS (tls*.go): TLS 1.2+ with ECDHE-AEAD suites only, certificates by
//     SNI, settings swapped with the runtime for new handshakes. ACME
//     (acme.go) manages only the configured exact names, refusing others
//     before the CA is contacted, keeps keys 0600 in a 0700 cache_dir that
//     nobody else may write, and backs off after failed issuance.
//   - Geo (stage_geo.go): the viewer's country comes from the viewer's
//     address as resolved above, looked up in a GeoIP database loaded
//     whole, verified, and swapped in only when valid (geodata.Store,
//     checked every 60 s and on reload). CloudFront-Viewer-*,
//     CloudFront-Is-* and CloudFront-Forwarded-Proto headers a viewer
//     sends are removed from every request before any stage runs, so the
//     country the origin and the cache key see is always the gateway's. A
//     lookup error under a geo policy denies.
//   - Everything is bounded: header bytes (431), URL bytes (414), the wait
//     for each body read and each response write, idle connections, origin
//     connect and read timeouts.
//
// # Reloads
//
// A configuration is compiled into an immutable runtime (runtime.go).
// Reload builds a whole new runtime and swaps it in atomically; a request
// keeps the runtime it started with until it ends, and a retired runtime
// is closed after its last request. A configuration that fails to load or
// build changes nothing.
package gateway
