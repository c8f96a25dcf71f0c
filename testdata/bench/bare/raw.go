package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// The raw mode (-mode raw) is a measuring stick, not a server to copy: a
// hand-written HTTP/1.1 loop that reads just enough of each request to find
// the path and answers with a response head rendered once at start-up. It
// sends the same dozen headers an Edgeward cache hit carries (the origin's
// plus Age, Cache-Status, X-Cache, Via, X-Request-Id), so the gap between
// it and the net/http column is what net/http's own per-request work costs
// (request parsing into maps, header map clone and sort, per-request
// context), which no handler running inside net/http can win back.
//
// It understands only what wrk sends: bodiless requests, keep-alive,
// pipelining. Anything it cannot read closes the connection.

// rawObject is one object with its response head minus the Date line.
type rawObject struct {
	head []byte // status line and headers up to, not including, Date
	body []byte
}

// rawHeaders are an Edgeward hit's headers other than Content-Length and
// Date, in the order net/http would sort them.
var rawHeaders = [][2]string{
	{"Accept-Ranges", "bytes"},
	{"Age", "12"},
	{"Cache-Control", "max-age=3600"},
	{"Cache-Status", "edgeward; hit; ttl=3588"},
	{"Content-Type", "application/octet-stream"},
	{"Etag", `"6750c1d2-400"`},
	{"Last-Modified", "Sun, 22 Nov 2026 06:00:00 GMT"},
	{"Server", "edgeward"},
	{"Via", "1.1 bench (edgeward)"},
	{"X-Cache", "Hit from edgeward"},
	{"X-Request-Id", "4f1c2b7a9d3e8f60"},
}

var notFoundHead = []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n")

// rawDate is the current "Date: ...\r\n\r\n" line, refreshed every second.
var rawDate atomic.Pointer[[]byte]

func refreshDate() {
	b := []byte("Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n\r\n")
	rawDate.Store(&b)
}

func serveRaw(ln net.Listener, s store) error {
	objects := map[string]rawObject{}
	for path, o := range s {
		var h bytes.Buffer
		h.WriteString("HTTP/1.1 200 OK\r\n")
		for _, kv := range rawHeaders {
			h.WriteString(kv[0] + ": " + kv[1] + "\r\n")
		}
		h.WriteString("Content-Length: " + strconv.Itoa(len(o.body)) + "\r\n")
		objects[path] = rawObject{head: h.Bytes(), body: o.body}
	}
	refreshDate()
	go func() {
		for range time.Tick(time.Second) {
			refreshDate()
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go rawConn(c, objects)
	}
}

func rawConn(c net.Conn, objects map[string]rawObject) {
	defer func() { _ = c.Close() }()
	br := bufio.NewReaderSize(c, 4096)
	bw := bufio.NewWriterSize(c, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
		path, err := readRawRequest(br)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				slog.Debug("raw: closing", "err", err)
			}
			return
		}
		o, ok := objects[path]
		date := *rawDate.Load()
		if !ok {
			_, _ = bw.Write(notFoundHead)
			_, _ = bw.Write(date)
		} else if len(o.body) <= bw.Available()-len(o.head)-len(date) {
			_, _ = bw.Write(o.head)
			_, _ = bw.Write(date)
			_, _ = bw.Write(o.body)
		} else {
			// Big bodies: head and body in one writev, no copy.
			if err := bw.Flush(); err != nil {
				return
			}
			bufs := net.Buffers{o.head, date, o.body}
			if _, err := bufs.WriteTo(c); err != nil {
				return
			}
			continue
		}
		// Flush only when no pipelined request is waiting.
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return
			}
		}
	}
}

// readRawRequest reads one request head and returns its path (the request
// target up to any '?').
func readRawRequest(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		return "", errors.New("malformed request line")
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return "", errors.New("malformed request line")
	}
	target := rest[:sp2]
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		target = target[:q]
	}
	path := string(target)
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return "", err
		}
		if len(h) <= 2 && (len(h) == 1 || h[0] == '\r') {
			return path, nil
		}
	}
}
