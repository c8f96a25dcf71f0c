package gateway

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/edgeward/edgeward/gateway/ratelimit"
	"github.com/edgeward/edgeward/policy"
	"github.com/edgeward/edgeward/rules"
)

// wafSet is a runtime's WAF state: one compiled engine per distinct WAF
// policy content (rules.Spec.Key), shared by every behavior and
// distribution that uses it, and one limiter per distinct rate limit.
//
// Both outlive reloads that do not change them: buildWAF takes the
// previous runtime's engine for an unchanged policy (compiling the CRS
// costs about 0.13 s and 20 MiB) and its limiter for an unchanged rate
// limit (so a reload neither resets counts nor lets a client start over).
// An engine the next runtime does not take is closed with the old
// runtime, after its last request; rules.Engine.Close then waits for
// transactions still open.
type wafSet struct {
	engines  map[string]*wafEngine          // by rules.Spec.Key
	limiters map[string]*ratelimit.Limiter  // by rateLimitKey
	byPolicy map[*policy.WAFPolicy]*wafPlan // what each policy file compiled to
}

// wafEngine is an engine and the log files it writes, which it owns.
type wafEngine struct {
	eng   *rules.Engine
	files []*wafLogFile
}

// close closes the engine, then its files. It is called once no request
// of the runtimes using the engine is left (see runtime.close), so no
// transaction writes to them any more.
func (e *wafEngine) close() {
	e.eng.Close()
	e.closeFiles()
}

// wafPlan is one WAF policy file, compiled: what its stages look up.
type wafPlan struct {
	pol    *policy.WAFPolicy
	engine *rules.Engine // nil when mode is off
	deny   *ipSet
	allow  *ipSet
	limits []*rateRule
}

// wafOptions say how buildWAF builds: the clock, whether log files are
// opened (not for offline checks), and the limiter capacity.
type wafOptions struct {
	now      func() time.Time
	openLogs bool
	maxKeys  int // per rate limit; 0: ratelimit's default
}

// buildWAF compiles every WAF policy cfg uses, taking what it can from
// prev (nil for none). On error, whatever it built is closed and prev is
// untouched. Problems are reported together, each at the policy file.
func buildWAF(cfg *policy.Config, prev *wafSet, opt wafOptions) (*wafSet, error) {
	return buildWAFFor(wafPolicies(cfg), prev, opt)
}

// buildWAFFor compiles the given policies (buildWAF; Explain compiles
// only the policy of the behavior it explains).
func buildWAFFor(pols []*policy.WAFPolicy, prev *wafSet, opt wafOptions) (*wafSet, error) {
	ws := &wafSet{engines: map[string]*wafEngine{}, limiters: map[string]*ratelimit.Limiter{}, byPolicy: map[*policy.WAFPolicy]*wafPlan{}}
	var problems []policy.Problem
	for _, pol := range pols {
		plan, err := ws.plan(pol, prev, opt)
		if err != nil {
			problems = append(problems, wafProblem(pol, err))
			continue
		}
		ws.byPolicy[pol] = plan
	}
	if len(problems) > 0 {
		ws.closeExcept(prev)
		return nil, &policy.Errors{Problems: problems}
	}
	return ws, nil
}

// wafPolicies are the distinct WAF policy files cfg's behaviors use, in
// config order (a file several behaviors name is loaded once).
func wafPolicies(cfg *policy.Config) []*policy.WAFPolicy {
	var out []*policy.WAFPolicy
	seen := map[*policy.WAFPolicy]bool{}
	add := func(b *policy.Behavior) {
		if b.WAF != nil && !seen[b.WAF] {
			seen[b.WAF] = true
			out = append(out, b.WAF)
		}
	}
	for di := range cfg.Distributions {
		dc := &cfg.Distributions[di]
		for bi := range dc.Behaviors {
			add(&dc.Behaviors[bi])
		}
		add(&dc.DefaultBehavior)
	}
	return out
}

func (ws *wafSet) plan(pol *policy.WAFPolicy, prev *wafSet, opt wafOptions) (*wafPlan, error) {
	p := &wafPlan{pol: pol, deny: newIPSet(pol.IPSets.DenyPrefixes), allow: newIPSet(pol.IPSets.AllowPrefixes)}
	if pol.Mode != "off" {
		spec := engineSpec(pol)
		key := spec.Key()
		e := ws.engines[key]
		if e == nil && prev != nil {
			e = prev.engines[key]
		}
		if e == nil {
			var err error
			if e, err = newWAFEngine(spec, pol, opt.openLogs); err != nil {
				return nil, err
			}
		}
		ws.engines[key] = e
		p.engine = e.eng
	}
	for i := range pol.RateLimits {
		rl := &pol.RateLimits[i]
		key := rateLimitKey(pol, rl)
		lim := ws.limiters[key]
		if lim == nil && prev != nil {
			lim = prev.limiters[key]
		}
		if lim == nil {
			var err error
			lim, err = ratelimit.New(ratelimit.Config{Limit: rl.Limit, Window: rl.Window.Std(), MaxKeys: opt.maxKeys, Now: opt.now})
			if err != nil {
				return nil, fmt.Errorf("rate limit %s: %w", rl.Name, err)
			}
		}
		ws.limiters[key] = lim
		r, err := newRateRule(rl, lim)
		if err != nil {
			return nil, err
		}
		p.limits = append(p.limits, r)
	}
	return p, nil
}

