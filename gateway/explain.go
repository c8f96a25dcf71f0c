package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/edgeward/edgeward/gateway/route"
	"github.com/edgeward/edgeward/policy"
)

// RequestCheck is a request to explain offline: what would the gateway,
// running a config, do with it?
type RequestCheck struct {
	Method   string // default GET
	URL      string // absolute URL, as a viewer would request it
	Cookie   string // optional Cookie header value
	Header   http.Header
	ClientIP netip.Addr // the viewer's address (default 127.0.0.1)
	Now      time.Time  // default: the current time
}

// StageVerdict is what one stage decided, with what the viewer would see
// and what the log would say.
type StageVerdict struct {
	Stage    string
	Admitted bool
	Status   int    // when refused
	Reason   string // the reason code (expired, country-blocked, ...)
	Detail   string // the log's detail
	Body     string // the body the viewer would get
}

// Verdict is how the gateway would route a request and what each of the
// behavior's stages would decide, in pipeline order.
type Verdict struct {
	Distribution string
	Behavior     string // the behavior's path pattern, "*" for the default
	Path         string // the canonical path routed on
	// Country is the viewer's country in the GeoIP database ("" unknown),
	// and GeoSource the database, when the behavior looks countries up.
	Country, GeoSource string
	// Stages are every stage the behavior runs. Each is run even after
	// one refused, so the answer covers them all; the first refusal is
	// the one a viewer would get.
	Stages   []StageVerdict
	Admitted bool
}

// Explain runs the production stages, built from cfg, on one request
// without starting anything or contacting origins: the offline answer to
// "which behavior serves this, and would each stage let it through?".
func Explain(cfg *policy.Config, c RequestCheck) (*Verdict, error) {
	er, err := newExplainRequest(cfg, c)
	if err != nil {
		return nil, err
	}
	geo, err := openGeo(cfg)
	if err != nil {
		return nil, err
	}
	spec, err := er.spec(cfg)
	if err != nil {
		return nil, err
	}
	if geo != nil {
		spec.geo = geo
	}
	var pols []*policy.WAFPolicy // only the explained behavior's: each costs a CRS compilation
	if spec.cfg.WAF != nil {
		pols = append(pols, spec.cfg.WAF)
	}
	waf, err := buildWAFFor(pols, nil, wafOptions{now: spec.now})
	if err != nil {
		return nil, err
	}
	defer waf.closeExcept(nil)
	spec.waf = waf
	stages, err := buildStages(spec)
	if err != nil {
		return nil, err
	}
	v := er.verdict()
	if geo != nil && (spec.cfg.Geo != nil || wantsViewerHeaders(spec.cfg)) {
		db := geo.DB()
		v.GeoSource = db.Source()
		if loc, err := db.Lookup(er.x.Viewer.Addr()); err == nil {
			v.Country = loc.Country
		}
	}
	v.Admitted = true
	for _, st := range stages {
		sv := StageVerdict{Stage: st.Name(), Admitted: true}
		if d := st.Check(er.x); d != nil {
			sv = StageVerdict{Stage: st.Name(), Status: d.Status, Reason: d.Reason, Detail: d.Detail, Body: string(d.Body)}
			v.Admitted = false
		}
		v.Stages = append(v.Stages, sv)
	}
	if er.x.waf != nil {
		er.x.waf.Close()
	}
	return v, nil
}

// SignedCheck is a signed URL to explain offline.
type SignedCheck = RequestCheck

// SignedVerdict is what the signed stage decided.
type SignedVerdict struct {
	Distribution string
	Behavior     string
	// Private is false when the behavior needs no signature.
	Private  bool
	Admitted bool
	Status   int
	Reason   string
	Detail   string
	Body     string
}

// ExplainSigned runs only the signed stage, built from cfg, on one
// request: the offline answer to "why is this signed URL refused?".
func ExplainSigned(cfg *policy.Config, c SignedCheck) (*SignedVerdict, error) {
	er, err := newExplainRequest(cfg, c)
	if err != nil {
		return nil, err
	}
	base := er.verdict()
	v := &SignedVerdict{Distribution: base.Distribution, Behavior: base.Behavior}
	spec, err := er.spec(cfg)
	if err != nil {
		return nil, err
	}
	st, err := newSignedStage(spec)
	if err != nil {
		return nil, err
	}
	if st == nil {
		v.Admitted = true
		return v, nil
	}
	v.Private = true
	if den := st.Check(er.x); den != nil {
		v.Status, v.Reason, v.Detail, v.Body = den.Status, den.Reason, den.Detail, string(den.Body)
		return v, nil
	}
	v.Admitted = true
	return v, nil
}

