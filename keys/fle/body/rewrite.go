package body

import "strconv"

// Limits bounds what Rewrite accepts. A zero (or negative) field means no
// limit.
type Limits struct {
	MaxBody  int64 // bytes of input body
	MaxField int64 // bytes of a selected field's decoded value
}

// Field is one selected field, as the Transform sees it.
type Field struct {
	// Name is the decoded form field name (urlencoded: %-escapes and "+"
	// decoded; multipart: the Content-Disposition name parameter), or for
	// JSON the RFC 6901 pointer of the value, starting with "/".
	Name string
	// Value is the decoded value: URL-unescaped for urlencoded, the part's
	// content for multipart, the unescaped string for a JSON string, or
	// the literal text of a JSON number. It is a fresh copy the Transform
	// may keep or modify.
	Value []byte
	// JSONNumber is true when Value is the text of a JSON number.
	JSONNumber bool
}

// Transform returns the replacement for a field's value, in decoded form:
// Rewrite encodes it for the body (query escaping for urlencoded, raw part
// content for multipart, a quoted JSON string for JSON, even where the
// value was a number). It returns nil to keep the field as it is, and an
// error to refuse the whole body (Rewrite wraps it with ErrTransform).
type Transform func(f Field) ([]byte, error)

// Selector reports whether a field is selected. name is the decoded form
// field name, or for JSON the RFC 6901 pointer of a member or array
// element value (the root value is never offered). Rewrite calls it once
// per field, in body order.
type Selector func(name string) bool

// Rewrite parses body as contentType says (see KindOf), calls fn for every
// field sel selects, and returns the body with those values replaced and
// every other byte unchanged, and how many fields were replaced (fn
// returned a non-nil value).
//
// The whole body is checked before fn is first called, so fn never runs
// for a body that is then refused. Any error is an *Error; out is then
// nil. When no field is replaced, out is body itself (the same slice, not
// a copy); otherwise out is newly allocated and body is not modified.
//
// A nil sel selects nothing; a nil fn keeps every field, so Rewrite only
// validates. A media type KindOf does not know is an ErrContentType error
// here: call KindOf first to pass such bodies through. Rewrite is safe for
// concurrent use.
func Rewrite(contentType string, body []byte, sel Selector, fn Transform, lim Limits) (out []byte, n int, err error) {
	k, boundary, ok, err := KindOf(contentType)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, newError(ErrContentType, "not a form or JSON media type")
	}
	return rewriteKind(k, boundary, body, sel, false, fn, lim)
}

// RewriteAll is Rewrite with every field selected that can be rewritten,
// for the decrypting side, which must look at every value: every
// urlencoded pair, every JSON string and number, and every multipart part
// without a Content-Length and with no or an identity transfer encoding.
// JSON objects, arrays, true, false and null, and the other multipart
// parts, are skipped where Rewrite with such a selector would refuse the
// body. Everything else (validation, limits, errors, out aliasing body)
// is as for Rewrite; Limits.MaxField now applies to every offered field.
func RewriteAll(contentType string, body []byte, fn Transform, lim Limits) (out []byte, n int, err error) {
	k, boundary, ok, err := KindOf(contentType)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, newError(ErrContentType, "not a form or JSON media type")
	}
	return rewriteKind(k, boundary, body, func(string) bool { return true }, true, fn, lim)
}

func rewriteKind(k Kind, boundary string, body []byte, sel Selector, skip bool, fn Transform, lim Limits) ([]byte, int, error) {
	if lim.MaxBody > 0 && int64(len(body)) > lim.MaxBody {
		return nil, 0, newError(ErrBodyTooLarge, "%s body is %d bytes, over the %d-byte limit", k, len(body), lim.MaxBody)
	}
	if sel == nil {
		sel = func(string) bool { return false }
	}
	var (
		ts  []target
		c   codec
		err error
	)
	switch k {
	case URLEncoded:
		ts, err = scanURLEncoded(body, sel)
		c = urlCodec{}
	case Multipart:
		var mc *multipartCodec
		ts, mc, err = scanMultipart(body, boundary, sel, skip)
		c = mc
	case JSON:
		ts, err = scanJSON(body, sel, skip)
		c = jsonCodec{}
	default:
		return nil, 0, newError(ErrContentType, "unknown kind %d", int(k))
	}
	if err != nil {
		return nil, 0, err
	}
	return apply(k, body, ts, fn, lim, c)
}

// target is a selected field found by a scanner: its name and the span of
// its raw value in the body.
type target struct {
	name       string
	start, end int   // raw value span: body[start:end] is replaced
	size       int   // decoded length, or -1 when only decoding tells
	flags      uint8 // kind-specific
}

// codec decodes a target's raw value and encodes a replacement for it.
type codec interface {
	// decode returns a fresh copy of the target's decoded value.
	decode(body []byte, t *target) ([]byte, error)
	// encode appends what replaces body[t.start:t.end] to dst.
	encode(dst []byte, t *target, repl []byte) ([]byte, error)
}

// apply runs fn over the targets and splices the replacements in.
func apply(k Kind, body []byte, ts []target, fn Transform, lim Limits, c codec) ([]byte, int, error) {
	if len(ts) == 0 {
		return body, 0, nil
	}
	type edit struct{ start, end, from, to int }
	var (
		arena []byte // the encoded replacements, back to back
		edits []edit
	)
	for i := range ts {
		t := &ts[i]
		if lim.MaxField > 0 && t.size >= 0 && int64(t.size) > lim.MaxField {
			return nil, 0, tooLarge(k, t, t.size, lim.MaxField)
		}
		if fn == nil && (lim.MaxField <= 0 || t.size >= 0) {
			continue // nothing to transform, and the size is checked
		}
		v, err := c.decode(body, t)
		if err != nil {
			return nil, 0, err
		}
		if lim.MaxField > 0 && int64(len(v)) > lim.MaxField {
			return nil, 0, tooLarge(k, t, len(v), lim.MaxField)
		}
		if fn == nil {
			continue
		}
		r, err := fn(Field{Name: t.name, Value: v, JSONNumber: t.flags&flagNumber != 0})
		if err != nil {
			return nil, 0, &Error{Code: ErrTransform,
				Detail: k.String() + ": transform of field " + quoteName(t.name) + " at offset " + strconv.Itoa(t.start) + " failed",
				Err:    err}
		}
		if r == nil {
			continue
		}
		from := len(arena)
		if arena, err = c.encode(arena, t, r); err != nil {
			return nil, 0, err
		}
		edits = append(edits, edit{t.start, t.end, from, len(arena)})
	}
	if len(edits) == 0 {
		return body, 0, nil
	}
	size := len(body)
	for _, e := range edits {
		size += (e.to - e.from) - (e.end - e.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, e := range edits {
		out = append(out, body[last:e.start]...)
		out = append(out, arena[e.from:e.to]...)
		last = e.end
	}
	out = append(out, body[last:]...)
	return out, len(edits), nil
}

// flagNumber marks a JSON number target (the other kinds have their own
// flags; they share the byte).
const flagNumber uint8 = 1 << 7

func tooLarge(k Kind, t *target, size int, max int64) *Error {
	return newError(ErrFieldTooLarge, "%s: field %s at offset %d is %d bytes decoded, over the %d-byte limit",
		k, quoteName(t.name), t.start, size, max)
}
