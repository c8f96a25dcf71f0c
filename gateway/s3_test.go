package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/gateway/origin/s3test"
)

// TestS3OriginThroughGateway runs the gateway in front of private buckets
// on a real S3 server (versitygw): signed fetches return the bytes that an
// unsigned request cannot get, keys with special characters work, Range
// and conditional requests work end to end, a wrong secret is a 502, a
// missing key a 404, and an origin group fails over from a stopped
// primary server to a replica bucket on another.
func TestS3OriginThroughGateway(t *testing.T) {
	primary := s3test.Start(t)
	replica := s3test.Start(t)
	primary.CreateBucket(t, "private-media")
	replica.CreateBucket(t, "private-media-replica")
	body := bytes.Repeat([]byte("0123456789"), 1000)
	odd := "dir/a b+c%d ü&=.txt"
	for _, k := range []string{"a.bin", odd} {
		primary.PutObject(t, "private-media", "prod/"+k, body, "application/octet-stream")
	}
	replica.PutObject(t, "private-media-replica", "prod/ha.txt", []byte("from the replica"), "text/plain")
	primary.PutObject(t, "private-media", "prod/ha.txt", []byte("from the primary"), "text/plain")

	dir := t.TempDir()
	secretFile := func(name, secret string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s3origin := func(id string, srv *s3test.Server, bucket, secret string) string {
		return fmt.Sprintf(`      - id: %s
        s3: {bucket: %s, region: %s, endpoint: %q, path_style: true,
             credentials: {access_key_id: %s, secret_access_key_file: %s}}
        path: /prod
        connection_attempts: 1
        connect_timeout: 1s
`, id, bucket, srv.Region(), srv.Endpoint(), srv.AccessKey(), secretFile(id+".key", secret))
	}
	cfg := writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: "off"}
access_log: {path: off}
distributions:
  - name: media
    hosts: [media.test]
    origins:
`+s3origin("bucket", primary, "private-media", primary.SecretKey())+
		s3origin("replica", replica, "private-media-replica", replica.SecretKey())+
		s3origin("wrong", primary, "private-media", "not-the-secret")+`
    origin_groups:
      - {id: ha, members: [bucket, replica]}
    default_behavior: {origin: bucket}
    behaviors:
      - {path: /ha.txt, origin: ha, cache: disabled}
      - {path: /wrong/*, origin: wrong, cache: disabled}
`)
	s := startGateway(t, cfg)
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		h := http.Header{}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Add(hdr[i], hdr[i+1])
		}
		req, err := http.NewRequest("GET", "http://"+s.Addr()+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path
		req.Host = "media.test"
		req.Header = h
		resp, err := noDecompress.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		return resp, b.String()
	}

	resp, got := get("/a.bin", "Authorization", "Bearer viewer-token", "Cookie", "s=1", "X-Amz-Security-Token", "forged")
	if resp.StatusCode != 200 || got != string(body) {
		t.Fatalf("signed fetch: %d, %d bytes", resp.StatusCode, len(got))
	}
	etag := resp.Header.Get("Etag")

	anon, err := http.Get(primary.ObjectURL("private-media", "prod/a.bin"))
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusForbidden {
		t.Fatalf("an unsigned GET straight to S3 answered %d; the bucket must be private", anon.StatusCode)
	}

	if resp, got := get("/a.bin"); resp.StatusCode != 200 || got != string(body) {
		t.Fatalf("second fetch: %d", resp.StatusCode)
	}
	if resp, got := get("/a.bin", "Range", "bytes=10-19"); resp.StatusCode != 206 || got != "0123456789" {
		t.Fatalf("Range: %d %q", resp.StatusCode, got)
	}
	if etag == "" {
		t.Fatal("no ETag from S3 through the gateway")
	}
	if resp, _ := get("/a.bin", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	escaped := "/dir/a%20b+c%25d%20%C3%BC&=.txt"
	if resp, got := get(escaped); resp.StatusCode != 200 || got != string(body) {
		t.Fatalf("key %q: %d %q", odd, resp.StatusCode, got[:min(len(got), 200)])
	}
	if resp, got := get("/missing.bin"); resp.StatusCode != 404 || strings.Contains(got, "<Error>") {
		t.Fatalf("missing key: %d %q (S3's XML must not reach viewers)", resp.StatusCode, got)
	}
	if resp, got := get("/wrong/a.bin"); resp.StatusCode != 502 || strings.Contains(got, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %d %q, want 502 without S3's error", resp.StatusCode, got)
	}

	if resp, got := get("/ha.txt"); resp.StatusCode != 200 || got != "from the primary" {
		t.Fatalf("group, primary up: %d %q", resp.StatusCode, got)
	}
	primary.Stop()
	if resp, got := get("/ha.txt"); resp.StatusCode != 200 || got != "from the replica" {
		t.Fatalf("group, primary stopped: %d %q, want the replica's copy", resp.StatusCode, got)
	}
}
