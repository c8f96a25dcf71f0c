package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/keys/fle/body"
	"github.com/edgeward/edgeward/policy"
)

// fleStage encrypts the configured fields of a request body with the
// behavior's FLE profile (HPKE to the profile's public key), so the origin
// and everything between it and the edge see ciphertext. It is the last
// stage: the WAF has inspected the plaintext, and nothing after this one
// reads it.
//
// It fails closed. A body of a content type the profile does not cover is
// refused unless the profile forwards such bodies; a body or field over
// its limit, a body that does not parse, or any error while sealing is
// refused with 400 before a byte goes to the origin. The viewer sees a
// short reason; the access log's fle-status names the cause with
// CloudFront's status names. No value of a field is ever put in a reason,
// a detail or a log line.
//
// The body is read whole (at most the profile's max_body), rewritten in
// memory, and sent on with its new Content-Length; the plaintext copy is
// zeroed once the rewritten body exists.
type fleStage struct {
	prof    *policy.FLEProfile
	enc     *fle.Encryptor
	dist    string
	kinds   [4]bool // indexed by body.Kind (1-3): the content types the profile covers
	limits  body.Limits
	forward bool
}

var _ Stage = (*fleStage)(nil)

func newFLEStage(b *behaviorSpec) (Stage, error) {
	if b.cfg.FLEProfile == "" {
		return nil, nil
	}
	fp := b.fle[b.cfg.FLEProfile]
	if fp == nil || fp.cfg.Patterns == nil { // validation and buildFLEProfiles make both
		return nil, configError{".fle_profile", errFLENotValidated}
	}
	p := fp.cfg
	s := &fleStage{prof: p, enc: fp.enc, dist: b.dist.Name, forward: p.ForwardUnmatchedContentTypes,
		limits: body.Limits{MaxBody: p.MaxBody.Int64(), MaxField: p.MaxField.Int64()}}
	for _, ct := range p.ContentTypes {
		k := body.KindOfMediaType(ct)
		if k <= 0 || int(k) >= len(s.kinds) {
			return nil, configError{".fle_profile", errors.New("content type " + ct + " is not one field-level encryption handles")}
		}
		s.kinds[k] = true
	}
	return s, nil
}

var errFLENotValidated = errors.New("the FLE profile was not validated")

func (s *fleStage) Name() string { return "fle" }

// CloudFront's fle-status values (AccessLogs.md), which the access log
// records for every request of a behavior with an FLE profile.
const (
	fleProcessed             = "Processed"
	fleForwardedByType       = "ForwardedByContentType"
	fleRejectedByType        = "RejectedByContentType"
	fleMalformedContentType  = "MalformedContentTypeClientError"
	fleMalformedInput        = "MalformedInputClientError"
	fleFieldLengthLimit      = "FieldLengthLimitClientError"
	fleRequestLengthLimit    = "RequestLengthLimitClientError"
	fleServerError           = "ServerError"
	reasonFLEContentType     = "content type not accepted for this endpoint"
	reasonFLEMalformed       = "malformed request body"
	reasonFLEFieldTooLong    = "field too long"
	reasonFLEBodyTooLong     = "request body too large"
	reasonFLEEncryptionError = "request could not be encrypted"
	reasonFLEEncoding        = "content encoding not accepted for this endpoint"
)

func (s *fleStage) Check(x *Exchange) *Denial {
	r := x.Req
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil // nothing to encrypt
	}
	ct := r.Header.Get("Content-Type")
	kind, _, ok, err := body.KindOf(ct)
	switch {
	case err != nil:
		return s.deny(x, fleMalformedContentType, reasonFLEContentType, "Content-Type: "+err.Error())
	case !ok || !s.kinds[kind]:
		if s.forward {
			x.fleStatus = fleForwardedByType
			return nil
		}
		return s.deny(x, fleRejectedByType, reasonFLEContentType, "profile "+s.prof.Name+" does not cover this content type")
	case contentEncoded(r.Header):
		// A compressed form is a form the origin may decompress and read,
		// with the fields in it unencrypted: never forward one.
		return s.deny(x, fleRejectedByType, reasonFLEEncoding, "Content-Encoding "+strings.Join(r.Header.Values("Content-Encoding"), ", ")+" on a body the profile covers")
	case r.ContentLength > s.limits.MaxBody:
		return s.deny(x, fleRequestLengthLimit, reasonFLEBodyTooLong,
			"Content-Length "+strconv.FormatInt(r.ContentLength, 10)+" is over max_body "+s.prof.MaxBody.String())
	}
	plain, err := io.ReadAll(io.LimitReader(r.Body, s.limits.MaxBody+1))
	if err != nil {
		clear(plain)
		return s.deny(x, fleMalformedInput, reasonFLEMalformed, "reading the body: "+err.Error())
	}
	defer clear(plain) // the plaintext does not outlive the request's stage
	if int64(len(plain)) > s.limits.MaxBody {
		return s.deny(x, fleRequestLengthLimit, reasonFLEBodyTooLong, "the body is over max_body "+s.prof.MaxBody.String())
	}
	bind := fle.Binding{Distribution: s.dist, Method: r.Method, Path: x.Path}
	seal := func(f body.Field) ([]byte, error) {
		b := bind
		b.Field = f.Name
		v, err := s.enc.Seal(b, f.Value)
		if err != nil {
			return nil, err
		}
		return []byte(v), nil
	}
	sel := s.prof.Patterns.MatchForm
	if kind == body.JSON {
		sel = s.prof.Patterns.MatchJSON
	}
	out, n, err := body.Rewrite(ct, plain, sel, seal, s.limits)
	if err != nil {
		return s.rewriteError(x, err)
	}
	if n == 0 {
		out = bytes.Clone(plain) // Rewrite returns its input when it replaced nothing
	}
	r.Body = replayBody{Reader: bytes.NewReader(out), Closer: r.Body}
	r.ContentLength = int64(len(out))
	r.TransferEncoding = nil
	r.Header.Set("Content-Length", strconv.Itoa(len(out)))
	x.fleStatus, x.fleFields = fleProcessed, n
	return nil
}

// contentEncoded reports whether the body has a Content-Encoding other
// than identity.
func contentEncoded(h http.Header) bool {
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return true
			}
		}
	}
	return false
}

// rewriteError maps an error of the body rewriter to a denial.
func (s *fleStage) rewriteError(x *Exchange, err error) *Denial {
	switch body.CodeOf(err) {
	case body.ErrBodyTooLarge:
		return s.deny(x, fleRequestLengthLimit, reasonFLEBodyTooLong, err.Error())
	case body.ErrFieldTooLarge:
		return s.deny(x, fleFieldLengthLimit, reasonFLEFieldTooLong, err.Error())
	case body.ErrContentType:
		return s.deny(x, fleMalformedContentType, reasonFLEContentType, err.Error())
	case body.ErrMalformed:
		return s.deny(x, fleMalformedInput, reasonFLEMalformed, err.Error())
	}
	// A sealing failure (body.ErrTransform) or anything unforeseen.
	return s.deny(x, fleServerError, reasonFLEEncryptionError, err.Error())
}

// deny records the fle-status and refuses the request with 400; the body
// is never forwarded.
func (s *fleStage) deny(x *Exchange, status, reason, detail string) *Denial {
	x.fleStatus = status
	return &Denial{Status: http.StatusBadRequest, Reason: reason,
		Detail: "field-level encryption (profile " + s.prof.Name + "): " + detail}
}
