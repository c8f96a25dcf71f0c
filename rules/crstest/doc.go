// Package crstest runs the OWASP Core Rule Set regression tests (the
// YAML files go-ftw reads) against a WAF over HTTP, the way go-ftw does,
// so the suite can be pointed at anything that speaks HTTP and writes a
// ModSecurity-style match log: the rules package's own test server, or
// a whole Edgeward gateway in front of Origin.
//
// For each test stage it sends a marker request carrying the X-CRS-Test
// header, waits until the marker's line shows in the log, sends the
// test's request byte for byte (malformed requests included: the
// request line, headers and body are written raw), reads the response,
// sends an end marker, and checks the expectations (status, response
// contents, rule ids and patterns in the log lines between the markers,
// an expected connection error). The WAF must run the CRS test profile:
// detection only, paranoia 4, and the marker rule (rules.Spec.TestMode).
//
// Tests can run on several targets at once, one worker each; each target
// needs its own log, since markers only delimit one test's lines when one
// test at a time writes to a log.
//
// An overrides file lists the tests that cannot pass as written, each
// with its reason: skipped, or checked against other expectations.
// An override that is no longer needed is an error, so the file only
// shrinks.
package crstest
