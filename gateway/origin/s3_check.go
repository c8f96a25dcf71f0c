package origin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Check tells whether the bucket can be reached and takes the gateway's
// credentials, for `edgeward origin check`. It sends a signed HEAD of the
// bucket (S3's HeadBucket). When that is not a plain 200 (HEAD answers
// carry no error code, and least-privilege credentials may not be allowed
// HeadBucket) it sends one signed GET of a key that does not exist under
// the origin path, whose error code says what is wrong: NoSuchKey and
// AccessDenied both mean S3 accepted the signature; SignatureDoesNotMatch,
// InvalidAccessKeyId and the like that it refused the credentials.
func (o *s3Origin) Check(ctx context.Context) (string, error) {
	where := fmt.Sprintf("bucket %s at %s", o.bucket, o.endpoint)
	resp, err := o.probe(ctx, http.MethodHead, o.bucketPath)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return where + " is reachable; credentials accepted (HeadBucket answered 200)", nil
	case http.StatusNotFound:
		return "", &Error{Origin: o.id, Kind: KindBadResponse,
			Err: fmt.Errorf("%s does not exist: HeadBucket answered 404", where)}
	}
	head := resp.StatusCode

	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	key := strings.TrimPrefix(o.prefix+"/edgeward-origin-check-"+hex.EncodeToString(nonce[:]), "/")
	resp, err = o.probe(ctx, http.MethodGet, o.bucketPath+"/"+key)
	if err != nil {
		return "", err
	}
	code, msg := readS3Error(resp.Body)
	resp.Body.Close()
	said := fmt.Sprintf("HeadBucket answered %d; a GET of the missing key %s answered %d %s", head, key, resp.StatusCode, code)
	switch {
	case resp.StatusCode == http.StatusNotFound && code == "NoSuchKey":
		return where + " is reachable; credentials accepted (" + said + ")", nil
	case resp.StatusCode == http.StatusForbidden && code == "AccessDenied":
		served := "served as 404 (hide_missing)"
		if !o.hideMissing {
			served = "a 502, as hide_missing is off"
		}
		return where + " is reachable; credentials accepted, but not allowed to list the bucket: a missing key is " +
			served + "; whether objects may be read shows on the first fetch (" + said + ")", nil
	}
	return "", &Error{Origin: o.id, Kind: KindBadResponse, Err: &S3Error{
		Request: describe(resp.Request), Status: resp.StatusCode, Code: code, Message: msg,
		Attempts: 1, Refused: credentialCodes[code],
	}}
}

// probe sends one signed request for the escaped form of path (relative
// to the endpoint host, "/" when empty).
func (o *s3Origin) probe(ctx context.Context, method, path string) (*http.Response, error) {
	if path == "" {
		path = "/"
	}
	req := &http.Request{
		Method: method,
		URL:    &url.URL{Path: path, RawPath: s3EscapePath(path)},
		Header: http.Header{
			"User-Agent":           {"edgeward-origin-check"},
			"X-Amz-Content-Sha256": {emptyPayloadHash},
		},
		Body: http.NoBody,
	}
	return o.http.Fetch(req.WithContext(ctx))
}
