// Package testtool is what the test harnesses that run outside programs
// (s3test runs versitygw, acmetest runs pebble) share: finding the pinned
// binary that `make tools` builds, running it in a process group of its
// own so stopping it stops everything it started, and keeping the tail of
// its output for a failing test's report. It is test infrastructure and
// runs only on loopback servers the tests start.
package testtool
