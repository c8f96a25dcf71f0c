// Package geodatatest builds small, deterministic MaxMind DB files for
// tests, with github.com/maxmind/mmdbwriter.
package geodatatest

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/edgeward/edgeward/geodata"
)

// BuildEpoch is the build time written into test databases.
var BuildEpoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Build returns a database of type dbType ("GeoIP2-Country",
// "GeoIP2-City", ...) mapping each network (CIDR) to its location.
// Reserved ranges (loopback, documentation) may be mapped. Records have
// the GeoIP2 layout: country and registered_country iso_code, and, where
// the location has them, subdivisions[0].iso_code and city.names.en.
func Build(t testing.TB, dbType string, nets map[string]geodata.Location) []byte {
	t.Helper()
	return BuildAt(t, dbType, BuildEpoch, nets)
}

// BuildAt is Build with a chosen build time.
func BuildAt(t testing.TB, dbType string, built time.Time, nets map[string]geodata.Location) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		RecordSize:              24,
		IPVersion:               6,
		IncludeReservedNetworks: true,
		BuildEpoch:              built.Unix(),
		Description:             map[string]string{"en": "Edgeward test database"},
		Languages:               []string{"en"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cidrs := make([]string, 0, len(nets))
	for c := range nets {
		cidrs = append(cidrs, c)
	}
	slices.Sort(cidrs) // deterministic output
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatalf("geodatatest: %v", err)
		}
		if err := w.Insert(n, record(nets[c])); err != nil {
			t.Fatalf("geodatatest: insert %s: %v", c, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func record(l geodata.Location) mmdbtype.Map {
	m := mmdbtype.Map{}
	if l.Country != "" {
		c := mmdbtype.Map{"iso_code": mmdbtype.String(l.Country)}
		m["country"] = c
		m["registered_country"] = c
	}
	if l.Region != "" {
		m["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(l.Region)}}
	}
	if l.City != "" {
		m["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(l.City)}}
	}
	if len(m) == 0 { // a record with no country: a trait only, like MaxMind's anycast entries
		m["traits"] = mmdbtype.Map{"is_anycast": mmdbtype.Bool(true)}
	}
	return m
}

// WriteFile writes Build's database into dir as a file named after the
// type and returns its path.
func WriteFile(t testing.TB, dir, dbType string, nets map[string]geodata.Location) string {
	t.Helper()
	path := filepath.Join(dir, strings.ToLower(dbType)+".mmdb")
	if err := os.WriteFile(path, Build(t, dbType, nets), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
