package origin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/edgeward/edgeward/policy"
)

// Payload hashes of the x-amz-content-sha256 header: the SHA-256 of an
// empty body (GET, HEAD and other requests without one), and S3's marker
// for a body that is streamed without being hashed first.
const (
	emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
)

// s3Credentials returns the cached credentials provider c names: a static
// key, a profile of the shared config and credentials files, or the AWS
// SDK's default chain (environment, shared files, web identity, container
// and instance metadata). Loading reads files only; nothing is fetched
// over the network until the first request is signed.
func s3Credentials(c policy.S3Credentials) (aws.CredentialsProvider, error) {
	switch {
	case c.Profile != "" && c.AccessKeyID != "":
		return nil, errors.New("credentials: profile and access_key_id are both set; use one")
	case c.AccessKeyID != "" && c.SecretAccessKey == "":
		return nil, fmt.Errorf("credentials: access key %s has no secret access key", c.AccessKeyID)
	case c.AccessKeyID == "" && c.SecretAccessKey != "":
		return nil, errors.New("credentials: a secret access key without access_key_id")
	case c.AccessKeyID != "":
		return aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")), nil
	}
	opts := []func(*config.LoadOptions) error{}
	what := "the AWS SDK default chain"
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
		what = "profile " + c.Profile
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("credentials from %s: %w", what, err)
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("credentials from %s: none configured", what)
	}
	if _, cached := cfg.Credentials.(*aws.CredentialsCache); cached {
		return cfg.Credentials, nil
	}
	return aws.NewCredentialsCache(cfg.Credentials), nil
}

// viewerHeaders copies the viewer's headers that may go to S3. Dropped:
// Authorization and Cookie (the viewer's secrets, and S3 must only ever
// see the gateway's signature) and every x-amz-* header (S3 options and
// signing fields that only the gateway may set).
func viewerHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h)+4)
	for k, v := range h {
		if dropForS3(k) {
			continue
		}
		out[k] = v // shared and never modified: sign works on a copy
	}
	return out
}

func dropForS3(name string) bool {
	return strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Cookie") ||
		len(name) >= 6 && strings.EqualFold(name[:6], "x-amz-")
}

// signedByGateway reports headers that SigV4 signing sets, which custom
// headers may not.
func signedByGateway(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token":
		return true
	}
	return false
}

// signedHeader reports whether a header is covered by the signature:
// x-amz-* (which S3 requires to be signed), the content type and MD5 of
// an upload, and the headers that select what is returned (Range and the
// conditionals). Host always is, and Content-Length when there is a body.
// Other headers (User-Agent, Via, X-Forwarded-For, the request id, ...)
// travel unsigned, so nothing between the gateway and S3 that rewrites
// them can break the signature.
func signedHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Type", "Content-Md5", "Range",
		"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since":
		return true
	}
	return len(name) >= 6 && strings.EqualFold(name[:6], "x-amz-")
}

// sign signs one attempt of an outgoing request with SigV4, at the
// current time, with credentials from the cache (refreshed when they are
// about to expire). It is the HTTP origin's sign hook: every attempt,
// retries included, gets a fresh date and signature. The request's header
// map is replaced by a signed copy, never modified, so the map an earlier
// attempt was sent with is left alone. Failing to get credentials fails
// the fetch; an unsigned request is never sent.
func (o *s3Origin) sign(out *http.Request) error {
	ctx := out.Context()
	creds, err := o.creds.Retrieve(ctx)
	if err == nil && (creds.AccessKeyID == "" || creds.SecretAccessKey == "") {
		err = errors.New("the provider returned empty credentials")
	}
	if err != nil {
		if e := canceled(o.id, ctx); e != nil {
			return e
		}
		return &Error{Origin: o.id, Kind: KindUnreachable,
			Err: fmt.Errorf("no S3 credentials to sign %s with: %w", describe(out), err)}
	}

	// Sign a request holding only the headers to be signed; the SDK signs
	// every header it is given. out.URL has no query, so the canonical
	// query the SDK writes back to the URL is empty, as sent.
	sr := &http.Request{
		Method:        out.Method,
		URL:           &url.URL{Scheme: out.URL.Scheme, Host: out.URL.Host, Path: out.URL.Path, RawPath: out.URL.RawPath},
		Host:          out.Host,
		Header:        make(http.Header, 8),
		ContentLength: out.ContentLength,
	}
	if sr.Method == "" {
		sr.Method = http.MethodGet
	}
	for k, v := range out.Header {
		if signedHeader(k) {
			sr.Header[k] = v
		}
	}
	payload := out.Header.Get("X-Amz-Content-Sha256")
	if err := o.signer.SignHTTP(ctx, creds, sr, payload, "s3", o.region, o.now()); err != nil {
		return &Error{Origin: o.id, Kind: KindBadResponse, Err: fmt.Errorf("signing %s: %w", describe(out), err)}
	}

	h := out.Header.Clone()
	for _, k := range [...]string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		if v, ok := sr.Header[k]; ok {
			h[k] = v
		}
	}
	out.Header = h
	return nil
}
