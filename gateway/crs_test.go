package gateway

import (
	"net"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/rules/crstest"
)

// TestCRSRegressionThroughGateway runs the whole OWASP CRS regression
// suite against real gateways (`edgeward serve` as a user runs it) whose
// WAF policy switches on crs.test_mode, each with its match log file,
// in front of an origin that answers like go-ftw's albedo. It fails for
// any test that fails and is not in testdata/crs/overrides.yaml (the
// platform overrides Coraza's own CI has too) or
// testdata/crs/gateway-overrides.yaml (what the gateway answers itself,
// before the WAF, on purpose), and for an override whose test passes.
func TestCRSRegressionThroughGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("the CRS regression suite takes a while; run without -short")
	}
	tests, err := crstest.LoadSuite("../testdata/crs/tests")
	if err != nil {
		t.Fatal(err)
	}
	base, err := crstest.LoadOverrides("../testdata/crs/overrides.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := crstest.LoadOverrides("../testdata/crs/gateway-overrides.yaml")
	if err != nil {
		t.Fatal(err)
	}
	origin := httptest.NewServer(crstest.Origin())
	t.Cleanup(origin.Close)

	// Each worker needs its own match log (it finds a test's lines
	// between marker lines), so each gets its own gateway.
	var targets []crstest.Target
	for i := range 2 * goruntime.GOMAXPROCS(0) {
		dir := filepath.Join(t.TempDir(), "gw"+string(rune('a'+i)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "crs-test.yaml"), []byte(crsTestPolicy), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
access_log: {path: off}
limits: {max_header_bytes: 1MiB, max_url_bytes: 64KiB}
distributions:
  - name: crs
    hosts: [`+suiteHosts(tests)+`]
    origins: [{id: albedo, url: `+origin.URL+`}]
    default_behavior: {origin: albedo, cache: disabled, allowed_methods: [ALL], waf_policy: crs-test.yaml}
`)
		s := startGateway(t, cfg)
		log, err := openGrowing(filepath.Join(dir, "waf.log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { log.Close() })
		targets = append(targets, crstest.Target{Addr: s.Addr(), Log: log})
	}
	opts := crstest.Options{Overrides: base.With(gw), Timeout: 2 * time.Minute}
	if only := os.Getenv("CRS_ONLY"); only != "" {
		opts.Include = regexp.MustCompile(only).MatchString
	}
	start := time.Now()
	results := crstest.Run(targets, tests, opts)
	t.Logf("%d gateways, %s", len(targets), time.Since(start).Round(time.Second))
	crstest.Report(t, results)
}

// crsTestPolicy is the policy a user writes to run the CRS regression
// suite (or go-ftw) against their deployment.
const crsTestPolicy = `kind: waf
crs:
  test_mode: true
request_body_limit: 13MiB
request_body_over_limit: inspect_prefix
log: waf.log
`

// suiteHosts are the Host values the suite's requests carry that a
// distribution can list (names and addresses, without ports), as a YAML
// flow list: a user running the suite lists the hosts it uses. Values
// no distribution can serve (a NUL, an empty name) get the gateway's
// 421 or 400 before the WAF; gateway-overrides.yaml lists them.
func suiteHosts(tests []crstest.Test) string {
	seen := map[string]bool{}
	var out []string
	for _, tc := range tests {
		for _, st := range tc.Stages {
			for _, h := range st.Input.OrderedHeaders {
				if !strings.EqualFold(h.Name, "Host") {
					continue
				}
				host := h.Value
				if hp, _, err := net.SplitHostPort(host); err == nil {
					host = hp
				}
				host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
				if a, err := netip.ParseAddr(host); err == nil {
					host = a.String()
				} else if !dnsName.MatchString(host) {
					continue
				}
				if !seen[host] {
					seen[host] = true
					out = append(out, strconv.Quote(host))
				}
			}
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

var dnsName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// openGrowing opens the match log for reading, creating it first if the
// gateway has not yet (it opens it at start).
func openGrowing(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	return f, err
}
