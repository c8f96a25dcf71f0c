package accesslog

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lookTool finds an outside program a test needs. Without it the test is
// skipped, unless EDGEWARD_REQUIRE_TOOLS=1 (as `make test` sets), when it
// fails.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("EDGEWARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (EDGEWARD_REQUIRE_TOOLS=1) but not found: %v", name, err)
		}
		t.Skipf("%s not found in PATH: %v", name, err)
	}
	return path
}

// variedEntries returns n entries that differ in everything GoAccess reads:
// method, status, path, query, user agent (hostile ones included), client
// address, result, protocol version, TLS and sizes. Statuses are real
// HTTP statuses; see TestGoAccessStatus000 for 000.
func variedEntries(n int) []*Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	methods := []string{"GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
	statuses := []int{200, 200, 200, 204, 206, 301, 302, 304, 400, 403, 404, 405, 416, 429, 500, 502, 503, 504}
	paths := []string{
		"/", "/index.html", "/img/cat.jpg", "/css/site.css", "/js/app.js", "/private/report.pdf",
		"/a b/c d.txt", "/caf\u00e9/\u65e5\u672c.html", "/100%/x", "/q?not-a-query", "/semi;colon",
		"/evil\tpath\r\nX-Injected: 1", "/quote\"'<>{}|\\^~[]`", "/bad\xff\xfeutf8", "/ctl\x01\x1f\x7f",
		"/" + strings.Repeat("long/", 200),
	}
	queries := []string{"", "", "v=1", "a=1&b=2", "q=hello%20world", "x=%00%0A", "Expires=1714557600&Key-Pair-Id=K2JCJMDEHXQW5F"}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
		"curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)", "",
		hostile, "tab\there\nnewline\r\n\"quoted\"", "\xff\xfe\xfd", "\u65e5\u672c\u8a9e\u30d6\u30e9\u30a6\u30b6/1.0",
		"' OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
	}
	referers := []string{"", "", "https://www.example.com/", "https://search.example/?q=cat pics", hostile}
	ips := []string{"192.0.2.1", "192.0.2.77", "198.51.100.23", "203.0.113.250", "2001:db8::1", "2001:db8:85a3::8a2e:370:7334"}
	results := []string{"Hit", "Miss", "RefreshHit", "Error", "Redirect"}
	versions := []string{"HTTP/1.0", "HTTP/1.1", "HTTP/2.0"}

	t0 := time.Date(2024, 5, 1, 23, 58, 0, 0, time.UTC)
	entries := make([]*Entry, n)
	for i := range entries {
		e := &Entry{
			Time:               t0.Add(time.Duration(i) * 997 * time.Millisecond),
			EdgeLocation:       "FRA1",
			BytesSent:          rng.Int64N(5 << 20),
			ClientIP:           pick(ips),
			ClientPort:         1024 + rng.IntN(60000),
			Method:             pick(methods),
			Host:               "assets",
			URIStem:            paths[i%len(paths)], // every one of them
			Status:             statuses[rng.IntN(len(statuses))],
			Referer:            pick(referers),
			UserAgent:          agents[i%len(agents)],
			Query:              pick(queries),
			ResultType:         pick(results),
			RequestID:          fmt.Sprintf("req%017d", i),
			HostHeader:         "cdn.example.com",
			Protocol:           "https",
			BytesReceived:      rng.Int64N(10000),
			TimeTaken:          time.Duration(rng.Int64N(int64(3 * time.Second))),
			ProtocolVersion:    pick(versions),
			SSLProtocol:        "TLSv1.3",
			SSLCipher:          "TLS_AES_128_GCM_SHA256",
			TimeToFirstByte:    time.Duration(rng.Int64N(int64(time.Second))),
			DetailedResultType: "Hit",
			ContentType:        "text/html",
			ContentLength:      rng.Int64N(5<<20) - 1,
			RangeStart:         -1,
			RangeEnd:           -1,
		}
		e.ResponseResultType = e.ResultType
		if i%7 == 0 {
			e.Protocol, e.SSLProtocol, e.SSLCipher = "http", "", ""
		}
		if e.Status == 206 {
			e.RangeStart, e.RangeEnd = 0, 1023
		}
		entries[i] = e
	}
	return entries
}

