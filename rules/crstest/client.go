package crstest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// response is what came back for a request.
type response struct {
	status int
	raw    []byte // status line, headers and body as received
}

// send writes raw to addr on a new connection and reads the response.
// After the response it waits (at most linger) for the server to close
// the connection: a server closes a Connection: close request's
// connection after its handler returned, so the WAF's logging phase has
// written its lines before the next marker is sent.
func send(addr string, raw []byte, timeout, linger time.Duration) (*response, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if _, err := conn.Write(raw); err != nil {
		return nil, fmt.Errorf("sending the request: %w", err)
	}
	var got bytes.Buffer
	br := bufio.NewReader(io.TeeReader(conn, &got))
	method, _, _ := bytes.Cut(raw, []byte(" "))
	res, err := http.ReadResponse(br, &http.Request{Method: string(method)}) // a HEAD response has no body
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	raw = bytes.Clone(got.Bytes())
	_ = conn.SetReadDeadline(time.Now().Add(linger))
	_, _ = io.Copy(io.Discard, br)
	return &response{status: res.StatusCode, raw: raw}, nil
}
