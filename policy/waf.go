package policy

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/corazawaf/coraza/v3/types/variables"
)

// WAFPolicy is a WAF policy file (kind: waf): the OWASP CRS settings,
// extra rules, IP sets and rate limits of the behaviors that use it.
type WAFPolicy struct {
	Kind string `yaml:"kind"`
	// Mode is block (default), detect (log only) or off.
	Mode string `yaml:"mode"`
	CRS  WAFCRS `yaml:"crs"`
	// RequestBodyLimit is how much of a request body is inspected
	// (default 16KiB, at most 64MiB); RequestBodyOverLimit is what
	// happens beyond it: reject (default, 413) or inspect_prefix.
	RequestBodyLimit     ByteSize `yaml:"request_body_limit"`
	RequestBodyOverLimit string   `yaml:"request_body_over_limit"`
	// ResponseInspection runs the response phases (headers and body).
	ResponseInspection bool `yaml:"response_inspection"`
	// Rules are extra SecLang files (stored absolute; read into
	// RuleFiles by validation; compiled by the gateway).
	Rules     []string   `yaml:"rules"`
	RuleFiles []RuleData `yaml:"-"`
	IPSets    WAFIPSets  `yaml:"ip_sets"`
	// RateLimits are rate-based rules, checked in order.
	RateLimits []RateLimit `yaml:"rate_limits"`
	// Log receives one line per matched rule (ModSecurity's error-log
	// format); AuditLog one JSON object per blocked request. Optional
	// file paths, stored absolute.
	Log      string `yaml:"log"`
	AuditLog string `yaml:"audit_log"`

	// File is the policy file's absolute path.
	File string `yaml:"-"`
}

// WAFCRS are the Core Rule Set's settings.
type WAFCRS struct {
	ParanoiaLevel            int `yaml:"paranoia_level"`             // 1-4, default 1
	InboundAnomalyThreshold  int `yaml:"inbound_anomaly_threshold"`  // default 5
	OutboundAnomalyThreshold int `yaml:"outbound_anomaly_threshold"` // default 4
	// Exclusions turn rules or rule targets off for paths.
	Exclusions []WAFExclusion `yaml:"exclusions"`
	// TestMode is the CRS regression-testing profile (detection only).
	TestMode bool `yaml:"test_mode"`
	// RecheckWindow, when set (at most 1m), lets a bodiless request
	// identical byte for byte to one allowed without a single match
	// less than this long ago skip evaluation (rules.Spec.RecheckWindow
	// says when that is provably equivalent). Default 0: off.
	RecheckWindow Duration `yaml:"recheck_window"`
}

// WAFExclusion removes rules, or targets of rules, for a path pattern.
type WAFExclusion struct {
	Path          string           `yaml:"path"`
	RemoveRules   []int            `yaml:"remove_rules"`
	RemoveTargets map[int][]string `yaml:"remove_targets"`
}

// RuleData is a rule file's contents.
type RuleData struct {
	Name string // the absolute path
	Data []byte
}

// WAFIPSets are addresses denied outright, and addresses that bypass
// the CRS (not the rate limits). Entries are CIDRs, addresses, or files
// holding one per line (# comments); validation fills the prefixes.
type WAFIPSets struct {
	Deny          []string       `yaml:"deny"`
	Allow         []string       `yaml:"allow"`
	DenyPrefixes  []netip.Prefix `yaml:"-"`
	AllowPrefixes []netip.Prefix `yaml:"-"`
}

// RateLimit is a rate-based rule: at most Limit matching requests per
// Key in any trailing Window.
type RateLimit struct {
	Name    string   `yaml:"name"`
	Path    string   `yaml:"path"`    // a behavior-style pattern; default * (every path)
	Methods []string `yaml:"methods"` // default: every method
	Limit   int      `yaml:"limit"`
	Window  Duration `yaml:"window"` // 1m to 10m
	// Key is ip (default), header:NAME, cookie:NAME, query:NAME or path.
	Key    string `yaml:"key"`
	Action int    `yaml:"action"` // 429 (default) or 403
}

const (
	defaultBodyLimit = 16 << 10
	maxBodyLimit     = 64 << 20
	maxIPSetEntries  = 1 << 20
	maxRuleFileBytes = 4 << 20
)

// LoadWAFPolicy reads and validates a WAF policy file.
func LoadWAFPolicy(path string) (*WAFPolicy, error) { return readPolicy(path, ParseWAFPolicy) }

// ParseWAFPolicy validates data, the contents of the WAF policy file
// named file. Problems in the IP set files it names are reported with
// those files' names and lines.
func ParseWAFPolicy(file string, data []byte) (*WAFPolicy, error) {
	return parseKind(file, data, "waf", "kind, mode, crs, rules, ip_sets, rate_limits, ...", func(v *validator, w *WAFPolicy, abs string) {
		w.File = abs
		v.wafPolicy(w)
	})
}

