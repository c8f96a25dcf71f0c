package origin

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ErrS3Credentials is wrapped by the *Error of a fetch S3 refused because
// of the gateway's credentials: a bad or unknown access key, a signature
// S3 computed differently, an expired session token, access denied.
var ErrS3Credentials = errors.New("S3 refused the gateway's credentials")

// S3Error is an answer of S3 that is not passed to the viewer. It is the
// Err of an *Error (KindBadResponse, so the viewer gets a 502); its message
// is for the log: what was asked, S3's status, error code and message
// (never the rest of S3's body, which can hold the string S3 signed).
type S3Error struct {
	Request  string // method and URL, without a query
	Status   int    // S3's status
	Code     string // S3's <Code>, "" when the answer had no body (HEAD)
	Message  string // S3's <Message>, shortened and without control characters
	Attempts int    // how many times the request was sent
	Refused  bool   // the credentials were refused (see ErrS3Credentials)
}

func (e *S3Error) Error() string {
	var b strings.Builder
	if e.Refused {
		b.WriteString(ErrS3Credentials.Error())
		b.WriteString(": ")
	}
	b.WriteString(e.Request)
	b.WriteString(" answered ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(" (")
		b.WriteString(e.Message)
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		b.WriteString(" after ")
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteString(" attempts")
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrS3Credentials) true for a refusal.
func (e *S3Error) Unwrap() error {
	if e.Refused {
		return ErrS3Credentials
	}
	return nil
}

// credentialCodes are S3 error codes that mean the gateway's credentials
// (or its clock, which is part of the signature) are not accepted.
var credentialCodes = map[string]bool{
	"AccessDenied": true, "AccountProblem": true, "AllAccessDisabled": true,
	"AuthorizationHeaderMalformed": true, "ExpiredToken": true, "InvalidAccessKeyId": true,
	"InvalidSecurity": true, "InvalidToken": true, "MissingSecurityHeader": true,
	"RequestTimeTooSkewed": true, "SignatureDoesNotMatch": true, "TokenRefreshRequired": true,
}

// maxS3ErrorBody bounds how much of an S3 error body is read to learn its
// code. S3's error documents are well under it; what is beyond is dropped
// with the connection.
const maxS3ErrorBody = 16 << 10

// mapResponse decides what the viewer gets for S3's answer to r:
//
//   - 2xx, 304: passed through as S3 sent it, body streaming;
//   - 412 and 416: S3's status (and Content-Range) with a short text body;
//   - 404 NoSuchKey (for GET and HEAD also a 404 without a code: HEAD
//     answers have no body), and KeyTooLongError (no such key can exist):
//     404;
//   - for GET and HEAD, 403 AccessDenied or a 403 without a code: 404 when
//     hideMissing (what S3 answers for a missing key when the bucket does
//     not grant s3:ListBucket), else a refusal of the credentials;
//   - any credential code (SignatureDoesNotMatch, InvalidAccessKeyId,
//     ExpiredToken, RequestTimeTooSkewed, ...), at any status and for any
//     method: an *Error wrapping ErrS3Credentials (502);
//   - 500, 502, 503, 504: retried while retry is set; then 503 (SlowDown)
//     is a 503 response with S3's Retry-After, the others an *Error (502);
//   - anything else (NoSuchBucket, a redirect to another region, a 400,
//     501): an *Error (502) for GET and HEAD, which the viewer cannot have
//     caused; for other methods a 4xx is the viewer's (a bad upload) and
//     becomes a text response of that status.
//
// When it returns retry, the response has been drained and closed.
func (o *s3Origin) mapResponse(r *http.Request, resp *http.Response, attempt int, retry bool) (*http.Response, bool, error) {
	code := resp.StatusCode
	switch {
	case code < 300 || code == http.StatusNotModified:
		return resp, false, nil
	case retry && retryableStatus(code):
		drainClose(resp.Body)
		return nil, true, nil
	}
	s3code, msg := readS3Error(resp.Body)
	resp.Body.Close()
	e := &S3Error{Request: describe(resp.Request), Status: code, Code: s3code, Message: msg, Attempts: attempt}
	get := r.Method == "" || r.Method == http.MethodGet || r.Method == http.MethodHead

	switch {
	case code == http.StatusPreconditionFailed:
		return textResponse(r, code), false, nil
	case code == http.StatusRequestedRangeNotSatisfiable:
		return textResponse(r, code, headerPair(resp.Header, "Content-Range")...), false, nil
	case code == http.StatusNotFound && (s3code == "NoSuchKey" || s3code == "" && get),
		s3code == "KeyTooLongError":
		return textResponse(r, http.StatusNotFound), false, nil
	case code == http.StatusForbidden && get && (s3code == "AccessDenied" || s3code == ""):
		if o.hideMissing {
			return textResponse(r, http.StatusNotFound), false, nil
		}
		e.Refused = true
	case credentialCodes[s3code]:
		e.Refused = true
	case code == http.StatusServiceUnavailable:
		return textResponse(r, code, headerPair(resp.Header, "Retry-After")...), false, nil
	case !get && code >= 400 && code < 500:
		return textResponse(r, code), false, nil
	}
	return nil, false, &Error{Origin: o.id, Kind: KindBadResponse, Err: e}
}

// retryableStatus reports S3 answers worth asking again: internal errors
// and SlowDown.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// headerPair returns name and its value in h as a textResponse pair, or
// nothing when h has no sane value for it.
func headerPair(h http.Header, name string) []string {
	v := h.Get(name)
	if v == "" || !validHeaderValue(v) {
		return nil
	}
	return []string{name, v}
}

// drainClose reads what is left of a small body so its connection can be
// reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxS3ErrorBody))
	body.Close()
}

// readS3Error reads at most maxS3ErrorBody bytes of an S3 error document
// and returns its Code and Message ("" when absent or unreadable).
func readS3Error(body io.Reader) (code, msg string) {
	if body == nil {
		return "", ""
	}
	data, _ := io.ReadAll(io.LimitReader(body, maxS3ErrorBody))
	return parseS3Error(data)
}

// parseS3Error finds <Error><Code> and <Message> in an S3 error document.
// It is lenient with what surrounds them (a truncated document still
// yields the code) and strict with what it returns: a code is an S3 code
// (letters, digits and '.', at most 64 bytes) and a message is shortened
// to 200 bytes of printable text, so neither can forge log lines.
func parseS3Error(data []byte) (code, msg string) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	var (
		path []string
		text strings.Builder
	)
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if text.Len() < 1024 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 2 && path[0] == "Error" {
				switch path[1] {
				case "Code":
					code = cleanS3Code(text.String())
				case "Message":
					msg = cleanS3Message(text.String())
				}
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			text.Reset()
		}
		if code != "" && msg != "" {
			break
		}
	}
	return code, msg
}

func cleanS3Code(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.') {
			return ""
		}
	}
	return s
}

func cleanS3Message(s string) string {
	const max = 200
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		if b.Len()+len(string(r)) > max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
