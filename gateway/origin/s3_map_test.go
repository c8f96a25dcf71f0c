package origin

// Tests of what the S3 origin sends and how it maps S3's answers, against
// a loopback server standing in for S3 (it records requests and answers
// S3-shaped errors). What S3 itself accepts is tested in s3_test.go.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/edgeward/edgeward/policy"
)

var signTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return signTime }

func TestS3RequestHeaders(t *testing.T) {
	stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	cfg := s3Cfg(url, "private-media", "", "")
	cfg.Path = "/prod"
	cfg.Headers = map[string]string{"X-Origin-Secret": "s", "X-Amz-Request-Payer": "requester"}
	o := newS3OriginWith(t, cfg, staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)

	r := request(t.Context(), "GET", "/a b/ü+%.txt", "acl&response-content-type=text/html", nil)
	for k, v := range map[string]string{
		"Authorization":        "Bearer viewer-token",
		"Cookie":               "session=viewer",
		"X-Amz-Acl":            "public-read",
		"X-Amz-Security-Token": "viewer-token",
		"X-Amz-Date":           "20000101T000000Z",
		"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
		"Range":                "bytes=0-1",
		"If-None-Match":        `"abc"`,
		"X-Forwarded-For":      "192.0.2.1",
		"Accept-Encoding":      "gzip",
	} {
		r.Header.Set(k, v)
	}
	r.Header["x-amz-server-side-encryption-customer-key"] = []string{"lowercase, not canonical"}
	viewerHeader := r.Header.Clone()
	resp, body := fetchBody(t, o, r)
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("%s %q", resp.Status, body)
	}
	for k, v := range viewerHeader {
		if got := r.Header[k]; strings.Join(got, ",") != strings.Join(v, ",") {
			t.Errorf("the viewer's request was changed: %s = %q, was %q", k, got, v)
		}
	}

	got := stub.requests()[0]
	h := got.header
	checks := []struct{ what, got, want string }{
		{"request URI", got.uri, "/private-media/prod/a%20b/%C3%BC%2B%25.txt"},
		{"Host", got.host, strings.TrimPrefix(url, "http://")},
		{"Authorization", h.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host;if-none-match;range;x-amz-content-sha256;x-amz-date;x-amz-request-payer, Signature="},
		{"X-Amz-Date", h.Get("X-Amz-Date"), "20260102T030405Z"},
		{"X-Amz-Content-Sha256", h.Get("X-Amz-Content-Sha256"), emptyPayloadHash},
		{"X-Amz-Request-Payer", h.Get("X-Amz-Request-Payer"), "requester"},
		{"Range", h.Get("Range"), "bytes=0-1"},
		{"If-None-Match", h.Get("If-None-Match"), `"abc"`},
		{"User-Agent", h.Get("User-Agent"), "test-viewer"},
		{"X-Forwarded-For", h.Get("X-Forwarded-For"), "192.0.2.1"},
		{"X-Origin-Secret", h.Get("X-Origin-Secret"), "s"},
	}
	for _, c := range checks {
		if c.what == "Authorization" {
			if !strings.HasPrefix(c.got, c.want) || len(c.got) != len(c.want)+64 {
				t.Errorf("%s = %q, want %q + 64 hex digits", c.what, c.got, c.want)
			}
			continue
		}
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	for _, k := range []string{"Cookie", "X-Amz-Acl", "X-Amz-Security-Token", "X-Amz-Server-Side-Encryption-Customer-Key"} {
		if v, ok := h[k]; ok {
			t.Errorf("%s was forwarded: %q", k, v)
		}
	}
	if n := len(h["Authorization"]); n != 1 {
		t.Errorf("%d Authorization headers", n)
	}
}

func TestS3SessionToken(t *testing.T) {
	stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {})
	o := newS3OriginWith(t, s3Cfg(url, "media", "", ""), staticCreds("ASIATEMP", "secret", "session-token-value"), fixedClock)
	fetchBody(t, o, request(t.Context(), "GET", "/a.txt", "", nil))
	h := stub.requests()[0].header
	if got := h.Get("X-Amz-Security-Token"); got != "session-token-value" {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	if a := h.Get("Authorization"); !strings.Contains(a, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Errorf("the token is not signed: %s", a)
	}
}

func TestS3PutSigning(t *testing.T) {
	stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {})
	o := newS3OriginWith(t, s3Cfg(url, "media", "AKIDEXAMPLE", "secret"), staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
	r := request(t.Context(), "PUT", "/up.txt", "", strings.NewReader("hello"))
	r.Header.Set("Content-Type", "text/plain")
	fetchBody(t, o, r)
	got := stub.requests()[0]
	if got.method != "PUT" || got.body != "hello" || got.header.Get("X-Amz-Content-Sha256") != unsignedPayload {
		t.Fatalf("%s %q sha256 %q", got.method, got.body, got.header.Get("X-Amz-Content-Sha256"))
	}
	if a := got.header.Get("Authorization"); !strings.Contains(a, "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date,") {
		t.Errorf("Authorization %s", a)
	}
}

// TestS3NoCredentials checks that a fetch fails, and nothing is sent, when
// credentials cannot be had.
func TestS3NoCredentials(t *testing.T) {
	tests := []struct {
		name  string
		creds aws.CredentialsProvider
		want  string
	}{
		{"provider error", aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no instance metadata")
		}), "no instance metadata"},
		{"empty", aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, nil
		}), "empty credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {})
			o := newS3OriginWith(t, s3Cfg(url, "media", "", ""), aws.NewCredentialsCache(tt.creds), fixedClock)
			_, err := o.Fetch(request(t.Context(), "GET", "/a.txt", "", nil))
			oe := wantError(t, err, KindUnreachable, "no S3 credentials to sign GET "+url+"/media/a.txt with", tt.want)
			if oe.Status() != http.StatusBadGateway {
				t.Errorf("status %d", oe.Status())
			}
			if n := len(stub.requests()); n != 0 {
				t.Fatalf("%d requests were sent", n)
			}
		})
	}
}

