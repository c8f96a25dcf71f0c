package gateway

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminHandler serves the admin API. Reads (health, readiness, metrics)
// are open on the admin listener, which is loopback by default; calls that
// change state need the bearer token from admin.token_file, and are
// refused outright when no token is configured.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	if s.holder.cur.Load().cfg.Admin.Pprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	mux.Handle("POST /invalidations", s.requireToken(http.HandlerFunc(s.handleInvalidate)))
	mux.Handle("POST /reload", s.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Reload(); err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"status": "failed", "kept": "running configuration",
				"errors": strings.Split(strings.TrimSpace(err.Error()), "\n"),
			})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "reloaded"})
	})))
	return mux
}

// requireToken checks the Authorization: Bearer token in constant time.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := s.holder.acquire()
		token := rt.adminToken
		rt.release()
		if len(token) == 0 {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "admin token not configured (admin.token_file)"})
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), token) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="edgeward-admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong bearer token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
