package origin

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/edgeward/edgeward/gateway/origin/s3test"
	"github.com/edgeward/edgeward/policy"
)

// s3Cfg is an S3 origin "bucket" for bucket at endpoint, path-style, with
// static credentials.
func s3Cfg(endpoint, bucket, access, secret string) policy.Origin {
	return policy.Origin{ID: "bucket", S3: &policy.S3Origin{
		Bucket: bucket, Region: "us-east-1", Endpoint: endpoint, PathStyle: true,
		Credentials: policy.S3Credentials{AccessKeyID: access, SecretAccessKey: secret},
	}}
}

// newS3Origin builds an S3 origin with NewS3 (the real credential
// loading), closed when t ends.
func newS3Origin(t testing.TB, cfg policy.Origin) *s3Origin {
	t.Helper()
	o, err := NewS3(cfg)
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	t.Cleanup(o.Close)
	return o.(*s3Origin)
}

// newS3OriginWith builds an S3 origin with the given credentials provider
// and clock.
func newS3OriginWith(t testing.TB, cfg policy.Origin, creds aws.CredentialsProvider, now func() time.Time) *s3Origin {
	t.Helper()
	o, err := newS3(cfg, creds, now)
	if err != nil {
		t.Fatalf("newS3: %v", err)
	}
	t.Cleanup(o.Close)
	return o
}

func staticCreds(access, secret, token string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(access, secret, token))
}

// s3Bucket starts versitygw with one bucket and returns the server and an
// origin reading that bucket with the root key under the origin path.
func s3Bucket(t *testing.T, bucket, path string) (*s3test.Server, *s3Origin) {
	t.Helper()
	srv := s3test.Start(t)
	srv.CreateBucket(t, bucket)
	cfg := s3Cfg(srv.Endpoint(), bucket, srv.AccessKey(), srv.SecretKey())
	cfg.Path = path
	return srv, newS3Origin(t, cfg)
}

// fetchBody fetches and reads the whole response.
func fetchBody(t *testing.T, o Origin, r *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := o.Fetch(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", r.Method, r.URL.Path, err)
	}
	return resp, string(b)
}

// tickClock is a clock that moves one second each time it is read.
type tickClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// recorded is what a stand-in S3 endpoint saw of one request.
type recorded struct {
	method, uri, host string
	header            http.Header
	body              string
}

// s3Stub is a loopback server standing in for S3: it records requests and
// answers with answer (called with the request number, from 1).
type s3Stub struct {
	mu   sync.Mutex
	reqs []recorded
	n    atomic.Int32
}

func newS3Stub(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (*s3Stub, string) {
	t.Helper()
	s := &s3Stub{}
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{r.Method, r.RequestURI, r.Host, r.Header.Clone(), string(b)})
		s.mu.Unlock()
		answer(int(s.n.Add(1)), w, r)
	}), nil)
	return s, srv.URL
}

func (s *s3Stub) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// s3XMLError answers as S3 does when it refuses a request.
func s3XMLError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Error><Code>`+code+`</Code><Message>`+msg+`</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`)
}
