package httpcache

// WeakETag returns the ETag to send with a response the edge compressed,
// as CloudFront does: a strong entity-tag becomes weak ("x" -> W/"x"), a
// weak one is kept, and anything that is not an entity-tag (RFC 9110
// 8.8.3: optional "W/", then a double-quoted string of characters other
// than '"', controls, space and DEL) gives "" (drop the header).
func WeakETag(etag string) string {
	switch {
	case validOpaqueTag(etag):
		return "W/" + etag
	case len(etag) > 2 && etag[:2] == "W/" && validOpaqueTag(etag[2:]):
		return etag
	}
	return ""
}

// validOpaqueTag reports whether s is DQUOTE *etagc DQUOTE, where etagc is
// %x21 / %x23-7E / obs-text (%x80-FF).
func validOpaqueTag(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c <= 0x20 || c == '"' || c == 0x7f {
			return false
		}
	}
	return true
}
