// Package s3test runs a real S3 server for tests: versitygw
// (github.com/versity/versitygw) with its POSIX backend, on 127.0.0.1, in a
// temporary directory, as a child process that is stopped when the test
// ends. Tests of the S3 origin sign requests against it, so what they prove
// is that S3-compatible servers accept what Edgeward sends, not that
// Edgeward agrees with itself.
//
// The binary is found, in order, at $EDGEWARD_VERSITYGW, as versitygw on
// PATH, and at .tools/bin/versitygw under the module root (where `make
// tools` installs it). Without it Start skips the test, unless
// EDGEWARD_REQUIRE_TOOLS=1 (as `make test` sets), when it fails.
//
// # Security model
//
// This is test infrastructure and trusts its caller. The server listens
// on loopback only; its root access key and secret are random per server
// and reach the child through its environment, not its command line
// (which other local users can read). Buckets are private: only the root
// key and users created with CreateUser (who get no grants) can sign
// requests; anonymous requests are denied. Variables of the caller's
// environment that versitygw reads (VGW_*, ROOT_*, ADMIN_*) are not passed
// on, so a developer's shell cannot change what the tests run against.
package s3test
