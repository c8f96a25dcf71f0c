package origin

// Tests against a real S3 server (versitygw, see package s3test): the
// signatures, key escaping and answers they check are what an S3 server
// accepts and says, not what this package expects of itself.

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeward/edgeward/gateway/origin/s3test"
	"github.com/edgeward/edgeward/policy"
)

var s3LargeSize = flag.Int64("s3-large-size", 64<<20, "size of the object TestS3StreamsLargeObject reads through the S3 origin")

func TestS3FetchSigned(t *testing.T) {
	t.Parallel()
	srv, o := s3Bucket(t, "private-media", "/prod")
	srv.PutObject(t, "private-media", "prod/a.txt", []byte("hello, bucket"), "text/plain")

	resp, body := fetchBody(t, o, request(t.Context(), "GET", "/a.txt", "", nil))
	if resp.StatusCode != 200 || body != "hello, bucket" {
		t.Fatalf("got %s %q", resp.Status, body)
	}
	for _, h := range []string{"ETag", "Last-Modified"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s in %v", h, resp.Header)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.ContentLength != int64(len("hello, bucket")) {
		t.Errorf("ContentLength %d", resp.ContentLength)
	}

	// HEAD answers the same headers without a body.
	resp, body = fetchBody(t, o, request(t.Context(), "HEAD", "/a.txt", "", nil))
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("ETag") == "" {
		t.Fatalf("HEAD: %s %q %v", resp.Status, body, resp.Header)
	}

	// Concurrent fetches share the credentials cache, the signer and the
	// connection pool.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				resp, err := o.Fetch(request(t.Context(), "GET", "/a.txt", "", nil))
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "hello, bucket" {
					t.Errorf("%s %q", resp.Status, b)
				}
			}
		})
	}
	wg.Wait()

	// The bucket is private: the same object without a signature is denied.
	anon, err := http.Get(srv.ObjectURL("private-media", "prod/a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous GET: %s", anon.Status)
	}
}

// TestS3SpecialKeys stores keys with characters that URL and SigV4
// escaping treat differently and reads each through the origin.
func TestS3SpecialKeys(t *testing.T) {
	t.Parallel()
	srv, o := s3Bucket(t, "keys", "/pre fix+")
	keys := []string{
		"a b.txt", "ü/ñ/日本.txt", "plus+sign", "100%", "%41", "a&b=c", "semi;colon,comma",
		"q?mark", "hash#tag", "tilde~dash-dot._", "quote'\"", "paren(1)[2]{3}", "star*", "at@colon:",
		"dollar$!", "back`tick^", "pipe|lt<gt>", "a/b/c/deep.txt", "trailing.", "-leading-dash",
	}
	for i, k := range keys {
		srv.PutObject(t, "keys", "pre fix+/"+k, []byte{byte(i)}, "")
	}
	for i, k := range keys {
		resp, body := fetchBody(t, o, request(t.Context(), "GET", "/"+k, "", nil))
		if resp.StatusCode != 200 || body != string([]byte{byte(i)}) {
			t.Errorf("key %q: %s %q", k, resp.Status, body)
		}
	}
}

func TestS3RangeAndConditional(t *testing.T) {
	t.Parallel()
	srv, o := s3Bucket(t, "cond", "")
	srv.PutObject(t, "cond", "abc.txt", []byte("0123456789"), "text/plain")
	first, _ := fetchBody(t, o, request(t.Context(), "HEAD", "/abc.txt", "", nil))
	etag := first.Header.Get("ETag")
	lm := time.Now().Add(-time.Hour).Truncate(time.Second)
	srv.SetModTime(t, "cond", "abc.txt", lm)
	at, before := lm.Format(http.TimeFormat), lm.Add(-time.Hour).Format(http.TimeFormat)

	tests := []struct {
		name        string
		header      [2]string
		status      int
		body        string
		wantHeaders map[string]string
	}{
		{"range", [2]string{"Range", "bytes=2-5"}, 206, "2345", map[string]string{"Content-Range": "bytes 2-5/10", "ETag": etag}},
		{"suffix range", [2]string{"Range", "bytes=-3"}, 206, "789", map[string]string{"Content-Range": "bytes 7-9/10"}},
		{"unsatisfiable", [2]string{"Range", "bytes=20-30"}, 416, "416 Requested Range Not Satisfiable\n", nil},
		{"if-none-match", [2]string{"If-None-Match", etag}, 304, "", nil},
		{"if-none-match other", [2]string{"If-None-Match", `"other"`}, 200, "0123456789", map[string]string{"Last-Modified": at, "ETag": etag}},
		{"if-modified-since", [2]string{"If-Modified-Since", at}, 304, "", nil},
		{"modified since", [2]string{"If-Modified-Since", before}, 200, "0123456789", nil},
		{"if-unmodified-since", [2]string{"If-Unmodified-Since", before}, 412, "412 Precondition Failed\n", nil},
		{"if-match", [2]string{"If-Match", `"other"`}, 412, "412 Precondition Failed\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(t.Context(), "GET", "/abc.txt", "", nil)
			r.Header.Set(tt.header[0], tt.header[1])
			resp, body := fetchBody(t, o, r)
			if resp.StatusCode != tt.status || body != tt.body {
				t.Fatalf("got %s %q, want %d %q", resp.Status, body, tt.status, tt.body)
			}
			for k, v := range tt.wantHeaders {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if strings.Contains(body, "<Error>") {
				t.Errorf("S3's XML reached the viewer: %q", body)
			}
		})
	}
}

