package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Mode is what the engine does with a request the rules would block.
type Mode int

const (
	Block  Mode = iota // refuse it
	Detect             // log it, let it through
	Off                // no inspection at all
)

// BodyLimitAction is what happens to a request body over the limit.
type BodyLimitAction int

const (
	RejectOverLimit BodyLimitAction = iota // 413
	InspectPrefix                          // inspect the first RequestBodyLimit bytes, forward all
)

// Exclusion turns CRS rules, or some of their targets, off for requests
// whose canonical path matches Path (CloudFront-style: * matches any run
// of characters, / included; ? one character), the way CRS users write
// path-scoped rule exclusions.
type Exclusion struct {
	Path          string
	RemoveRules   []int
	RemoveTargets map[int][]string // rule id -> targets such as "ARGS:q", "REQUEST_COOKIES:session"
}

// RuleFile is an operator's SecLang file.
type RuleFile struct {
	Name string // the path, for messages
	Data []byte
}

// DefaultResponseBodyLimit is how much of a response body is inspected
// when Spec.ResponseBodyLimit is 0 (Coraza's recommended setting).
const DefaultResponseBodyLimit = 512 << 10

// Spec is everything an engine is built from, as plain values.
type Spec struct {
	Mode                     Mode
	ParanoiaLevel            int // 1-4
	InboundAnomalyThreshold  int
	OutboundAnomalyThreshold int
	Exclusions               []Exclusion
	// RequestBodyLimit is how much of a request body is inspected;
	// BodyLimitAction says what happens to a longer one.
	RequestBodyLimit int64
	BodyLimitAction  BodyLimitAction
	// ResponseInspection runs the response phases (headers, and bodies
	// of the text types Coraza inspects, at most ResponseBodyLimit bytes
	// of them; 0 means DefaultResponseBodyLimit). Off, responses are
	// never looked at nor held back.
	ResponseInspection bool
	ResponseBodyLimit  int64
	// Rules are the operator's SecLang files, compiled after the CRS.
	Rules []RuleFile
	// RecheckWindow, when positive, lets a bodiless request identical to
	// one allowed (without a single logged match) less than this long ago
	// skip evaluation (recheck.go says when that is provably equivalent,
	// and when the engine turns it off). 0: every request is evaluated.
	RecheckWindow time.Duration
	// NoPrune evaluates every rule on every request: rule pruning
	// (prune.go), which skips the rules that provably cannot match, is
	// off. For comparison; the verdicts are the same.
	NoPrune bool
	// TestMode is the CRS regression-testing profile: detection only,
	// blocking paranoia 4, rule 900005's settings and a marker rule
	// logging the X-CRS-Test header, as go-ftw expects.
	TestMode bool

	// MatchLog receives one line per matched rule (ModSecurity's
	// error-log format), one Write per line, while the rule matches.
	// AuditLog receives one JSON object per refused request, one Write
	// per object. Either may be nil. Both must be safe for concurrent
	// use (an *os.File is). They are not content: LogName identifies
	// them (their file paths, say) and is part of Key, so specs writing
	// to different logs never share an engine.
	MatchLog io.Writer `json:"-"`
	AuditLog io.Writer `json:"-"`
	LogName  string
}

// Key identifies the spec's content: two specs with the same key build
// the same engine, so one engine can serve both.
func (s Spec) Key() string {
	b, _ := json.Marshal(s) // maps marshal in key order: deterministic
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// detectionParanoia is the highest paranoia level whose rules run: the
// policy's, or 4 in the test profile.
func (s *Spec) detectionParanoia() int {
	if s.TestMode {
		return 4
	}
	return s.ParanoiaLevel
}

// detectOnly reports whether the engine never refuses for a rule match
// or a body size (detect mode and the test profile).
func (s *Spec) detectOnly() bool { return s.Mode == Detect || s.TestMode }

func (s *Spec) responseBodyLimit() int64 {
	if s.ResponseBodyLimit > 0 {
		return s.ResponseBodyLimit
	}
	return DefaultResponseBodyLimit
}

// validate checks the values a policy decoder should already have
// checked, so a Spec from elsewhere cannot build a broken engine.
func (s *Spec) validate() error {
	var errs []string
	if s.Mode < Block || s.Mode > Off {
		errs = append(errs, fmt.Sprintf("mode %d: Block, Detect or Off", s.Mode))
	}
	if s.ParanoiaLevel < 1 || s.ParanoiaLevel > 4 {
		errs = append(errs, fmt.Sprintf("paranoia level %d: 1 to 4", s.ParanoiaLevel))
	}
	if s.InboundAnomalyThreshold < 1 || s.OutboundAnomalyThreshold < 1 {
		errs = append(errs, "anomaly thresholds must be at least 1")
	}
	if s.RequestBodyLimit < 1 {
		errs = append(errs, "the request body limit must be at least 1 byte")
	}
	if s.BodyLimitAction != RejectOverLimit && s.BodyLimitAction != InspectPrefix {
		errs = append(errs, fmt.Sprintf("body limit action %d: RejectOverLimit or InspectPrefix", s.BodyLimitAction))
	}
	if s.RecheckWindow < 0 || s.RecheckWindow > time.Minute {
		errs = append(errs, fmt.Sprintf("recheck window %s: 0 (off) to 1m", s.RecheckWindow))
	}
	if s.ResponseBodyLimit < 0 {
		errs = append(errs, "the response body limit cannot be negative")
	}
	for _, x := range s.Exclusions {
		if x.Path == "" || (x.Path[0] != '/' && x.Path[0] != '*') {
			errs = append(errs, fmt.Sprintf("exclusion path %q must start with / or *", x.Path))
		}
		for _, id := range x.RemoveRules {
			if id < 1 {
				errs = append(errs, fmt.Sprintf("exclusion %s: %d is not a rule id", x.Path, id))
			}
		}
		for _, id := range sortedIDs(x.RemoveTargets) {
			if id < 1 {
				errs = append(errs, fmt.Sprintf("exclusion %s: %d is not a rule id", x.Path, id))
			}
			for _, t := range x.RemoveTargets[id] {
				if _, err := parseTarget(t); err != nil {
					errs = append(errs, fmt.Sprintf("exclusion %s: rule %d: %v", x.Path, id, err))
				}
			}
		}
	}
	for _, f := range s.Rules {
		if f.Name == "" {
			errs = append(errs, "a rule file needs a name (for error messages)")
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(slices.Compact(errs), "; "))
	}
	return nil
}
