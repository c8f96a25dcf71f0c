// Package origin fetches the responses the gateway serves on a cache miss:
// from an HTTP(S) server (NewHTTP) or from a local directory (NewDir).
// Both implement Origin; a failure to get any response is an *Error whose
// Kind gives the viewer's status (502, 504) and the access log's detailed
// result. Responses always stream: neither origin holds a body in memory.
//
// # HTTP origins
//
// Each origin has its own http.Transport: pooled keep-alive connections
// (up to 256 idle, closed after keepalive_timeout idle), no proxy from the
// environment, no transparent decompression (Accept-Encoding and the
// encoded body pass through untouched), HTTP/2 when an https origin offers
// it, and redirects are never followed. Fetch rewrites only what belongs
// to the origin: scheme and host from url, the origin path prefixed to the
// request path (and to its RawPath, escaped), the Host header (host_header
// or the url's host) and the custom headers, which replace a viewer's
// header of the same name. No other header is added or removed; in
// particular a request without User-Agent is sent without one. The query
// is forwarded byte for byte.
//
// Timeouts, each from the origin's config (zero means CloudFront's
// default):
//
//   - connect_timeout (10s) bounds the TCP connect and the TLS handshake;
//   - read_timeout (30s) bounds the wait for the response header after the
//     request was sent, each wait for more body bytes (a stalled origin
//     fails mid-body: the body's Read returns an *Error with KindTimeout,
//     and the connection is closed or the HTTP/2 stream reset), and each
//     write of the request to the origin (an origin that stops reading an
//     upload fails the request instead of holding it forever).
//
// The mid-body bound is a timer per response armed while a Read waits,
// not a read deadline on the connection: a deadline would also expire on
// idle pooled connections, whose transport goroutine always has a read
// pending, and would not work per stream on HTTP/2.
//
// Retries: a GET or HEAD without a body is tried up to
// connection_attempts times (default 3) when the connection could not be
// opened (refused, unreachable, DNS failure, connect timeout), that is
// before any byte of the request was sent, pausing 50ms then 100ms between
// attempts and stopping when the viewer goes away. Other methods, requests
// with a body and failures after the connection was open are never retried
// by Fetch, and a request body is never replayed. (The transport itself
// may still resend a bodiless request on a fresh connection when a pooled
// one turns out to have been closed by the origin before anything was
// written, which is safe by construction.)
//
// # Directory origins
//
// A directory origin serves regular files under its directory, held open
// as an os.Root, so that no request can reach outside it: the request path
// must be a canonical key ("/a/b.txt"; empty, "." and ".." segments are a
// 404, never cleaned), and a symbolic link is followed only when it is
// relative and resolves inside the root; absolute links and links leading
// out are a 404. When path is set, the sub-directory it names is the root.
// Hidden files are served like any other (an object store has no such
// notion). Directories are a 404 (there are no listings; the gateway maps
// "/" to the default root object), as are FIFOs, devices and sockets;
// unreadable files are a 403; methods other than GET and HEAD a 405 with
// Allow. http.ServeContent does the rest: Range and If-Range (206, 416),
// conditional requests (304, 412) against a strong ETag made like nginx's
// ("<mtime hex>-<size hex>") and Last-Modified, HEAD, and Content-Type by
// extension, then by sniffing. ServeHandler, which turns any http.Handler
// into a streaming *http.Response, runs it: the file is read as the body
// is, and closing the body or the viewer going away stops the goroutine
// and closes the file.
//
// # S3 origins
//
// An S3 origin is an HTTP origin to the bucket's endpoint whose every
// attempt is signed with SigV4 by the AWS SDK (credentials from the SDK's
// providers, cached and refreshed; a credentials failure sends nothing).
// The viewer's Authorization, Cookie and x-amz-* headers are dropped, the
// query string is never forwarded (it would turn a read into another S3
// call, ?acl, or let a viewer set response-content-type), and an empty key
// is a local 404 (a bucket listing otherwise). S3's XML errors are mapped
// (NoSuchKey 404, AccessDenied 404 or 502, credential refusals 502 with
// ErrS3Credentials, 5xx retried for GET and HEAD) and never reach viewers.
// See s3.go for the details.
//
// # Origin groups
//
// A group (group.go) tries its members in order for GET, HEAD and
// OPTIONS, moving on when one cannot be reached, times out, or answers a
// failover status; other methods go to the primary only.
package origin