// goAccessReport is the part of GoAccess's JSON report the tests read.
type goAccessReport struct {
	General struct {
		TotalRequests  int   `json:"total_requests"`
		ValidRequests  int   `json:"valid_requests"`
		FailedRequests int   `json:"failed_requests"`
		Bandwidth      int64 `json:"bandwidth"`
	} `json:"general"`
	StatusCodes struct {
		Metadata struct {
			Cumts struct {
				Total struct {
					Value int64 `json:"value"` // microseconds
				} `json:"total"`
			} `json:"cumts"`
		} `json:"metadata"`
		Data []struct {
			Items []struct {
				Hits struct {
					Count int `json:"count"`
				} `json:"hits"`
				Data string `json:"data"` // "404 - Not Found: ..."
			} `json:"items"`
		} `json:"data"`
	} `json:"status_codes"`
}

// runGoAccess writes entries to a CloudFront log through a Logger and
// returns GoAccess's report of it.
func runGoAccess(t *testing.T, entries []*Entry, extraArgs ...string) goAccessReport {
	t.Helper()
	bin := lookTool(t, "goaccess")
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	l := mustOpen(t, logPath, FormatCloudFront)
	for _, e := range entries {
		l.Log(e)
	}
	mustClose(t, l)

	out := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // liveness only
	defer cancel()
	args := append([]string{logPath, "--log-format=CLOUDFRONT", "--no-global-config", "-o", out,
		"--invalid-requests=" + filepath.Join(dir, "invalid.log")}, extraArgs...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goaccess: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep goAccessReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("goaccess report: %v", err)
	}
	if inv, _ := os.ReadFile(filepath.Join(dir, "invalid.log")); len(inv) > 0 {
		t.Logf("lines GoAccess rejected:\n%s", inv)
	}
	return rep
}

// TestGoAccessReadsCloudFront checks that GoAccess, with its predefined
// CLOUDFRONT format (date %Y-%m-%d, time %H:%M:%S, tab-separated; it reads
// date, time, sc-bytes, c-ip, cs-method, cs(Host), cs-uri-stem, sc-status,
// cs(Referer), cs(User-Agent), cs-uri-query, x-edge-result-type,
// time-taken, ssl-protocol, ssl-cipher and cs-protocol-version), parses
// every line we write, and that the columns line up: its byte total and
// per-status counts are ours.
func TestGoAccessReadsCloudFront(t *testing.T) {
	const n = 200
	entries := variedEntries(n)
	rep := runGoAccess(t, entries)

	g := rep.General
	if g.TotalRequests != n || g.FailedRequests != 0 || g.ValidRequests != n {
		t.Fatalf("GoAccess: total %d, valid %d, failed %d; want %d, %d, 0",
			g.TotalRequests, g.ValidRequests, g.FailedRequests, n, n)
	}
	var bytes, micros int64
	wantStatus := map[int]int{}
	for _, e := range entries {
		bytes += e.BytesSent
		micros += e.TimeTaken.Round(time.Millisecond).Microseconds()
		wantStatus[e.Status]++
	}
	if g.Bandwidth != bytes {
		t.Errorf("GoAccess bandwidth %d, want the sum of sc-bytes %d", g.Bandwidth, bytes)
	}
	// GoAccess converts each "0.283" through a double and truncates, so a
	// line may lose a microsecond.
	if got := rep.StatusCodes.Metadata.Cumts.Total.Value; got > micros || got < micros-n {
		t.Errorf("GoAccess total time served %dµs, want the sum of time-taken %dµs", got, micros)
	}
	gotStatus := map[int]int{}
	for _, class := range rep.StatusCodes.Data {
		for _, item := range class.Items {
			code, err := strconv.Atoi(strings.SplitN(item.Data, " ", 2)[0])
			if err != nil {
				t.Fatalf("status item %q", item.Data)
			}
			gotStatus[code] += item.Hits.Count
		}
	}
	if fmt.Sprint(gotStatus) != fmt.Sprint(wantStatus) {
		t.Errorf("GoAccess status counts %v, want %v", gotStatus, wantStatus)
	}
}

// TestGoAccessStatus000 documents how GoAccess treats sc-status 000 (the
// viewer went away before a response): it rejects such lines unless
// --no-strict-status is given, and then reads them.
func TestGoAccessStatus000(t *testing.T) {
	entries := variedEntries(10)
	entries[3].Status = 0
	entries[7].Status = 0

	rep := runGoAccess(t, entries)
	if g := rep.General; g.TotalRequests != 10 || g.FailedRequests != 2 {
		t.Fatalf("strict: total %d, failed %d; want 10, 2", g.TotalRequests, g.FailedRequests)
	}
	rep = runGoAccess(t, entries, "--no-strict-status")
	if g := rep.General; g.TotalRequests != 10 || g.FailedRequests != 0 || g.ValidRequests != 10 {
		t.Fatalf("--no-strict-status: total %d, valid %d, failed %d; want 10, 10, 0",
			g.TotalRequests, g.ValidRequests, g.FailedRequests)
	}
}
