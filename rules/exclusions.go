package rules

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/corazawaf/coraza/v3/types"
	"github.com/corazawaf/coraza/v3/types/variables"
)

// Exclusions are applied in Go, not as SecLang ctl rules: the pattern is
// matched against the canonical path the gateway routes on (Request.Path),
// never against Coraza's REQUEST_FILENAME, which comes from the raw
// request target. A raw target such as /api/upload/../../admin would match
// an exclusion for /api/upload/* in SecLang while the request is routed
// to /admin; here it cannot. The removals are the ones ctl:ruleRemoveById
// and ctl:ruleRemoveTargetById make, on the transaction, before phase 1.

// ruleRemover is what Coraza's transaction offers ctl actions. It is not
// in Coraza's public Transaction interface, so NewEngine checks once that
// the transaction has it (an engine whose exclusions would be ignored is
// refused, never built).
type ruleRemover interface {
	RemoveRuleByID(id int)
	RemoveRuleTargetByID(id int, variable variables.RuleVariable, key string, keyRx *regexp.Regexp)
}

// target is an exclusion target: a collection and an optional key.
type target struct {
	variable variables.RuleVariable
	key      string // lower case, as Coraza compares keys
}

var keyChars = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]]+$`)

// parseTarget reads "ARGS:q" or "REQUEST_COOKIES".
func parseTarget(t string) (target, error) {
	name, key, hasKey := strings.Cut(t, ":")
	v, err := variables.Parse(name)
	if err != nil || name == "" || strings.ToUpper(name) != name {
		return target{}, fmt.Errorf("target %q: %q is not a SecLang variable such as ARGS or REQUEST_COOKIES", t, name)
	}
	if hasKey && !keyChars.MatchString(key) {
		return target{}, fmt.Errorf("target %q: write VARIABLE or VARIABLE:name, a name of letters, digits and _.-[]", t)
	}
	return target{variable: v, key: strings.ToLower(key)}, nil
}

// exclusion is an Exclusion compiled for the request path.
type exclusion struct {
	path    *regexp.Regexp
	rules   []int
	targets []ruleTarget
}

type ruleTarget struct {
	id int
	target
}

func compileExclusions(xs []Exclusion) ([]exclusion, error) {
	var out []exclusion
	for _, x := range xs {
		c := exclusion{path: regexp.MustCompile(globRegexp(x.Path)), rules: slices.Clone(x.RemoveRules)}
		for _, id := range sortedIDs(x.RemoveTargets) {
			for _, t := range x.RemoveTargets[id] {
				pt, err := parseTarget(t)
				if err != nil {
					return nil, err
				}
				c.targets = append(c.targets, ruleTarget{id, pt})
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// applyExclusions removes, from tx, what the exclusions matching path
// remove.
func applyExclusions(xs []exclusion, tx types.Transaction, path string) {
	if len(xs) == 0 {
		return
	}
	rr := tx.(ruleRemover) // checked by NewEngine
	for i := range xs {
		x := &xs[i]
		if !x.path.MatchString(path) {
			continue
		}
		for _, id := range x.rules {
			rr.RemoveRuleByID(id)
		}
		for _, t := range x.targets {
			rr.RemoveRuleTargetByID(t.id, t.variable, t.key, nil)
		}
	}
}

// globRegexp is a path pattern (* any run, ? one character) as an
// anchored regular expression.
func globRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return b.String()
}

func sortedIDs(m map[int][]string) []int {
	return slices.Sorted(maps.Keys(m))
}
