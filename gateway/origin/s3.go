package origin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/edgeward/edgeward/policy"
)

// Checker is implemented by origins that can tell an operator, before any
// viewer asks, whether they work: what was reached and what it answered.
type Checker interface {
	Check(ctx context.Context) (string, error)
}

// s3Origin reads objects of a private S3 bucket (or of an S3-compatible
// server) with SigV4-signed requests, as CloudFront's origin access
// control does. Connections, timeouts and connect retries are an HTTP
// origin's: the S3 origin prepares each request (object URL, headers the
// viewer may not send removed), the HTTP origin signs every attempt just
// before sending it (its sign hook), and the S3 origin then maps what S3
// answered (see s3_errors.go).
//
// The security model:
//
//   - Only the gateway's credentials reach S3. A viewer's Authorization,
//     Cookie and every x-amz-* header are dropped, so a viewer can neither
//     present credentials of its own nor add signed S3 options (ACLs,
//     server-side encryption keys, request-payer, checksum modes, ...).
//   - The query string is never forwarded: S3 reads parameters as other
//     API calls (?acl, ?tagging, ?versions, ?uploads, ?list-type on the
//     bucket) or as response header overrides (response-content-type) that
//     S3 honours only on signed requests, which this origin makes. The
//     cache key may still include the query; S3 would have ignored any
//     other parameter anyway.
//   - The bucket itself is never addressed for a viewer: a request whose
//     key is empty (the bucket root, a listing; for PUT or DELETE, bucket
//     creation or deletion) is answered 404 without contacting S3.
//   - Signing never fails open: when credentials cannot be had, the fetch
//     fails (502) and nothing is sent.
//   - S3's XML error bodies never reach a viewer: the origin reads at most
//     maxS3ErrorBody bytes of one to learn its code and answers with a
//     short text body or an *Error whose message is for the log.
type s3Origin struct {
	id          string
	bucket      string
	region      string
	endpoint    string // scheme://host[:port] connections go to, for messages
	bucketPath  string // "/bucket" path-style, "" virtual-hosted
	prefix      string // origin path: "/prod", or ""
	hideMissing bool

	creds  aws.CredentialsProvider
	signer *v4.Signer
	now    func() time.Time
	http   *httpOrigin
}

var (
	_ Origin  = (*s3Origin)(nil)
	_ Checker = (*s3Origin)(nil)
)

// NewS3 returns an origin that reads from the S3 bucket cfg.S3 describes,
// signing requests with SigV4 (github.com/aws/aws-sdk-go-v2's signer).
// Credentials come from the AWS SDK's default chain, a named profile of
// the shared files, or a static access key, as cfg.S3.Credentials says;
// they are cached and refreshed before they expire. cfg.Path is a key
// prefix ("/prod": a request for /a.txt reads key "prod/a.txt"); cfg's
// timeouts and connection attempts apply as for an HTTP origin.
func NewS3(cfg policy.Origin) (Origin, error) {
	if cfg.S3 == nil {
		return nil, errors.New("origin has no s3 settings")
	}
	creds, err := s3Credentials(cfg.S3.Credentials)
	if err != nil {
		return nil, err
	}
	return newS3(cfg, creds, time.Now)
}

