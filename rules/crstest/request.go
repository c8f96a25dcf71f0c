package crstest

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// The request is written the way go-ftw writes it, byte for byte, so a
// test means here what it means to the CRS project:
//
//   - encoded_request is sent as it decodes, nothing added;
//   - otherwise the request line "METHOD URI VERSION", the headers in
//     order (map headers sorted by name), a blank line and the data;
//   - data is a Go template (the suite writes {{ "1" | repeat 64200 }});
//   - with autocomplete_headers (the default): data without a
//     Content-Type gets application/x-www-form-urlencoded; form data
//     with nothing percent-encoded yet has its names and values
//     query-escaped; Connection: close is added when absent, and
//     Content-Length when absent and there is data or the method is one
//     that has a body;
//   - multipart bodies have their line feeds made CRLF.

// methodWithBody is go-ftw's pattern, unanchored in the middle as it is.
var methodWithBody = regexp.MustCompile(`^POST|PUT|PATCH|DELETE$`)

// Raw is the bytes of in's request, as the runner sends them.
func (in *Input) Raw() ([]byte, error) { return rawRequest(in) }

// rawRequest is the bytes of in's request.
func rawRequest(in *Input) ([]byte, error) {
	if in.EncodedRequest != "" {
		return base64.StdEncoding.DecodeString(in.EncodedRequest)
	}
	method, uri, version := "GET", "/", "HTTP/1.1"
	if in.Method != nil {
		method = *in.Method
	}
	if in.URI != nil {
		uri = *in.URI
	}
	if in.Version != nil {
		version = *in.Version
	}
	headers := append([]Header(nil), in.OrderedHeaders...)
	data := requestData(in)
	if *in.AutocompleteHeaders && len(data) > 0 {
		if !hasHeader(headers, "Content-Type") {
			headers = append(headers, Header{"Content-Type", "application/x-www-form-urlencoded"})
		}
		data = encodeForm(headers, data)
	}
	if headerContains(headers, "Content-Type", "multipart/form-data;") {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	if *in.AutocompleteHeaders {
		if !hasHeader(headers, "Connection") {
			headers = append(headers, Header{"Connection", "close"})
		}
		if !hasHeader(headers, "Content-Length") && (len(data) > 0 || methodWithBody.MatchString(method)) {
			headers = append(headers, Header{"Content-Length", strconv.Itoa(len(data))})
		}
	}
	var b bytes.Buffer
	b.WriteString(method + " " + uri + " " + version + "\r\n")
	for _, h := range headers {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(data)
	return b.Bytes(), nil
}

// requestData is the stage's body: data run as a template (nothing when
// the template does not parse or run, as with go-ftw), or encoded_data.
func requestData(in *Input) []byte {
	switch {
	case in.Data != nil:
		t, err := template.New("data").Funcs(template.FuncMap{"repeat": repeat}).Parse(*in.Data)
		if err != nil {
			return nil
		}
		var b bytes.Buffer
		if t.Execute(&b, nil) != nil {
			return nil
		}
		return b.Bytes()
	case in.EncodedData != nil:
		d, err := base64.StdEncoding.DecodeString(*in.EncodedData)
		if err != nil {
			return nil
		}
		return d
	}
	return nil
}

// repeat is the template function the suite uses ({{ "1" | repeat 3 }}).
func repeat(n int, s string) string { return strings.Repeat(s, n) }

// encodeForm query-escapes the names and values of form data that has
// nothing escaped yet.
func encodeForm(headers []Header, data []byte) []byte {
	if !headerIs(headers, "Content-Type", "application/x-www-form-urlencoded") {
		return data
	}
	if u, err := url.QueryUnescape(string(data)); err != nil || u != string(data) {
		return data
	}
	var parts []string
	toks := strings.Split(string(data), "&")
	if toks[len(toks)-1] == "" { // go-ftw drops a trailing &
		toks = toks[:len(toks)-1]
	}
	for _, tok := range toks {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			parts = append(parts, url.QueryEscape(tok))
			continue
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return []byte(strings.Join(parts, "&"))
}

func headerIs(hs []Header, name, value string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) && strings.EqualFold(h.Value, value) {
			return true
		}
	}
	return false
}

func headerContains(hs []Header, name, value string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) && strings.Contains(strings.ToLower(h.Value), value) {
			return true
		}
	}
	return false
}
