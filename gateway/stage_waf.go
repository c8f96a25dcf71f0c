package gateway

import "errors"

// errWAFNotWired refuses waf_policy until the WAF stage is wired into the
// pipeline (issue 8): policy files already decode and validate, and the
// engine exists (package rules), but a config that names a WAF policy
// must not run as if it were protected.
var errWAFNotWired = errors.New("the WAF stage is not available in this build yet; remove waf_policy (policy files can be checked with `edgeward policy check`)")

// newWAFStage fails closed for behaviors with a WAF policy.
func newWAFStage(b *behaviorSpec) (Stage, error) {
	if b.cfg.WAF == nil {
		return nil, nil
	}
	return nil, configError{".waf_policy", errWAFNotWired}
}
