package origin

import (
	"errors"
	"net/http"
	"strconv"
)

// Origin fetches a response for a request that the gateway has admitted.
//
// The gateway hands Fetch a request whose URL.Path (and URL.RawPath) is the
// canonical request path, whose RawQuery is the query to forward, and whose
// headers are already cleaned (hop-by-hop removed, X-Forwarded-For, Via and
// the request id set). The origin adds what is its own: scheme, host and
// origin path prefix, the Host header, its custom headers. The response body
// streams; the caller closes it.
type Origin interface {
	ID() string
	Fetch(req *http.Request) (*http.Response, error)
	// Close releases idle connections and other resources. In-flight
	// fetches may still complete.
	Close()
}

// Kind classifies why a fetch failed, for the status the viewer gets and
// the access log's detailed result type.
type Kind int

const (
	KindUnreachable Kind = iota // connection refused/reset, DNS failure: 502
	KindTimeout                 // connect or read timeout: 504
	KindBadResponse             // malformed response from the origin: 502
	KindCanceled                // the viewer went away
)

// String names the kind for logs and test failures.
func (k Kind) String() string {
	switch k {
	case KindUnreachable:
		return "unreachable"
	case KindTimeout:
		return "timeout"
	case KindBadResponse:
		return "bad-response"
	case KindCanceled:
		return "canceled"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}

// Error is returned by Fetch when no response could be had, and by a
// response body's Read when the body could not be read to its end (a read
// timeout mid-body, the viewer going away, a truncated body). Its message
// names the origin and what happened, e.g.
// "origin site: connect 127.0.0.1:9: connection refused (3 attempts)".
type Error struct {
	Origin string
	Kind   Kind
	Err    error
}

func (e *Error) Error() string { return "origin " + e.Origin + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status a viewer gets for this failure.
func (e *Error) Status() int {
	switch e.Kind {
	case KindTimeout:
		return http.StatusGatewayTimeout
	case KindCanceled:
		return 499 // logged only; nobody is listening
	default:
		return http.StatusBadGateway
	}
}

// DetailedResult is the access log's x-edge-detailed-result-type value.
func (e *Error) DetailedResult() string {
	switch e.Kind {
	case KindTimeout:
		return "OriginReadTimeout"
	case KindBadResponse:
		return "OriginInvalidResponseError"
	case KindCanceled:
		return "ClientCanceled"
	default:
		return "OriginConnectError"
	}
}

// AsError returns err as an *Error when it is one.
func AsError(err error) (*Error, bool) {
	var oe *Error
	ok := errors.As(err, &oe)
	return oe, ok
}
