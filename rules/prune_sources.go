package rules

import (
	"net/url"
	"strings"
)

// A source is a part of the request that Coraza fills variables from.
// requestBytes holds, per source, a superset of the bytes of every value
// Coraza v3.8.1 gives those variables (transaction.go, ProcessURI,
// AddRequestHeader, the urlencoded body processor), computed the way
// Coraza computes the values.
type source uint8

const (
	srcMethod      source = iota // REQUEST_METHOD
	srcProto                     // REQUEST_PROTOCOL
	srcLine                      // REQUEST_LINE, REQUEST_URI_RAW: method, target, protocol
	srcURI                       // REQUEST_URI: the target as url.URL.String writes it
	srcPath                      // REQUEST_FILENAME, REQUEST_BASENAME: the decoded path
	srcQuery                     // QUERY_STRING
	srcArgsGet                   // ARGS_GET, ARGS_GET_NAMES: decoded names and values
	srcHeaders                   // REQUEST_HEADERS: every value
	srcHeaderNames               // REQUEST_HEADERS_NAMES
	srcCookies                   // REQUEST_COOKIES, REQUEST_COOKIES_NAMES
	srcArgsPost                  // ARGS_POST, ARGS_POST_NAMES (phase 2)
	srcBody                      // REQUEST_BODY (phase 2)
	srcBodyParsed                // XML, FILES, MULTIPART_*: what other body processors make (phase 2)
	srcCount
)

// bodySources are filled from the request body, in phase 2.
func (s source) body() bool { return s >= srcArgsPost }

// variableSources maps the variables pruning reads to their sources.
// A rule with a variable missing here is never pruned.
var variableSources = map[string][]source{
	"REQUEST_METHOD":         {srcMethod},
	"REQUEST_PROTOCOL":       {srcProto},
	"REQUEST_LINE":           {srcLine},
	"REQUEST_URI_RAW":        {srcLine},
	"REQUEST_URI":            {srcURI},
	"REQUEST_FILENAME":       {srcPath},
	"REQUEST_BASENAME":       {srcPath},
	"QUERY_STRING":           {srcQuery},
	"ARGS_GET":               {srcArgsGet},
	"ARGS_GET_NAMES":         {srcArgsGet},
	"ARGS_POST":              {srcArgsPost},
	"ARGS_POST_NAMES":        {srcArgsPost},
	"ARGS":                   {srcArgsGet, srcArgsPost},
	"ARGS_NAMES":             {srcArgsGet, srcArgsPost},
	"REQUEST_HEADERS":        {srcHeaders},
	"REQUEST_HEADERS_NAMES":  {srcHeaderNames},
	"REQUEST_COOKIES":        {srcCookies},
	"REQUEST_COOKIES_NAMES":  {srcCookies},
	"REQUEST_BODY":           {srcBody},
	"XML":                    {srcBodyParsed},
	"FILES":                  {srcBodyParsed},
	"FILES_NAMES":            {srcBodyParsed},
	"MULTIPART_FILENAME":     {srcBodyParsed},
	"MULTIPART_NAME":         {srcBodyParsed},
	"MULTIPART_PART_HEADERS": {srcBodyParsed},
	"FILES_TMP_CONTENT":      {srcBodyParsed},
}

// requestBytes is what pruning knows of one request.
type requestBytes struct {
	src [srcCount]byteSet
	// header holds the values of each header a rule names (by the
	// pruner's index of header keys).
	header []byteSet
}

// addTarget fills the sources of the request line: method, target and
// protocol, as ProcessURI splits them.
func (b *requestBytes) addTarget(method, uri, proto string, argsAll bool) {
	b.src[srcMethod].addString(method)
	b.src[srcProto].addString(proto)
	line := &b.src[srcLine]
	line.addString(method)
	line.addString(uri)
	line.addString(proto)
	line.add(' ')
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	var path, query string
	if u, err := url.ParseRequestURI(uri); err != nil {
		b.src[srcURI].addString(uri)
		path, query, _ = strings.Cut(uri, "?")
	} else {
		b.src[srcURI].addString(u.String())
		path, query = u.Path, u.RawQuery
	}
	b.src[srcPath].addString(path)
	b.src[srcQuery].addString(query)
	if argsAll {
		b.src[srcArgsGet] = allBytes
		return
	}
	addQueryBytes(&b.src[srcArgsGet], query)
}

