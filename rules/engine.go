package rules

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/types"
)

// Engine is a compiled WAF. It is safe for concurrent use.
type Engine struct {
	waf  coraza.WAF
	spec Spec
	key  string
}

// Options are what an engine needs besides its Spec.
type Options struct {
	// MatchLog receives one line per matched rule (ModSecurity's
	// error-log format), written while the rule matches. nil: none.
	MatchLog io.Writer
}

// NewEngine validates spec and compiles it with the embedded CRS.
func NewEngine(spec Spec, opts Options) (*Engine, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	cfg := coraza.NewWAFConfig().WithRootFS(coreruleset.FS)
	if opts.MatchLog != nil {
		w := opts.MatchLog
		cfg = cfg.WithErrorCallback(func(mr types.MatchedRule) {
			_, _ = io.WriteString(w, mr.ErrorLog()+"\n")
		})
	}
	base, err := spec.directives()
	if err != nil {
		return nil, err
	}
	waf, err := coraza.NewWAF(cfg.WithDirectives(base + spec.userRules()))
	if err != nil {
		// Say which operator file and line broke it: the base alone
		// compiles (it is ours), so the fault is in a rule file.
		if ferr := locateRuleError(cfg, base, spec.Rules); ferr != nil {
			return nil, ferr
		}
		return nil, fmt.Errorf("WAF rules: %s", cleanCorazaError(err))
	}
	return &Engine{waf: waf, spec: spec, key: spec.Key()}, nil
}

// Key is the spec's content key (Spec.Key).
func (e *Engine) Key() string { return e.key }

// Spec is what the engine was built from.
func (e *Engine) Spec() Spec { return e.spec }

