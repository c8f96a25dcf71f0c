package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
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

// Exclusion turns CRS rules off for requests whose path matches a
// pattern (* matches any run of characters, / included; ? one
// character), the way CRS users write path-scoped rule exclusions.
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

// Spec is everything an engine is built from, as plain values.
type Spec struct {
	Mode                     Mode
	ParanoiaLevel            int // 1-4
	InboundAnomalyThreshold  int
	OutboundAnomalyThreshold int
	Exclusions               []Exclusion
	RequestBodyLimit         int64
	BodyLimitAction          BodyLimitAction
	ResponseInspection       bool
	Rules                    []RuleFile
	// TestMode is the CRS regression-testing profile: detection only,
	// blocking paranoia 4, and a marker rule logging the X-CRS-Test
	// header, as go-ftw expects.
	TestMode bool
}

// Key identifies the spec's content: two specs with the same key build
// the same engine, so one engine can serve both.
func (s Spec) Key() string {
	c := s
	c.Exclusions = slices.Clone(s.Exclusions)
	b, _ := json.Marshal(c) // maps marshal in key order: deterministic
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
