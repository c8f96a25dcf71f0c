package gateway

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/geodatatest"
	"github.com/edgeward/edgeward/policy"
)

// geoTestNets maps the loopback addresses test clients bind to, and the
// documentation ranges used in X-Forwarded-For, to countries.
var geoTestNets = map[string]geodata.Location{
	"127.0.0.1/32":    {Country: "DE"},
	"127.0.0.2/32":    {Country: "US"},
	"192.0.2.0/24":    {Country: "FR"},
	"198.51.100.0/24": {Country: "GB", Region: "ENG", City: "London"},
	"2001:db8::/32":   {Country: "NL"},
	// A city name no header can carry: left out, the request still goes.
	"198.51.100.128/25": {Country: "GB", City: "Bad\r\nX-Injected: 1"},
	// 127.0.0.3 and 203.0.113.0/24 have no country.
}

// clientFrom is an HTTP client whose connections come from local (a
// loopback address: Linux routes all of 127/8 to lo).
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// geoOrigin answers every request with the CloudFront-Viewer-* headers it
// received, and counts requests.
type geoOrigin struct {
	url  string
	hits atomic.Int64
}

func newGeoOrigin(t *testing.T) *geoOrigin {
	o := &geoOrigin{}
	o.url = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if r.URL.Path == "/errors/geo.html" {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>custom geo page</p>")
			return
		}
		w.Header().Set("Cache-Control", "max-age=60")
		fmt.Fprintf(w, "country=%s region=%s city=%s spoof=%s",
			r.Header.Get("CloudFront-Viewer-Country"), r.Header.Get("CloudFront-Viewer-Country-Region"),
			r.Header.Get("CloudFront-Viewer-City"), r.Header.Get("CloudFront-Is-Mobile-Viewer"))
	}))
	return o
}

// geoConfig is a distribution with geo-restricted behaviors:
//
//	/eu/*      allow DE, FR, GB; unknown countries denied
//	/deny/*    deny US; unknown countries allowed (CloudFront's default)
//	/page/*    allow FR with status 451 and a custom page
//	/keyed/*   no policy; the cache key includes the viewer's country
//	default    no policy
func geoConfig(t *testing.T, dir, originURL, dbPath, extraTop string) string {
	t.Helper()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Join(dir, "policies"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "policies", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("eu.yaml", "kind: geo\nallow: [DE, FR, GB]\nunknown: deny\n")
	write("no-us.yaml", "kind: geo\ndeny: [US]\n")
	write("fr-page.yaml", "kind: geo\nallow: [FR]\nstatus: 451\npage: /errors/geo.html\n")
	geo := ""
	if dbPath != "" {
		geo = "geodata: {database: " + dbPath + "}\n"
	}
	return writeConfig(t, dir, `
listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}
access_log: {path: {{DIR}}/access.log, format: json}
trusted_proxies: [127.0.0.1]
`+geo+extraTop+`
distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: `+originURL+`}]
    default_behavior: {origin: o, cache: disabled}
    behaviors:
      - {path: /eu/*, origin: o, cache: disabled, geo_policy: policies/eu.yaml}
      - {path: /deny/*, origin: o, cache: disabled, geo_policy: policies/no-us.yaml}
      - {path: /page/*, origin: o, cache: disabled, geo_policy: policies/fr-page.yaml}
      - {path: /errors/*, origin: o, cache: disabled}
      - {path: /keyed/*, origin: o, cache: {headers: [CloudFront-Viewer-Country]}}
`)
}

func startGeoGateway(t *testing.T, cfgPath string, logw io.Writer) *Server {
	t.Helper()
	opts := Options{geoCheckEvery: 20 * time.Millisecond}
	if logw != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logw, nil))
	}
	return startGatewayWith(t, cfgPath, opts)
}

