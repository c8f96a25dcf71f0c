package httpcache

import (
	"strconv"
	"strings"
)

// Cache keys are strings in a self-delimiting format, so that the key of
// one request can never equal the key of a different one, whatever bytes
// the distribution name, path, parameters or header values contain:
//
//	key     = field(dist) field(path) *item
//	item    = tag field(...)        ; one or two fields, by tag
//	field   = decimal-length ":" bytes
//
// Tags: 'q' one keyed query parameter (its raw "name=value" text), 'h' a
// keyed header (canonical name, then value), 'c' one keyed cookie (its raw
// "name=value" text); VariantKey appends 'v' (a Vary header that is
// present: name, value) and 'w' (a Vary header that is absent: name). A
// reader that knows the tags can split any key back into its parts, so two
// keys are equal only when all their parts are.

// fieldLen is the length of field(s).
func fieldLen(s string) int {
	return decimalLen(len(s)) + 1 + len(s)
}

// decimalLen is the number of decimal digits of n >= 0.
func decimalLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// writeField appends field(s) to b.
func writeField(b *strings.Builder, s string) {
	var num [20]byte
	b.Write(strconv.AppendUint(num[:0], uint64(len(s)), 10))
	b.WriteByte(':')
	b.WriteString(s)
}
