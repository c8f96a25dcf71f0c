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

// SignedCheck is a request to explain offline: would the gateway, running
// cfg, admit this URL?
type SignedCheck struct {
	URL      string // absolute URL, as a viewer would request it
	Cookie   string // optional Cookie header value
	Header   http.Header
	ClientIP netip.Addr // the viewer's address (default 127.0.0.1)
	Now      time.Time  // default: the current time
}

// SignedVerdict is what the signed stage decided, with what the viewer
// would see and what the log would say.
type SignedVerdict struct {
	Distribution string
	Behavior     string // the behavior's path pattern, "*" for the default
	// Private is false when the behavior needs no signature.
	Private  bool
	Admitted bool
	Status   int    // when refused
	Reason   string // the reason code (expired, bad-signature, ...)
	Detail   string // the log's detail
	Body     string // the body the viewer would get
}

// ExplainSigned runs the production signed stage, built from cfg, on one
// request without starting anything: the offline answer to "why is this
// signed URL refused?".
func ExplainSigned(cfg *policy.Config, c SignedCheck) (*SignedVerdict, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("URL: want an absolute http:// or https:// URL")
	}
	type distRef struct {
		cfg  *policy.Distribution
		root string
	}
	specs := make([]route.DistributionSpec[*distRef, *policy.Behavior], 0, len(cfg.Distributions))
	for i := range cfg.Distributions {
		dc := &cfg.Distributions[i]
		spec := route.DistributionSpec[*distRef, *policy.Behavior]{Hosts: dc.Hosts, Value: &distRef{cfg: dc}, Default: &dc.DefaultBehavior}
		if dc.DefaultRootObject != "" {
			spec.Value.root = "/" + dc.DefaultRootObject
		}
		for j := range dc.Behaviors {
			spec.Behaviors = append(spec.Behaviors, route.BehaviorSpec[*policy.Behavior]{Pattern: dc.Behaviors[j].Path, Value: &dc.Behaviors[j]})
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
	if path == "/" && d.root != "" {
		path = d.root
	}
	bc := behaviors.Match(path)
	v := &SignedVerdict{Distribution: d.cfg.Name, Behavior: bc.Path}
	if v.Behavior == "" {
		v.Behavior = "*"
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	groups, err := buildKeyGroups(cfg)
	if err != nil {
		return nil, err
	}
	st, err := newSignedStage(&behaviorSpec{global: cfg, dist: d.cfg, cfg: bc, keyGroups: groups, now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	if st == nil {
		v.Admitted = true
		return v, nil
	}
	v.Private = true
	r, err := http.NewRequest(http.MethodGet, c.URL, nil)
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
	ip := c.ClientIP
	if !ip.IsValid() {
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	x := newExchange(r, "verify", now)
	x.Scheme = u.Scheme
	x.Viewer = netip.AddrPortFrom(ip.Unmap(), 0)
	x.ViewerPath, x.Path = path, path
	if den := st.Check(x); den != nil {
		v.Status, v.Reason, v.Detail, v.Body = den.Status, den.Reason, den.Detail, string(den.Body)
		return v, nil
	}
	v.Admitted = true
	return v, nil
}