// TestS3Retries: 5xx answers of GET and HEAD are asked again, each time
// signed afresh; other methods are not.
func TestS3Retries(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		answer   func(n int, w http.ResponseWriter)
		requests int
		status   int    // 0: an error
		want     string // in the error, or the Retry-After
	}{
		{"recovers", "GET", func(n int, w http.ResponseWriter) {
			if n < 3 {
				s3XMLError(w, 500, "InternalError", "We encountered an internal error. Please try again.")
				return
			}
			io.WriteString(w, "ok")
		}, 3, 200, ""},
		{"internal error", "GET", func(n int, w http.ResponseWriter) {
			s3XMLError(w, 500, "InternalError", "We encountered an internal error.")
		}, 3, 0, "answered 500 InternalError (We encountered an internal error.) after 3 attempts"},
		{"slow down", "HEAD", func(n int, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			s3XMLError(w, 503, "SlowDown", "Please reduce your request rate.")
		}, 3, 503, "7"},
		{"put not retried", "PUT", func(n int, w http.ResponseWriter) {
			s3XMLError(w, 500, "InternalError", "We encountered an internal error.")
		}, 1, 0, "answered 500 InternalError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) { tt.answer(n, w) })
			clock := &tickClock{t: signTime}
			o := newS3OriginWith(t, s3Cfg(url, "media", "", ""), staticCreds("AKIDEXAMPLE", "secret", ""), clock.now)
			var body io.Reader
			if tt.method == "PUT" {
				body = strings.NewReader("data")
			}
			resp, err := o.Fetch(request(t.Context(), tt.method, "/a.txt", "", body))
			reqs := stub.requests()
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.requests)
			}
			dates := map[string]bool{}
			for _, r := range reqs {
				dates[r.header.Get("X-Amz-Date")] = true
			}
			if len(dates) != len(reqs) {
				t.Errorf("retries were not signed afresh: dates %v", dates)
			}
			if tt.status == 0 {
				wantError(t, err, KindBadResponse, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || strings.Contains(string(b), "<") {
				t.Fatalf("%s %q", resp.Status, b)
			}
			if tt.want != "" && resp.Header.Get("Retry-After") != tt.want {
				t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
		})
	}
}

