package body

import (
	"errors"
	"mime"
	"strings"
)

// Kind is a body format Rewrite understands.
type Kind int

// The kinds. The zero Kind is "none": KindOf returns it with ok=false.
const (
	URLEncoded Kind = iota + 1 // application/x-www-form-urlencoded
	Multipart                  // multipart/form-data
	JSON                       // application/json and */*+json
)

// String returns the kind's name: "urlencoded", "multipart" or "json".
func (k Kind) String() string {
	switch k {
	case URLEncoded:
		return "urlencoded"
	case Multipart:
		return "multipart"
	case JSON:
		return "json"
	}
	return "none"
}

// maxBoundary is RFC 2046's limit on a boundary's length.
const maxBoundary = 70

// KindOf parses a Content-Type header value.
//
//   - application/x-www-form-urlencoded (any charset: bytes are kept) is
//     URLEncoded.
//   - multipart/form-data is Multipart, and boundary is its boundary
//     parameter, which must be 1-70 characters of RFC 2046's bchars, not
//     ending in a space.
//   - application/json and every type whose subtype ends in "+json"
//     (application/merge-patch+json) is JSON; a charset parameter, if any,
//     must be utf-8 (or utf8, us-ascii), because the body is parsed as
//     UTF-8 (RFC 8259 allows nothing else).
//
// Media types and parameter names are case-insensitive. Any other media
// type, and an empty header, gives ok=false and a nil error: the caller
// decides what to do with bodies it cannot rewrite. A header that does not
// parse, or one of the three types above with a bad parameter, gives an
// *Error with Code ErrContentType.
func KindOf(contentType string) (k Kind, boundary string, ok bool, err error) {
	if strings.TrimSpace(contentType) == "" {
		return 0, "", false, nil
	}
	mt, params, perr := mime.ParseMediaType(contentType)
	k = kindOfMediaType(mt)
	if perr != nil {
		// ParseMediaType still returns the media type when only a
		// parameter is bad; that is fine for types we do not rewrite.
		if errors.Is(perr, mime.ErrInvalidMediaParameter) && mt != "" && k == 0 {
			return 0, "", false, nil
		}
		return 0, "", false, newError(ErrContentType, "Content-Type does not parse: %v", perr)
	}
	switch k {
	case URLEncoded:
		return k, "", true, nil
	case Multipart:
		b, has := params["boundary"]
		if !has {
			return 0, "", false, newError(ErrContentType, "multipart/form-data without a boundary parameter")
		}
		if err := checkBoundary(b); err != nil {
			return 0, "", false, err
		}
		return k, b, true, nil
	case JSON:
		if cs, has := params["charset"]; has && !isUTF8Charset(cs) {
			return 0, "", false, newError(ErrContentType, "JSON with a charset other than utf-8")
		}
		return k, "", true, nil
	}
	return 0, "", false, nil
}

// KindOfMediaType returns the Kind of a media type without parameters
// (case-insensitive), as KindOf classifies it, or 0 for a type Rewrite
// does not handle. It is for configurations that list media types.
func KindOfMediaType(mediaType string) Kind {
	return kindOfMediaType(strings.ToLower(strings.TrimSpace(mediaType)))
}

// kindOfMediaType maps a lower-cased media type to a Kind, or 0.
func kindOfMediaType(mt string) Kind {
	switch mt {
	case "application/x-www-form-urlencoded":
		return URLEncoded
	case "multipart/form-data":
		return Multipart
	case "application/json":
		return JSON
	}
	if _, sub, ok := strings.Cut(mt, "/"); ok && len(sub) > len("+json") && strings.HasSuffix(sub, "+json") {
		return JSON
	}
	return 0
}

// checkBoundary checks a multipart boundary against RFC 2046:
//
//	boundary := 0*69<bchars> bcharsnospace
//	bchars := bcharsnospace / " "
//	bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?"
func checkBoundary(b string) error {
	if b == "" || len(b) > maxBoundary {
		return newError(ErrContentType, "multipart boundary is %d characters, not 1-%d", len(b), maxBoundary)
	}
	for i := 0; i < len(b); i++ {
		if !isBChar(b[i]) {
			return newError(ErrContentType, "multipart boundary has a character RFC 2046 does not allow at index %d", i)
		}
	}
	if b[len(b)-1] == ' ' {
		return newError(ErrContentType, "multipart boundary ends with a space")
	}
	return nil
}

func isBChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("'()+_,-./:=? ", c) >= 0
}

// isUTF8Charset reports whether a JSON charset parameter names UTF-8 or a
// subset of it.
func isUTF8Charset(cs string) bool {
	return strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8") || strings.EqualFold(cs, "us-ascii")
}
