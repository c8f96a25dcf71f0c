package rules_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/edgeward/edgeward/rules"
	"github.com/edgeward/edgeward/rules/crstest"
)

// testSpec is the CRS regression profile as a policy would ask for it.
func testSpec() rules.Spec {
	return rules.Spec{Mode: rules.Block, ParanoiaLevel: 1, InboundAnomalyThreshold: 5, OutboundAnomalyThreshold: 4,
		RequestBodyLimit: 13 << 20, BodyLimitAction: rules.InspectPrefix, TestMode: true}
}

// wafServer is an HTTP server on 127.0.0.1 that inspects with eng and
// forwards what it admits to origin, the way the gateway's stage does.
func wafServer(t testing.TB, eng *rules.Engine, origin *url.URL) *httptest.Server {
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}
	t.Cleanup(tr.CloseIdleConnections)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := eng.Inspect(rules.RequestFromHTTP(r))
		defer v.Close()
		if !v.Allowed {
			http.Error(w, v.Reason, v.Status)
			return
		}
		u := *origin
		u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
		out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), io.NopCloser(v.Body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header, out.Host, out.ContentLength = r.Header.Clone(), r.Host, r.ContentLength
		if r.ContentLength == 0 {
			out.Body = http.NoBody
		}
		res, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body := io.Reader(res.Body)
		if v.InspectsResponse() {
			rv := v.InspectResponse(res.StatusCode, res.Proto, res.Header, res.Body)
			if !rv.Allowed {
				http.Error(w, rv.Reason, rv.Status)
				return
			}
			body = rv.Body
		}
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestCRSRegression runs the whole CRS regression suite (the tests
// shipped in coraza-coreruleset, plus 999999.yml) in test mode, on two
// targets per CPU, and fails for any test that fails and is not in
// testdata/crs/overrides.yaml, or that is listed there but passes.
func TestCRSRegression(t *testing.T) {
	if testing.Short() {
		t.Skip("the CRS regression suite takes a while; run without -short")
	}
	tests, err := crstest.LoadSuite("../testdata/crs/tests")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := crstest.LoadOverrides("../testdata/crs/overrides.yaml")
	if err != nil {
		t.Fatal(err)
	}
	origin := httptest.NewServer(crstest.Origin())
	t.Cleanup(origin.Close)
	ou, _ := url.Parse(origin.URL)
	var targets []crstest.Target
	// A worker spends most of its time waiting on its target's answers
	// (markers, then the test): two per CPU keep the CPUs busy.
	for range 2 * runtime.GOMAXPROCS(0) {
		log := &crstest.Buffer{}
		s := testSpec()
		s.MatchLog = log
		eng, err := rules.NewEngine(s)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(eng.Close)
		targets = append(targets, crstest.Target{Addr: wafServer(t, eng, ou).Listener.Addr().String(), Log: log})
	}
	start := time.Now()
	// The timeout only guards against a hang: under the race detector the
	// largest test (920390-1, 64 KB of arguments at paranoia 4) takes
	// 30s and more on two busy CPUs.
	opts := crstest.Options{Overrides: ov, Timeout: 2 * time.Minute}
	// CRS_ONLY=regexp runs the tests whose ids match, for debugging.
	if only := os.Getenv("CRS_ONLY"); only != "" {
		rx := regexp.MustCompile(only)
		opts.Include = rx.MatchString
	}
	results := crstest.Run(targets, tests, opts)
	t.Logf("%d targets, %s", len(targets), time.Since(start).Round(time.Second))
	crstest.Report(t, results)
	slices.SortFunc(results, func(a, b crstest.Result) int { return int(b.Elapsed - a.Elapsed) })
	for _, r := range results[:10] {
		t.Logf("slow: %s %s", r.Test.ID(), r.Elapsed)
	}
}
