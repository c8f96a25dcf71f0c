package accesslog

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSON appends e as one JSON object and a newline. Keys are written
// in a fixed order; empty strings, zero counts and unknown (-1) sizes are
// left out. status, time and time_taken_ms are always present.
func appendJSON(b []byte, e *Entry) []byte {
	b = append(b, `{"time":"`...)
	b = appendDateTime(b, e.Time, 'T')
	ms := e.Time.Nanosecond() / int(time.Millisecond)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	b = jsonString(b, `,"request_id":`, e.RequestID)
	b = jsonString(b, `,"edge_location":`, e.EdgeLocation)
	b = jsonString(b, `,"client_ip":`, e.ClientIP)
	b = jsonPositive(b, `,"client_port":`, int64(e.ClientPort))
	b = jsonString(b, `,"forwarded_for":`, e.ForwardedFor)
	b = jsonString(b, `,"method":`, e.Method)
	b = jsonString(b, `,"host":`, e.HostHeader)
	b = jsonString(b, `,"path":`, e.URIStem)
	b = jsonString(b, `,"query":`, e.Query)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(max(e.Status, 0)), 10)
	b = jsonString(b, `,"result":`, e.ResultType)
	if e.ResponseResultType != e.ResultType {
		b = jsonString(b, `,"response_result":`, e.ResponseResultType)
	}
	b = jsonString(b, `,"detailed_result":`, e.DetailedResultType)
	b = jsonPositive(b, `,"bytes_sent":`, e.BytesSent)
	b = jsonPositive(b, `,"bytes_received":`, e.BytesReceived)
	b = append(b, `,"time_taken_ms":`...)
	b = appendMillis(b, e.TimeTaken)
	if e.TimeToFirstByte > 0 {
		b = append(b, `,"ttfb_ms":`...)
		b = appendMillis(b, e.TimeToFirstByte)
	}
	b = jsonString(b, `,"user_agent":`, e.UserAgent)
	b = jsonString(b, `,"referer":`, e.Referer)
	b = jsonString(b, `,"cookie":`, e.Cookie)
	b = jsonString(b, `,"protocol":`, e.Protocol)
	b = jsonString(b, `,"protocol_version":`, e.ProtocolVersion)
	if e.Distribution != "" {
		b = jsonString(b, `,"distribution":`, e.Distribution)
	} else {
		b = jsonString(b, `,"distribution":`, e.Host)
	}
	b = jsonString(b, `,"behavior":`, e.Behavior)
	b = jsonString(b, `,"origin":`, e.Origin)
	b = jsonString(b, `,"denied_by":`, e.DeniedBy)
	b = jsonString(b, `,"reason":`, e.Reason)
	b = jsonString(b, `,"waf_rules":`, e.WAFRules)
	b = jsonString(b, `,"content_type":`, e.ContentType)
	b = jsonCount(b, `,"content_length":`, e.ContentLength)
	b = jsonCount(b, `,"range_start":`, e.RangeStart)
	b = jsonCount(b, `,"range_end":`, e.RangeEnd)
	b = jsonString(b, `,"ssl_protocol":`, e.SSLProtocol)
	b = jsonString(b, `,"ssl_cipher":`, e.SSLCipher)
	b = jsonString(b, `,"fle_status":`, e.FLEStatus)
	b = jsonPositive(b, `,"fle_encrypted_fields":`, int64(e.FLEEncryptedFields))
	return append(b, "}\n"...)
}

// jsonString appends key and s as a JSON string unless s is empty.
func jsonString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, key...), s)
}

// jsonCount appends key and n unless n is negative (unknown).
func jsonCount(b []byte, key string, n int64) []byte {
	if n < 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), n, 10)
}

// jsonPositive appends key and n unless n is zero or negative (not set).
func jsonPositive(b []byte, key string, n int64) []byte {
	if n <= 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), n, 10)
}

// appendMillis appends d in milliseconds with three decimals (1.234),
// truncated to the microsecond. Negative durations are written as 0.000.
func appendMillis(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	return appendMilli(b, int64(d/time.Microsecond))
}

const lowerHex = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal that is valid for any
// input: quote, backslash and control characters (DEL included) are
// escaped, each byte of invalid UTF-8 becomes \ufffd (as encoding/json
// does), and U+2028/U+2029 are escaped so the line is also valid
// JavaScript. Everything else is copied as UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', lowerHex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
