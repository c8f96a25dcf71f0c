package accesslog

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// hostile is what an attacker can put in a header or path: separators,
// line breaks, quotes, escapes, NUL, DEL, Unicode, invalid UTF-8.
const hostile = "Mozilla/5.0\t(evil)\r\n2024-01-01\t00:00:00\tFAKE \"quoted\" 'single' \\back\\ " +
	"<script>%41{|}^~[]`# caf\u00e9 \u65e5\u672c \u2028 \x00\x01\x1f\x7f \xff\xfe\xc3"

// goldenEntries are the entries of the golden files: an ordinary hit, a
// hostile request, and a viewer that went away before a response.
func goldenEntries() []*Entry {
	t0 := time.Date(2024, 5, 1, 23, 59, 59, 750_000_000, time.FixedZone("CEST", 2*3600))
	return []*Entry{{
		Time:               t0,
		EdgeLocation:       "FRA1",
		BytesSent:          2150,
		ClientIP:           "192.0.2.10",
		ClientPort:         51234,
		Method:             "GET",
		Host:               "assets",
		URIStem:            "/img/cat.jpg",
		Status:             200,
		Referer:            "https://www.example.com/page?a=1",
		UserAgent:          "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/125.0",
		Query:              "v=3&size=large",
		ResultType:         "Hit",
		RequestID:          "Kq3mNf8ZbWq2A7cX1y0V",
		HostHeader:         "cdn.example.com",
		Protocol:           "https",
		BytesReceived:      412,
		TimeTaken:          2 * time.Millisecond,
		SSLProtocol:        "TLSv1.3",
		SSLCipher:          "TLS_AES_128_GCM_SHA256",
		ResponseResultType: "Hit",
		ProtocolVersion:    "HTTP/2.0",
		TimeToFirstByte:    1400 * time.Microsecond,
		DetailedResultType: "Hit",
		ContentType:        "image/jpeg",
		ContentLength:      1820,
		RangeStart:         -1,
		RangeEnd:           -1,
		Distribution:       "assets",
		Behavior:           "/img/*",
		Origin:             "s3-assets",
	}, {
		Time:               t0.Add(time.Second),
		EdgeLocation:       "FRA1",
		BytesSent:          398,
		ClientIP:           "2001:db8::1",
		ClientPort:         443,
		Method:             "POST",
		Host:               "assets",
		URIStem:            "/a b/\t\n%2F/" + hostile,
		Status:             403,
		Referer:            hostile,
		UserAgent:          hostile,
		Query:              "q=%20x&t=\t\r\n&u=" + hostile,
		Cookie:             "session=abc; theme=\"dark\"\r\nX: y",
		ResultType:         "Error",
		RequestID:          "Zp0LmQ7rT2vB9nA4sD3e",
		HostHeader:         "evil.example\r\nX-Injected: 1",
		Protocol:           "http",
		BytesReceived:      1024,
		TimeTaken:          1234567 * time.Microsecond,
		ForwardedFor:       "198.51.100.7, 203.0.113.9",
		ResponseResultType: "Error",
		ProtocolVersion:    "HTTP/1.1",
		FLEStatus:          "Processed",
		FLEEncryptedFields: 2,
		TimeToFirstByte:    1200 * time.Millisecond,
		DetailedResultType: "ClientGeoBlocked",
		ContentType:        "text/html; charset=utf-8",
		ContentLength:      0,
		RangeStart:         0,
		RangeEnd:           99,
		Distribution:       "assets",
		Behavior:           "*",
		DeniedBy:           "waf",
		Reason:             "Request blocked. \"quoted\"\n" + hostile,
	}, {
		Time:          t0.Add(2 * time.Second),
		EdgeLocation:  "FRA1",
		ClientIP:      "203.0.113.5",
		Method:        "GET",
		URIStem:       "/",
		Status:        0,
		ResultType:    "Error",
		RequestID:     "A0000000000000000000",
		Protocol:      "https",
		TimeTaken:     30 * time.Second,
		ContentLength: -1,
		RangeStart:    -1,
		RangeEnd:      -1,
	}}
}

func encodeAll(enc func([]byte, *Entry) []byte, entries []*Entry) []byte {
	var b []byte
	for _, e := range entries {
		b = enc(b, e)
	}
	return b
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\n got: %q\nwant: %q", name, got, want)
	}
}

func TestGoldenCloudFront(t *testing.T) {
	got := encodeAll(appendCloudFront, goldenEntries())
	checkGolden(t, "golden.cloudfront", got)
	for _, line := range splitLines(got) {
		checkCloudFrontLine(t, line)
	}
}

