package origin

import (
	"context"
	"errors"
	"net"
	"time"
)

// dial opens a connection to the origin for the transport. A failure is
// returned as a *dialError: nothing of the request was sent, so Fetch may
// try again.
func (o *httpOrigin) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := o.dialer.DialContext(ctx, network, addr)
	if o.dialHook != nil {
		o.dialHook(addr, err)
	}
	if err != nil {
		return nil, &dialError{addr: addr, timeout: o.connectTimeout, err: err}
	}
	return &writeTimeoutConn{Conn: c, timeout: o.readTimeout}, nil
}

// dialError is a failure to open a TCP connection to the origin.
type dialError struct {
	addr    string
	timeout time.Duration
	err     error
}

func (e *dialError) Error() string { return "connect " + e.addr + ": " + e.reason() }
func (e *dialError) Unwrap() error { return e.err }

// isTimeout reports whether the connect timeout expired.
func (e *dialError) isTimeout() bool {
	var ne net.Error
	return errors.As(e.err, &ne) && ne.Timeout() && !errors.Is(e.err, context.Canceled)
}

// reason says what went wrong without repeating the address.
func (e *dialError) reason() string {
	if e.isTimeout() {
		return "timed out after " + e.timeout.String()
	}
	var dns *net.DNSError
	if errors.As(e.err, &dns) {
		return dns.Error()
	}
	var op *net.OpError
	if errors.As(e.err, &op) && op.Err != nil {
		// "dial tcp 127.0.0.1:9: connect: connection refused" says the
		// address twice; the innermost error is the reason.
		inner := op.Err
		for {
			next := errors.Unwrap(inner)
			if next == nil {
				break
			}
			inner = next
		}
		return inner.Error()
	}
	return e.err.Error()
}

// writeTimeoutConn bounds every write to the origin: an origin that stops
// reading a request (its receive window stays full) fails the write after
// the read timeout instead of holding the request forever.
//
// Only writes get a deadline. A read deadline set on the connection would
// also fire on idle pooled connections, whose transport goroutine always
// has a read pending; the read timeout is therefore kept per response (see
// timeoutBody), which works for HTTP/1.1 and for each HTTP/2 stream alike.
type writeTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *writeTimeoutConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
