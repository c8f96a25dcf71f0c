package origin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func serveReq(ctx context.Context, method string) *http.Request {
	r, err := http.NewRequestWithContext(ctx, method, "/x", nil)
	if err != nil {
		panic(err)
	}
	return r
}

func TestServeHandlerResponses(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		h         http.HandlerFunc
		status    int
		length    int64
		body      string
		noBody    bool
		header    map[string]string
		readError error
	}{
		{name: "plain", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-A", "1")
			w.WriteHeader(201)
			io.WriteString(w, "hello")
		}, status: 201, length: -1, body: "hello", header: map[string]string{"X-A": "1"}},
		{name: "declared length", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}, status: 200, length: 5, body: "hello"},
		{name: "implicit 200 and sniffed type", h: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><body>x")
		}, status: 200, length: -1, body: "<html><body>x", header: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{name: "explicit type kept", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-thing")
			io.WriteString(w, "<html>")
		}, status: 200, length: -1, body: "<html>", header: map[string]string{"Content-Type": "application/x-thing"}},
		{name: "nothing written", h: func(w http.ResponseWriter, r *http.Request) {},
			status: 200, length: -1, body: ""},
		{name: "informational dropped", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(103)
			w.WriteHeader(202)
		}, status: 202, length: -1, body: "", header: map[string]string{"Link": "</a.css>; rel=preload"}},
		{name: "second WriteHeader ignored", h: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			w.WriteHeader(200)
		}, status: 404, length: -1},
		{name: "header changes after WriteHeader ignored", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-A", "before")
			w.WriteHeader(200)
			w.Header().Set("X-A", "after")
		}, status: 200, length: -1, header: map[string]string{"X-A": "before"}},
		{name: "HEAD", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "42")
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("write to a HEAD response did not fail")
			}
		}, status: 200, length: 42, noBody: true},
		{name: "304", h: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(304)
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("write to a 304 did not fail")
			}
		}, status: 304, length: 0, noBody: true},
		{name: "204", h: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			status: 204, length: 0, noBody: true},
		{name: "short of declared", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "12345")
		}, status: 200, length: 10, body: "12345", readError: io.ErrUnexpectedEOF},
		{name: "beyond declared", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "3")
			if _, err := io.WriteString(w, "12345"); !errors.Is(err, http.ErrContentLength) {
				panic("write beyond Content-Length did not fail")
			}
			io.WriteString(w, "123")
		}, status: 200, length: 3, body: "123"},
		{name: "invalid length is unknown", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "+3")
			io.WriteString(w, "123")
		}, status: 200, length: -1, body: "123"},
		{name: "panic after header", h: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "part")
			panic("boom")
		}, status: 200, length: -1, body: "part", readError: errors.New("handler panic: boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			var resp *http.Response
			var err error
			within(t, "ServeHandler", func() { resp, err = ServeHandler(tt.h, serveReq(t.Context(), method)) })
			if err != nil {
				t.Fatalf("ServeHandler: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Status != itoa64(int64(tt.status))+" "+http.StatusText(tt.status) {
				t.Errorf("status %d %q, want %d", resp.StatusCode, resp.Status, tt.status)
			}
			if resp.ContentLength != tt.length {
				t.Errorf("ContentLength %d, want %d", resp.ContentLength, tt.length)
			}
			if tt.noBody != (resp.Body == http.NoBody) {
				t.Errorf("body is NoBody: %v, want %v", resp.Body == http.NoBody, tt.noBody)
			}
			for k, v := range tt.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			var body []byte
			within(t, "reading the body", func() { body, err = io.ReadAll(resp.Body) })
			if string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			switch {
			case tt.readError == nil && err != nil:
				t.Errorf("read error %v", err)
			case tt.readError != nil && (err == nil || !errors.Is(err, tt.readError) && err.Error() != tt.readError.Error()):
				t.Errorf("read error %v, want %v", err, tt.readError)
			}
		})
	}
}

func TestServeHandlerErrorsBeforeHeader(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		_, err := ServeHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("early") }), serveReq(t.Context(), "GET"))
		if err == nil || err.Error() != "handler panic: early" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("invalid status", func(t *testing.T) {
		_, err := ServeHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(42) }), serveReq(t.Context(), "GET"))
		if err == nil || !strings.Contains(err.Error(), "invalid WriteHeader code 42") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		started, done := make(chan struct{}), make(chan error, 1)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done()
			_, err := io.WriteString(w, "late") // the header goes nowhere; the write fails
			done <- err
		})
		go func() {
			<-started
			cancel()
		}()
		_, err := ServeHandler(h, serveReq(ctx, "GET"))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
		within(t, "handler end", func() { err = <-done })
		if err == nil {
			t.Error("the handler's write after cancellation succeeded")
		}
	})
}

// TestServeHandlerStreams checks that the response is handed over before
// the handler finishes, and that each write waits for its reader.
func TestServeHandlerStreams(t *testing.T) {
	readFirst, finished := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(finished)
		io.WriteString(w, "first")
		<-readFirst
		io.WriteString(w, "second")
	})
	resp, err := ServeHandler(h, serveReq(t.Context(), "GET"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	select {
	case <-finished:
		t.Fatal("the handler finished before its first write was read")
	default:
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("first read %q %v", buf, err)
	}
	close(readFirst)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second" {
		t.Fatalf("rest %q %v", rest, err)
	}
	within(t, "handler end", func() { <-finished })
}

// TestServeHandlerStops checks that closing the body or cancelling the
// context makes the handler's writes fail, so it returns.
func TestServeHandlerStops(t *testing.T) {
	endless := func(returned chan<- error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			buf := make([]byte, 4096)
			for {
				if _, err := w.Write(buf); err != nil {
					returned <- err
					return
				}
			}
		}
	}
	t.Run("body closed", func(t *testing.T) {
		returned := make(chan error, 1)
		resp, err := ServeHandler(endless(returned), serveReq(t.Context(), "GET"))
		if err != nil {
			t.Fatal(err)
		}
		io.ReadFull(resp.Body, make([]byte, 10000))
		resp.Body.Close()
		within(t, "handler end", func() { err = <-returned })
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("handler write error %v", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		returned := make(chan error, 1)
		resp, err := ServeHandler(endless(returned), serveReq(ctx, "GET"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.ReadFull(resp.Body, make([]byte, 10000))
		cancel()
		within(t, "handler end", func() { err = <-returned })
		if err == nil {
			t.Error("handler write succeeded after cancel")
		}
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
			t.Errorf("body read after cancel: %v, want context.Canceled", err)
		}
	})
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindUnreachable: "unreachable", KindTimeout: "timeout",
		KindBadResponse: "bad-response", KindCanceled: "canceled", Kind(9): "Kind(9)"} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", int(k), k.String(), want)
		}
	}
}
