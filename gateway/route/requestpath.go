package route

import "strings"

// RequestPath returns the escaped path of a request target exactly as it
// came on the wire (http.Request.RequestURI, also for HTTP/2's :path): the
// part before the query for the origin form ("/a/b?q"), the path after the
// authority for the absolute form ("http://host/a/b?q", "/" when empty).
// Anything else (the asterisk or authority form) is returned unchanged for
// CanonicalPath to reject.
//
// Prefer it over r.URL.EscapedPath(): when the raw path holds a byte that
// net/url does not keep raw (such as '{', '"', or non-ASCII),
// EscapedPath re-escapes the decoded path and so turns "%2F" into a real
// "/", which CanonicalPath can then no longer see and reject.
func RequestPath(requestURI string) string {
	target := requestURI
	if !strings.HasPrefix(target, "/") {
		i := strings.Index(target, "://")
		if i <= 0 {
			return requestURI
		}
		rest := target[i+3:]
		j := strings.IndexAny(rest, "/?")
		if j < 0 || rest[j] == '?' {
			return "/"
		}
		target = rest[j:]
	}
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	return target
}
