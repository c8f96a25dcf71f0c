package crstest

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestRawRequest(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Input
		want string
	}{
		{"defaults", Input{}, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"},
		{"headers sorted, data escaped, length added",
			Input{Method: ptr("POST"), URI: ptr("/p"), Headers: map[string]string{"Host": "h", "Accept": "*/*"}, Data: ptr("q=a b&x")},
			"POST /p HTTP/1.1\r\nAccept: */*\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 7\r\n\r\nq=a+b&x"},
		{"already escaped data is sent as is",
			Input{Method: ptr("POST"), Data: ptr("q=a%20b")},
			"POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 7\r\n\r\nq=a%20b"},
		{"a bodiless POST still says Content-Length: 0",
			Input{Method: ptr("POST")}, "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"},
		{"no autocompletion",
			Input{Version: ptr("HTTP/1.0"), AutocompleteHeaders: ptr(false), Data: ptr("raw")}, "GET / HTTP/1.0\r\n\r\nraw"},
		{"multipart gets CRLF",
			Input{Method: ptr("POST"), Headers: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, Data: ptr("--x\na\n--x--")},
			"POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\nConnection: close\r\nContent-Length: 13\r\n\r\n--x\r\na\r\n--x--"},
		{"a template that does not parse sends no data",
			Input{Method: ptr("POST"), Data: ptr("{{ nope")}, "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"},
		{"encoded request", Input{EncodedRequest: base64.StdEncoding.EncodeToString([]byte("GET /\r\n\r\n"))}, "GET /\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := Stage{Input: c.in}
			if err := st.normalize(); err != nil {
				t.Fatal(err)
			}
			got, err := rawRequest(&st.Input)
			if err != nil || string(got) != c.want {
				t.Fatalf("got %q (%v)\nwant %q", got, err, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	lines := [][]byte{[]byte(`[id "920100"] [msg "a"]`), []byte(`[id "949110"] [msg "Inbound Anomaly Score Exceeded"]`)}
	res := &response{status: 200, raw: []byte("HTTP/1.1 200 OK\r\n\r\nhello")}
	for _, c := range []struct {
		name string
		out  Output
		err  error
		want string
	}{
		{"all met", Output{Status: 200, ResponseContains: "hel+o", Log: LogExpect{ExpectIDs: []int{920100}, NoExpectIDs: []int{1}, MatchRegex: "Inbound"}}, nil, ""},
		{"status", Output{Status: 403}, nil, "status 200, expected 403"},
		{"response", Output{ResponseContains: "bye"}, nil, `the response does not match "bye"`},
		{"expect ids", Output{Log: LogExpect{ExpectIDs: []int{920100, 920200}}}, nil, "expected rules [920200] not in the log (rules [920100 949110])"},
		{"no expect ids", Output{Log: LogExpect{NoExpectIDs: []int{949110}}}, nil, "rules [949110] are in the log, expected absent"},
		{"match regex", Output{Log: LogExpect{MatchRegex: "Outbound"}}, nil, `no log line matches "Outbound" (rules [920100 949110])`},
		{"no match regex", Output{Log: LogExpect{NoMatchRegex: `\[id "\d+"\]`}}, nil, `a log line matches "\\[id \"\\d+\"\\]" (rules [920100 949110])`},
		{"isolated", Output{Isolated: true, Log: LogExpect{ExpectIDs: []int{920100}}}, nil, "isolated: expected only rule [920100], the log has [920100 949110]"},
		{"unexpected error", Output{}, io.ErrUnexpectedEOF, "request failed: unexpected EOF"},
		{"expected error", Output{ExpectError: ptr(true)}, io.ErrUnexpectedEOF, ""},
		{"expected error missing", Output{ExpectError: ptr(true)}, nil, "expected a connection error, got status 200"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := check(&c.out, res, c.err, lines); got != c.want {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestParseOverridesErrors(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"overrides: [{reason: x, skip: true}]", "o.yaml: override 1 names no tests"},
		{"overrides: [{tests: [1-1], skip: true}]", "o.yaml: override [1-1] gives no reason"},
		{"overrides: [{tests: [1-1], reason: x}]", "o.yaml: override [1-1]: write skip: true, as_written: true or the output to expect, one of them"},
		{"overrides: [{tests: [1-1], reason: x, skip: true, as_written: true}]", "o.yaml: override [1-1]: write skip: true, as_written: true or the output to expect, one of them"},
		{"overrides: [{tests: [1-1], reason: x, skip: true}, {tests: [1-1], reason: y, skip: true}]", "o.yaml: test 1-1 is overridden twice"},
		{"overrides: [{tests: [1-1], reason: x, output: {log: {match_regex: '('}}}]", "o.yaml: override [1-1]: bad pattern \"(\": error parsing regexp: missing closing ): `(`"},
		{"overrides: [{tests: [1-1], reason: x, skip: true, why: z}]", "o.yaml: yaml: unmarshal errors:\n  line 1: field why not found in type crstest.Override"},
	} {
		if _, err := ParseOverrides("o.yaml", []byte(c.data)); err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.data, err, c.want)
		}
	}
}

// fakeWAF is a target: it logs the marker header and, for ?attack, a
// rule 100 line; /echo answers the request body.
func fakeWAF(t *testing.T) Target {
	log := &Buffer{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := r.Header.Get(markerHeader); m != "" {
			fmt.Fprintf(log, "[id \"999999\"] [msg \"X-CRS-Test %s\"]\n", m)
		}
		if r.URL.Query().Has("attack") {
			fmt.Fprintf(log, "[id \"100\"] [msg \"attack\"]\n")
		}
		if r.URL.Path == "/echo" {
			_, _ = io.Copy(w, r.Body)
		}
	}))
	t.Cleanup(s.Close)
	return Target{Addr: s.Listener.Addr().String(), Log: log}
}

func TestRun(t *testing.T) {
	tests, err := Load(os.DirFS("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(overrides string) []Result {
		ov, err := ParseOverrides("o.yaml", []byte(overrides))
		if err != nil {
			t.Fatal(err)
		}
		return Run([]Target{fakeWAF(t), fakeWAF(t)}, tests, Options{Overrides: ov, Timeout: 5 * time.Second})
	}
	outcomes := func(rs []Result) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Test.ID()+":"+r.Outcome.String())
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct{ overrides, want string }{
		{"overrides: []", "100-1:passed 100-2:passed 100-3:failed 100-4:passed"},
		{"overrides: [{tests: [100-3], reason: r, output: {log: {expect_ids: [100]}}}]", "100-1:passed 100-2:passed 100-3:overridden 100-4:passed"},
		{"overrides: [{tests: [100-3], reason: r, output: {log: {expect_ids: [102]}}}]", "100-1:passed 100-2:passed 100-3:failed 100-4:passed"},
		{"overrides: [{tests: [100-3], reason: r, skip: true}, {tests: [100-1], reason: r, skip: true}]", "100-1:skipped 100-2:passed 100-3:skipped 100-4:passed"},
		{"overrides: [{tests: [100-2], reason: r, output: {status: 200}}]", "100-1:passed 100-2:stale override 100-3:failed 100-4:passed"},
	} {
		rs := run(c.overrides)
		if got := outcomes(rs); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.overrides, got, c.want)
			for _, r := range rs {
				t.Log(r.Test.ID(), r.Problem)
			}
		}
	}
	rs := run("overrides: []")
	if rs[2].Problem != "stage 1: expected rules [101] not in the log (rules [100])" || rs[2].Log != `[id "100"] [msg "attack"]` {
		t.Errorf("failure: %q, log %q", rs[2].Problem, rs[2].Log)
	}
}

// TestRunNoMarker: a target that does not log the markers fails every
// test with a message saying so, within the timeout.
func TestRunNoMarker(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	defer s.Close()
	tests, err := Load(os.DirFS("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	rs := Run([]Target{{Addr: s.Listener.Addr().String(), Log: &Buffer{}}}, tests[:1], Options{Timeout: 200 * time.Millisecond})
	if rs[0].Outcome != Failed || !strings.Contains(rs[0].Problem, "never showed in the log: is the WAF in test mode and writing that log?") {
		t.Errorf("%s: %s", rs[0].Outcome, rs[0].Problem)
	}
}

func TestOrigin(t *testing.T) {
	s := httptest.NewServer(Origin())
	defer s.Close()
	res, err := http.Post(s.URL+"/reflect", "application/json", strings.NewReader(`{"status": 201, "headers": {"X-A": "b"}, "encodedBody": "aGk="}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("X-A") != "b" || string(body) != "hi" {
		t.Errorf("reflect: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, err = http.Get(s.URL + "/anything")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(body) != 0 {
		t.Errorf("default: %d %q", res.StatusCode, body)
	}
}
