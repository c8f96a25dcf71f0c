package gateway

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeward/edgeward/gateway/accesslog"
	"github.com/edgeward/edgeward/gateway/origin"
	"github.com/edgeward/edgeward/gateway/route"
	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/policy"
)

// runtime is a configuration compiled for serving: routes, origins, stages,
// the access log. It is immutable once built. A reload builds a new one and
// swaps it in; the old one is closed when its last in-flight request ends.
type runtime struct {
	cfg        *policy.Config
	routes     *route.Table[*distribution, *behavior]
	log        *accesslog.Logger
	logOn      bool // the access log writes somewhere
	adminToken []byte
	via        string // "1.1 <node> (edgeward)"
	limits     limits

	origins []origin.Origin
	cache   *edgeCache // nil when nothing may be cached

	tls     *tlsRuntime     // nil without a tls block
	acme    acmeRuntime     // nil without tls.acme
	trusted *trustedProxies // whose forwarding headers count
	// geo is the GeoIP database (nil when no behavior looks up countries);
	// kept across reloads while the config names the same file.
	geo *geodata.Store
	// fle holds the compiled field-level encryption profiles.
	fle map[string]*fleProfile
	// waf holds the compiled WAF engines and rate limiters (empty
	// without WAF policies); kept across reloads where unchanged.
	waf *wafSet

	refs      atomic.Int64
	retired   atomic.Bool
	closeOnce sync.Once
	closeLog  atomic.Bool // set when the next runtime does not reuse log
	// wafKeep is the next runtime's WAF set, stored when this one is
	// retired: close closes the engines it does not hold (all of them
	// when nil, at shutdown).
	wafKeep atomic.Pointer[wafSet]
}

// limits are the request-size and timeout limits, in ready-to-use units.
type limits struct {
	maxHeader    int
	maxURL       int
	readTimeout  time.Duration
	writeTimeout time.Duration
}

// distribution is a compiled policy.Distribution.
type distribution struct {
	name        string
	defaultRoot string // "/index.html" or ""
	errorPages  map[int]policy.CustomErrorResponse
	metrics     *distMetrics
	hsts        []string // Strict-Transport-Security for HTTPS responses; nil for none
}

// behavior is a compiled policy.Behavior.
type behavior struct {
	dist          *distribution
	pattern       string // "*" for the default behavior
	origin        origin.Origin
	originLatency prometheus.Observer
	stages        []Stage
	cache         *behaviorCache // nil: caching disabled
}

// behaviorSpec is what a stage builder sees of the configuration.
type behaviorSpec struct {
	global *policy.Config
	dist   *policy.Distribution
	cfg    *policy.Behavior
	// keyGroups are the config's key groups, built once per runtime.
	keyGroups map[string]*keys.Group
	// geo is the country database, nil when no behavior needs one.
	geo geoSource
	// waf is the runtime's compiled WAF policies.
	waf *wafSet
	// fle is the config's field-level encryption profiles, by name.
	fle map[string]*fleProfile
	log *slog.Logger
	now func() time.Time
	// path is the behavior's key path in the config file, such as
	// "distributions[0].behaviors[2]", for errors.
	path string
}

// buildEnv is what a runtime is built with besides its config: the
// process-wide metrics and the origin constructor.
type buildEnv struct {
	metrics   *metrics
	cache     *edgeCache
	newOrigin func(policy.Origin) (origin.Origin, error)
	now       func() time.Time
	log       *slog.Logger
}

// newOrigin builds the origin a policy.Origin describes.
func newOrigin(oc policy.Origin) (origin.Origin, error) {
	if oc.Dir != "" {
		return origin.NewDir(oc)
	}
	if oc.S3 != nil {
		return origin.NewS3(oc)
	}
	return origin.NewHTTP(oc)
}