func (s *Spec) validate() error {
	var errs []string
	if s.ParanoiaLevel < 1 || s.ParanoiaLevel > 4 {
		errs = append(errs, fmt.Sprintf("paranoia level %d: 1 to 4", s.ParanoiaLevel))
	}
	if s.InboundAnomalyThreshold < 1 || s.OutboundAnomalyThreshold < 1 {
		errs = append(errs, "anomaly thresholds must be at least 1")
	}
	if s.RequestBodyLimit < 1 {
		errs = append(errs, "the request body limit must be at least 1 byte")
	}
	for _, x := range s.Exclusions {
		if x.Path == "" || (x.Path[0] != '/' && x.Path[0] != '*') {
			errs = append(errs, fmt.Sprintf("exclusion path %q must start with / or *", x.Path))
		}
		for id, targets := range x.RemoveTargets {
			for _, t := range targets {
				if !validTarget(t) {
					errs = append(errs, fmt.Sprintf("exclusion %s: rule %d: target %q is not VARIABLE or VARIABLE:name", x.Path, id, t))
				}
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

var targetRx = regexp.MustCompile(`^[A-Z_]+(:[A-Za-z0-9_.\-\[\]]+)?$`)

func validTarget(t string) bool { return targetRx.MatchString(t) }

// The first id of the rules this package writes (exclusions).
const exclusionBaseID = 9_990_000

// directives is the configuration before the operator's rules, in the
// order doc.go explains.
func (s *Spec) directives() (string, error) {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("Include @coraza.conf-recommended")
	switch {
	case s.Mode == Off:
		line("SecRuleEngine Off")
	case s.Mode == Detect || s.TestMode:
		line("SecRuleEngine DetectionOnly")
	default:
		line("SecRuleEngine On")
	}
	line("SecRequestBodyAccess On")
	// The gateway reads at most the limit itself (inspect.go) and hands
	// Coraza no more, so Coraza's own limit never acts first.
	line("SecRequestBodyLimit %d", s.RequestBodyLimit+1)
	line("SecRequestBodyInMemoryLimit %d", s.RequestBodyLimit+1)
	line("SecRequestBodyLimitAction ProcessPartial")
	if s.ResponseInspection {
		line("SecResponseBodyAccess On")
	} else {
		line("SecResponseBodyAccess Off")
	}
	for _, phase := range []int{3, 4, 5} {
		line(`SecDefaultAction "phase:%d,log,auditlog,pass"`, phase)
	}
	line("Include @crs-setup.conf.example")
	line(`SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d"`, s.ParanoiaLevel)
	line(`SecAction "id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d,setvar:tx.outbound_anomaly_score_threshold=%d"`,
		s.InboundAnomalyThreshold, s.OutboundAnomalyThreshold)
	if s.TestMode {
		// The CRS regression-test profile (as the CRS project's own test
		// setup and go-ftw expect): detection only, every rule at
		// paranoia 4, the test suite's argument limits, and a marker
		// rule that logs the X-CRS-Test header so a runner can find one
		// test's lines in the log.
		line(`SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"`)
		line(`SecRule REQUEST_HEADERS:X-CRS-Test "@rx ^.*$" "id:999999,phase:1,pass,t:none,log,msg:'X-CRS-Test %%{MATCHED_VAR}'"`)
	}
	id := exclusionBaseID
	for _, x := range s.Exclusions {
		rx := globRegexp(x.Path)
		for _, r := range x.RemoveRules {
			line(`SecRule REQUEST_FILENAME "@rx %s" "id:%d,phase:1,pass,t:none,nolog,ctl:ruleRemoveById=%d"`, rx, id, r)
			id++
		}
		for _, r := range sortedIDs(x.RemoveTargets) {
			for _, t := range x.RemoveTargets[r] {
				line(`SecRule REQUEST_FILENAME "@rx %s" "id:%d,phase:1,pass,t:none,nolog,ctl:ruleRemoveTargetById=%d;%s"`, rx, id, r, t)
				id++
			}
		}
	}
	line("Include @owasp_crs/*.conf")
	return b.String(), nil
}

// userRules are the operator's rule files, in order.
func (s *Spec) userRules() string {
	var b strings.Builder
	for _, f := range s.Rules {
		b.Write(f.Data)
		b.WriteByte('\n')
	}
	return b.String()
}

// globRegexp is a path pattern (* any run, ? one character) as an
// anchored regular expression for SecLang's @rx. Quotes are escaped for
// the SecRule argument.
func globRegexp(p string) string {
	var b strings.Builder
	b.WriteByte('^')
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteByte('.')
		case '"':
			b.WriteString(`\x22`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteByte('$')
	return b.String()
}

func sortedIDs(m map[int][]string) []int {
	return slices.Sorted(maps.Keys(m))
}

// locateRuleError finds the first rule-file line whose directive breaks
// the configuration: the base plus a growing prefix of the files is
// compiled (binary search over directives), so an error names
// file:line. It returns nil when no file is at fault.
func locateRuleError(cfg coraza.WAFConfig, base string, files []RuleFile) error {
	type directive struct {
		file string
		line int
		text string
	}
	var ds []directive
	for _, f := range files {
		start, text := 0, ""
		for i, l := range strings.Split(string(f.Data), "\n") {
			t := strings.TrimSpace(l)
			if text == "" {
				if t == "" || strings.HasPrefix(t, "#") {
					continue
				}
				start = i + 1
			}
			if strings.HasSuffix(t, `\`) {
				text += strings.TrimSuffix(t, `\`) + " "
				continue
			}
			text += t
			ds = append(ds, directive{f.Name, start, text})
			text = ""
		}
		if text != "" {
			ds = append(ds, directive{f.Name, start, text})
		}
	}
	compiles := func(n int) error {
		var b strings.Builder
		b.WriteString(base)
		for _, d := range ds[:n] {
			b.WriteString(d.text)
			b.WriteByte('\n')
		}
		_, err := coraza.NewWAF(cfg.WithDirectives(b.String()))
		return err
	}
	if compiles(0) != nil {
		return nil
	}
	lo, hi := 0, len(ds) // compiles(lo) ok; find the smallest failing n
	if compiles(hi) == nil {
		return nil
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if compiles(mid) == nil {
			lo = mid
		} else {
			hi = mid
		}
	}
	d := ds[hi-1]
	return fmt.Errorf("%s:%d: %s", d.file, d.line, cleanCorazaError(compiles(hi)))
}

// cleanCorazaError drops Coraza's wrapper words.
func cleanCorazaError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "invalid WAF config from string: ")
	return s
}
