package policy

import (
	"fmt"
	"strings"
)

// originS3 checks an S3 origin. The network settings (timeouts, attempts)
// are an HTTP origin's.
func (v *validator) originS3(path string, o *Origin) {
	s := o.S3
	sp := path + ".s3"
	switch {
	case s.Bucket == "":
		v.errorf(sp+".bucket", "required: the bucket's name")
	case !ValidBucketName(s.Bucket):
		v.errorf(sp+".bucket", "%q is not a valid bucket name (3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)", s.Bucket)
	case !s.PathStyle && s.Endpoint != "" && strings.Contains(s.Bucket, "."):
		v.errorf(sp+".path_style", "bucket %q has dots, which break TLS for virtual-hosted addressing; set path_style: true", s.Bucket)
	}
	switch {
	case s.Region == "":
		v.errorf(sp+".region", "required: the bucket's region, such as us-east-1 (S3-compatible servers usually accept us-east-1)")
	case !ValidRegionName(s.Region):
		v.errorf(sp+".region", "%q is not a region name (lowercase letters, digits and '-', such as eu-west-1)", s.Region)
	}
	if s.Endpoint != "" {
		if msg := checkOriginURL(s.Endpoint); msg != "" {
			v.errorf(sp+".endpoint", "%q %s", s.Endpoint, msg)
		}
	}
	v.s3Credentials(sp+".credentials", &s.Credentials)
	if o.HostHeader != "" {
		v.errorf(path+".host_header", "an S3 origin is addressed by its bucket; host_header does not apply")
	}
	v.originNetwork(path, o) // timeouts and attempts as for an HTTP origin
}

func (v *validator) s3Credentials(path string, c *S3Credentials) {
	switch {
	case c.Default():
	case c.Profile != "" && (c.AccessKeyID != "" || c.SecretAccessKeyFile != ""):
		v.errorf(path, "profile and access_key_id are both set; use one")
	case c.Profile != "":
		if !validProfile(c.Profile) {
			v.errorf(path+".profile", "%q is not a profile name", c.Profile)
		}
	case c.AccessKeyID == "":
		v.errorf(path+".access_key_id", "required with secret_access_key_file")
	case c.SecretAccessKeyFile == "":
		v.errorf(path+".secret_access_key_file", "required with access_key_id: a file holding the secret access key")
	default:
		written := c.SecretAccessKeyFile
		c.SecretAccessKeyFile = v.abs(written)
		data, err := readSmallFile(c.SecretAccessKeyFile, 4096)
		if err != nil {
			v.errorf(path+".secret_access_key_file", "%s: %v", written, err)
			return
		}
		c.SecretAccessKey = strings.TrimSpace(string(data))
		if c.SecretAccessKey == "" || strings.ContainsAny(c.SecretAccessKey, " \t\r\n") {
			v.errorf(path+".secret_access_key_file", "%s: want the secret access key alone on one line", written)
		}
	}
}

// ValidBucketName follows S3's bucket naming rules: 3 to 63 lowercase
// letters, digits, '.' and '-', starting and ending with a letter or digit,
// no "..". The S3 origin's constructor checks with it too.
func ValidBucketName(b string) bool {
	if len(b) < 3 || len(b) > 63 || !alnumLower(b[0]) || !alnumLower(b[len(b)-1]) || strings.Contains(b, "..") {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !alnumLower(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// ValidRegionName accepts 1 to 32 lowercase letters, digits and '-'
// ("us-east-1").
func ValidRegionName(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		if c := r[i]; !alnumLower(c) && c != '-' {
			return false
		}
	}
	return true
}

func validProfile(p string) bool {
	return len(p) <= 64 && isToken(p)
}

func alnumLower(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// originGroups checks a distribution's origin groups against its origins
// and returns the group ids.
func (v *validator) originGroups(dpath string, groups []OriginGroup, origins map[string]bool) map[string]bool {
	ids := map[string]bool{}
	seen := seenAt{}
	for i := range groups {
		path := fmt.Sprintf("%s.origin_groups[%d]", dpath, i)
		g := &groups[i]
		if g.ID != "" {
			ids[g.ID] = true
			if origins[g.ID] {
				v.errorf(path+".id", "%q is already the id of an origin; groups and origins share one name space", g.ID)
			}
		}
		v.identifier(path, "id", g.ID, "an origin group needs an id", seen)
		if len(g.Members) < 2 || len(g.Members) > 3 {
			v.errorf(path+".members", "a group has 2 or 3 members (a primary and 1 or 2 fallbacks), not %d", len(g.Members))
		}
		members := seenAt{}
		for j, m := range g.Members {
			mp := fmt.Sprintf("%s.members[%d]", path, j)
			switch {
			case !origins[m]:
				v.errorf(mp, "%q is not an origin of this distribution", m)
			default:
				if prev, dup := members.first(m, mp); dup {
					v.errorf(mp, "%q is already listed at %s", m, prev)
				}
			}
		}
		if len(g.FailoverOn) == 0 && !v.has(path+".failover_on") {
			g.FailoverOn = []int{500, 502, 503, 504}
		}
		for j, code := range g.FailoverOn {
			if !failoverStatus[code] {
				v.errorf(fmt.Sprintf("%s.failover_on[%d]", path, j), "%d cannot trigger failover (use 403, 404, 416, 500, 502, 503 or 504)", code)
			}
		}
	}
	return ids
}

var failoverStatus = map[int]bool{403: true, 404: true, 416: true, 500: true, 502: true, 503: true, 504: true}