func TestS3Refused(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.CreateBucket(t, "media")
	srv.PutObject(t, "media", "a.txt", []byte("a"), "")
	srv.CreateUser(t, "NOGRANTS", "nograntssecret")
	hide := func(on bool) func(*policy.Origin) { return func(c *policy.Origin) { c.S3.HideMissing = &on } }

	tests := []struct {
		name        string
		access, key string
		bucket      string
		edit        func(*policy.Origin)
		path        string
		status      int    // a response; 0: an error
		want        string // in the error
		refused     bool
	}{
		{"wrong secret", "", "wrong-secret", "media", nil, "/a.txt", 0, "SignatureDoesNotMatch", true},
		{"unknown access key", "AKIDUNKNOWN", "whatever", "media", nil, "/a.txt", 0, "InvalidAccessKeyId", true},
		{"missing key", "", "", "media", nil, "/nope.txt", 404, "", false},
		{"missing bucket", "", "", "nobucket", nil, "/a.txt", 0, "404 NoSuchBucket", false},
		{"denied hidden", "NOGRANTS", "nograntssecret", "media", nil, "/a.txt", 404, "", false},
		{"denied shown", "NOGRANTS", "nograntssecret", "media", hide(false), "/a.txt", 0, "403 AccessDenied", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			access, secret := srv.AccessKey(), srv.SecretKey()
			if tt.access != "" {
				access = tt.access
			}
			if tt.key != "" {
				secret = tt.key
			}
			cfg := s3Cfg(srv.Endpoint(), tt.bucket, access, secret)
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			o := newS3Origin(t, cfg)
			for _, method := range []string{"GET", "HEAD"} {
				resp, err := o.Fetch(request(t.Context(), method, tt.path, "", nil))
				if tt.status != 0 {
					if err != nil {
						t.Fatalf("%s: %v", method, err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tt.status || strings.Contains(string(body), "<") {
						t.Fatalf("%s: %s %q", method, resp.Status, body)
					}
					continue
				}
				if method == "HEAD" {
					// A HEAD answer has no body, hence no code: a 403 is
					// hidden or refused as hide_missing says, a 404 is a
					// 404. Whatever it is, it is not a success.
					if err != nil {
						wantError(t, err, KindBadResponse, "HEAD")
					} else if resp.Body.Close(); resp.StatusCode != 404 {
						t.Fatalf("HEAD: %s", resp.Status)
					}
					continue
				}
				oe := wantError(t, err, KindBadResponse, tt.want)
				if oe.Status() != http.StatusBadGateway {
					t.Errorf("status %d", oe.Status())
				}
				if got := errors.Is(err, ErrS3Credentials); got != tt.refused {
					t.Errorf("errors.Is(ErrS3Credentials) = %v", got)
				}
				if tt.refused && !strings.Contains(err.Error(), "S3 refused the gateway's credentials") {
					t.Errorf("error %q does not say the credentials were refused", err)
				}
				if strings.Contains(err.Error(), srv.SecretKey()) || strings.Contains(err.Error(), "StringToSign") {
					t.Errorf("error %q says too much", err)
				}
			}
		})
	}
}

// TestS3QueryNotForwarded checks that a viewer's query cannot make S3 do
// something else than GetObject: response-content-type would be honoured
// on a signed request, ?acl would return the object's ACL.
func TestS3QueryNotForwarded(t *testing.T) {
	t.Parallel()
	srv, o := s3Bucket(t, "query", "")
	srv.PutObject(t, "query", "a.txt", []byte("plain"), "text/plain")
	for _, q := range []string{"response-content-type=text/html", "acl", "tagging", "attributes", "versions", "uploads"} {
		resp, body := fetchBody(t, o, request(t.Context(), "GET", "/a.txt", q, nil))
		if resp.StatusCode != 200 || body != "plain" || resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("?%s: %s %q %q", q, resp.Status, resp.Header.Get("Content-Type"), body)
		}
	}
	// The bucket root would be a listing: it is a 404, asked of nobody.
	resp, body := fetchBody(t, o, request(t.Context(), "GET", "/", "list-type=2", nil))
	if resp.StatusCode != 404 || strings.Contains(body, "a.txt") {
		t.Fatalf("bucket root: %s %q", resp.Status, body)
	}
}