func (v *validator) wafPolicy(w *WAFPolicy) {
	switch w.Mode {
	case "":
		w.Mode = "block"
	case "block", "detect", "off":
	default:
		v.errorf("mode", "%q: write block, detect (log only) or off", w.Mode)
	}
	c := &w.CRS
	if !v.has("crs.paranoia_level") {
		c.ParanoiaLevel = 1
	} else if c.ParanoiaLevel < 1 || c.ParanoiaLevel > 4 {
		v.errorf("crs.paranoia_level", "%d: the CRS paranoia levels are 1 to 4", c.ParanoiaLevel)
	}
	for _, t := range []struct {
		key string
		n   *int
		def int
	}{{"inbound_anomaly_threshold", &c.InboundAnomalyThreshold, 5}, {"outbound_anomaly_threshold", &c.OutboundAnomalyThreshold, 4}} {
		switch {
		case !v.has("crs." + t.key):
			*t.n = t.def
		case *t.n < 1 || *t.n > 1000:
			v.errorf("crs."+t.key, "%d: an anomaly score threshold is 1 to 1000 (CRS default %d)", *t.n, t.def)
		}
	}
	if w := c.RecheckWindow.Std(); w < 0 || w > time.Minute {
		v.errorf("crs.recheck_window", "%s: 0 (off) to 1m", w)
	}
	for i := range c.Exclusions {
		v.wafExclusion(fmt.Sprintf("crs.exclusions[%d]", i), &c.Exclusions[i])
	}
	switch {
	case !v.has("request_body_limit"):
		w.RequestBodyLimit = defaultBodyLimit
	case w.RequestBodyLimit < 1 || w.RequestBodyLimit > maxBodyLimit:
		v.errorf("request_body_limit", "%d bytes: 1 byte to 64MiB", w.RequestBodyLimit)
	}
	switch w.RequestBodyOverLimit {
	case "":
		w.RequestBodyOverLimit = "reject"
	case "reject", "inspect_prefix":
	default:
		v.errorf("request_body_over_limit", "%q: write reject (413) or inspect_prefix", w.RequestBodyOverLimit)
	}
	for i := range w.Rules {
		v.wafRuleFile(fmt.Sprintf("rules[%d]", i), i, w)
	}
	w.IPSets.DenyPrefixes = v.ipSet("ip_sets.deny", w.IPSets.Deny)
	w.IPSets.AllowPrefixes = v.ipSet("ip_sets.allow", w.IPSets.Allow)
	names := seenAt{}
	for i := range w.RateLimits {
		v.rateLimit(fmt.Sprintf("rate_limits[%d]", i), &w.RateLimits[i], names)
	}
	for _, f := range []struct {
		key string
		p   *string
	}{{"log", &w.Log}, {"audit_log", &w.AuditLog}} {
		if *f.p == "" {
			continue
		}
		*f.p = v.abs(*f.p)
		if fi, err := os.Stat(filepath.Dir(*f.p)); err != nil || !fi.IsDir() {
			v.errorf(f.key, "the directory of %s does not exist", *f.p)
		}
	}
}

func (v *validator) wafExclusion(path string, x *WAFExclusion) {
	switch {
	case x.Path == "":
		v.errorf(path+".path", "required: the path pattern the exclusion applies to, such as /api/upload/*")
	default:
		v.pattern(path+".path", x.Path)
	}
	if len(x.RemoveRules) == 0 && len(x.RemoveTargets) == 0 && !v.reported[path+".remove_rules"] && !v.reported[path+".remove_targets"] {
		v.errorf(path, "an exclusion needs remove_rules or remove_targets")
	}
	for i, id := range x.RemoveRules {
		if id < 1 || id > 9_999_999 {
			v.errorf(fmt.Sprintf("%s.remove_rules[%d]", path, i), "%d is not a rule id", id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(x.RemoveTargets)) {
		tp := fmt.Sprintf("%s.remove_targets.%d", path, id)
		if id < 1 || id > 9_999_999 {
			v.errorf(tp, "%d is not a rule id", id)
		}
		for i, t := range x.RemoveTargets[id] {
			if msg := checkTarget(t); msg != "" {
				v.errorf(fmt.Sprintf("%s[%d]", tp, i), "%q: %s", t, msg)
			}
		}
	}
}

// checkTarget accepts SecLang targets: an upper-case variable Coraza
// knows and an optional key of name characters. It returns what is
// wrong, or "".
func checkTarget(t string) string {
	const form = "write a target as VARIABLE or VARIABLE:name, such as ARGS:q or REQUEST_COOKIES:session"
	name, key, hasKey := strings.Cut(t, ":")
	if name == "" || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" || hasKey && key == "" {
		return form
	}
	if _, err := variables.Parse(name); err != nil {
		return name + " is not a SecLang variable (ARGS, ARGS_GET, REQUEST_COOKIES, REQUEST_HEADERS, ...)"
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.-[]", r)) {
			return form
		}
	}
	return ""
}

