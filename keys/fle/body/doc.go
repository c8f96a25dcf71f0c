// Package body rewrites chosen fields of a request body in place and keeps
// every other byte. Field-level encryption uses it twice: the gateway
// replaces plaintext values with ENC:v1 ciphertexts before the origin sees
// the body, and the origin-side decryptor puts the plaintexts back.
//
// Rewrite understands three formats (see KindOf): URL-encoded forms,
// multipart/form-data and JSON. It offers the fields a Selector picks (by
// decoded name, or JSON pointer) to a Transform, which returns their
// replacements. RewriteAll offers every field that can be rewritten, for
// the decryptor, which must look at every value. The parsers are written
// here, not borrowed from the standard library, because a rewrite must
// keep what those parsers throw away.
//
// # What is preserved
//
// Everything that is not a replaced value: pair order, repeated names,
// empty pairs and the original %-escapes of a form; a multipart body's
// preamble, epilogue, delimiter lines with their transport padding, part
// headers byte for byte, and the content of unselected parts; a JSON
// body's whitespace, member order, escapes and number spellings. Only the
// span of a replaced value changes, and it is written in the format's
// plain encoding: query escaping (A-Z a-z 0-9 "-._~*:" kept, space as "+",
// the rest %XX), raw part content, or a JSON string (always a string, even
// where a number was). So a value put back by the decryptor is equal to
// the original value, but its escaping may differ from what the client
// sent.
//
// When nothing is replaced, Rewrite returns the input slice itself: one
// scan and no copy. Only selected values are decoded and copied; names are
// decoded (JSON: turned into pointers) to ask the Selector.
//
// # Limits
//
// Limits.MaxBody bounds the input length, Limits.MaxField the decoded
// length of every selected value. Fixed limits: JSON nests at most 64
// deep; a multipart body has at most 1000 parts, each header block at most
// 8 KiB and each Content-Disposition at most 8 parameters.
//
// # Why strict
//
// The gateway fails closed: any error refuses the request (400), and no
// plaintext is forwarded. The danger is not a body this package cannot
// read but one it reads differently from the origin: a field the origin
// finds and the gateway did not would reach the origin unencrypted. So
// whatever parsers disagree on is refused rather than guessed at: a raw
// ";" in a form, bad %-escapes, the multipart boundary outside a
// delimiter line, mixed line endings, folded or duplicated part headers,
// RFC 2231 name*, backslashes in a part's name, part encodings other than
// 7bit/8bit/binary and Content-Length on a selected part, JSON that is
// not exactly one RFC 8259 value (trailing data, invalid UTF-8, unpaired
// surrogate escapes), and a selected JSON value that is not a string or a
// number. The file comments of urlencoded.go, multipart.go,
// disposition.go and json.go list the rules.
//
// # Errors
//
// Every error is an *Error with a Code. Match it with
// errors.Is(err, &Error{Code: ErrMalformed}) or CodeOf(err). Its Detail
// names the field and byte offset but never holds a value; a Transform's
// own error is kept in Err (and printed by Error()), so a Transform must
// not put values in its errors either.
package body