func TestGeoPolicies(t *testing.T) {
	dir := t.TempDir()
	o := newGeoOrigin(t)
	db := geodatatest.WriteFile(t, dir, "GeoIP2-City", geoTestNets)
	s := startGeoGateway(t, geoConfig(t, dir, o.url, db, ""), nil)
	base := "http://" + s.Addr()

	cases := []struct {
		name   string
		from   string // client address
		path   string
		header http.Header
		status int
		// body is what the origin answered (the headers it got), or a
		// fragment of the gateway's block page.
		body string
	}{
		{"allow list admits DE", "127.0.0.1", "/eu/a", nil, 200, "country=DE region= city="},
		{"allow list refuses US", "127.0.0.2", "/eu/a", nil, 403, "not available in your country"},
		{"allow list refuses unknown", "127.0.0.3", "/eu/a", nil, 403, "not available in your country"},
		{"deny list refuses US", "127.0.0.2", "/deny/a", nil, 403, "Request ID: "},
		{"deny list admits DE", "127.0.0.1", "/deny/a", nil, 200, "country=DE"},
		{"deny list admits unknown", "127.0.0.3", "/deny/a", nil, 200, "country= "},
		{"trusted proxy: X-Forwarded-For decides (FR)", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"192.0.2.7"}}, 200, "country=FR"},
		{"trusted proxy: rightmost untrusted entry decides", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"192.0.2.7, 203.0.113.9"}}, 403, "not available"},
		{"trusted proxy: unknown viewer refused", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, 403, "not available"},
		{"trusted proxy: IPv4-mapped IPv6", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"::ffff:192.0.2.9"}}, 200, "country=FR"},
		{"trusted proxy: IPv6 viewer", "127.0.0.1", "/deny/a", http.Header{"X-Forwarded-For": {"2001:db8::1"}}, 200, "country=NL"},
		{"city data reaches the origin", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, 200, "country=GB region=ENG city=London"},
		{"a city value no header can carry is left out", "127.0.0.1", "/eu/a", http.Header{"X-Forwarded-For": {"198.51.100.200"}}, 200, "country=GB region= city= "},
		{"untrusted X-Forwarded-For is ignored", "127.0.0.2", "/eu/a", http.Header{"X-Forwarded-For": {"192.0.2.7"}}, 403, "not available"},
		{"spoofed country header replaced", "127.0.0.1", "/eu/a", http.Header{"Cloudfront-Viewer-Country": {"US"}}, 200, "country=DE region= city= spoof="},
		{"spoofed headers stripped without a policy", "127.0.0.2", "/other", http.Header{"Cloudfront-Viewer-Country": {"DE"}, "Cloudfront-Viewer-City": {"Berlin"}, "Cloudfront-Is-Mobile-Viewer": {"true"}}, 200, "country= region= city= spoof="},
		{"custom page with the policy's status", "127.0.0.1", "/page/a", nil, 451, "<p>custom geo page</p>"},
		{"custom page's allowed country", "127.0.0.1", "/page/a", http.Header{"X-Forwarded-For": {"192.0.2.1"}}, 200, "country=FR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := o.hits.Load()
			resp, body := do(t, clientFrom(c.from), "GET", base+c.path, "d.test", c.header, nil)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, c.status, body)
			}
			if !strings.Contains(body, c.body) {
				t.Errorf("body %q, want it to contain %q", body, c.body)
			}
			fetched := o.hits.Load() - before
			switch {
			case c.status == 200 && fetched != 1:
				t.Errorf("origin got %d requests, want 1", fetched)
			case c.status == 403 && fetched != 0:
				t.Errorf("a geo-blocked request reached the origin (%d requests)", fetched)
			}
			if c.status == 403 && strings.Contains(body, "db-ip.com") {
				t.Errorf("the block page credits DB-IP, but the test database decided: %q", body)
			}
		})
	}

	_ = s.Shutdown(t.Context())
	raw, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	blocked := 0
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if bytes.Contains(line, []byte(`"detailed_result":"ClientGeoBlocked"`)) {
			blocked++
			if !bytes.Contains(line, []byte(`"denied_by":"geo"`)) {
				t.Errorf("a geo-blocked line does not name the stage: %s", line)
			}
		}
	}
	if blocked != 7 { // the six 403s and the 451
		t.Errorf("%d access log lines say ClientGeoBlocked, want 7:\n%s", blocked, raw)
	}
}

// BenchmarkGeoStage is the geo stage on one request: the lookup in the
// bundled database, the policy decision and the viewer headers.
func BenchmarkGeoStage(b *testing.B) {
	db, err := geodata.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	pol, err := policy.ParseGeoPolicy("bench.yaml", []byte("kind: geo\nallow: [GB, DE, FR, DK]\n"))
	if err != nil {
		b.Fatal(err)
	}
	st := &geoStage{src: fixedGeo{db}, pol: pol}
	for _, c := range []struct{ name, ip string }{{"admitted-v4", "81.2.69.142"}, {"admitted-v6", "2a02:cf40::1"}, {"refused", "216.160.83.56"}} {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "http://d.test/a", nil)
			x := newExchange(r, "bench", time.Now())
			x.Viewer = netip.AddrPortFrom(netip.MustParseAddr(c.ip), 1234)
			b.ReportAllocs()
			for b.Loop() {
				_ = st.Check(x)
			}
		})
	}
}
