package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeward/edgeward/gateway/origin"
	"github.com/edgeward/edgeward/policy"
)

// Server is one running edge node: the viewer listener, the admin listener,
// and the current runtime, which Reload replaces as a whole.
type Server struct {
	path    string
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	env     *buildEnv
	holder  runtimeHolder
	handler *handler

	reloadMu sync.Mutex
	draining atomic.Bool
	// stop ends the background work Start begins (the GeoIP file check).
	stop     chan struct{}
	stopOnce sync.Once
	geoEvery time.Duration

	viewer, admin     *http.Server
	viewerLn, adminLn net.Listener
	serveErr          chan error

	// tls serves every HTTPS handshake with the current runtime's
	// certificates and settings (swapped with the runtime).
	tls     *tlsFront
	https   *http.Server
	httpsLn net.Listener
}

// Options are what a Server needs besides its config file.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests inject their own.
	Now func() time.Time

	// newOrigin replaces the origin constructor (benchmarks).
	newOrigin func(policy.Origin) (origin.Origin, error)
	// geoCheckEvery replaces geoCheckEvery (tests).
	geoCheckEvery time.Duration
}

// New loads and compiles the config at path. Nothing listens yet.
func New(path string, opts Options) (*Server, error) {
	s := &Server{path: path, log: opts.Logger, now: opts.Now, metrics: newMetrics(), tls: newTLSFront(),
		stop: make(chan struct{}), geoEvery: geoCheckEvery}
	if opts.geoCheckEvery > 0 {
		s.geoEvery = opts.geoCheckEvery
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	cfg, err := policy.Load(path)
	if err != nil {
		return nil, err
	}
	ec, err := newEdgeCache(cfg.Cache, s.log, s.now)
	if err != nil {
		return nil, err
	}
	s.metrics.registerCache(ec)
	s.env = &buildEnv{metrics: s.metrics, cache: ec, newOrigin: newOrigin, now: s.now, log: s.log}
	if opts.newOrigin != nil {
		s.env.newOrigin = opts.newOrigin
	}
	rt, err := buildRuntime(cfg, nil, s.env)
	if err != nil {
		if ec != nil {
			_ = ec.store.Close()
		}
		return nil, err
	}
	s.holder.swap(rt)
	s.tls.Swap(rt.tls)
	s.metrics.reloadTime.SetToCurrentTime()
	s.registerGeoBuildTime()
	s.handler = &handler{holder: &s.holder, metrics: s.metrics, log: s.log, now: s.now}
	return s, nil
}

// Handler is the viewer-facing handler (routing, stages, origin).
func (s *Server) Handler() http.Handler { return s.handler }

// Start opens the listeners named by the config and serves in the
// background. Serve errors arrive on Wait.
func (s *Server) Start() error {
	cfg := s.holder.cur.Load().cfg
	lim := cfg.Limits
	var err error
	s.viewerLn, err = s.listenViewer(cfg.Listen.HTTP, cfg)
	if err != nil {
		return err
	}
	s.viewer = &http.Server{
		Handler: http.HandlerFunc(s.serveHTTP),
		// Go's server bounds what it reads before parsing, with some
		// slack of its own; the handler enforces the exact figure on the
		// parsed request (handler.go), so this is the memory backstop.
		MaxHeaderBytes:    int(lim.MaxHeaderBytes),
		ReadHeaderTimeout: time.Duration(lim.ReadHeaderTimeout),
		IdleTimeout:       time.Duration(lim.IdleTimeout),
		// Body reads and response writes get per-operation deadlines in
		// the handler (forward.go, respond.go) rather than one deadline
		// for the whole exchange, which would cut off large downloads.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.serveErr = make(chan error, 3)
	go s.serve(s.viewer, s.viewerLn)
	go s.watchGeo(s.geoEvery, s.stop)
	s.log.Info("serving", "addr", s.viewerLn.Addr().String(), "config", s.path)

	if cfg.Listen.HTTPS != "" {
		if err := s.startHTTPS(cfg); err != nil {
			_ = s.viewerLn.Close()
			return err
		}
	}

	if cfg.Listen.Admin != "off" {
		s.adminLn, err = net.Listen("tcp", cfg.Listen.Admin)
		if err != nil {
			_ = s.viewerLn.Close()
			return fmt.Errorf("listen admin %s: %w", cfg.Listen.Admin, err)
		}
		s.admin = &http.Server{
			Handler:           s.adminHandler(),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       60 * time.Second,
			WriteTimeout:      60 * time.Second,
			MaxHeaderBytes:    16 << 10,
		}
		go s.serve(s.admin, s.adminLn)
		s.log.Info("admin API", "addr", s.adminLn.Addr().String())
	}
	return nil
}

// listenViewer opens a viewer listener, reading PROXY protocol headers
// from trusted proxies when the config asks for it.
func (s *Server) listenViewer(addr string, cfg *policy.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	if cfg.Listen.ProxyProtocol {
		ln = newProxyListener(ln, func() *trustedProxies { return s.holder.cur.Load().trusted }, time.Duration(cfg.Limits.ReadHeaderTimeout))
	}
	return ln, nil
}

// startHTTPS opens the HTTPS listener: TLS with the current runtime's
// certificates (SNI), HTTP/2 and HTTP/1.1, and ACME's TLS-ALPN-01.
func (s *Server) startHTTPS(cfg *policy.Config) error {
	lim := cfg.Limits
	ln, err := s.listenViewer(cfg.Listen.HTTPS, cfg)
	if err != nil {
		return err
	}
	s.httpsLn = ln
	s.https = &http.Server{
		Handler:           s.handler,
		TLSConfig:         s.tls.Config(),
		MaxHeaderBytes:    int(lim.MaxHeaderBytes),
		ReadHeaderTimeout: time.Duration(lim.ReadHeaderTimeout),
		IdleTimeout:       time.Duration(lim.IdleTimeout),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		// An "acme-tls/1" connection carries no HTTP (RFC 8737). Setting
		// TLSNextProto turns off automatic HTTP/2, so ask for it.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){tlsALPNACME: closeALPNChallengeConn},
		Protocols:    new(http.Protocols),
	}
	s.https.Protocols.SetHTTP1(true)
	s.https.Protocols.SetHTTP2(true)
	go func() {
		if err := s.https.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- err
		}
	}()
	s.log.Info("serving HTTPS", "addr", ln.Addr().String())
	return nil
}

// closeALPNChallengeConn ends a TLS-ALPN-01 validation connection after
// its handshake: RFC 8737 says no application data follows.
func closeALPNChallengeConn(_ *http.Server, c *tls.Conn, _ http.Handler) { _ = c.Close() }

// serveHTTP is the plain-HTTP listener's handler: ACME's HTTP-01
// challenges for the names the current runtime's ACME manages, then the
// gateway.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
		if m := s.holder.cur.Load().acme; m != nil {
			m.HTTPHandler(s.handler).ServeHTTP(w, r)
			return
		}
	}
	s.handler.ServeHTTP(w, r)
}

