// Package rules is the WAF: a Coraza engine built from the OWASP Core
// Rule Set embedded in the binary (github.com/corazawaf/coraza-coreruleset),
// the operator's own SecLang rule files, and a policy's settings (Spec).
//
// # Security model
//
//   - Built once, validated whole. NewEngine compiles the recommended
//     Coraza configuration, the CRS setup, the policy's settings (paranoia
//     level, anomaly thresholds, path-scoped exclusions, body limits) and
//     the extra rule files into one engine, or fails naming the rule file
//     and line at fault. The request path only runs transactions.
//   - The order of the configuration matters and is fixed here:
//     recommended config, then SecRuleEngine (On, or DetectionOnly for
//     detect mode), the request and response body settings,
//     SecDefaultAction for phases 3 to 5 (so response-phase rules log),
//     the CRS setup, the policy's setvars, the exclusions (phase 1 ctl
//     rules, before any CRS rule runs), the CRS, then the operator's
//     rules.
//   - Fail closed. Any error while a request is inspected is a deny
//     verdict with the reason; Inspect never lets a request through
//     because inspection failed (Coraza's own http middleware answers an
//     empty 200 in that case; this package has no such path).
//   - Bounded. At most Spec.RequestBodyLimit bytes of a body are
//     inspected; beyond that the request is refused (413) or, when the
//     policy says so, only the prefix is inspected. The origin always
//     gets the whole body: what was read for inspection is replayed,
//     then the rest streams.
//   - The match log gets one line per matched rule, in ModSecurity's
//     error-log format (MatchedRule.ErrorLog), written synchronously as
//     the rule matches.
package rules