func TestGoldenJSON(t *testing.T) {
	got := encodeAll(appendJSON, goldenEntries())
	checkGolden(t, "golden.jsonl", got)
	for _, line := range splitLines(got) {
		checkJSONLine(t, line)
	}
}

// splitLines splits b after each newline; a last line without one is kept.
func splitLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// checkCloudFrontLine checks what every CloudFront line must be: 33 fields
// of printable ASCII separated by tabs, one final newline, and returns
// the fields.
func checkCloudFrontLine(t testing.TB, line string) []string {
	t.Helper()
	body, ok := strings.CutSuffix(line, "\n")
	if !ok {
		t.Fatalf("line does not end with a newline: %q", line)
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; c != '\t' && (c <= ' ' || c >= 0x7f) {
			t.Fatalf("byte %#x at %d in %q", c, i, line)
		}
	}
	f := strings.Split(body, "\t")
	if len(f) != cloudFrontFields {
		t.Fatalf("%d fields, want %d: %q", len(f), cloudFrontFields, line)
	}
	return f
}

// checkJSONLine checks that line is one valid JSON object and a newline,
// and returns it decoded.
func checkJSONLine(t testing.TB, line string) map[string]any {
	t.Helper()
	body, ok := strings.CutSuffix(line, "\n")
	if !ok || strings.ContainsAny(body, "\r\n") {
		t.Fatalf("not one line: %q", line)
	}
	if !json.Valid([]byte(body)) {
		t.Fatalf("invalid JSON: %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	return m
}

// TestCloudFrontFields checks each field's position and rendering, one
// case per rule.
func TestCloudFrontFields(t *testing.T) {
	base := func() *Entry {
		return &Entry{
			Time:          time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
			ContentLength: -1, RangeStart: -1, RangeEnd: -1,
		}
	}
	tests := []struct {
		name  string
		edit  func(*Entry)
		field int // 1-based, as CloudFront numbers them
		want  string
	}{
		{"date is UTC", func(e *Entry) { e.Time = time.Date(2024, 5, 2, 1, 0, 0, 0, time.FixedZone("X", 3*3600)) }, 1, "2024-05-01"},
		{"time is UTC", func(e *Entry) { e.Time = time.Date(2024, 5, 2, 1, 0, 0, 0, time.FixedZone("X", 3*3600)) }, 2, "22:00:00"},
		{"time is when the response finished", func(e *Entry) { e.TimeTaken = 1500 * time.Millisecond }, 2, "10:00:01"},
		{"date rolls over with time-taken", func(e *Entry) {
			e.Time = time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)
			e.TimeTaken = 2 * time.Second
		}, 1, "2025-01-01"},
		{"empty edge location", func(e *Entry) {}, 3, "-"},
		{"sc-bytes zero", func(e *Entry) {}, 4, "0"},
		{"sc-bytes", func(e *Entry) { e.BytesSent = 123456789012 }, 4, "123456789012"},
		{"c-ip v6", func(e *Entry) { e.ClientIP = "2001:db8::1" }, 5, "2001:db8::1"},
		{"empty c-ip", func(e *Entry) {}, 5, "-"},
		{"method", func(e *Entry) { e.Method = "DELETE" }, 6, "DELETE"},
		{"cs(Host)", func(e *Entry) { e.Host = "d111111abcdef8.cloudfront.net" }, 7, "d111111abcdef8.cloudfront.net"},
		{"stem kept", func(e *Entry) { e.URIStem = "/a/b-c_d.e!$&()*+,;=:@" }, 8, "/a/b-c_d.e!$&()*+,;=:@"},
		{"stem space", func(e *Entry) { e.URIStem = "/a b" }, 8, "/a%20b"},
		{"stem percent", func(e *Entry) { e.URIStem = "/100%" }, 8, "/100%25"},
		{"stem unicode", func(e *Entry) { e.URIStem = "/caf\u00e9" }, 8, "/caf%C3%A9"},
		{"stem tab newline", func(e *Entry) { e.URIStem = "/a\tb\r\nc" }, 8, "/a%09b%0D%0Ac"},
		{"stem invalid UTF-8", func(e *Entry) { e.URIStem = "/\xff\x80" }, 8, "/%FF%80"},
		{"stem NUL DEL", func(e *Entry) { e.URIStem = "/\x00\x7f" }, 8, "/%00%7F"},
		{"status", func(e *Entry) { e.Status = 404 }, 9, "404"},
		{"status 0", func(e *Entry) {}, 9, "000"},
		{"referer", func(e *Entry) { e.Referer = "https://a.example/x?y=1" }, 10, "https://a.example/x?y=1"},
		{"user agent spaces", func(e *Entry) { e.UserAgent = "Mozilla/5.0 (X11; Linux)" }, 11, "Mozilla/5.0%20(X11;%20Linux)"},
		{"user agent specials", func(e *Entry) { e.UserAgent = "<>\"#%{}|\\^~[]`'" }, 11, "%3C%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%60%27"},
		{"empty user agent", func(e *Entry) {}, 11, "-"},
		{"query as received", func(e *Entry) { e.Query = "a=1&b=x%20y" }, 12, "a=1&b=x%2520y"},
		{"empty query", func(e *Entry) {}, 12, "-"},
		{"no cookie", func(e *Entry) {}, 13, "-"},
		{"cookie when set", func(e *Entry) { e.Cookie = "a=1; b=2" }, 13, "a=1;%20b=2"},
		{"result type", func(e *Entry) { e.ResultType = "RefreshHit" }, 14, "RefreshHit"},
		{"request id", func(e *Entry) { e.RequestID = "abc" }, 15, "abc"},
		{"host header", func(e *Entry) { e.HostHeader = "www.example.com:8443" }, 16, "www.example.com:8443"},
		{"protocol", func(e *Entry) { e.Protocol = "wss" }, 17, "wss"},
		{"cs-bytes", func(e *Entry) { e.BytesReceived = 77 }, 18, "77"},
		{"time-taken zero", func(e *Entry) {}, 19, "0.000"},
		{"time-taken ms", func(e *Entry) { e.TimeTaken = 2 * time.Millisecond }, 19, "0.002"},
		{"time-taken rounds", func(e *Entry) { e.TimeTaken = 81500 * time.Microsecond }, 19, "0.082"},
		{"time-taken seconds", func(e *Entry) { e.TimeTaken = 62*time.Second + 5*time.Millisecond }, 19, "62.005"},
		{"time-taken negative", func(e *Entry) { e.TimeTaken = -time.Second }, 19, "0.000"},
		{"x-forwarded-for", func(e *Entry) { e.ForwardedFor = "192.0.2.1, 192.0.2.2" }, 20, "192.0.2.1,%20192.0.2.2"},
		{"ssl-protocol", func(e *Entry) { e.SSLProtocol = "TLSv1.2" }, 21, "TLSv1.2"},
		{"ssl-cipher", func(e *Entry) { e.SSLCipher = "ECDHE-RSA-AES128-GCM-SHA256" }, 22, "ECDHE-RSA-AES128-GCM-SHA256"},
		{"response result type", func(e *Entry) { e.ResponseResultType = "Miss" }, 23, "Miss"},
		{"protocol version", func(e *Entry) { e.ProtocolVersion = "HTTP/1.1" }, 24, "HTTP/1.1"},
		{"fle-status", func(e *Entry) { e.FLEStatus = "Processed" }, 25, "Processed"},
		{"fle-encrypted-fields 0", func(e *Entry) {}, 26, "-"},
		{"fle-encrypted-fields", func(e *Entry) { e.FLEEncryptedFields = 3 }, 26, "3"},
		{"c-port 0", func(e *Entry) {}, 27, "-"},
		{"c-port", func(e *Entry) { e.ClientPort = 65535 }, 27, "65535"},
		{"ttfb unset", func(e *Entry) {}, 28, "-"},
		{"ttfb", func(e *Entry) { e.TimeToFirstByte = 1 * time.Millisecond }, 28, "0.001"},
		{"detailed result", func(e *Entry) { e.DetailedResultType = "OriginDnsError" }, 29, "OriginDnsError"},
		{"content type", func(e *Entry) { e.ContentType = "text/html; charset=utf-8" }, 30, "text/html;%20charset=utf-8"},
		{"content-len unknown", func(e *Entry) {}, 31, "-"},
		{"content-len 0", func(e *Entry) { e.ContentLength = 0 }, 31, "0"},
		{"content-len", func(e *Entry) { e.ContentLength = 1024 }, 31, "1024"},
		{"range-start none", func(e *Entry) {}, 32, "-"},
		{"range-start 0", func(e *Entry) { e.RangeStart = 0 }, 32, "0"},
		{"range-end none", func(e *Entry) {}, 33, "-"},
		{"range-end", func(e *Entry) { e.RangeEnd = 499 }, 33, "499"},
		{"edgeward fields not written", func(e *Entry) { e.Distribution, e.DeniedBy, e.Reason = "d", "waf", "r" }, 33, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(e)
			f := checkCloudFrontLine(t, string(appendCloudFront(nil, e)))
			if got := f[tt.field-1]; got != tt.want {
				t.Errorf("field %d = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestCloudFrontHeader(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(cloudFrontHeader, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "#Version: 1.0" {
		t.Fatalf("header = %q", cloudFrontHeader)
	}
	names, ok := strings.CutPrefix(lines[1], "#Fields: ")
	if !ok {
		t.Fatalf("second header line = %q", lines[1])
	}
	if n := len(strings.Fields(names)); n != cloudFrontFields {
		t.Errorf("header names %d fields, want %d", n, cloudFrontFields)
	}
}

// TestJSONFields checks keys, omission of empty values and number
// rendering, one case per rule.
func TestJSONFields(t *testing.T) {
	base := func() *Entry {
		return &Entry{
			Time:          time.Date(2024, 5, 1, 12, 0, 0, 123_456_789, time.FixedZone("X", -5*3600)),
			ContentLength: -1, RangeStart: -1, RangeEnd: -1,
		}
	}
	tests := []struct {
		name string
		edit func(*Entry)
		key  string
		want any // nil: the key must be absent
	}{
		{"time UTC with ms", func(e *Entry) {}, "time", "2024-05-01T17:00:00.123Z"},
		{"status 0 present", func(e *Entry) {}, "status", 0.0},
		{"status", func(e *Entry) { e.Status = 502 }, "status", 502.0},
		{"time taken present", func(e *Entry) {}, "time_taken_ms", 0.0},
		{"time taken", func(e *Entry) { e.TimeTaken = 1234567 * time.Nanosecond }, "time_taken_ms", 1.234},
		{"ttfb unset", func(e *Entry) {}, "ttfb_ms", nil},
		{"ttfb", func(e *Entry) { e.TimeToFirstByte = 2500 * time.Millisecond }, "ttfb_ms", 2500.0},
		{"empty strings left out", func(e *Entry) {}, "user_agent", nil},
		{"user agent", func(e *Entry) { e.UserAgent = "curl/8.5.0" }, "user_agent", "curl/8.5.0"},
		{"hostile user agent", func(e *Entry) { e.UserAgent = "a\"b\\c\td\ne\x00f\x7f" }, "user_agent", "a\"b\\c\td\ne\x00f\x7f"},
		{"invalid UTF-8", func(e *Entry) { e.UserAgent = "a\xffb\xc3" }, "user_agent", "a\ufffdb\ufffd"},
		{"unicode kept", func(e *Entry) { e.URIStem = "/caf\u00e9/\u65e5\u2028" }, "path", "/caf\u00e9/\u65e5\u2028"},
		{"query as received", func(e *Entry) { e.Query = "a=%20" }, "query", "a=%20"},
		{"host is the viewer's Host header", func(e *Entry) { e.HostHeader, e.Host = "www.example.com", "dist" }, "host", "www.example.com"},
		{"distribution", func(e *Entry) { e.Distribution = "site" }, "distribution", "site"},
		{"distribution falls back to cs(Host)", func(e *Entry) { e.Host = "site" }, "distribution", "site"},
		{"client port 0 left out", func(e *Entry) {}, "client_port", nil},
		{"client port", func(e *Entry) { e.ClientPort = 4242 }, "client_port", 4242.0},
		{"bytes sent 0 left out", func(e *Entry) {}, "bytes_sent", nil},
		{"bytes sent", func(e *Entry) { e.BytesSent = 9 }, "bytes_sent", 9.0},
		{"bytes received", func(e *Entry) { e.BytesReceived = 10 }, "bytes_received", 10.0},
		{"content length unknown", func(e *Entry) {}, "content_length", nil},
		{"content length 0", func(e *Entry) { e.ContentLength = 0 }, "content_length", 0.0},
		{"range none", func(e *Entry) {}, "range_start", nil},
		{"range start 0", func(e *Entry) { e.RangeStart = 0 }, "range_start", 0.0},
		{"range end", func(e *Entry) { e.RangeEnd = 7 }, "range_end", 7.0},
		{"no cookie", func(e *Entry) {}, "cookie", nil},
		{"cookie when set", func(e *Entry) { e.Cookie = "a=1" }, "cookie", "a=1"},
		{"response result same as result", func(e *Entry) { e.ResultType, e.ResponseResultType = "Hit", "Hit" }, "response_result", nil},
		{"response result differs", func(e *Entry) { e.ResultType, e.ResponseResultType = "Error", "Hit" }, "response_result", "Hit"},
		{"denied by", func(e *Entry) { e.DeniedBy, e.Reason = "geo", "blocked" }, "denied_by", "geo"},
		{"reason", func(e *Entry) { e.DeniedBy, e.Reason = "geo", "blocked" }, "reason", "blocked"},
		{"waf rules", func(e *Entry) { e.WAFRules = "942100,949110" }, "waf_rules", "942100,949110"},
		{"no waf rules", func(e *Entry) {}, "waf_rules", nil},
		{"fle fields", func(e *Entry) { e.FLEEncryptedFields = 2 }, "fle_encrypted_fields", 2.0},
		{"fle fields 0", func(e *Entry) {}, "fle_encrypted_fields", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(e)
			m := checkJSONLine(t, string(appendJSON(nil, e)))
			got, ok := m[tt.key]
			switch {
			case tt.want == nil && ok:
				t.Errorf("%s = %v, want it left out", tt.key, got)
			case tt.want != nil && got != tt.want:
				t.Errorf("%s = %#v, want %#v", tt.key, got, tt.want)
			}
		})
	}
}

// TestJSONStringMatchesEncodingJSON compares the hand-rolled string
// encoder with encoding/json on hostile input.
func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", hostile, "\u2028\u2029", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x00"} {
		checkJSONString(t, s)
	}
}

func checkJSONString(t testing.TB, s string) {
	t.Helper()
	ours := appendJSONString(nil, s)
	if !json.Valid(ours) || bytes.ContainsAny(ours, "\r\n") {
		t.Fatalf("invalid JSON string for %q: %s", s, ours)
	}
	var got, want string
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatal(err)
	}
	ref, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ref, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%q decodes to %q, encoding/json gives %q", s, got, want)
	}
}

