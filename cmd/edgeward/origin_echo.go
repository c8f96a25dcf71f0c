package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// maxEchoBody bounds what the echo origin reads and sends back.
const maxEchoBody = 1 << 20

// newOriginEchoCommand is a demonstration origin: it answers every request
// with the body it received, exactly (or, for a request without a body,
// its method and path), so what the gateway forwards can be seen and piped
// on (`... | edgeward fle decrypt`). `make run` starts it beside the
// quickstart gateway. It is a tool for trying things on loopback, not a
// server to expose.
func newOriginEchoCommand() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "echo [--listen ADDR]",
		Short: "Run a demo origin that answers every request with the body it received",
		Long: `Run a demo origin that answers every request with the request body it received,
byte for byte, as text/plain (a request without a body gets its method and path).
Headers X-Echo-Method, X-Echo-Path and X-Echo-Content-Type describe the request.
It shows what the gateway forwards, such as the ciphertexts of field-level
encryption. Bodies over 1 MiB are refused (413). Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: http.HandlerFunc(echo), ReadHeaderTimeout: 10 * time.Second}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			fmt.Fprintf(cmd.ErrOrStderr(), "echo origin on http://%s\n", ln.Addr())
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8081", "address to listen on")
	return cmd
}

func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEchoBody+1))
	switch {
	case err != nil:
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	case len(body) > maxEchoBody:
		http.Error(w, "body over 1 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Echo-Method", r.Method)
	h.Set("X-Echo-Path", r.URL.EscapedPath())
	if ct := r.Header.Get("Content-Type"); ct != "" {
		h.Set("X-Echo-Content-Type", ct)
	}
	if len(body) == 0 {
		body = []byte(r.Method + " " + r.URL.RequestURI() + "\n")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
