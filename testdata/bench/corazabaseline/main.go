// Command corazabaseline is the reference of testdata/bench/waf.sh: Coraza's
// own HTTP middleware, txhttp.WrapHandler, set up the way Coraza's README
// has users do it (the embedded OWASP CRS through coraza-coreruleset, the
// recommended config, the CRS's example setup, SecRuleEngine On), around a
// plain handler answering a small HTML page. It is the column Edgeward's
// WAF is compared with.
//
// Usage: corazabaseline -addr 127.0.0.1:PORT [-waf on|off] [-response-body on|off]
//
// -waf off serves the plain handler alone: the origin the benchmark puts
// behind Edgeward, so both sides answer the same bytes.
//
// -response-body off adds SecResponseBodyAccess Off after the includes.
// The recommended config turns response body inspection on (and the page
// is text/html, one of the types it inspects), while Edgeward's WAF leaves
// responses alone unless the policy asks, so the benchmark runs both.
//
// The handler answers GET, HEAD and POST (reading the body) with the same
// 1 KiB of HTML and Cache-Control: no-store, so a cache in front passes
// every request through. It listens only where it is told and stops on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"

	"github.com/edgeward/edgeward/testdata/bench/benign"
)

// directives are the README's: the recommended Coraza config, the CRS's
// example setup (paranoia level 1, inbound anomaly threshold 5) and every
// CRS rule file, with the engine blocking.
const directives = `Include @coraza.conf-recommended
Include @crs-setup.conf.example
Include @owasp_crs/*.conf
SecRuleEngine On
`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	wafMode := flag.String("waf", "on", "on (Coraza's middleware around the page) or off (the page alone)")
	respBody := flag.String("response-body", "on", "on (the recommended config) or off (SecResponseBodyAccess Off)")
	flag.Parse()
	if err := run(*addr, *wafMode, *respBody); err != nil {
		fmt.Fprintln(os.Stderr, "corazabaseline:", err)
		os.Exit(1)
	}
}

func run(addr, wafMode, respBody string) error {
	if wafMode != "on" && wafMode != "off" {
		return fmt.Errorf("-waf %q: want on or off", wafMode)
	}
	if respBody != "on" && respBody != "off" {
		return fmt.Errorf("-response-body %q: want on or off", respBody)
	}
	var h http.Handler = newPage()
	if wafMode == "on" {
		d := directives
		if respBody == "off" {
			d += "SecResponseBodyAccess Off\n"
		}
		start := time.Now()
		waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(d))
		if err != nil {
			return fmt.Errorf("coraza: %w", err)
		}
		slog.Info("coraza ready", "took", time.Since(start).Round(time.Millisecond), "response_body", respBody)
		h = txhttp.WrapHandler(waf, h)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("serving", "addr", ln.Addr().String(), "waf", wafMode)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case <-sigs:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// page answers every GET, HEAD and POST with the same HTML document.
type page struct {
	body   []byte
	length string
}

func newPage() page {
	body := benign.Page()
	return page{body: body, length: strconv.Itoa(len(body))}
}

func (p page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		// Like an application reading its form (Coraza's middleware has
		// already buffered the body to inspect it).
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", p.length)
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(p.body)
}
