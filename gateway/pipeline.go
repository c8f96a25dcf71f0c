package gateway

import "net/http"

// Stage is one security check of the request pipeline. A stage is built
// once per behavior from validated configuration; Check only looks things
// up. A stage that cannot reach a verdict (an internal error) must deny:
// the pipeline fails closed.
type Stage interface {
	// Name is the stage's stable name, used in metrics and the access log.
	Name() string
	// Check returns nil to let the request go on, or the reason it stops.
	Check(x *Exchange) *Denial
}

// Denial stops a request. What the viewer sees (Status, Reason, Header,
// Body) is separate from what only the log sees (Detail); the request id
// ties the two together.
type Denial struct {
	Status int
	// Reason is short and stable, safe to show: no secrets, no internals.
	Reason string
	// Detail is for the log only.
	Detail string
	// Header is added to the response (Location, Allow, ...).
	Header http.Header
	// ContentType and Body, when Body is set, replace the default
	// plain-text error body (e.g. CloudFront's XML errors).
	ContentType string
	Body        []byte
	// Result and DetailedResult fill the access log's x-edge-result-type
	// and x-edge-detailed-result-type; empty means "Error".
	Result         string
	DetailedResult string
	// Page, when set, is a path served through the distribution as the
	// body (a geo policy's block page), sent with Status; Body is the
	// fallback when the page cannot be had.
	Page string

	// stage is set by the pipeline: the Name of the stage that denied.
	stage string
}

// stageBuilder makes a behavior's stage, or returns nil when the behavior
// does not configure it.
type stageBuilder func(b *behaviorSpec) (Stage, error)

// pipelineOrder is the one place the order of the security stages is
// written. Cheap and decisive checks come first, so a request that is
// going to be refused costs as little as possible and the expensive
// stages only ever see requests the earlier ones admitted:
//
//  0. methods  the behavior's allowed methods (405); pure lookup.
//  1. https    viewer protocol policy: allow-all | redirect-to-https |
//     https-only; HSTS.
//  2. signed   CloudFront-style signed URL or cookie against the
//     behavior's trusted key groups, or a JWT: a bad signature never
//     costs a WAF evaluation.
//  3. geo      country allow/deny from the GeoIP database.
//  4. waf      Coraza + OWASP CRS + the behavior's WAF policy, rate
//     limits. Runs on requests that are already authorised.
//  5. fle      field-level encryption of configured POST fields. Last,
//     so the WAF inspects the plaintext and nothing after it does.
//
// After the stages the request is served from cache or origin.
var pipelineOrder = []stageBuilder{
	newMethodsStage,
	newHTTPSStage,
	newSignedStage,
	newGeoStage,
	newWAFStage,
	newFLEStage,
}

// buildStages compiles the stage list for one behavior, in pipeline order.
func buildStages(b *behaviorSpec) ([]Stage, error) {
	var stages []Stage
	for _, build := range pipelineOrder {
		st, err := build(b)
		if err != nil {
			return nil, behaviorProblem(b.global, b, err)
		}
		if st != nil {
			stages = append(stages, st)
		}
	}
	return stages, nil
}

// runStages runs the stages in order and returns the first denial.
func runStages(stages []Stage, x *Exchange) *Denial {
	for _, st := range stages {
		if d := st.Check(x); d != nil {
			d.stage = st.Name()
			return d
		}
	}
	return nil
}
