package body

import "bytes"

// multipart/form-data (RFC 2046 section 5.1, RFC 7578), made strict:
//
//   - The boundary string "--"+boundary may appear in the body only where
//     it starts a delimiter line: at the very start or after a line break.
//     Anywhere else (preamble, part content, epilogue), and a delimiter
//     line with anything but spaces and tabs (transport padding) after the
//     boundary, is malformed. RFC 2046 only forbids it after CRLF, but
//     origins differ in how they look for it (PHP matches after a bare LF,
//     some parsers anywhere), and a part the gateway did not see must
//     never appear at the origin.
//   - Line breaks are CRLF, or LF only when the first delimiter line ends
//     in a bare LF (as Go's mime/multipart tolerates); mixing them is
//     malformed: in CRLF mode a bare LF in a header block or before a
//     delimiter, in LF mode a CR in a header line or before a delimiter.
//   - The close delimiter "--boundary--" must be there; the preamble
//     before the first delimiter and the epilogue after the close
//     delimiter are kept as they are.
//   - A header block over 8 KiB, folded (obs-fold) header lines, a line
//     without a colon, control characters, more than 1000 parts, a part
//     without exactly one "Content-Disposition: form-data" with a
//     non-empty name, and a repeated Content-Length or
//     Content-Transfer-Encoding are malformed. See disposition.go for the
//     Content-Disposition rules.
//   - A selected part may not have a Content-Length (the replacement has
//     another length, and rewriting headers is not worth the risk: the
//     header is rare) nor a Content-Transfer-Encoding other than 7bit,
//     8bit or binary (RFC 7578 section 4.7 deprecates it). An unselected
//     part's Content-Length must equal its content's length.
//
// A part's content runs from after its header block's blank line to the
// line break before the next delimiter. When the next delimiter follows
// the blank line directly ("...\r\n\r\n--boundary"), the blank line's
// line break is the delimiter's and the content is empty (Go reads it the
// same way); a replacement there is followed by a line break of its own.

const (
	maxParts       = 1000
	maxHeaderBlock = 8 << 10
)

// flagOverlap marks a multipart target whose empty content shares its
// line break with the next delimiter.
const flagOverlap uint8 = 1

var (
	crlf = []byte("\r\n")
	lf   = []byte("\n")
)

type multipartCodec struct {
	dashB []byte // "--" + boundary
	nl    []byte // crlf or lf; nil until the first delimiter line is read
}

// scanMultipart validates the whole body and returns the selected parts. A
// selected part with a Content-Length or a transfer encoding is malformed,
// or with skip not selected.
func scanMultipart(body []byte, boundary string, sel Selector, skip bool) ([]target, *multipartCodec, error) {
	m := &multipartCodec{dashB: []byte("--" + boundary)}
	k := bytes.Index(body, m.dashB)
	if k < 0 {
		return nil, nil, malformed("multipart: no boundary delimiter")
	}
	if k > 0 && body[k-1] != '\n' {
		return nil, nil, malformed("multipart: boundary inside the preamble at offset %d", k)
	}
	closed, next, err := m.afterDelimiter(body, k)
	if err != nil {
		return nil, nil, err
	}
	var ts []target
	for parts := 1; !closed; parts++ {
		if parts > maxParts {
			return nil, nil, malformed("multipart: more than %d parts", maxParts)
		}
		ph, c, err := m.headers(body, next)
		if err != nil {
			return nil, nil, err
		}
		// The content ends before the next occurrence of the boundary,
		// which must start a delimiter line.
		k := bytes.Index(body[c:], m.dashB)
		if k < 0 {
			return nil, nil, malformed("multipart: part %d at offset %d has no delimiter after it (missing close delimiter)", parts, next)
		}
		k += c
		if body[k-1] != '\n' {
			return nil, nil, malformed("multipart: boundary inside the content of part %d at offset %d", parts, k)
		}
		end, overlap := k-1, k == c
		switch {
		case overlap:
			end = c
		case len(m.nl) == 2:
			if body[k-2] != '\r' {
				return nil, nil, malformed("multipart: bare LF before the delimiter at offset %d", k)
			}
			end = k - 2
		case body[k-2] == '\r':
			return nil, nil, malformed("multipart: CRLF before the delimiter at offset %d in a body whose first delimiter line ends in LF", k)
		}
		if closed, next, err = m.afterDelimiter(body, k); err != nil {
			return nil, nil, err
		}
		name := string(ph.name)
		selected := sel(name)
		if selected && skip && (ph.hasCLen || ph.hasCTE && !isIdentityCTE(ph.cte)) {
			selected = false
		}
		if !selected {
			if ph.hasCLen && !decimalIs(ph.clen, end-c) {
				return nil, nil, malformed("multipart: part %s at offset %d has a Content-Length that is not its length", quoteName(name), c)
			}
			continue
		}
		if ph.hasCLen {
			return nil, nil, malformed("multipart: selected part %s at offset %d has a Content-Length header", quoteName(name), c)
		}
		if ph.hasCTE && !isIdentityCTE(ph.cte) {
			return nil, nil, malformed("multipart: selected part %s at offset %d has a Content-Transfer-Encoding other than 7bit, 8bit or binary", quoteName(name), c)
		}
		t := target{name: name, start: c, end: end, size: end - c}
		if overlap {
			t.flags = flagOverlap
		}
		ts = append(ts, t)
	}
	if k := bytes.Index(body[next:], m.dashB); k >= 0 {
		return nil, nil, malformed("multipart: boundary inside the epilogue at offset %d", next+k)
	}
	return ts, m, nil
}

