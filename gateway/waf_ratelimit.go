package gateway

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/edgeward/edgeward/gateway/ratelimit"
	"github.com/edgeward/edgeward/gateway/route"
	"github.com/edgeward/edgeward/policy"
)

// rateRule is one rate-based rule of a WAF policy: at most Limit
// requests matching its path and methods per key in any trailing
// window. The key is what requests are counted by: the viewer's
// address, the canonical path, or a header, cookie or query parameter.
// A request without the key is not counted, as AWS WAF's custom keys
// behave; use the ip key where that would be a way around the limit.
type rateRule struct {
	name    string
	path    route.Pattern
	methods []string // nil: every method
	kind    string   // ip | path | header | cookie | query
	param   string   // the header, cookie or query parameter name
	lim     *ratelimit.Limiter
	status  int
	detail  string // "over 100 requests per 5m0s"
}

func newRateRule(rl *policy.RateLimit, lim *ratelimit.Limiter) (*rateRule, error) {
	pat, err := route.CompilePattern(rl.Path)
	if err != nil {
		return nil, fmt.Errorf("rate limit %s: path: %w", rl.Name, err)
	}
	r := &rateRule{name: rl.Name, path: pat, methods: rl.Methods, lim: lim, status: rl.Action,
		detail: "over " + strconv.Itoa(rl.Limit) + " requests per " + rl.Window.Std().String()}
	r.kind, r.param, _ = strings.Cut(rl.Key, ":")
	if r.kind == "header" {
		r.param = http.CanonicalHeaderKey(r.param)
	}
	return r, nil
}

// check counts x against the rule and returns a denial when it is over.
func (r *rateRule) check(x *Exchange) *Denial {
	if !r.path.Match(x.Path) || r.methods != nil && !slices.Contains(r.methods, x.Req.Method) {
		return nil
	}
	key, ok := r.key(x)
	if !ok || r.lim.Allow(key) {
		return nil
	}
	return &Denial{Status: r.status, Reason: reasonRateLimited,
		Detail: "rate limit " + r.name + ": " + r.detail + " for " + r.kind + " " + r.describe(x)}
}

// maxKeyBytes bounds what the limiter stores per key: longer values are
// replaced by their SHA-256, so a viewer cannot make the table hold
// kilobytes per entry.
const maxKeyBytes = 64

// key is the value r counts x by; false when x does not carry it.
func (r *rateRule) key(x *Exchange) (string, bool) {
	var v string
	switch r.kind {
	case "ip":
		v = x.viewerAddr()
	case "path":
		v = x.Path
	case "header":
		vs := x.Req.Header[r.param]
		if len(vs) == 0 {
			return "", false
		}
		v = strings.Join(vs, ",")
	case "cookie":
		c, err := x.Req.Cookie(r.param)
		if err != nil {
			return "", false
		}
		v = c.Value
	case "query":
		q := x.Req.URL.Query()
		if !q.Has(r.param) {
			return "", false
		}
		v = q.Get(r.param)
	}
	if v == "" && r.kind != "path" {
		return "", false
	}
	if len(v) > maxKeyBytes {
		sum := sha256.Sum256([]byte(v))
		v = string(sum[:])
	}
	return v, true
}

// describe names the counted key for the log: the address or path; a
// header, cookie or query value is not logged (it may be a credential).
func (r *rateRule) describe(x *Exchange) string {
	switch r.kind {
	case "ip":
		return x.viewerAddr()
	case "path":
		return strconv.Quote(x.Path)
	}
	return r.param
}