// buildRuntime compiles cfg. prev, when not nil, is the running runtime:
// resources whose configuration did not change (the access log file) are
// carried over instead of reopened. On error nothing of prev is touched
// and everything built so far is released.
func buildRuntime(cfg *policy.Config, prev *runtime, env *buildEnv) (_ *runtime, err error) {
	rt := &runtime{
		cfg:   cfg,
		cache: env.cache,
		via:   "1.1 " + cfg.NodeName + " (edgeward)",
		limits: limits{
			maxHeader:    int(cfg.Limits.MaxHeaderBytes),
			maxURL:       int(cfg.Limits.MaxURLBytes),
			readTimeout:  time.Duration(cfg.Limits.ReadTimeout),
			writeTimeout: time.Duration(cfg.Limits.WriteTimeout),
		},
	}
	var prevWAF *wafSet // engines and limiters a failed build must not close
	if prev != nil {
		prevWAF = prev.waf
	}
	defer func() { // rt, not the result: every error return sets that to nil
		if err != nil {
			rt.closeOrigins()
			rt.waf.closeExcept(prevWAF)
			if rt.log != nil && (prev == nil || rt.log != prev.log) {
				_ = rt.log.Close()
			}
		}
	}()

	if cfg.Admin.TokenFile != "" {
		tok, err := os.ReadFile(cfg.Admin.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("admin token: %w", err)
		}
		rt.adminToken = []byte(strings.TrimSpace(string(tok)))
		if len(rt.adminToken) == 0 {
			return nil, fmt.Errorf("admin token file %s is empty", cfg.Admin.TokenFile)
		}
	}

	if prev != nil && prev.log.Path() == cfg.AccessLog.Path && prev.log.Format() == cfg.AccessLog.Format {
		rt.log = prev.log
	} else {
		rt.log, err = accesslog.Open(cfg.AccessLog.Path, cfg.AccessLog.Format)
		if err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
	}

	rt.logOn = rt.log.Path() != accesslog.PathOff
	rt.trusted = newTrustedProxies(cfg.TrustedPrefixes)
	if cfg.TLS != nil {
		if rt.acme, err = buildACME(cfg, prev); err != nil {
			return nil, err
		}
		var acme tlsACME
		if rt.acme != nil {
			acme = rt.acme
		}
		if rt.tls, err = newTLSRuntime(cfg.TLS, acme); err != nil {
			return nil, err
		}
	}
	if needsGeo(cfg) {
		if rt.geo, err = buildGeo(cfg, prev, env); err != nil {
			return nil, err
		}
	}
	if rt.waf, err = buildWAF(cfg, prevWAF, wafOptions{now: env.now, openLogs: true}); err != nil {
		return nil, err
	}
	groups, err := buildKeyGroups(cfg)
	if err != nil {
		return nil, err
	}
	if rt.fle, err = buildFLEProfiles(cfg); err != nil {
		return nil, err
	}
	specs := make([]route.DistributionSpec[*distribution, *behavior], 0, len(cfg.Distributions))
	for i := range cfg.Distributions {
		spec, err := rt.buildDistribution(cfg, i, env, groups)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	rt.routes, err = route.NewTable(specs)
	if err != nil {
		return nil, err
	}
	return rt, nil
}

func (rt *runtime) buildDistribution(cfg *policy.Config, di int, env *buildEnv, groups map[string]*keys.Group) (route.DistributionSpec[*distribution, *behavior], error) {
	var spec route.DistributionSpec[*distribution, *behavior]
	dc := &cfg.Distributions[di]
	d := &distribution{
		name:       dc.Name,
		errorPages: make(map[int]policy.CustomErrorResponse, len(dc.CustomErrorResponses)),
		metrics:    env.metrics.forDistribution(dc.Name),
	}
	if dc.DefaultRootObject != "" {
		d.defaultRoot = "/" + dc.DefaultRootObject
	}
	if v := hstsValue(dc.ResponseHeaders.HSTS); v != "" {
		d.hsts = []string{v}
	}
	for _, ce := range dc.CustomErrorResponses {
		d.errorPages[ce.Status] = ce
	}

	origins := make(map[string]origin.Origin, len(dc.Origins))
	for _, oc := range dc.Origins {
		o, err := env.newOrigin(oc)
		if err != nil {
			return spec, fmt.Errorf("distribution %s: origin %s: %w", dc.Name, oc.ID, err)
		}
		rt.origins = append(rt.origins, o)
		origins[oc.ID] = o
	}
	for _, gc := range dc.OriginGroups {
		members := make([]origin.Origin, 0, len(gc.Members))
		for _, id := range gc.Members {
			members = append(members, origins[id])
		}
		g, err := origin.NewGroup(gc.ID, members, gc.FailoverOn)
		if err != nil {
			return spec, fmt.Errorf("distribution %s: %w", dc.Name, err)
		}
		origins[gc.ID] = g // its members are closed as origins
	}

	newBehavior := func(bc *policy.Behavior, pattern string, bi int) (*behavior, error) {
		o, ok := origins[bc.Origin]
		if !ok { // policy validation prevents this; never serve from a guess
			return nil, fmt.Errorf("distribution %s: behavior %s: unknown origin %q", dc.Name, pattern, bc.Origin)
		}
		spec := &behaviorSpec{global: cfg, dist: dc, cfg: bc, keyGroups: groups, now: env.now, path: behaviorPath(di, bi),
			waf: rt.waf, fle: rt.fle, log: env.logger()}
		if rt.geo != nil {
			spec.geo = rt.geo
		}
		stages, err := buildStages(spec)
		if err != nil {
			return nil, err
		}
		return &behavior{dist: d, pattern: pattern, origin: o, stages: stages, cache: newBehaviorCache(bc.Cache),
			originLatency: env.metrics.originLatency.WithLabelValues(dc.Name, o.ID())}, nil
	}

	spec.Hosts = dc.Hosts
	spec.Value = d
	for i := range dc.Behaviors {
		bc := &dc.Behaviors[i]
		b, err := newBehavior(bc, bc.Path, i)
		if err != nil {
			return spec, err
		}
		spec.Behaviors = append(spec.Behaviors, route.BehaviorSpec[*behavior]{Pattern: bc.Path, Value: b})
	}
	def, err := newBehavior(&dc.DefaultBehavior, "*", -1)
	if err != nil {
		return spec, err
	}
	spec.Default = def
	return spec, nil
}

func (rt *runtime) closeOrigins() {
	for _, o := range rt.origins {
		o.Close()
	}
}

// close releases what the runtime owns. Called once, after the runtime was
// retired and its last request finished.
func (rt *runtime) close() {
	rt.closeOnce.Do(func() {
		rt.closeOrigins()
		rt.waf.closeExcept(rt.wafKeep.Load())
		if rt.closeLog.Load() {
			_ = rt.log.Close()
		}
	})
}

func (rt *runtime) release() {
	if rt.refs.Add(-1) == 0 && rt.retired.Load() {
		rt.close()
	}
}

// runtimeHolder holds the current runtime. Requests acquire it for their
// whole life, so a reload never changes the configuration under a request.
type runtimeHolder struct {
	cur atomic.Pointer[runtime]
}

func (h *runtimeHolder) acquire() *runtime {
	for {
		rt := h.cur.Load()
		rt.refs.Add(1)
		if h.cur.Load() == rt {
			return rt
		}
		rt.release() // swapped meanwhile: use the new one
	}
}

// swap installs next and retires the previous runtime, which closes once
// its in-flight requests are done.
func (h *runtimeHolder) swap(next *runtime) {
	old := h.cur.Swap(next)
	if old == nil {
		return
	}
	old.closeLog.Store(old.log != next.log)
	old.wafKeep.Store(next.waf)
	old.retired.Store(true)
	if old.refs.Load() == 0 {
		old.close()
	}
}