// explainRequest is a request routed through cfg's distributions the way
// the handler routes it, as an Exchange the stages can check.
type explainRequest struct {
	x    *Exchange
	dist *policy.Distribution
	beh  *policy.Behavior
	di   int
	bi   int
	now  time.Time
}

func newExplainRequest(cfg *policy.Config, c RequestCheck) (*explainRequest, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("URL: want an absolute http:// or https:// URL")
	}
	type ref struct {
		di   int
		root string
	}
	type bref struct{ bi int }
	specs := make([]route.DistributionSpec[*ref, *bref], 0, len(cfg.Distributions))
	for i := range cfg.Distributions {
		dc := &cfg.Distributions[i]
		spec := route.DistributionSpec[*ref, *bref]{Hosts: dc.Hosts, Value: &ref{di: i}, Default: &bref{bi: -1}}
		if dc.DefaultRootObject != "" {
			spec.Value.root = "/" + dc.DefaultRootObject
		}
		for j := range dc.Behaviors {
			spec.Behaviors = append(spec.Behaviors, route.BehaviorSpec[*bref]{Pattern: dc.Behaviors[j].Path, Value: &bref{bi: j}})
		}
		specs = append(specs, spec)
	}
	table, err := route.NewTable(specs)
	if err != nil {
		return nil, err
	}
	d, behaviors, ok := table.Distribution(u.Host)
	if !ok {
		return nil, fmt.Errorf("no distribution serves host %q", u.Host)
	}
	raw := u.EscapedPath()
	if u.RawPath != "" {
		raw = u.RawPath
	}
	if raw == "" {
		raw = "/"
	}
	path, err := route.CanonicalPath(raw)
	if err != nil {
		return nil, fmt.Errorf("URL path: %w", err)
	}
	viewerPath := path
	if path == "/" && d.root != "" {
		path = d.root
	}
	er := &explainRequest{di: d.di, bi: behaviors.Match(path).bi, now: c.Now}
	er.dist = &cfg.Distributions[er.di]
	er.beh = &er.dist.DefaultBehavior
	if er.bi >= 0 {
		er.beh = &er.dist.Behaviors[er.bi]
	}
	if er.now.IsZero() {
		er.now = time.Now()
	}
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequest(method, c.URL, nil)
	if err != nil {
		return nil, err
	}
	r.RequestURI = raw
	if u.RawQuery != "" {
		r.RequestURI += "?" + u.RawQuery
	}
	for k, vs := range c.Header {
		r.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if c.Cookie != "" {
		r.Header.Add("Cookie", c.Cookie)
	}
	stripViewerHeaders(r.Header)
	ip := c.ClientIP
	if !ip.IsValid() {
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	x := newExchange(r, "explain", er.now)
	x.Scheme = u.Scheme
	x.Viewer = netip.AddrPortFrom(ip.Unmap(), 0)
	x.peer = x.Viewer
	x.ViewerPath, x.Path = viewerPath, path
	er.x = x
	return er, nil
}

// spec is the behaviorSpec the stage builders see for the routed behavior.
func (er *explainRequest) spec(cfg *policy.Config) (*behaviorSpec, error) {
	groups, err := buildKeyGroups(cfg)
	if err != nil {
		return nil, err
	}
	fles, err := buildFLEProfiles(cfg)
	if err != nil {
		return nil, err
	}
	return &behaviorSpec{global: cfg, dist: er.dist, cfg: er.beh, keyGroups: groups, fle: fles,
		now: func() time.Time { return er.now }, path: behaviorPath(er.di, er.bi)}, nil
}

func (er *explainRequest) verdict() *Verdict {
	v := &Verdict{Distribution: er.dist.Name, Behavior: er.beh.Path, Path: er.x.Path}
	if v.Behavior == "" {
		v.Behavior = "*"
	}
	return v
}
