package origin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// ServeHandler runs h for req in a new goroutine and returns the response
// h writes, as soon as h has written its header. The body streams from h
// through a pipe: each Write of h blocks until the body's reader has taken
// the bytes, so nothing is buffered whatever the size.
//
// Closing the body early, or the end of req's context, makes h's next
// Write fail, so a handler that stops when a write fails (http.ServeContent
// does) returns promptly. When the context ends before h writes its header
// ServeHandler returns the context's cause.
//
// The response follows the transport's conventions: ContentLength is the
// Content-Length h declared, or -1; the body of a HEAD response and of a
// response whose status allows none (1xx, 204, 304) is http.NoBody and
// writes to it fail with http.ErrBodyNotAllowed. If h declared a
// Content-Length and returns having written less, the body's last Read
// fails with io.ErrUnexpectedEOF instead of a clean io.EOF, and writes
// beyond it fail with http.ErrContentLength. A panic in h is recovered
// and becomes an error: from ServeHandler before the header, from the
// body's Read after. Informational (1xx) headers and trailers are dropped;
// Flush is accepted and does nothing, every Write being delivered already.
func ServeHandler(h http.Handler, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	pr, pw := io.Pipe()
	w := &pipeResponseWriter{
		req:    req,
		header: make(http.Header),
		pw:     pw,
		ready:  make(chan handoff, 1),
	}
	stop := context.AfterFunc(ctx, func() { pw.CloseWithError(context.Cause(ctx)) })
	go w.serve(h, stop)

	select {
	case r := <-w.ready:
		if r.err != nil {
			return nil, r.err
		}
		if r.resp.Body == nil {
			r.resp.Body = pr
		}
		return r.resp, nil
	case <-ctx.Done():
		pr.CloseWithError(context.Cause(ctx))
		return nil, context.Cause(ctx)
	}
}

// handoff carries the response head, or the failure before it, from the
// handler's goroutine to ServeHandler.
type handoff struct {
	resp *http.Response
	err  error
}

// pipeResponseWriter is the http.ResponseWriter ServeHandler gives the
// handler. Its methods are called only from the handler's goroutine.
type pipeResponseWriter struct {
	req         *http.Request
	header      http.Header
	pw          *io.PipeWriter
	ready       chan handoff
	wroteHeader bool
	bodyAllowed bool
	declared    int64 // Content-Length the handler set, -1 if none
	written     int64
}

var (
	_ http.ResponseWriter = (*pipeResponseWriter)(nil)
	_ http.Flusher        = (*pipeResponseWriter)(nil)
)

// serve runs the handler and ends the body: cleanly when the handler
// wrote what it declared, with an error when it fell short or panicked.
func (w *pipeResponseWriter) serve(h http.Handler, stop func() bool) {
	defer stop()
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("handler panic: %v", p)
			if !w.wroteHeader {
				w.wroteHeader = true
				w.ready <- handoff{err: err}
			}
			w.pw.CloseWithError(err)
		}
	}()
	h.ServeHTTP(w, w.req)
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.bodyAllowed && w.declared >= 0 && w.written < w.declared {
		w.pw.CloseWithError(fmt.Errorf("handler wrote %d of %d declared bytes: %w", w.written, w.declared, io.ErrUnexpectedEOF))
		return
	}
	w.pw.Close()
}

func (w *pipeResponseWriter) Header() http.Header { return w.header }

// WriteHeader hands a copy of the header to ServeHandler; changes made to
// the header afterwards have no effect, as with net/http.
func (w *pipeResponseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader {
		return
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		return // informational: nobody to send it to
	}
	w.wroteHeader = true
	resp := newResponse(w.req, code, w.header.Clone(), -1)
	declared := contentLength(resp.Header)
	w.declared = -1
	switch {
	case !bodyAllowedForStatus(code):
		resp.ContentLength = 0
		resp.Body = http.NoBody
	case w.req.Method == http.MethodHead:
		resp.ContentLength = declared
		resp.Body = http.NoBody
	default:
		resp.ContentLength = declared
		w.declared = declared
		w.bodyAllowed = true
	}
	w.ready <- handoff{resp: resp}
}

func (w *pipeResponseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		if _, ok := w.header["Content-Type"]; !ok && len(p) > 0 && w.header.Get("Content-Encoding") == "" {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if !w.bodyAllowed {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	n, err := w.pw.Write(p)
	w.written += int64(n)
	return n, err
}

// Flush sends the header if it was not sent yet. Bytes written are always
// delivered already.
func (w *pipeResponseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
}

// contentLength parses a single valid Content-Length, or returns -1.
func contentLength(h http.Header) int64 {
	v := h["Content-Length"]
	if len(v) != 1 {
		return -1
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < 0 || v[0][0] == '+' {
		return -1
	}
	return n
}

// bodyAllowedForStatus reports whether a response with this status may
// have a body (RFC 9110 section 6.4.1).
func bodyAllowedForStatus(code int) bool {
	switch {
	case code >= 100 && code <= 199:
		return false
	case code == http.StatusNoContent, code == http.StatusNotModified:
		return false
	}
	return true
}

// newResponse is an HTTP/1.1 response made inside the origin, as a
// transport would return it.
func newResponse(req *http.Request, code int, h http.Header, length int64) *http.Response {
	resp := &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		ContentLength: length,
		Request:       req,
	}
	if http.StatusText(code) == "" {
		resp.Status += "status code " + strconv.Itoa(code)
	}
	return resp
}
