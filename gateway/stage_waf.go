package gateway

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeward/edgeward/rules"
)

// wafStage is the behavior's WAF policy, applied in this order:
//
//  1. the deny IP set: a viewer address in it is refused (403);
//  2. the rate limits, in policy order: a request over one is refused
//     with its action (429 with Retry-After, or 403) and is not
//     counted by the limits after it;
//  3. the allow IP set: a viewer address in it skips the CRS and the
//     operator's rules (not the deny set, not the rate limits);
//  4. the engine (Coraza with the CRS and the operator's rules), which
//     reads at most the policy's body limit of the body and gives the
//     origin the whole body back.
//
// In detect mode nothing is refused: what would have been is logged
// (stage "waf", "would deny") and counted. Mode off builds no stage.
// The viewer's address is Exchange.Viewer (behind trusted proxies, the
// address they vouch for), the same one the geo stage looks up.
type wafStage struct {
	plan   *wafPlan
	detect bool
	// redact: the behavior encrypts body fields (FLE), so the WAF's logs
	// withhold what rules matched in the request (rules.Request.Redact).
	redact bool
	log    *slog.Logger
}

var _ Stage = (*wafStage)(nil)

func newWAFStage(b *behaviorSpec) (Stage, error) {
	pol := b.cfg.WAF
	if pol == nil || pol.Mode == "off" {
		return nil, nil
	}
	plan := b.waf.byPolicy[pol]
	if plan == nil { // buildWAF compiles every policy a behavior uses
		return nil, configError{".waf_policy", errWAFNotBuilt}
	}
	log := b.log
	if log == nil { // offline checks
		log = slog.New(slog.DiscardHandler)
	}
	return &wafStage{plan: plan, detect: pol.Mode == "detect", redact: b.cfg.FLEProfile != "", log: log}, nil
}

var errWAFNotBuilt = errors.New("the WAF policy was not compiled")

func (s *wafStage) Name() string { return "waf" }

// Reasons the viewer sees.
const (
	reasonIPDenied    = "address denied"
	reasonRateLimited = "rate limit exceeded"
)

func (s *wafStage) Check(x *Exchange) *Denial {
	p := s.plan
	ip := x.Viewer.Addr()
	if p.deny.contains(ip) {
		if d := s.refuse(x, &Denial{Status: http.StatusForbidden, Reason: reasonIPDenied,
			Detail: "viewer " + x.viewerAddr() + " is in the deny IP set of " + p.pol.File}); d != nil {
			return d
		}
	}
	for _, r := range p.limits {
		if d := r.check(x); d != nil {
			if d = s.refuse(x, d); d != nil {
				return d
			}
		}
	}
	if p.allow.contains(ip) {
		return nil
	}
	return s.inspect(x)
}

// inspect runs the engine. The verdict stays with the exchange: its
// transaction ends (the logging phase, the audit record) when the
// request is finished, and the response phases use it.
func (s *wafStage) inspect(x *Exchange) *Denial {
	r := x.Req
	req := rules.RequestFromHTTP(r)
	req.ID, req.Path, req.Client, req.Redact = x.ID, x.Path, x.Viewer, s.redact
	v := s.plan.engine.Inspect(req)
	x.waf = v
	x.wafRules = v.RuleIDs
	if !v.Allowed {
		return &Denial{Status: v.Status, Reason: v.Reason, Detail: v.Detail}
	}
	if v.Body != nil && v.Body != req.Body {
		// What the engine read, then the rest: the origin gets every byte.
		r.Body = replayBody{Reader: v.Body, Closer: r.Body}
	}
	if s.detect && len(v.RuleIDs) > 0 {
		s.log.Info("WAF detected", "request_id", x.ID, "rules", joinIDs(v.RuleIDs), "client", x.Viewer.String(),
			"method", r.Method, "path", r.URL.Path)
	}
	return nil
}

// refuse returns d, or in detect mode logs it and returns nil.
func (s *wafStage) refuse(x *Exchange, d *Denial) *Denial {
	if !s.detect {
		return d
	}
	s.log.Info("WAF would deny", "request_id", x.ID, "status", d.Status, "reason", d.Reason, "detail", d.Detail,
		"client", x.Viewer.String(), "method", x.Req.Method, "path", x.Req.URL.Path)
	return nil
}

// replayBody is a request body read partly for inspection: Reader gives
// all of it, Closer closes the viewer's.
type replayBody struct {
	io.Reader
	io.Closer
}

// joinIDs formats rule ids for the logs: "920350,949110".
func joinIDs(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	return b.String()
}
