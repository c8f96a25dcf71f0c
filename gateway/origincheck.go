package gateway

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// OriginReport is what one origin said to a deploy-time check.
type OriginReport struct {
	Distribution string
	Origin       string
	OK           bool
	Said         string // a sentence: what was reached and what it answered
	Took         time.Duration
}

// checker is implemented by origins that know a better probe than a HEAD
// of the root (an S3 bucket checks its credentials).
type checker interface {
	Check(ctx context.Context) (string, error)
}

// CheckOrigins builds every origin of cfg as the gateway would and tries
// each once: a HEAD of "/" (through the origin's path prefix), or the
// origin's own check. It answers for all origins, in config order, so an
// operator learns at deploy time that each is reachable and, for S3, that
// the credentials work. Any answer below 500 counts as reachable for an
// HTTP origin (a 404 for "/" is normal); for S3 the bucket must accept
// the signed request.
func CheckOrigins(ctx context.Context, cfg *policy.Config) []OriginReport {
	var out []OriginReport
	for _, dc := range cfg.Distributions {
		for _, oc := range dc.Origins {
			r := OriginReport{Distribution: dc.Name, Origin: oc.ID}
			start := time.Now()
			r.OK, r.Said = checkOrigin(ctx, oc)
			r.Took = time.Since(start)
			out = append(out, r)
		}
	}
	return out
}

func checkOrigin(ctx context.Context, oc policy.Origin) (bool, string) {
	if oc.Dir != "" {
		entries, err := os.ReadDir(oc.Dir)
		if err != nil {
			return false, err.Error()
		}
		return true, fmt.Sprintf("directory %s is readable (%d entries)", oc.Dir, len(entries))
	}
	o, err := newOrigin(oc)
	if err != nil {
		return false, err.Error()
	}
	defer o.Close()
	if c, ok := o.(checker); ok {
		said, err := c.Check(ctx)
		if err != nil {
			return false, err.Error()
		}
		return true, said
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, "/", nil)
	if err != nil {
		return false, err.Error()
	}
	req.Header.Set("User-Agent", "edgeward-origin-check")
	resp, err := o.Fetch(req)
	if err != nil {
		return false, err.Error()
	}
	resp.Body.Close()
	return resp.StatusCode < 500, fmt.Sprintf("HEAD %s%s/ answered %d %s", oc.URL, oc.Path, resp.StatusCode, http.StatusText(resp.StatusCode))
}