// afterDelimiter reads the delimiter line whose "--boundary" starts at p
// and returns whether it is the close delimiter and where the next part's
// headers (or the epilogue) begin. The first delimiter line sets m.nl.
func (m *multipartCodec) afterDelimiter(body []byte, p int) (closed bool, next int, err error) {
	start := p
	p += len(m.dashB)
	if p+1 < len(body) && body[p] == '-' && body[p+1] == '-' {
		closed = true
		p += 2
	}
	for p < len(body) && (body[p] == ' ' || body[p] == '\t') {
		p++
	}
	if p == len(body) {
		if closed {
			return true, p, nil
		}
		return false, 0, malformed("multipart: delimiter at offset %d ends the body (missing close delimiter)", start)
	}
	if m.nl == nil {
		switch {
		case bytes.HasPrefix(body[p:], crlf):
			m.nl = crlf
		case body[p] == '\n':
			m.nl = lf
		}
	}
	if m.nl == nil || !bytes.HasPrefix(body[p:], m.nl) {
		return false, 0, malformed("multipart: delimiter line at offset %d has more than transport padding after the boundary", start)
	}
	return closed, p + len(m.nl), nil
}

// partHeaders is what a part's header block says that matters here.
type partHeaders struct {
	name    []byte // Content-Disposition name; never empty
	cte     []byte // Content-Transfer-Encoding value, when hasCTE
	clen    []byte // Content-Length value, when hasCLen
	hasCTE  bool
	hasCLen bool
}

// headers reads the header block starting at hs and returns the headers
// and where the content starts.
func (m *multipartCodec) headers(body []byte, hs int) (ph partHeaders, content int, err error) {
	limit := min(len(body), hs+maxHeaderBlock)
	dispositions := 0
	for p := hs; ; {
		k := bytes.IndexByte(body[p:limit], '\n')
		if k < 0 {
			if limit < len(body) {
				return ph, 0, malformed("multipart: header block at offset %d is over %d bytes", hs, maxHeaderBlock)
			}
			return ph, 0, malformed("multipart: header block at offset %d does not end", hs)
		}
		line := body[p : p+k]
		if len(m.nl) == 2 {
			if len(line) == 0 || line[len(line)-1] != '\r' {
				return ph, 0, malformed("multipart: header line at offset %d ends in a bare LF", p)
			}
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			if dispositions == 0 {
				return ph, 0, malformed("multipart: part at offset %d has no Content-Disposition", hs)
			}
			return ph, p + k + 1, nil
		}
		name, value, why := headerLine(line)
		if why != "" {
			return ph, 0, malformed("multipart: header line at offset %d: %s", p, why)
		}
		switch {
		case bytes.EqualFold(name, []byte("Content-Disposition")):
			if dispositions++; dispositions > 1 {
				return ph, 0, malformed("multipart: part at offset %d has more than one Content-Disposition", hs)
			}
			if ph.name, why = formDataName(value); why != "" {
				return ph, 0, malformed("multipart: Content-Disposition at offset %d: %s", p, why)
			}
		case bytes.EqualFold(name, []byte("Content-Transfer-Encoding")):
			if ph.hasCTE {
				return ph, 0, malformed("multipart: part at offset %d has more than one Content-Transfer-Encoding", hs)
			}
			ph.cte, ph.hasCTE = value, true
		case bytes.EqualFold(name, []byte("Content-Length")):
			if ph.hasCLen {
				return ph, 0, malformed("multipart: part at offset %d has more than one Content-Length", hs)
			}
			ph.clen, ph.hasCLen = value, true
		}
		p += k + 1
	}
}

// headerLine splits "Name: value" (RFC 5322 field, no folding) and trims
// the value; why says what is wrong, if anything.
func headerLine(line []byte) (name, value []byte, why string) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, "folded header line"
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, nil, "no field name and colon"
	}
	name = line[:colon]
	for _, c := range name {
		if !isTChar(c) {
			return nil, nil, "bad character in the field name"
		}
	}
	value = bytes.Trim(line[colon+1:], " \t")
	for _, c := range value {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return nil, nil, "control character in the value"
		}
	}
	return name, value, ""
}

// isTChar reports whether c is an RFC 9110 tchar (header field names).
func isTChar(c byte) bool { return tChars[c] }

func isIdentityCTE(v []byte) bool {
	return bytes.EqualFold(v, []byte("7bit")) || bytes.EqualFold(v, []byte("8bit")) || bytes.EqualFold(v, []byte("binary"))
}

// decimalIs reports whether v is the decimal form of n (digits only).
func decimalIs(v []byte, n int) bool {
	if len(v) == 0 || len(v) > 18 {
		return false
	}
	x := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		x = x*10 + int(c-'0')
	}
	return x == n
}

func (m *multipartCodec) decode(body []byte, t *target) ([]byte, error) {
	return append(make([]byte, 0, t.end-t.start), body[t.start:t.end]...), nil
}

// encode appends repl as raw content. It refuses a replacement that would
// change the body's structure: one containing the boundary string, or, in
// LF mode, one ending in CR.
func (m *multipartCodec) encode(dst []byte, t *target, repl []byte) ([]byte, error) {
	if bytes.Contains(repl, m.dashB) {
		return nil, newError(ErrTransform, "multipart: replacement for part %s at offset %d contains the boundary", quoteName(t.name), t.start)
	}
	if len(m.nl) == 1 && len(repl) > 0 && repl[len(repl)-1] == '\r' {
		return nil, newError(ErrTransform, "multipart: replacement for part %s at offset %d ends in CR in an LF-only body", quoteName(t.name), t.start)
	}
	dst = append(dst, repl...)
	if t.flags&flagOverlap != 0 && len(repl) > 0 {
		dst = append(dst, m.nl...)
	}
	return dst, nil
}
