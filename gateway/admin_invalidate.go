package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// invalidationRequest is the body of POST /invalidations.
type invalidationRequest struct {
	Distribution string   `json:"distribution"`
	Paths        []string `json:"paths"`
	Tags         []string `json:"tags"`
}

// invalidationResponse answers it: the objects were removed before the
// response was sent.
type invalidationResponse struct {
	Distribution string   `json:"distribution"`
	Paths        []string `json:"paths,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	Removed      int      `json:"removed"`
	TookMS       float64  `json:"took_ms"`
}

// Limits on one invalidation request (CloudFront allows 3,000 paths and 15
// wildcards in flight; a local purge is synchronous, so one call may do
// as much).
const (
	maxInvalidationPaths = 3000
	maxInvalidationPath  = 4000
	maxInvalidationTags  = 1000
)

// handleInvalidate removes objects by path (a trailing * is a prefix that
// also matches the query string) and by tag, in every tier and variant.
func (s *Server) handleInvalidate(w http.ResponseWriter, r *http.Request) {
	var req invalidationRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return
	}
	rt := s.holder.acquire()
	defer rt.release()
	if err := validateInvalidation(rt, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if rt.cache == nil {
		writeJSON(w, http.StatusOK, invalidationResponse{Distribution: req.Distribution, Paths: req.Paths, Tags: req.Tags})
		return
	}
	start := time.Now()
	n := rt.cache.store.Invalidate(req.Distribution, req.Paths, req.Tags)
	took := time.Since(start)
	s.log.Info("invalidation", "distribution", req.Distribution, "paths", len(req.Paths), "tags", len(req.Tags), "removed", n, "took", took.String())
	writeJSON(w, http.StatusOK, invalidationResponse{
		Distribution: req.Distribution, Paths: req.Paths, Tags: req.Tags,
		Removed: n, TookMS: float64(took.Microseconds()) / 1000,
	})
}

func validateInvalidation(rt *runtime, req *invalidationRequest) error {
	var problems []string
	if req.Distribution == "" {
		problems = append(problems, "distribution is required")
	} else if !rt.hasDistribution(req.Distribution) {
		problems = append(problems, fmt.Sprintf("no distribution named %q", req.Distribution))
	}
	if len(req.Paths) == 0 && len(req.Tags) == 0 {
		problems = append(problems, "give paths, tags or both")
	}
	if len(req.Paths) > maxInvalidationPaths {
		problems = append(problems, fmt.Sprintf("at most %d paths per call", maxInvalidationPaths))
	}
	if len(req.Tags) > maxInvalidationTags {
		problems = append(problems, fmt.Sprintf("at most %d tags per call", maxInvalidationTags))
	}
	for i, p := range req.Paths {
		// An exact path's query matches in any parameter order, as the
		// cache key does.
		if path, q, ok := strings.Cut(p, "?"); ok && !strings.HasSuffix(p, "*") {
			req.Paths[i] = path + "?" + canonicalQuery(q)
		}
		switch {
		case !strings.HasPrefix(p, "/"):
			problems = append(problems, fmt.Sprintf("path %q must start with /", p))
		case len(p) > maxInvalidationPath:
			problems = append(problems, fmt.Sprintf("path %.40q... is longer than %d characters", p, maxInvalidationPath))
		case strings.Contains(strings.TrimSuffix(p, "*"), "*"):
			problems = append(problems, fmt.Sprintf("path %q: * is allowed only as the last character", p))
		}
	}
	for i, t := range req.Tags {
		if t = strings.TrimSpace(t); t == "" || len(t) > 256 {
			problems = append(problems, "tags must be 1 to 256 characters")
			break
		}
		req.Tags[i] = strings.ToLower(t)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// hasDistribution reports whether the runtime serves a distribution of
// that name.
func (rt *runtime) hasDistribution(name string) bool {
	for i := range rt.cfg.Distributions {
		if rt.cfg.Distributions[i].Name == name {
			return true
		}
	}
	return false
}