// engineSpec is the rules.Spec a policy file describes. The log paths
// are part of the spec's key (LogName), so policies writing different
// logs never share an engine; the writers are opened by newWAFEngine.
func engineSpec(pol *policy.WAFPolicy) rules.Spec {
	s := rules.Spec{
		Mode:                     rules.Block,
		ParanoiaLevel:            pol.CRS.ParanoiaLevel,
		InboundAnomalyThreshold:  pol.CRS.InboundAnomalyThreshold,
		OutboundAnomalyThreshold: pol.CRS.OutboundAnomalyThreshold,
		RequestBodyLimit:         int64(pol.RequestBodyLimit),
		ResponseInspection:       pol.ResponseInspection,
		TestMode:                 pol.CRS.TestMode,
		RecheckWindow:            pol.CRS.RecheckWindow.Std(),
		LogName:                  pol.Log + "\x00" + pol.AuditLog,
	}
	switch pol.Mode {
	case "detect":
		s.Mode = rules.Detect
	case "off":
		s.Mode = rules.Off
	}
	if pol.RequestBodyOverLimit == "inspect_prefix" {
		s.BodyLimitAction = rules.InspectPrefix
	}
	for _, x := range pol.CRS.Exclusions {
		s.Exclusions = append(s.Exclusions, rules.Exclusion{Path: x.Path, RemoveRules: x.RemoveRules, RemoveTargets: x.RemoveTargets})
	}
	for _, f := range pol.RuleFiles {
		s.Rules = append(s.Rules, rules.RuleFile{Name: f.Name, Data: f.Data})
	}
	return s
}

// newWAFEngine opens the policy's log files (when asked to) and compiles
// the engine.
func newWAFEngine(spec rules.Spec, pol *policy.WAFPolicy, openLogs bool) (*wafEngine, error) {
	e := &wafEngine{}
	open := func(path string) (*wafLogFile, error) {
		if !openLogs || path == "" {
			return nil, nil
		}
		f, err := openWAFLog(path)
		if err != nil {
			return nil, err
		}
		e.files = append(e.files, f)
		return f, nil
	}
	var err error
	var match, audit *wafLogFile
	if match, err = open(pol.Log); err == nil {
		audit, err = open(pol.AuditLog)
	}
	if err != nil {
		e.closeFiles()
		return nil, err
	}
	if match != nil {
		spec.MatchLog = match
	}
	if audit != nil {
		spec.AuditLog = audit
	}
	if e.eng, err = rules.NewEngine(spec); err != nil {
		e.closeFiles()
		return nil, err
	}
	return e, nil
}

func (e *wafEngine) closeFiles() {
	for _, f := range e.files {
		_ = f.close()
	}
	e.files = nil
}

// closeExcept closes the engines ws holds that keep is not holding (a
// failed build's own engines; a retired runtime's engines the next one
// did not take).
func (ws *wafSet) closeExcept(keep *wafSet) {
	if ws == nil {
		return
	}
	for key, e := range ws.engines {
		if keep != nil && keep.engines[key] == e {
			continue
		}
		e.close()
	}
}

// rateLimitKey identifies a rate limit's counting: its policy file, name
// and everything that decides what is counted and how.
func rateLimitKey(pol *policy.WAFPolicy, rl *policy.RateLimit) string {
	return strings.Join([]string{pol.File, rl.Name, rl.Path, strings.Join(rl.Methods, ","), rl.Key,
		strconv.Itoa(rl.Limit), rl.Window.Std().String()}, "\x00")
}

// wafProblem reports an engine that cannot be built at its policy file:
// at the rule file's line when the error names one ("file:line: msg").
func wafProblem(pol *policy.WAFPolicy, err error) policy.Problem {
	msg := err.Error()
	var pe *policy.Errors
	if errors.As(err, &pe) && len(pe.Problems) > 0 {
		return pe.Problems[0]
	}
	for _, f := range pol.RuleFiles {
		if rest, ok := strings.CutPrefix(msg, f.Name+":"); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				if line, err := strconv.Atoi(n); err == nil {
					return policy.Problem{File: f.Name, Line: line, Msg: tail}
				}
			}
		}
	}
	return policy.Problem{File: pol.File, Msg: "the WAF engine cannot be built: " + msg}
}
