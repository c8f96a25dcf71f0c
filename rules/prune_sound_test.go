package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/rules/crstest"
)

// matchTrace is what a transaction's request phases matched, rule by
// rule: the rule id, then each matched variable, key and value.
func matchTrace(v *Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "allowed=%v status=%d rule=%d\n", v.Allowed, v.Status, v.Rule)
	if v.tx == nil {
		return b.String()
	}
	for _, mr := range v.tx.MatchedRules() {
		// In the order the values matched, which for a collection such
		// as ARGS_NAMES is a map's order: sorted. TX keys the CRS numbers
		// in that order (multipart_headers_content_types_0...) lose
		// their number.
		var mds []string
		for _, md := range mr.MatchedDatas() {
			key := md.Key()
			if md.Variable().Name() == "TX" {
				key = numbered.ReplaceAllString(key, "_N")
			}
			mds = append(mds, fmt.Sprintf(" %s:%s=%q", md.Variable().Name(), key, md.Value()))
		}
		slices.Sort(mds)
		fmt.Fprintf(&b, "%d%s\n", mr.Rule().ID(), strings.Join(mds, ""))
	}
	return b.String()
}

var numbered = regexp.MustCompile(`_[0-9]+$`)

// prunePair is an engine with pruning and the same without.
type prunePair struct{ on, off *Engine }

func newPrunePair(t testing.TB, s Spec) prunePair {
	off := s
	off.NoPrune = true
	p := prunePair{on: engine(t, s), off: engine(t, off)}
	if p.on.prune == nil {
		t.Fatal("pruning is off for the spec")
	}
	return p
}

// compare inspects one request (made anew for each engine by req) with
// both engines and fails if what matched differs. It returns how many
// rules pruning took out.
func (p prunePair) compare(t testing.TB, name string, req func() *Request) int {
	t.Helper()
	von := p.on.Inspect(req())
	defer von.Close()
	voff := p.off.Inspect(req())
	defer voff.Close()
	if on, off := matchTrace(von), matchTrace(voff); on != off {
		t.Errorf("%s: pruning changed what matched\nwith pruning:\n%s\nwithout:\n%s", name, on, off)
	}
	return von.pruned
}

// repeatsName reports whether a collection of r holds two values under
// one name (query or form arguments, cookies, headers). Coraza v3.8.1's
// transformation cache confuses such values when rules see the
// collection in different (map) orders (coraza issue #1681), so what
// matches them depends on which rules ran before, with or without
// pruning: there is no one answer to compare with.
func repeatsName(r *Request, body []byte) bool {
	seen := map[string]bool{}
	repeats := func(kind, name string) bool {
		k := kind + "\x00" + strings.ToLower(name)
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	}
	pairs := func(kind, s, sep string) bool {
		for p := range strings.SplitSeq(s, sep) {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(strings.TrimSpace(name)); err == nil {
				name = n
			}
			if p != "" && repeats(kind, name) {
				return true
			}
		}
		return false
	}
	_, query, _ := strings.Cut(r.URI, "?")
	if pairs("args", query, "&") || pairs("args", string(body), "&") {
		return true
	}
	for k, vs := range r.Header {
		if len(vs) > 1 || repeats("header", k) {
			return true
		}
		if strings.EqualFold(k, "cookie") && pairs("cookie", vs[0], ";") {
			return true
		}
	}
	return false
}

// requestFromRaw parses a raw HTTP request into a Request maker, or
// says it cannot (a request net/http refuses never reaches the WAF).
func requestFromRaw(raw []byte) (func() *Request, bool) {
	hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, false
	}
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		return nil, false
	}
	return func() *Request {
		r := RequestFromHTTP(hr)
		r.Client = netip.MustParseAddrPort("192.0.2.10:5000")
		r.Server = netip.MustParseAddrPort("127.0.0.1:8080")
		r.Body = bytes.NewReader(body)
		if len(body) == 0 {
			r.Body = http.NoBody
		}
		return r
	}, true
}