// TestS3RetryStopsWhenViewerLeaves: the pause between retries ends with
// the viewer's context.
func TestS3RetryStopsWhenViewerLeaves(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	_, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		cancel()
		s3XMLError(w, 503, "SlowDown", "Please reduce your request rate.")
	})
	o := newS3OriginWith(t, s3Cfg(url, "media", "", ""), staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
	_, err := o.Fetch(request(ctx, "GET", "/a.txt", "", nil))
	wantError(t, err, KindCanceled, "request canceled")
}

// TestS3ErrorMapping answers each S3 error and checks what the viewer
// gets: a status, or an *Error (502) whose message says why.
func TestS3ErrorMapping(t *testing.T) {
	const (
		hideOn  = 1
		hideOff = 2
	)
	tests := []struct {
		name    string
		method  string
		hide    int // 0: default
		status  int
		code    string
		header  [2]string
		want    int    // the viewer's status; 0: an error
		errWant string // in the error
		refused bool
	}{
		{"no such key", "GET", 0, 404, "NoSuchKey", [2]string{}, 404, "", false},
		{"head 404", "HEAD", 0, 404, "", [2]string{}, 404, "", false},
		{"key too long", "GET", 0, 400, "KeyTooLongError", [2]string{}, 404, "", false},
		{"access denied hidden", "GET", 0, 403, "AccessDenied", [2]string{}, 404, "", false},
		{"access denied hidden explicitly", "GET", hideOn, 403, "AccessDenied", [2]string{}, 404, "", false},
		{"access denied shown", "GET", hideOff, 403, "AccessDenied", [2]string{}, 0, "S3 refused the gateway's credentials: GET", true},
		{"head 403 hidden", "HEAD", 0, 403, "", [2]string{}, 404, "", false},
		{"head 403 shown", "HEAD", hideOff, 403, "", [2]string{}, 0, "S3 refused the gateway's credentials: HEAD", true},
		{"bad signature", "GET", 0, 403, "SignatureDoesNotMatch", [2]string{}, 0, "answered 403 SignatureDoesNotMatch", true},
		{"unknown key", "GET", 0, 403, "InvalidAccessKeyId", [2]string{}, 0, "answered 403 InvalidAccessKeyId", true},
		{"expired token", "GET", 0, 400, "ExpiredToken", [2]string{}, 0, "answered 400 ExpiredToken", true},
		{"clock skew", "GET", 0, 403, "RequestTimeTooSkewed", [2]string{}, 0, "answered 403 RequestTimeTooSkewed", true},
		{"wrong region", "GET", 0, 400, "AuthorizationHeaderMalformed", [2]string{}, 0, "AuthorizationHeaderMalformed", true},
		{"put denied", "PUT", 0, 403, "AccessDenied", [2]string{}, 0, "S3 refused the gateway's credentials: PUT", true},
		{"no such bucket", "GET", 0, 404, "NoSuchBucket", [2]string{}, 0, "answered 404 NoSuchBucket", false},
		{"redirect", "GET", 0, 301, "PermanentRedirect", [2]string{}, 0, "answered 301 PermanentRedirect", false},
		{"bad request", "GET", 0, 400, "InvalidArgument", [2]string{}, 0, "answered 400 InvalidArgument", false},
		{"not implemented", "GET", 0, 501, "NotImplemented", [2]string{}, 0, "answered 501 NotImplemented", false},
		{"upload rejected", "PUT", 0, 400, "BadDigest", [2]string{}, 400, "", false},
		{"upload too large", "PUT", 0, 400, "EntityTooLarge", [2]string{}, 400, "", false},
		{"precondition", "GET", 0, 412, "PreconditionFailed", [2]string{}, 412, "", false},
		{"range", "GET", 0, 416, "InvalidRange", [2]string{"Content-Range", "bytes */10"}, 416, "", false},
		{"not an S3 body", "GET", 0, 418, "", [2]string{}, 0, "answered 418", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if tt.header[0] != "" {
					w.Header().Set(tt.header[0], tt.header[1])
				}
				if tt.code == "" {
					w.WriteHeader(tt.status)
					io.WriteString(w, "not xml")
					return
				}
				s3XMLError(w, tt.status, tt.code, "S3 says <why> &amp; more\r\nInjected: line")
			})
			cfg := s3Cfg(url, "media", "", "")
			if tt.hide != 0 {
				on := tt.hide == hideOn
				cfg.S3.HideMissing = &on
			}
			o := newS3OriginWith(t, cfg, staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
			var body io.Reader
			if tt.method == "PUT" {
				body = strings.NewReader("data")
			}
			resp, err := o.Fetch(request(t.Context(), tt.method, "/a.txt", "", body))
			if tt.want == 0 {
				wantError(t, err, KindBadResponse, tt.errWant)
				if got := errors.Is(err, ErrS3Credentials); got != tt.refused {
					t.Errorf("errors.Is(ErrS3Credentials) = %v", got)
				}
				if strings.ContainsAny(err.Error(), "\r\n") {
					t.Errorf("error %q has a line break", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.method != "HEAD" && string(b) != http.StatusText(tt.want) && !strings.HasPrefix(string(b), itoa64(int64(tt.want))+" ") {
				t.Errorf("body %q", b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.header[0] != "" && resp.Header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q", tt.header[0], resp.Header.Get(tt.header[0]))
			}
		})
	}
}

// TestS3EmptyKey: the bucket itself (a listing; for PUT and DELETE its
// creation and deletion) is never asked for.
func TestS3EmptyKey(t *testing.T) {
	stub, url := newS3Stub(t, func(n int, w http.ResponseWriter, r *http.Request) {})
	for _, virtual := range []bool{false, true} {
		cfg := s3Cfg(url, "media", "", "")
		if virtual { // media.localhost: never dialed, as nothing is sent
			cfg.S3.PathStyle, cfg.S3.Endpoint = false, strings.Replace(url, "127.0.0.1", "localhost", 1)
		}
		o := newS3OriginWith(t, cfg, staticCreds("AKIDEXAMPLE", "secret", ""), fixedClock)
		for _, m := range []string{"GET", "HEAD", "PUT", "DELETE"} {
			for _, p := range []string{"", "/"} {
				resp, err := o.Fetch(request(t.Context(), m, p, "list-type=2", nil))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 404 {
					t.Errorf("%s %q: %s", m, p, resp.Status)
				}
			}
		}
	}
	if n := len(stub.requests()); n != 0 {
		t.Fatalf("%d requests reached S3", n)
	}
}

// TestS3Addressing checks where requests go for each addressing style.
func TestS3Addressing(t *testing.T) {
	tests := []struct {
		name      string
		s3        policy.S3Origin
		endpoint  string
		keyPrefix string
	}{
		{"aws virtual", policy.S3Origin{Bucket: "media", Region: "eu-west-1"}, "https://media.s3.eu-west-1.amazonaws.com", ""},
		{"aws path", policy.S3Origin{Bucket: "media", Region: "eu-west-1", PathStyle: true}, "https://s3.eu-west-1.amazonaws.com", "/media"},
		{"aws china", policy.S3Origin{Bucket: "media", Region: "cn-north-1"}, "https://media.s3.cn-north-1.amazonaws.com.cn", ""},
		{"endpoint virtual", policy.S3Origin{Bucket: "media", Region: "us-east-1", Endpoint: "https://r2.example.com"}, "https://media.r2.example.com", ""},
		{"default port", policy.S3Origin{Bucket: "media", Region: "us-east-1", Endpoint: "http://minio.internal:80", PathStyle: true}, "http://minio.internal", "/media"},
		{"default tls port", policy.S3Origin{Bucket: "media", Region: "us-east-1", Endpoint: "https://minio.internal:443"}, "https://media.minio.internal", ""},
		{"endpoint path", policy.S3Origin{Bucket: "media", Region: "us-east-1", Endpoint: "http://127.0.0.1:7070/", PathStyle: true}, "http://127.0.0.1:7070", "/media"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s3
			o := newS3OriginWith(t, policy.Origin{ID: "b", S3: &s}, staticCreds("A", "B", ""), fixedClock)
			if o.endpoint != tt.endpoint || o.bucketPath != tt.keyPrefix {
				t.Fatalf("endpoint %q bucket path %q", o.endpoint, o.bucketPath)
			}
			if got := o.http.scheme + "://" + o.http.hostHeader; got != tt.endpoint {
				t.Fatalf("HTTP origin for %q", got)
			}
		})
	}
}

func TestNewS3Rejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*policy.Origin)
		want string
	}{
		{"no s3", func(c *policy.Origin) { c.S3 = nil }, "origin has no s3 settings"},
		{"no id", func(c *policy.Origin) { c.ID = "" }, "origin id is empty"},
		{"url too", func(c *policy.Origin) { c.URL = "http://x" }, "an S3 origin has no url or dir"},
		{"host header", func(c *policy.Origin) { c.HostHeader = "x" }, "host_header does not apply"},
		{"bucket", func(c *policy.Origin) { c.S3.Bucket = "Bad_Bucket" }, `bucket "Bad_Bucket" is not a valid bucket name`},
		{"bucket slash", func(c *policy.Origin) { c.S3.Bucket = "a/b" }, `bucket "a/b" is not a valid bucket name`},
		{"region", func(c *policy.Origin) { c.S3.Region = "" }, `region "" is not a region name`},
		{"endpoint path", func(c *policy.Origin) { c.S3.Endpoint = "http://127.0.0.1:7070/base" }, "endpoint: url \"http://127.0.0.1:7070/base\" has a path"},
		{"endpoint scheme", func(c *policy.Origin) { c.S3.Endpoint = "ftp://x" }, "scheme must be http or https"},
		{"virtual-hosted IP", func(c *policy.Origin) { c.S3.PathStyle = false }, "is an IP address, which cannot have the bucket in its name"},
		{"virtual-hosted IPv6", func(c *policy.Origin) { c.S3.PathStyle, c.S3.Endpoint = false, "http://[::1]:7070" }, "is an IP address"},
		{"path", func(c *policy.Origin) { c.Path = "/a/../b" }, `".." segment`},
		{"signing header", func(c *policy.Origin) { c.Headers = map[string]string{"authorization": "x"} }, "Authorization is set by SigV4 signing"},
		{"date header", func(c *policy.Origin) { c.Headers = map[string]string{"X-Amz-Date": "x"} }, "X-Amz-Date is set by SigV4 signing"},
		{"both credentials", func(c *policy.Origin) { c.S3.Credentials.Profile = "p" }, "profile and access_key_id are both set"},
		{"no secret", func(c *policy.Origin) { c.S3.Credentials.SecretAccessKey = "" }, "access key AKID has no secret access key"},
		{"no access key", func(c *policy.Origin) { c.S3.Credentials.AccessKeyID = "" }, "a secret access key without access_key_id"},
		{"attempts", func(c *policy.Origin) { c.ConnectionAttempts = 4 }, "connection_attempts must be 1..3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := s3Cfg("http://127.0.0.1:7070", "media", "AKID", "secret")
			tt.edit(&cfg)
			o, err := NewS3(cfg)
			if err == nil {
				o.Close()
				t.Fatalf("NewS3 accepted %+v", cfg)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