func FuzzCloudFront(f *testing.F) {
	for _, e := range goldenEntries() {
		f.Add(e.URIStem, e.Query, e.UserAgent, e.HostHeader)
	}
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, path, query, ua, host string) {
		e := &Entry{
			Time: time.Unix(1714557600, 0), Method: ua, URIStem: path, Query: query,
			UserAgent: ua, Referer: path, Cookie: query, HostHeader: host, Reason: ua,
			ContentLength: -1, RangeStart: -1, RangeEnd: -1,
		}
		f := checkCloudFrontLine(t, string(appendCloudFront(nil, e)))
		for _, c := range []struct {
			field int
			want  string
		}{{6, ua}, {8, path}, {10, path}, {11, ua}, {12, query}, {13, query}, {16, host}} {
			got := f[c.field-1]
			if c.want == "" {
				if got != "-" {
					t.Fatalf("field %d = %q for an empty value", c.field, got)
				}
				continue
			}
			dec, err := url.PathUnescape(got)
			if err != nil || dec != c.want {
				t.Fatalf("field %d = %q decodes to %q (%v), want %q", c.field, got, dec, err, c.want)
			}
		}
	})
}

func FuzzJSON(f *testing.F) {
	for _, e := range goldenEntries() {
		f.Add(e.URIStem, e.Query, e.UserAgent)
	}
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, path, query, ua string) {
		e := &Entry{
			Time: time.Unix(1714557600, 0), Method: ua, URIStem: path, Query: query,
			UserAgent: ua, Referer: path, Cookie: query, HostHeader: ua, Reason: ua,
			ContentLength: -1, RangeStart: -1, RangeEnd: -1,
		}
		checkJSONLine(t, string(appendJSON(nil, e)))
		checkJSONString(t, ua)
	})
}

// TestAppendDateTime compares the hand-rolled date and time with the
// standard library's formatting.
func TestAppendDateTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2024, 5, 1, 23, 59, 59, 999_999_999, time.FixedZone("X", -7*3600)),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(1714557600, 123_000_000),
	} {
		want := tm.UTC().Format("2006-01-02T15:04:05")
		if got := string(appendDateTime(nil, tm, 'T')); got != want {
			t.Errorf("appendDateTime(%v) = %q, want %q", tm, got, want)
		}
		e := &Entry{Time: tm}
		wantJSON := tm.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		if got := checkJSONLine(t, string(appendJSON(nil, e)))["time"]; got != wantJSON {
			t.Errorf("JSON time of %v = %q, want %q", tm, got, wantJSON)
		}
	}
}
