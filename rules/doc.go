// Package rules is the WAF: a Coraza engine built from the OWASP Core
// Rule Set embedded in the binary (github.com/corazawaf/coraza-coreruleset),
// the operator's own SecLang rule files, and a policy's settings (Spec).
// Rate-based rules and IP sets are the gateway's; this package inspects.
//
// The gateway builds one Engine per distinct Spec (Spec.Key), shares it
// between the behaviors that use it, keeps it across reloads while the
// spec is unchanged, and closes a replaced one (it is released when its
// last in-flight transaction ends). Per request: Inspect runs the request
// phases; when the verdict allows and InspectsResponse says so,
// InspectResponse runs the response phases; Close runs the logging phase
// once the response is sent.
//
// # Security model
//
//   - Built once, validated whole. NewEngine compiles the recommended
//     Coraza configuration, the CRS setup, the policy's settings and the
//     operator's rule files into one engine, or fails; a fault in a rule
//     file is reported as file:line. The request path only runs
//     transactions.
//   - The order of the configuration matters and is fixed in one place
//     (config.go): recommended config, then the engine mode (the
//     recommended file says DetectionOnly; SecRuleEngine On comes after
//     it), body settings, SecDefaultAction for phases 3 to 5 so
//     response-phase rules log, the CRS setup, the policy's paranoia level
//     and thresholds (rules 900000 and 900110), the test profile when
//     asked for, the CRS, then the operator's rules.
//   - Exclusions match the canonical path the gateway routes on, not the
//     raw request target Coraza parses: a raw target that climbs out of
//     an excluded prefix (/api/upload/../../admin) cannot borrow the
//     prefix's exclusions. They remove rules and targets on the
//     transaction, as ctl:ruleRemoveById and ctl:ruleRemoveTargetById do.
//   - The CRS sees the request as the viewer sent it: the raw target,
//     every header (Host and Transfer-Encoding, which net/http moves out
//     of the header map, put back), the body.
//   - Fail closed. Any error while a request is inspected, a panic
//     inside Coraza included, is a refusal (403, or 502 for a response
//     that could not be read) with the reason for the log. Coraza's own
//     http middleware answers an empty 200 after a processing error; this
//     package has no such path. Every phase's interruption is honoured.
//   - Bounded. At most Spec.RequestBodyLimit bytes of a body are read
//     and inspected; beyond that the request is refused (413) or, when
//     the policy says so (and always in detect mode), only the prefix is
//     inspected. The origin always gets the whole body: what was read is
//     replayed, then the rest streams. Response bodies are read only when
//     response inspection is on and Coraza inspects their type, at most
//     the response body limit; Server-Sent Events and downloads stream.
//   - Logs tell the operator, not the viewer. The viewer gets a short
//     fixed reason; the match log gets one line per matched rule in
//     ModSecurity's error-log format (MatchedRule.ErrorLog), written
//     synchronously as the rule matches, with control characters escaped
//     so a request cannot forge lines; the audit log gets one JSON object
//     per refused request with the rules' messages and data, never
//     headers, cookies or bodies.
//   - The @rx operator is Coraza's, remembering (rxmemo.go): a
//     regular expression's verdict on a value, with its groups, is kept
//     in a bounded process-wide cache (16K entries of at most 512 bytes
//     each) and replayed, so every rule sees what the regular expression
//     would have told it; the CRS suite runs through it. A remembered
//     verdict is faster than a computed one, so a client could learn,
//     from microseconds inside a millisecond, that some request recently
//     carried a value it already knows exactly; it learns no value.
//   - Rules that cannot match are not evaluated (prune.go). Before each
//     request phase, a rule whose operator provably matches no value of
//     this request (the bytes its variables can hold, through its
//     transformations, lack what every match needs) is removed from the
//     transaction as ctl:ruleRemoveById would. Only rules read exactly as
//     Coraza reads them are candidates; a rule counted by a skip:N, one
//     that reads state or counts, or a negated operator never is.
//     TestPruneSound runs the whole CRS suite with and without pruning
//     and asks for the same matches, variable for variable.
//   - Skipping evaluation is exact or not done. With Spec.RecheckWindow,
//     a bodiless request byte-identical (every header, the client
//     address) to one allowed without a single logged match moments ago
//     is allowed without evaluation; only where that cannot differ
//     (recheck.go): never with response inspection, the test profile, or
//     operator rules that read time, ids, ports or stored state.
//   - The test profile (Spec.TestMode) is the CRS regression-testing
//     setup go-ftw expects: detection only, paranoia 4, rule 900005, and a
//     marker rule logging the X-CRS-Test header. It never blocks: it is
//     for running the CRS suite (package crstest) against a deployment.
package rules