// addQueryBytes adds the bytes of the names and values Coraza's query
// parser makes of q: pairs split at &, a name from its value at the
// first =, each unescaped (+ is a space, %XX a byte, a % that starts
// no escape stays).
func addQueryBytes(s *byteSet, q string) {
	for q != "" {
		pair := q
		if i := strings.IndexByte(pair, '&'); i >= 0 {
			pair, q = pair[:i], q[i+1:]
		} else {
			q = ""
		}
		if i := strings.IndexByte(pair, '='); i >= 0 {
			addUnescaped(s, pair[:i])
			addUnescaped(s, pair[i+1:])
			continue
		}
		addUnescaped(s, pair)
	}
}

func addUnescaped(s *byteSet, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '+':
			s.add(' ')
		case c == '%' && i+2 < len(v):
			if b, ok := hexByte(v[i+1 : i+3]); ok {
				s.add(b)
				i += 2
				continue
			}
			s.add(c)
		default:
			s.add(c)
		}
	}
}

// addHeader adds a header as the transaction is given it.
func (s *pruneState) addHeader(p *pruner, key, value string) {
	b := &s.b
	b.src[srcHeaders].addString(value)
	names := &b.src[srcHeaderNames]
	names.addString(key)
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'A' <= c && c <= 'Z' {
			names.add(c + 'a' - 'A')
		}
	}
	if i, ok := p.findHeader(key); ok {
		b.header[i].addString(value)
	}
	switch {
	case strings.EqualFold(key, "cookie"):
		addCookieBytes(&b.src[srcCookies], value)
	case strings.EqualFold(key, "content-type"):
		s.types = append(s.types, value)
	}
}

// addCookieBytes adds the names and values Coraza's cookie parser makes
// of a Cookie header: pairs split at ;, a name from its value at the
// first =, each trimmed of spaces and control characters, not decoded.
func addCookieBytes(s *byteSet, v string) {
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ";")
		name, val, _ := strings.Cut(part, "=")
		s.addString(trimCTL(name))
		s.addString(trimCTL(val))
	}
}

func trimCTL(s string) string {
	isCTL := func(c byte) bool { return c <= ' ' || c == 0x7f }
	for s != "" && isCTL(s[0]) {
		s = s[1:]
	}
	for s != "" && isCTL(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// addBody fills the body's sources from the bytes Coraza is given. Only
// a urlencoded form is read (its names and values, as the query's);
// any other body processor (JSON, XML, multipart, or one a rule
// chooses) may make any byte of a body.
func (b *requestBytes) addBody(body []byte, urlencoded, argsAll bool) {
	if len(body) == 0 {
		return
	}
	s := unsafeString(body)
	b.src[srcBody].addString(s)
	if !urlencoded {
		b.src[srcArgsPost], b.src[srcBodyParsed] = allBytes, allBytes
		return
	}
	if argsAll {
		b.src[srcArgsPost] = allBytes
		return
	}
	addQueryBytes(&b.src[srcArgsPost], s)
}

// isURLEncodedForm reports whether the only Content-Type header says a
// urlencoded form, so that Coraza reads the body with its urlencoded
// processor: it picks that processor for the type, and the body
// processor rules of the recommended configuration (XML, JSON,
// +json types) cannot match it.
func isURLEncodedForm(contentTypes []string) bool {
	if len(contentTypes) != 1 {
		return false
	}
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentTypes[0])), ";")
	return strings.TrimSpace(mt) == "application/x-www-form-urlencoded"
}
