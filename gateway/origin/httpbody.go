package origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// errReadTimeout is the cause the request context is canceled with when
// the origin sends nothing for the read timeout mid-body.
var errReadTimeout = errors.New("origin read timeout")

// timeoutBody is an origin response body whose every Read must make
// progress within the read timeout (CloudFront: "read timeout, also
// between packets"). One timer per response, armed only while a Read is
// waiting: when it fires it cancels the request's context, which makes the
// transport close the connection (HTTP/1.1) or reset the stream (HTTP/2)
// and the pending Read return. No goroutine is started per Read, and idle
// pooled connections are never touched.
//
// Errors other than io.EOF are *Error values: KindTimeout for the read
// timeout, KindCanceled when the viewer's context ended, otherwise as the
// error says (a reset connection is KindUnreachable, a truncated or
// malformed body KindBadResponse).
type timeoutBody struct {
	rc      io.ReadCloser
	o       *httpOrigin
	req     *http.Request   // the outgoing request, for messages
	parent  context.Context // the viewer's: only its end means "canceled"
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	expired atomic.Bool
}

func newTimeoutBody(o *httpOrigin, out *http.Request, parent context.Context, rc io.ReadCloser, cancel context.CancelCauseFunc) *timeoutBody {
	b := &timeoutBody{rc: rc, o: o, req: out, parent: parent, cancel: cancel}
	b.timer = time.AfterFunc(time.Hour, b.expire)
	b.timer.Stop()
	return b
}

func (b *timeoutBody) expire() {
	b.expired.Store(true)
	b.cancel(errReadTimeout)
}

func (b *timeoutBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.o.readTimeout)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF {
		err = b.fail(err)
	}
	return n, err
}

// Close releases the connection (back to the pool when the body was read
// to its end) and the request's context.
func (b *timeoutBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

func (b *timeoutBody) fail(err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return err
	}
	if e := canceled(b.o.id, b.parent); e != nil {
		return e
	}
	what := describe(b.req)
	if b.expired.Load() {
		return &Error{Origin: b.o.id, Kind: KindTimeout,
			Err: fmt.Errorf("%s: no body data for %s: %w", what, b.o.readTimeout, errReadTimeout)}
	}
	kind := kindOf(err)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		kind = KindBadResponse
	}
	return &Error{Origin: b.o.id, Kind: kind, Err: fmt.Errorf("%s: reading body: %w", what, err)}
}
