package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/geodatatest"
)

func TestGeodataLookup(t *testing.T) {
	out, errOut, code := runCLI(t, "geodata", "lookup", "81.2.69.142", "::ffff:141.1.1.1", "127.0.0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"81.2.69.142\tGB\n", "::ffff:141.1.1.1\tDE\n", "127.0.0.1\tunknown\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	out, _, code = runCLI(t, "geodata", "lookup", "--db", "../../testdata/geodata/GeoIP2-Country-Test.mmdb", "2a02:cf40::1")
	if code != 0 || out != "2a02:cf40::1\tNO\n" {
		t.Errorf("--db: exit %d, %q", code, out)
	}
	_, errOut, code = runCLI(t, "geodata", "lookup", "not-an-ip")
	if code != 1 || !strings.Contains(errOut, "not-an-ip: not an IP address") {
		t.Errorf("bad address: exit %d, %q", code, errOut)
	}
}

// TestGeodataLookupCity: a city database's region and city are printed.
func TestGeodataLookupCity(t *testing.T) {
	db := geodatatest.WriteFile(t, t.TempDir(), "GeoIP2-City", map[string]geodata.Location{
		"198.51.100.0/24": {Country: "GB", Region: "ENG", City: "London"},
		"192.0.2.0/24":    {Country: "DE"},
	})
	out, errOut, code := runCLI(t, "geodata", "lookup", "--db", db, "198.51.100.7", "192.0.2.1", "203.0.113.1")
	if code != 0 || out != "198.51.100.7\tGB\tregion ENG\tcity London\n192.0.2.1\tDE\n203.0.113.1\tunknown\n" {
		t.Errorf("exit %d, %q %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "geodata", "info", db)
	for _, want := range []string{"type:        GeoIP2-City\n", "city data:   true\n", "ip version:  6\n", "languages:   en\n", "built:       2026-11-01T00:00:00Z"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("info: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func TestGeodataInfo(t *testing.T) {
	out, _, code := runCLI(t, "geodata", "info")
	if code != 0 || !strings.Contains(out, "type:        DBIP-Country-Lite") || !strings.Contains(out, "db-ip.com") {
		t.Errorf("info of the bundled database: exit %d\n%s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.mmdb")
	os.WriteFile(bad, []byte("nope"), 0o644)
	_, errOut, code := runCLI(t, "geodata", "info", bad)
	if code != 1 || !strings.Contains(errOut, "not a MaxMind DB file") {
		t.Errorf("info of a bad file: exit %d, %q", code, errOut)
	}
}

// TestGeodataConvert converts a small database in ip-location-db's layout
// ({country_code}, type "country ipvAll") and looks up in the result.
func TestGeodataConvert(t *testing.T) {
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "country ipvAll", RecordSize: 24, BuildEpoch: 1780345978})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, cc := range map[string]string{"81.2.69.0/24": "GB", "2a02:cf40::/32": "NO", "141.1.0.0/16": "DE"} {
		_, n, _ := net.ParseCIDR(cidr)
		if err := w.Insert(n, mmdbtype.Map{"country_code": mmdbtype.String(cc)}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.mmdb"), filepath.Join(dir, "dst.mmdb")
	os.WriteFile(src, buf.Bytes(), 0o644)

	// The source itself is not readable by the gateway, and says how to fix it.
	_, errOut, code := runCLI(t, "geodata", "info", src)
	if code != 1 || !strings.Contains(errOut, "edgeward geodata convert") {
		t.Fatalf("info of the source: exit %d, %q", code, errOut)
	}
	out, errOut, code := runCLI(t, "geodata", "convert", "--in", src, "--out", dst)
	if code != 0 || !strings.Contains(out, "3 networks, 3 countries, built 2026-06-01") {
		t.Fatalf("convert: exit %d, %q %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "geodata", "lookup", "--db", dst, "81.2.69.1", "2a02:cf40::9", "141.1.2.3", "8.8.8.8")
	if code != 0 || out != "81.2.69.1\tGB\n2a02:cf40::9\tNO\n141.1.2.3\tDE\n8.8.8.8\tunknown\n" {
		t.Errorf("lookup in the converted database: exit %d, %q", code, out)
	}
	// Converting something that is not in that layout fails and writes nothing.
	other := filepath.Join(dir, "other.mmdb")
	_, errOut, code = runCLI(t, "geodata", "convert", "--in", "../../testdata/geodata/GeoIP2-Country-Test.mmdb", "--out", other)
	if code != 1 || !strings.Contains(errOut, "is not a two-letter code") {
		t.Errorf("convert of a GeoIP2 database: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("a failed conversion wrote its output")
	}
}
