package s3test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestServer starts versitygw, stores an object with the SDK, reads it
// back signed, and checks that the bucket is private: an anonymous GET of
// the object is denied with S3's AccessDenied.
func TestServer(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.Endpoint(), "http://127.0.0.1:") || s.Region() != Region || s.AccessKey() == "" || s.SecretKey() == "" {
		t.Fatalf("server %q %q %q", s.Endpoint(), s.Region(), s.AccessKey())
	}
	s.CreateBucket(t, "harness")
	s.PutObject(t, "harness", "dir/a b+c.txt", []byte("hello"), "text/plain")

	out, err := s.Client().GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String("harness"), Key: aws.String("dir/a b+c.txt"),
	})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "hello" || aws.ToString(out.ContentType) != "text/plain" {
		t.Fatalf("got %q (%s)", body, aws.ToString(out.ContentType))
	}

	resp, err := http.Get(s.ObjectURL("harness", "dir/a b+c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	anon, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(anon), "<Code>AccessDenied</Code>") {
		t.Fatalf("anonymous GET: %s %s", resp.Status, anon)
	}
}

// TestBinaryMissing checks the message that says how to install versitygw.
func TestBinaryMissing(t *testing.T) {
	t.Setenv("EDGEWARD_VERSITYGW", "/nonexistent/versitygw")
	_, err := Binary()
	if err == nil || !strings.Contains(err.Error(), "EDGEWARD_VERSITYGW=/nonexistent/versitygw") || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("EDGEWARD_VERSITYGW", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := Binary(); err != nil && !strings.Contains(err.Error(), "go install github.com/versity/versitygw/cmd/versitygw@"+Version) {
		t.Fatalf("err = %v", err)
	}
}
