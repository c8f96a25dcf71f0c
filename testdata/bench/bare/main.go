// Command bare is the reference column of testdata/bench/bench.sh: a plain
// net/http server that answers every request for an object with bytes it
// holds in memory. It does no routing, caching, logging or security work,
// so its throughput is roughly the ceiling any Go HTTP/1.1 server can reach
// on this machine for these sizes, the yardstick for what Edgeward's own
// work costs on a cache hit.
//
// Usage: bare -listen 127.0.0.1:PORT -dir DIR [-mode nethttp|raw]
//
// -mode raw swaps net/http for a hand-written HTTP/1.1 loop (raw.go) that
// writes a pre-rendered response head: the ceiling for a Go server that
// does not use net/http's server at all.
//
// Every regular file directly in DIR is read into memory at start-up and
// served at /NAME with the same Cache-Control the benchmark's origin sends.
// Anything else is 404. It listens only where it is told (the benchmark
// passes a loopback address) and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// maxObject bounds what one file may make the server hold.
const maxObject = 64 << 20

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	dir := flag.String("dir", "", "directory whose files are served from memory")
	mode := flag.String("mode", "nethttp", "nethttp (a net/http server) or raw (a hand-written HTTP/1.1 loop)")
	flag.Parse()
	if err := run(*listen, *dir, *mode); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(listen, dir, mode string) error {
	if dir == "" {
		return errors.New("-dir is required")
	}
	if mode != "nethttp" && mode != "raw" {
		return fmt.Errorf("-mode %q: want nethttp or raw", mode)
	}
	objects, err := load(dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           objects,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	errc := make(chan error, 1)
	if mode == "raw" {
		go func() { errc <- serveRaw(ln, objects) }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	slog.Info("serving", "addr", ln.Addr().String(), "mode", mode, "objects", len(objects))

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case <-sigs:
	}
	if mode == "raw" {
		return ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// object is one file's bytes with its precomputed Content-Length.
type object struct {
	body   []byte
	length string
}

// store maps a request path ("/1k.bin") to its object.
type store map[string]object

var _ http.Handler = store(nil)

func load(dir string) (store, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	s := store{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		if info.Size() > maxObject {
			return nil, fmt.Errorf("%s: %d bytes is more than the %d this server holds", e.Name(), info.Size(), maxObject)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		s["/"+e.Name()] = object{body: b, length: strconv.Itoa(len(b))}
	}
	if len(s) == 0 {
		return nil, fmt.Errorf("%s holds no files", dir)
	}
	return s, nil
}

func (s store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	o, ok := s[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", o.length)
	h.Set("Cache-Control", "max-age=3600")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(o.body)
}
