// Package acmetest runs a real ACME server for tests: Let's Encrypt's
// pebble (github.com/letsencrypt/pebble/v2), with pebble-challtestsrv as
// its DNS server, both on 127.0.0.1, as child processes that are stopped
// when the test ends. Tests of Edgeward's ACME support order certificates
// from it, and pebble validates the challenges by connecting to the
// gateway under test, so what they prove is that a CA speaking RFC 8555
// issues to Edgeward, not that Edgeward agrees with itself.
//
// Start(t, httpPort, tlsPort) tells pebble where to validate HTTP-01 and
// TLS-ALPN-01: the ports the gateway under test listens on, on 127.0.0.1,
// because the DNS server answers every A query with 127.0.0.1 (and no
// AAAA query). A port of 0 makes that challenge type fail: pebble is
// pointed at a listener that closes every connection.
//
// The binaries are found, in order, at $EDGEWARD_PEBBLE and
// $EDGEWARD_PEBBLE_CHALLTESTSRV, on PATH, and in .tools/bin under the
// module root (where `make tools` installs them). Without them Start skips
// the test, unless EDGEWARD_REQUIRE_TOOLS=1 (as `make test` sets), when it
// fails.
//
// # Security model
//
// This is test infrastructure and trusts its caller. Everything listens on
// loopback only. Pebble's own HTTPS certificate comes from a throwaway CA
// made for each server (CAFile); its key lives only in the test's
// temporary directory, so nothing that could be trusted outside a test is
// kept in the repository. Pebble generates a fresh root for what it issues
// on every start (IssuerRoots): nothing it issues is trusted anywhere but
// in the test that asked. Variables of the caller's environment that
// pebble reads (PEBBLE_*) are not passed on, so a developer's shell cannot
// change what the tests run against.
package acmetest