// TestPruneSound: pruning never changes what matches. Every request of
// the CRS regression suite (4,700 tests, most of them attacks on every
// part of a request) goes through engines with and without pruning, in
// the test profile (paranoia 4, detection only: every rule runs) and
// in a blocking paranoia 1 policy; the matched rules, their variables
// and values, and the verdicts must be the same.
func TestPruneSound(t *testing.T) {
	if raceEnabled {
		t.Skip("exhaustive, minutes under the race detector: make test runs it without -race")
	}
	if testing.Short() {
		t.Skip("the whole CRS suite through four engines; run without -short")
	}
	tests, err := crstest.LoadSuite("../testdata/crs/tests")
	if err != nil {
		t.Fatal(err)
	}
	test := baseSpec()
	test.TestMode, test.RequestBodyLimit, test.BodyLimitAction = true, 13<<20, InspectPrefix
	pairs := []prunePair{newPrunePair(t, test), newPrunePair(t, baseSpec())}
	requests, unparsed, repeated, pruned := 0, 0, 0, 0
	for _, tc := range tests {
		for i := range tc.Stages {
			raw, err := tc.Stages[i].Input.Raw()
			if err != nil {
				t.Fatalf("%s: %v", tc.ID(), err)
			}
			req, ok := requestFromRaw(raw)
			if !ok {
				unparsed++
				continue
			}
			if r := req(); repeatsName(r, readAll(r.Body)) {
				repeated++
				continue
			}
			requests++
			for _, p := range pairs {
				pruned += p.compare(t, tc.ID(), req)
			}
			if t.Failed() {
				t.FailNow()
			}
		}
	}
	if requests < 4000 {
		t.Fatalf("only %d suite requests parsed", requests)
	}
	t.Logf("%d requests compared (%d net/http refuses, %d repeat a name), %.0f rules pruned per request and engine",
		requests, unparsed, repeated, float64(pruned)/float64(2*requests))
}

// TestPrunePrunes: pruning is on by default and takes out most of the
// paranoia level 1 rules for benign requests (about 95 of its 136
// candidates), and what matched stays the same.
func TestPrunePrunes(t *testing.T) {
	p := newPrunePair(t, baseSpec())
	for _, c := range []struct {
		name string
		req  func() *Request
		min  int
	}{
		{"benign GET", benchGET, 80},
		{"benign form POST", benchPOST, 80},
		{"SQL injection", func() *Request { return get("/?id="+sqli, nil) }, 40},
		{"JSON", func() *Request { return post("/api", "application/json", `{"a":"b"}`) }, 20},
	} {
		if n := p.compare(t, c.name, c.req); n < c.min {
			t.Errorf("%s: %d rules pruned, want at least %d", c.name, n, c.min)
		}
	}
}

// FuzzPruneSound: for any query value, header value and form body,
// pruning does not change what matches.
func FuzzPruneSound(f *testing.F) {
	for _, s := range [][3]string{
		{"home", "Mozilla/5.0", "a=b"},
		{sqli, "' or 1=1--", "q=%3Cscript%3Ealert(1)%3C/script%3E"},
		{"%2e%2e%2f%2e%2e%2fetc%2fpasswd", "() { :; }; /bin/cat /etc/passwd", "cmd=;cat+/etc/passwd"},
		{"${jndi:ldap://x}", "<?php system('id'); ?>", "x=%u0027%u0020or"},
		{"a\x00b", "\xff\xfe", "x=\x80&y=%FF"},
		{"&#x3C;svg/onload=alert(1)&#x3E;", "javascript:alert(1)", "x=\\u003cscript\\u003e"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	var p prunePair
	f.Fuzz(func(t *testing.T, query, header, body string) {
		if p.on == nil {
			test := baseSpec()
			test.TestMode = true
			p = newPrunePair(t, test)
		}
		uri := "/fuzz?q=" + query
		if strings.ContainsAny(uri, " \r\n") {
			uri = "/fuzz"
		}
		req := func() *Request {
			r := post(uri, "application/x-www-form-urlencoded", body)
			r.Header.Set("X-Fuzz", header)
			r.Header.Set("Cookie", "c="+header)
			r.Header.Set("Referer", header)
			return r
		}
		if repeatsName(req(), []byte(body)) {
			return
		}
		p.compare(t, "fuzz", req)
	})
}

func readAll(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}
