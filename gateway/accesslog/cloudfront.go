package accesslog

import (
	"strconv"
	"time"
)

// cloudFrontHeader starts a new or empty CloudFront-format log.
const cloudFrontHeader = "#Version: 1.0\n" +
	"#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
	"cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id " +
	"x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher " +
	"x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port " +
	"time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len " +
	"sc-range-start sc-range-end\n"

// cloudFrontFields is the number of tab-separated fields of a line.
const cloudFrontFields = 33

// appendCloudFront appends e as one line of CloudFront's standard log
// format (33 tab-separated fields and a newline). Every string field goes
// through appendCFString, so the line holds only printable ASCII besides
// its 32 tabs and final newline.
func appendCloudFront(b []byte, e *Entry) []byte {
	// CloudFront's date and time are when the response was finished.
	b = appendDateTime(b, e.Time.Add(e.TimeTaken), '\t')
	b = append(b, '\t')
	b = appendCFString(b, e.EdgeLocation)
	b = append(b, '\t')
	b = appendCFCount(b, e.BytesSent)
	b = append(b, '\t')
	b = appendCFString(b, e.ClientIP)
	b = append(b, '\t')
	b = appendCFString(b, e.Method)
	b = append(b, '\t')
	b = appendCFString(b, e.Host)
	b = append(b, '\t')
	b = appendCFString(b, e.URIStem)
	b = append(b, '\t')
	b = appendCFStatus(b, e.Status)
	b = append(b, '\t')
	b = appendCFString(b, e.Referer)
	b = append(b, '\t')
	b = appendCFString(b, e.UserAgent)
	b = append(b, '\t')
	b = appendCFString(b, e.Query)
	b = append(b, '\t')
	b = appendCFString(b, e.Cookie)
	b = append(b, '\t')
	b = appendCFString(b, e.ResultType)
	b = append(b, '\t')
	b = appendCFString(b, e.RequestID)
	b = append(b, '\t')
	b = appendCFString(b, e.HostHeader)
	b = append(b, '\t')
	b = appendCFString(b, e.Protocol)
	b = append(b, '\t')
	b = appendCFCount(b, e.BytesReceived)
	b = append(b, '\t')
	b = appendSeconds(b, e.TimeTaken)
	b = append(b, '\t')
	b = appendCFString(b, e.ForwardedFor)
	b = append(b, '\t')
	b = appendCFString(b, e.SSLProtocol)
	b = append(b, '\t')
	b = appendCFString(b, e.SSLCipher)
	b = append(b, '\t')
	b = appendCFString(b, e.ResponseResultType)
	b = append(b, '\t')
	b = appendCFString(b, e.ProtocolVersion)
	b = append(b, '\t')
	b = appendCFString(b, e.FLEStatus)
	b = append(b, '\t')
	b = appendCFPositive(b, int64(e.FLEEncryptedFields))
	b = append(b, '\t')
	b = appendCFPositive(b, int64(e.ClientPort))
	b = append(b, '\t')
	if e.TimeToFirstByte > 0 {
		b = appendSeconds(b, e.TimeToFirstByte)
	} else {
		b = append(b, '-')
	}
	b = append(b, '\t')
	b = appendCFString(b, e.DetailedResultType)
	b = append(b, '\t')
	b = appendCFString(b, e.ContentType)
	b = append(b, '\t')
	b = appendCFCount(b, e.ContentLength)
	b = append(b, '\t')
	b = appendCFCount(b, e.RangeStart)
	b = append(b, '\t')
	b = appendCFCount(b, e.RangeEnd)
	return append(b, '\n')
}

// appendDateTime appends t in UTC as "2006-01-02", sep, "15:04:05": what
// t.UTC().AppendFormat does for that layout, five times faster. Years
// outside 0-9999 are clamped to those bounds.
func appendDateTime(b []byte, t time.Time, sep byte) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	year = min(max(year, 0), 9999)
	return append(b,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), sep,
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
}

// cfEscape marks the bytes CloudFront writes as %XX: ASCII 0 through 32
// (controls and space), 127 and above (DEL and every byte of a non-ASCII
// UTF-8 sequence or of invalid UTF-8), and < > " # % { } | \ ^ ~ [ ] ` '.
// Tab, CR and LF are among them, so no field can break a line or a column.
var cfEscape = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c <= ' ' || c >= 0x7f
	}
	for _, c := range []byte("<>\"#%{}|\\^~[]`'") {
		t[c] = true
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendCFString appends s escaped as CloudFront does, or "-" when s is
// empty. Percent-decoding the result once gives s back byte for byte.
func appendCFString(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !cfEscape[c] {
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendCFCount appends n, or "-" when n is negative (unknown).
func appendCFCount(b []byte, n int64) []byte {
	if n < 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendCFPositive appends n, or "-" when n is zero or negative (not set).
func appendCFPositive(b []byte, n int64) []byte {
	if n <= 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendCFStatus appends the status code; 0 (the viewer went away before
// a response) is "000".
func appendCFStatus(b []byte, status int) []byte {
	if status <= 0 {
		return append(b, "000"...)
	}
	return strconv.AppendInt(b, int64(status), 10)
}

// appendSeconds appends d in seconds with three decimals (0.082), rounded
// to the millisecond. Negative durations are written as 0.000.
func appendSeconds(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	ms := int64((d + time.Millisecond/2) / time.Millisecond)
	return appendMilli(b, ms)
}

// appendMilli appends n/1000 with exactly three decimals.
func appendMilli(b []byte, n int64) []byte {
	b = strconv.AppendInt(b, n/1000, 10)
	f := n % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}