// newS3 builds an S3 origin with the given credentials and clock (tests
// pass their own).
func newS3(cfg policy.Origin, creds aws.CredentialsProvider, now func() time.Time) (*s3Origin, error) {
	s := cfg.S3
	if s == nil {
		return nil, errors.New("origin has no s3 settings")
	}
	var errs []error
	if cfg.ID == "" {
		errs = append(errs, errors.New("origin id is empty"))
	}
	if cfg.URL != "" || cfg.Dir != "" {
		errs = append(errs, errors.New("an S3 origin has no url or dir"))
	}
	if cfg.HostHeader != "" {
		errs = append(errs, errors.New("an S3 origin is addressed by its bucket; host_header does not apply"))
	}
	if !policy.ValidBucketName(s.Bucket) {
		errs = append(errs, fmt.Errorf("bucket %q is not a valid bucket name", s.Bucket))
	}
	if !policy.ValidRegionName(s.Region) {
		errs = append(errs, fmt.Errorf("region %q is not a region name", s.Region))
	}
	for name := range cfg.Headers {
		if signedByGateway(name) {
			errs = append(errs, fmt.Errorf("header %s is set by SigV4 signing and may not be a custom header", http.CanonicalHeaderKey(name)))
		}
	}
	prefix, err := cleanPrefix(cfg.Path)
	if err != nil {
		errs = append(errs, err)
	}
	scheme, host, err := s3Endpoint(s)
	if err != nil {
		errs = append(errs, err)
	} else if !s.PathStyle && net.ParseIP(strings.Trim(hostOnly(host), "[]")) != nil {
		errs = append(errs, fmt.Errorf("endpoint %s is an IP address, which cannot have the bucket in its name; set path_style: true", s.Endpoint))
	}
	if creds == nil {
		errs = append(errs, errors.New("no credentials provider"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	o := &s3Origin{
		id:          cfg.ID,
		bucket:      s.Bucket,
		region:      s.Region,
		prefix:      prefix,
		hideMissing: s.HideMissing == nil || *s.HideMissing,
		creds:       creds,
		signer:      v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		now:         now,
	}
	if s.PathStyle {
		o.bucketPath = "/" + s.Bucket
	} else {
		host = s.Bucket + "." + host
	}
	o.endpoint = scheme + "://" + host

	// The HTTP origin owns connections, timeouts and connect retries. Its
	// path prefix stays empty: s3Origin builds the whole (escaped) path.
	hcfg := cfg
	hcfg.S3, hcfg.Path, hcfg.URL = nil, "", o.endpoint
	h, err := NewHTTP(hcfg)
	if err != nil {
		return nil, err
	}
	o.http = h.(*httpOrigin)
	o.http.sign = o.sign
	return o, nil
}

// s3Endpoint returns the scheme and host requests go to before any bucket
// is added to the host: the configured endpoint, else AWS's regional one.
func s3Endpoint(s *policy.S3Origin) (scheme, host string, err error) {
	if s.Endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(s.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		return "https", "s3." + s.Region + "." + domain, nil
	}
	u, err := parseOriginURL(s.Endpoint)
	if err != nil {
		return "", "", fmt.Errorf("endpoint: %w", err)
	}
	// The signer drops a default port from the Host it signs; so must
	// the Host that is sent.
	host = u.Host
	if p := u.Port(); u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443" {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return u.Scheme, host, nil
}

// hostOnly is host without its port.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func (o *s3Origin) ID() string { return o.id }

// Close drops idle connections; requests in flight finish normally.
func (o *s3Origin) Close() { o.http.Close() }

// maxS3Retries is how many times a GET or HEAD is repeated after S3
// answered 500, 502, 503 or 504 (each attempt signed afresh).
const maxS3Retries = 2

// Fetch reads the object the request path names under the origin path.
// Successful, 304, 412 and 416 answers pass through with the headers S3
// sent (ETag, Last-Modified, Content-Range, ...) and a streaming body;
// S3's errors are mapped as s3_errors.go says.
func (o *s3Origin) Fetch(req *http.Request) (*http.Response, error) {
	if err := checkRequestPath(req); err != nil {
		return nil, &Error{Origin: o.id, Kind: KindBadResponse, Err: err}
	}
	key := strings.TrimPrefix(o.prefix+req.URL.Path, "/")
	if key == "" {
		return textResponse(req, http.StatusNotFound), nil
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	if hasBody && req.ContentLength <= 0 {
		// S3 needs the length of an UNSIGNED-PAYLOAD upload up front.
		return textResponse(req, http.StatusLengthRequired), nil
	}
	out := o.request(req, "/"+key, hasBody)
	retryable := !hasBody && (req.Method == "" || req.Method == http.MethodGet || req.Method == http.MethodHead)

	for attempt := 1; ; attempt++ {
		resp, err := o.http.Fetch(out)
		if err != nil {
			return nil, err
		}
		resp, retry, err := o.mapResponse(req, resp, attempt, retryable && attempt <= maxS3Retries)
		if !retry {
			return resp, err
		}
		if !sleep(req.Context(), backoff[min(attempt-1, len(backoff)-1)]) {
			return nil, canceled(o.id, req.Context())
		}
	}
}

// request derives what the HTTP origin sends for req: the object's path
// (escaped as S3 expects, under the bucket for path-style addressing), no
// query, and the viewer's headers without those only the gateway may set.
// The payload hash is fixed here; the signature is added per attempt.
func (o *s3Origin) request(req *http.Request, keyPath string, hasBody bool) *http.Request {
	out := req.WithContext(req.Context()) // shallow: the body, if any, streams through
	p := o.bucketPath + keyPath
	out.URL = &url.URL{Path: p, RawPath: s3EscapePath(p)}
	out.Header = viewerHeaders(req.Header)
	payload := emptyPayloadHash
	if hasBody {
		payload = unsignedPayload
	}
	out.Header["X-Amz-Content-Sha256"] = []string{payload}
	return out
}

// s3EscapePath percent-encodes every byte of p but RFC 3986's unreserved
// characters and '/', as S3 expects object keys in the path (and as the
// SigV4 canonical URI for S3 is written): spaces, '+', '%', unicode and
// the rest all arrive as the key they are.
func s3EscapePath(p string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(p); i++ {
		if !s3Unreserved(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	b := make([]byte, 0, len(p)+2*n)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if s3Unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func s3Unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}
