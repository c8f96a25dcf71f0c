package policy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestS3OriginsAndGroups(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s3.key"), []byte("wJalrXUtnFEMI/K7MDENG\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "edgeward.yaml"), []byte(`
distributions:
  - name: media
    hosts: [media.test]
    origins:
      - id: bucket
        s3: {bucket: private-media, region: us-east-1, endpoint: "http://127.0.0.1:7070", path_style: true, credentials: default}
        path: /prod
      - id: replica
        s3: {bucket: private-media-replica, region: eu-west-1, credentials: {profile: replica}}
      - id: static
        s3: {bucket: b-3, region: us-east-1, credentials: {access_key_id: AKIDEXAMPLE, secret_access_key_file: s3.key}, hide_missing: false}
    origin_groups:
      - id: media-ha
        members: [bucket, replica]
      - id: strict
        members: [bucket, static]
        failover_on: [403, 404]
    default_behavior: {origin: media-ha}
`))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Distributions[0]
	b := d.Origins[0]
	if b.S3.Bucket != "private-media" || !b.S3.PathStyle || !b.S3.Credentials.Default() || b.Path != "/prod" || b.S3.HideMissing != nil {
		t.Errorf("bucket origin: %+v %+v", b, b.S3)
	}
	if b.ConnectionAttempts != 3 || b.ReadTimeout.Std() != 30*time.Second {
		t.Errorf("S3 origins get the HTTP origin's network defaults: %+v", b)
	}
	if c := d.Origins[1].S3.Credentials; c.Profile != "replica" || c.Default() {
		t.Errorf("profile credentials: %+v", c)
	}
	c := d.Origins[2].S3.Credentials
	if c.AccessKeyID != "AKIDEXAMPLE" || c.SecretAccessKey != "wJalrXUtnFEMI/K7MDENG" || c.SecretAccessKeyFile != filepath.Join(dir, "s3.key") {
		t.Errorf("static credentials: %+v", c)
	}
	if h := d.Origins[2].S3.HideMissing; h == nil || *h {
		t.Errorf("hide_missing: false was not kept")
	}
	if !slices.Equal(d.OriginGroups[0].FailoverOn, []int{500, 502, 503, 504}) || !slices.Equal(d.OriginGroups[1].FailoverOn, []int{403, 404}) {
		t.Errorf("failover_on: %v, %v", d.OriginGroups[0].FailoverOn, d.OriginGroups[1].FailoverOn)
	}
	if d.DefaultBehavior.Origin != "media-ha" {
		t.Errorf("behavior origin %q", d.DefaultBehavior.Origin)
	}
}
