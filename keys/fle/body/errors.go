package body

import (
	"errors"
	"fmt"
)

// Code says which check refused a body. Callers map every code to a
// refusal (the gateway answers 400); the code is for the log and for tests.
type Code int

// The codes Rewrite and KindOf return. The zero Code is not used, so
// CodeOf returning 0 means "not an error of this package".
const (
	// ErrBodyTooLarge: the body is longer than Limits.MaxBody.
	ErrBodyTooLarge Code = iota + 1
	// ErrFieldTooLarge: the decoded value of a selected field is longer
	// than Limits.MaxField.
	ErrFieldTooLarge
	// ErrMalformed: the body does not parse as its media type says, breaks
	// one of this package's strictness rules, or a selected field cannot
	// be rewritten (a JSON object, array, true, false or null; a multipart
	// part with a Content-Length or a transfer encoding).
	ErrMalformed
	// ErrContentType: the Content-Type header is unparsable, names a media
	// type this package does not rewrite (from Rewrite only; KindOf says
	// ok=false instead), or has a bad multipart boundary or JSON charset.
	ErrContentType
	// ErrTransform: the Transform returned an error (kept in Error.Err), or
	// a replacement it returned cannot be written into the body (a JSON
	// replacement that is not UTF-8, a multipart replacement containing
	// the boundary delimiter).
	ErrTransform
)

// String returns the code's name, e.g. "malformed".
func (c Code) String() string {
	switch c {
	case ErrBodyTooLarge:
		return "body-too-large"
	case ErrFieldTooLarge:
		return "field-too-large"
	case ErrMalformed:
		return "malformed"
	case ErrContentType:
		return "content-type"
	case ErrTransform:
		return "transform"
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is why Rewrite or KindOf refused a body. Detail names the field
// (its decoded name or JSON pointer, clipped) and the byte offset, never a
// field value. Err is the Transform's own error for ErrTransform, nil
// otherwise.
//
// Match a code with errors.Is(err, &body.Error{Code: body.ErrMalformed})
// (Is compares the Code only) or with CodeOf(err).
type Error struct {
	Code   Code
	Detail string
	Err    error
}

var _ error = (*Error)(nil)

// Error returns "fle body: <code>: <detail>[: <transform error>]".
func (e *Error) Error() string {
	s := "fle body: " + e.Code.String() + ": " + e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the Transform's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code; Detail and
// Err are not compared.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// CodeOf returns the Code of the first *Error in err's chain, or 0 when
// there is none (err is nil or comes from elsewhere).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func newError(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}

func malformed(format string, args ...any) *Error {
	return newError(ErrMalformed, format, args...)
}

// nameClip is how much of a field name a Detail quotes. Names are not
// secret, but they come from the client and may be long.
const nameClip = 64

// quoteName quotes a field name (or JSON pointer) for a Detail.
func quoteName(s string) string {
	if len(s) > nameClip {
		return fmt.Sprintf("%q...(%d bytes)", s[:nameClip], len(s))
	}
	return fmt.Sprintf("%q", s)
}
