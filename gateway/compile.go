package gateway

import (
	"errors"
	"fmt"

	"github.com/edgeward/edgeward/policy"
)

// Compile builds everything a runtime compiles from cfg that can fail
// after validation (key groups, each behavior's stages) without starting
// anything, opening files for writing or dialing origins: what `edgeward
// policy check` runs after validation. Errors are *policy.Errors naming
// file:line, every problem at once.
func Compile(cfg *policy.Config) error {
	var errs policy.Errors
	add := func(err error) {
		var pe *policy.Errors
		if errors.As(err, &pe) {
			errs.Problems = append(errs.Problems, pe.Problems...)
		} else if err != nil {
			errs.Problems = append(errs.Problems, policy.Problem{File: cfg.File, Msg: err.Error()})
		}
	}
	groups, err := buildKeyGroups(cfg)
	add(err)
	geo, gerr := openGeo(cfg)
	add(gerr)
	// Every WAF policy is compiled through Coraza with the CRS: a rule
	// file that does not compile is reported at its file:line.
	waf, werr := buildWAF(cfg, nil, wafOptions{})
	add(werr)
	defer waf.closeExcept(nil)
	fles, ferr := buildFLEProfiles(cfg)
	add(ferr)
	if err != nil || gerr != nil || werr != nil || ferr != nil {
		return &errs
	}
	for di := range cfg.Distributions {
		dc := &cfg.Distributions[di]
		for bi := -1; bi < len(dc.Behaviors); bi++ {
			bc := &dc.DefaultBehavior
			if bi >= 0 {
				bc = &dc.Behaviors[bi]
			}
			spec := &behaviorSpec{global: cfg, dist: dc, cfg: bc, keyGroups: groups, path: behaviorPath(di, bi), waf: waf, fle: fles}
			if geo != nil {
				spec.geo = geo
			}
			_, err := buildStages(spec)
			add(err)
		}
	}
	if len(errs.Problems) > 0 {
		return &errs
	}
	return nil
}

// CompileWAFPolicy compiles a WAF policy file on its own, the CRS and its
// rule files through Coraza, as the gateway would: what `edgeward policy
// check` runs for a kind: waf file. A rule file that does not compile is
// reported at its file:line.
func CompileWAFPolicy(pol *policy.WAFPolicy) error {
	if pol.Mode == "off" {
		return nil
	}
	e, err := newWAFEngine(engineSpec(pol), pol, false)
	if err != nil {
		return &policy.Errors{Problems: []policy.Problem{wafProblem(pol, err)}}
	}
	e.close()
	return nil
}

// behaviorPath is a behavior's key path: bi < 0 is the default behavior.
func behaviorPath(di, bi int) string {
	if bi < 0 {
		return fmt.Sprintf("distributions[%d].default_behavior", di)
	}
	return fmt.Sprintf("distributions[%d].behaviors[%d]", di, bi)
}

// configError is a stage's complaint about one setting: path is relative
// to the behavior (".signed.token.jwks").
type configError struct {
	path string
	err  error
}

func (e configError) Error() string { return e.path + ": " + e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// behaviorProblem turns a stage builder's error into a file:line problem.
func behaviorProblem(cfg *policy.Config, b *behaviorSpec, err error) error {
	path := b.path
	var ce configError
	if errors.As(err, &ce) {
		path += ce.path
		err = ce.err
	}
	return &policy.Errors{Problems: []policy.Problem{cfg.Problem(path, "%v", err)}}
}
