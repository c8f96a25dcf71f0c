package s3test

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// opTimeout bounds one setup call (a liveness limit).
const opTimeout = 2 * time.Minute

// Client returns an S3 client (AWS SDK for Go v2) signed with the root
// key, addressing buckets path-style.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.access, s.secret, ""),
	})
}

// CreateBucket creates a private bucket owned by root.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// PutObject stores body under key. contentType may be empty.
func (s *Server) PutObject(t testing.TB, bucket, key string, body []byte, contentType string) {
	t.Helper()
	s.put(t, bucket, key, bytes.NewReader(body), contentType)
}

// PutObjectFile stores the file at path under key. The file streams from
// disk (the SDK reads it to hash it, then to send it), so large objects
// cost no memory.
func (s *Server) PutObjectFile(t testing.TB, bucket, key, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s.put(t, bucket, key, f, "")
}

func (s *Server) put(t testing.TB, bucket, key string, body io.ReadSeeker, contentType string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if _, err := s.Client().PutObject(ctx, in); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// CreateUser adds a user (role "user") with the given keys. A new user
// owns nothing and is granted nothing: S3 answers its requests for root's
// objects with AccessDenied.
func (s *Server) CreateUser(t testing.TB, access, secret string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := s.runAdmin(ctx, "create-user", "--access", access, "--secret", secret, "--role", "user"); err != nil {
		t.Fatal(err)
	}
}

// ObjectURL is the path-style URL of an object, for requests made without
// the SDK (an anonymous GET, say).
func (s *Server) ObjectURL(bucket, key string) string {
	return s.endpoint + (&url.URL{Path: "/" + bucket + "/" + key}).EscapedPath()
}

// SetModTime sets an object's modification time, which S3 answers as its
// Last-Modified (versitygw's POSIX backend keeps an object as a file).
// versitygw ignores If-Modified-Since dates in the future and compares
// with the file's time to the nanosecond, so a test of conditional
// requests sets a whole second in the past first.
func (s *Server) SetModTime(t testing.TB, bucket, key string, mtime time.Time) {
	t.Helper()
	name := filepath.Join(s.data, bucket, filepath.FromSlash(key))
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