// TestS3Put passes an upload through, signed with UNSIGNED-PAYLOAD.
func TestS3Put(t *testing.T) {
	t.Parallel()
	_, o := s3Bucket(t, "uploads", "/in")
	data := bytes.Repeat([]byte("upload "), 10000)
	r := request(t.Context(), "PUT", "/new file+.bin", "", bytes.NewReader(data))
	r.Header.Set("Content-Type", "application/x-test")
	resp, _ := fetchBody(t, o, r)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %s", resp.Status)
	}
	resp, body := fetchBody(t, o, request(t.Context(), "GET", "/new file+.bin", "", nil))
	if resp.StatusCode != 200 || body != string(data) || resp.Header.Get("Content-Type") != "application/x-test" {
		t.Fatalf("GET: %s %q, %d bytes", resp.Status, resp.Header.Get("Content-Type"), len(body))
	}

	// Without a length there is nothing to tell S3: 411, asked of nobody.
	r = request(t.Context(), "PUT", "/chunked", "", io.MultiReader(strings.NewReader("x")))
	r.ContentLength = -1
	if resp, _ := fetchBody(t, o, r); resp.StatusCode != http.StatusLengthRequired {
		t.Fatalf("PUT without length: %s", resp.Status)
	}
}

func TestS3Check(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.CreateBucket(t, "checked")
	srv.CreateUser(t, "NOGRANTS", "nograntssecret")
	tests := []struct {
		name, bucket, access, secret string
		ok                           bool
		want                         string
	}{
		{"root", "checked", srv.AccessKey(), srv.SecretKey(), true, "credentials accepted (HeadBucket answered 200)"},
		{"no grants", "checked", "NOGRANTS", "nograntssecret", true, "credentials accepted, but not allowed to list the bucket"},
		{"wrong secret", "checked", srv.AccessKey(), "wrong", false, "S3 refused the gateway's credentials"},
		{"unknown key", "checked", "AKIDUNKNOWN", "wrong", false, "InvalidAccessKeyId"},
		{"no bucket", "nobucket", srv.AccessKey(), srv.SecretKey(), false, "bucket nobucket at " + srv.Endpoint() + " does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newS3Origin(t, s3Cfg(srv.Endpoint(), tt.bucket, tt.access, tt.secret))
			said, err := o.Check(t.Context())
			t.Logf("said %q, err %v", said, err)
			if (err == nil) != tt.ok {
				t.Fatalf("ok = %v, want %v", err == nil, tt.ok)
			}
			got := said
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("%q does not contain %q", got, tt.want)
			}
		})
	}
}

// TestS3CredentialSources loads credentials as an operator configures
// them: a profile of the shared credentials file, and the default chain
// from the environment.
func TestS3CredentialSources(t *testing.T) {
	srv, _ := s3Bucket(t, "creds", "")
	srv.PutObject(t, "creds", "a.txt", []byte("a"), "")
	dir := t.TempDir()
	credsFile := filepath.Join(dir, "credentials")
	err := os.WriteFile(credsFile, []byte("[edge]\naws_access_key_id = "+srv.AccessKey()+
		"\naws_secret_access_key = "+srv.SecretKey()+"\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsFile)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config")) // absent
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")

	fetch := func(t *testing.T, c policy.S3Credentials) {
		t.Helper()
		cfg := s3Cfg(srv.Endpoint(), "creds", "", "")
		cfg.S3.Credentials = c
		resp, body := fetchBody(t, newS3Origin(t, cfg), request(t.Context(), "GET", "/a.txt", "", nil))
		if resp.StatusCode != 200 || body != "a" {
			t.Fatalf("%s %q", resp.Status, body)
		}
	}
	t.Run("profile", func(t *testing.T) { fetch(t, policy.S3Credentials{Profile: "edge"}) })
	t.Run("missing profile", func(t *testing.T) {
		cfg := s3Cfg(srv.Endpoint(), "creds", "", "")
		cfg.S3.Credentials = policy.S3Credentials{Profile: "nosuch"}
		_, err := NewS3(cfg)
		if err == nil || !strings.Contains(err.Error(), "credentials from profile nosuch") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("default chain", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey())
		t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey())
		fetch(t, policy.S3Credentials{})
	})
}

// TestS3StreamsLargeObject reads a large object (-s3-large-size) through
// the origin and checks that it went through in bounded memory.
func TestS3StreamsLargeObject(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads and reads a large object")
	}
	size := *s3LargeSize
	srv, o := s3Bucket(t, "large", "")
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	src := newPattern(7)
	if _, err := io.CopyN(f, src, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	srv.PutObjectFile(t, "large", "big.bin", path)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := o.Fetch(request(t.Context(), "GET", "/big.bin", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	got := newHashReader(resp.Body)
	n, err := io.CopyBuffer(io.Discard, got, make([]byte, 256<<10))
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("read %d bytes of %d: %v", n, size, err)
	}
	if got.Sum() != src.Sum() {
		t.Fatal("the object read differs from the one stored")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("streaming %d bytes allocated %d bytes", size, alloc)
	}
}