func (v *validator) wafRuleFile(path string, i int, w *WAFPolicy) {
	name := w.Rules[i]
	abs := v.abs(name)
	w.Rules[i] = abs
	data, err := readSmallFile(abs, maxRuleFileBytes)
	if err != nil {
		v.errorf(path, "%s: %v", name, err)
		return
	}
	w.RuleFiles = append(w.RuleFiles, RuleData{Name: abs, Data: data})
}

// ipSet parses a list of CIDRs, addresses and files of them.
func (v *validator) ipSet(path string, entries []string) []netip.Prefix {
	var out []netip.Prefix
	for i, e := range entries {
		ep := fmt.Sprintf("%s[%d]", path, i)
		if p, ok := parsePrefix(e); ok {
			out = append(out, p)
			continue
		}
		switch {
		case e != "" && strings.Trim(e, "0123456789abcdefABCDEF.:/") == "":
			v.errorf(ep, "%q is not a valid CIDR or address", e)
		case strings.ContainsAny(e, "/\\."):
			out = append(out, v.ipSetFile(ep, e)...)
		default:
			v.errorf(ep, "%q is not a CIDR, an address or a file of them", e)
		}
	}
	if len(out) > maxIPSetEntries {
		v.errorf(path, "%d entries; at most %d", len(out), maxIPSetEntries)
		return nil
	}
	return out
}

// parsePrefix reads "10.0.0.0/8", "2001:db8::/32" or a bare address.
func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// ipSetFile reads a file of one CIDR or address per line; problems are
// reported with the file's own name and lines.
func (v *validator) ipSetFile(path, name string) []netip.Prefix {
	abs := v.abs(name)
	data, err := readSmallFile(abs, 64<<20)
	if err != nil {
		v.errorf(path, "%s: %v", name, err)
		return nil
	}
	var out []netip.Prefix
	bad := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 4096)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, ok := parsePrefix(line)
		if !ok {
			if bad++; bad <= 20 {
				v.ps.list = append(v.ps.list, Problem{File: abs, Line: n, Msg: fmt.Sprintf("%q is not a CIDR or an address", line)})
			}
			continue
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		v.errorf(path, "%s: %v", name, err)
	}
	if bad > 20 {
		v.errorf(path, "%s: %d bad lines (the first 20 are listed)", name, bad)
	}
	return out
}

func (v *validator) rateLimit(path string, r *RateLimit, names seenAt) {
	v.identifier(path, "name", r.Name, "a rate limit needs a name (it appears in logs and metrics)", names)
	if r.Path == "" {
		r.Path = "*"
	} else {
		v.pattern(path+".path", r.Path)
	}
	if r.Methods != nil || v.has(path+".methods") {
		for i, m := range r.Methods {
			up := strings.ToUpper(m)
			if !slices.Contains(allMethods, up) {
				v.errorf(fmt.Sprintf("%s.methods[%d]", path, i), "%q is not a method; use GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE", m)
			}
			r.Methods[i] = up
		}
	}
	if r.Limit < 1 && !v.reported[path+".limit"] {
		v.errorf(path+".limit", "required: the requests allowed per window, at least 1")
	}
	switch w := r.Window.Std(); {
	case !v.has(path + ".window"):
		v.errorf(path+".window", "required: the window, 1m to 10m")
	case w < time.Minute || w > 10*time.Minute:
		v.errorf(path+".window", "%s: a window is 1m to 10m", w)
	}
	switch k := r.Key; {
	case k == "":
		r.Key = "ip"
	case k == "ip" || k == "path":
	case strings.HasPrefix(k, "header:") || strings.HasPrefix(k, "cookie:") || strings.HasPrefix(k, "query:"):
		if _, name, _ := strings.Cut(k, ":"); name == "" || strings.ContainsAny(name, " \t;,=") {
			v.errorf(path+".key", "%q: name the header, cookie or query parameter after the colon", k)
		}
	default:
		v.errorf(path+".key", "%q: a rate limit counts by ip, path, header:NAME, cookie:NAME or query:NAME", k)
	}
	switch r.Action {
	case 0:
		r.Action = 429
	case 429, 403:
	default:
		v.errorf(path+".action", "%d: a rate limit answers 429 or 403", r.Action)
	}
}
