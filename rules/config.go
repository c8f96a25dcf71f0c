package rules

import (
	"fmt"
	"strings"
)

// The configuration is written here, in one order (doc.go says why):
//
//  1. Coraza's recommended configuration (request body processors,
//     body-parsing error rules).
//  2. The engine mode, after it: the recommended file says DetectionOnly.
//  3. Body access and limits. Coraza never sees more than the limit (the
//     gateway reads at most that much, inspect.go), so its own limit is
//     one byte higher and never acts first.
//  4. Coraza's own audit log off: refused requests are written by this
//     package (auditlog.go), to the policy's file.
//  5. SecDefaultAction for phases 3-5, so response-phase and logging-phase
//     rules log (crs-setup.conf.example sets only phases 1 and 2).
//  6. The CRS setup, then the policy's paranoia level and anomaly
//     thresholds as the setup rules 900000 and 900110 (phase 1, before the
//     CRS's 901 initialisation, which keeps values already set).
//  7. The test profile, when asked for: rule 900005 after 900000, so its
//     settings win, and the X-CRS-Test marker rule.
//  8. The CRS rules, then the operator's rule files.
//
// Exclusions are not here: they are applied per transaction (exclusions.go).

// Rule ids this package writes; operator rules must not use them.
const (
	idParanoia   = 900000
	idThresholds = 900110
	idTestSetup  = 900005
	idTestMarker = 999999
)

// baseDirectives is the configuration before the CRS rules.
func (s *Spec) baseDirectives() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("Include @coraza.conf-recommended")
	switch {
	case s.Mode == Off:
		line("SecRuleEngine Off")
	case s.detectOnly():
		line("SecRuleEngine DetectionOnly")
	default:
		line("SecRuleEngine On")
	}
	line("SecRequestBodyAccess On")
	line("SecRequestBodyLimit %d", s.RequestBodyLimit+1)
	line("SecRequestBodyInMemoryLimit %d", s.RequestBodyLimit+1)
	line("SecRequestBodyLimitAction ProcessPartial")
	if s.inspectsResponses() {
		line("SecResponseBodyAccess On")
	} else {
		line("SecResponseBodyAccess Off")
	}
	line("SecResponseBodyLimit %d", s.responseBodyLimit())
	line("SecResponseBodyLimitAction ProcessPartial")
	line("SecAuditEngine Off")
	// Coraza's regex pre-filter stays off, as the recommended file has
	// it: on, it saves about a tenth of the CPU time of a benign request,
	// but the CRS suite then misses rules 932311 (test 932311-7) and
	// 942220 (942220-2) with Coraza v3.8.1: it is not the "no false
	// negatives" check it is meant to be.
	line("SecRxPreFilter Off")
	for _, phase := range []int{3, 4, 5} {
		line(`SecDefaultAction "phase:%d,log,auditlog,pass"`, phase)
	}
	line("Include @crs-setup.conf.example")
	line(`SecAction "id:%d,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d"`, idParanoia, s.ParanoiaLevel)
	line(`SecAction "id:%d,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d,setvar:tx.outbound_anomaly_score_threshold=%d"`,
		idThresholds, s.InboundAnomalyThreshold, s.OutboundAnomalyThreshold)
	if s.TestMode {
		// The CRS regression-test requirements (rule 900005 of the CRS
		// test documentation): detection only, every rule at paranoia 4,
		// the suite's argument limits. The marker rule logs the X-CRS-Test
		// header so a runner can find one test's lines in the log, and
		// removes every CRS rule for the marker request itself, so the
		// markers add no other lines.
		line(`SecAction "id:%d,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"`, idTestSetup)
		line(`SecRule REQUEST_HEADERS:X-CRS-Test "@rx ^.*$" "id:%d,phase:1,pass,t:none,log,msg:'X-CRS-Test %%{MATCHED_VAR}',ctl:ruleRemoveById=1-%d"`, idTestMarker, idTestMarker)
	}
	return b.String()
}

// crsDirectives includes the CRS rules.
const crsDirectives = "Include @owasp_crs/*.conf\n"

// inspectsResponses: the response phases run when the policy asks for
// them, and always in the test profile (the suite checks response rules).
func (s *Spec) inspectsResponses() bool {
	return s.Mode != Off && (s.ResponseInspection || s.TestMode)
}
