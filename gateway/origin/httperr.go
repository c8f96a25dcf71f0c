package origin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
)

// roundTripError turns a failed round trip into an *Error.
func (o *httpOrigin) roundTripError(out *http.Request, parent context.Context, err error, attempts int) *Error {
	if e := canceled(o.id, parent); e != nil {
		return e
	}
	var de *dialError
	if errors.As(err, &de) {
		kind := KindUnreachable
		if de.isTimeout() {
			kind = KindTimeout
		}
		return &Error{Origin: o.id, Kind: kind, Err: &attemptsError{err: de, n: attempts}}
	}
	if errors.Is(err, io.EOF) {
		return &Error{Origin: o.id, Kind: KindUnreachable,
			Err: fmt.Errorf("%s: connection closed before a response: %w", describe(out), err)}
	}
	return &Error{Origin: o.id, Kind: kindOf(err), Err: fmt.Errorf("%s: %w", describe(out), err)}
}

// canceled returns a KindCanceled error (KindTimeout for a deadline) when
// the viewer's context is done, nil otherwise.
func canceled(id string, ctx context.Context) *Error {
	cerr := ctx.Err()
	if cerr == nil {
		return nil
	}
	kind := KindCanceled
	if errors.Is(cerr, context.DeadlineExceeded) {
		kind = KindTimeout
	}
	return &Error{Origin: id, Kind: kind, Err: fmt.Errorf("request canceled: %w", context.Cause(ctx))}
}

// kindOf classifies an error from a connection already open.
func kindOf(err error) Kind {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindTimeout
	}
	switch {
	case errors.Is(err, io.EOF), // closed before sending a response
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable
	}
	// A TLS failure is a failure to connect, not a bad response.
	var (
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		rh  tls.RecordHeaderError
		ae  tls.AlertError
		ech *tls.ECHRejectionError
	)
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) ||
		errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &ech) {
		return KindUnreachable
	}
	return KindBadResponse
}

// describe names a request for an error message: method and URL without
// the query, which may carry signatures or tokens.
func describe(r *http.Request) string {
	m := r.Method
	if m == "" {
		m = http.MethodGet
	}
	u := *r.URL
	u.RawQuery, u.ForceQuery, u.Fragment = "", false, ""
	return m + " " + u.String()
}

// attemptsError adds the number of attempts made to a connect failure.
type attemptsError struct {
	err error
	n   int
}

func (e *attemptsError) Error() string {
	s := " attempts)"
	if e.n == 1 {
		s = " attempt)"
	}
	return e.err.Error() + " (" + strconv.Itoa(e.n) + s
}

func (e *attemptsError) Unwrap() error { return e.err }