// HTTPSAddr is the HTTPS listener's address, or "" when there is none.
func (s *Server) HTTPSAddr() string {
	if s.httpsLn == nil {
		return ""
	}
	return s.httpsLn.Addr().String()
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.serveErr <- err
	}
}

// Addr is the viewer listener's address (after Start).
func (s *Server) Addr() string { return s.viewerLn.Addr().String() }

// AdminAddr is the admin listener's address, or "" when it is off.
func (s *Server) AdminAddr() string {
	if s.adminLn == nil {
		return ""
	}
	return s.adminLn.Addr().String()
}

// Errors reports a listener that stopped serving for another reason than
// Shutdown.
func (s *Server) Errors() <-chan error { return s.serveErr }

// Shutdown stops accepting connections, lets in-flight requests finish
// until ctx ends, then closes what is left and releases the runtime.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.stopOnce.Do(func() { close(s.stop) })
	var err error
	if s.viewer != nil {
		if err = s.viewer.Shutdown(ctx); err != nil {
			s.log.Warn("drain timed out; closing remaining connections", "error", err.Error())
			_ = s.viewer.Close()
		}
	}
	if s.https != nil {
		if herr := s.https.Shutdown(ctx); herr != nil {
			_ = s.https.Close()
			if err == nil {
				err = herr
			}
		}
	}
	if s.admin != nil {
		_ = s.admin.Close()
	}
	rt := s.holder.cur.Load()
	rt.closeLog.Store(true)
	rt.retired.Store(true)
	if rt.refs.Load() == 0 {
		rt.close()
	}
	if s.env.cache != nil {
		if cerr := s.env.cache.store.Close(); cerr != nil {
			s.log.Warn("closing the cache", "error", cerr.Error())
		}
	}
	return err
}

// Reload reads the config file again, builds a new runtime and swaps it in.
// On any error the running runtime stays and the error says why.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	err := s.reload()
	if err != nil {
		s.metrics.reloads.WithLabelValues("failure").Inc()
		s.log.Error("reload failed; keeping the running configuration", "config", s.path, "error", err.Error())
		return err
	}
	s.metrics.reloads.WithLabelValues("success").Inc()
	s.metrics.reloadTime.SetToCurrentTime()
	s.log.Info("configuration reloaded", "config", s.path)
	return nil
}

func (s *Server) reload() error {
	cfg, err := policy.Load(s.path)
	if err != nil {
		return err
	}
	prev := s.holder.acquire()
	defer prev.release()
	if cacheChanged(cfg.Cache, prev.cfg.Cache) {
		s.log.Warn("the cache block changed; cache storage changes take effect on restart")
	}
	if cfg.Listen != prev.cfg.Listen {
		s.log.Warn("listen addresses changed; they take effect on restart",
			"running", fmt.Sprintf("%+v", prev.cfg.Listen), "configured", fmt.Sprintf("%+v", cfg.Listen))
	}
	rt, err := buildRuntime(cfg, prev, s.env)
	if err != nil {
		return err
	}
	s.holder.swap(rt)
	s.tls.Swap(rt.tls)
	return nil
}

// ReopenLogs reopens the access log file and the WAF policies' match and
// audit logs (SIGUSR1, after logrotate).
func (s *Server) ReopenLogs() error {
	rt := s.holder.acquire()
	defer rt.release()
	err := rt.log.Reopen()
	if werr := rt.waf.reopenLogs(); err == nil {
		err = werr
	}
	return err
}

// ShutdownTimeout is how long Shutdown should wait for in-flight requests.
func (s *Server) ShutdownTimeout() time.Duration {
	return time.Duration(s.holder.cur.Load().cfg.Limits.ShutdownTimeout)
}
