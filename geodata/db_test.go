package geodata_test

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/geodatatest"
)

const maxmindTestDB = "../testdata/geodata/GeoIP2-Country-Test.mmdb"

func openTestDB(t testing.TB, path string) *geodata.DB {
	t.Helper()
	db, err := geodata.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestLookupMaxMindTestDB uses MaxMind's own test database, whose
// addresses are documented.
func TestLookupMaxMindTestDB(t *testing.T) {
	db := openTestDB(t, maxmindTestDB)
	if db.Type() != "GeoIP2-Country" || db.HasRegion() || db.Embedded() {
		t.Fatalf("type %q, region %v, embedded %v", db.Type(), db.HasRegion(), db.Embedded())
	}
	for _, c := range []struct{ ip, country string }{
		{"81.2.69.142", "GB"},
		{"::ffff:81.2.69.142", "GB"}, // IPv4-mapped: looked up as IPv4
		{"2.125.160.216", "GB"},
		{"89.160.20.112", "SE"},
		{"216.160.83.56", "US"},
		{"2a02:cf40::1", "NO"},
		{"214.1.1.1", ""}, // a record without a country
		{"8.8.8.8", ""},   // not in the database
		{"2001:4860:4860::8888", ""},
	} {
		loc, err := db.Lookup(netip.MustParseAddr(c.ip))
		if err != nil || loc.Country != c.country {
			t.Errorf("Lookup(%s) = %+v, %v; want %q", c.ip, loc, err, c.country)
		}
		// The second lookup comes from the decoded-record cache.
		if again, _ := db.Lookup(netip.MustParseAddr(c.ip)); again != loc {
			t.Errorf("Lookup(%s) again = %+v, want %+v", c.ip, again, loc)
		}
	}
	if loc, err := db.Lookup(netip.Addr{}); err != nil || loc != (geodata.Location{}) {
		t.Errorf("Lookup of no address = %+v, %v", loc, err)
	}
}

// TestEmbedded: the bundled database opens, says what it is, and knows
// some well-known networks (checked against the source data with
// `edgeward geodata lookup`).
func TestEmbedded(t *testing.T) {
	db, err := geodata.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if !db.Embedded() || db.Type() != "DBIP-Country-Lite" || db.BuildTime().Format("2006-01") != "2026-06" {
		t.Fatalf("embedded %v, type %q, built %v", db.Embedded(), db.Type(), db.BuildTime())
	}
	for ip, want := range map[string]string{
		"81.2.69.142": "GB", "193.0.6.139": "NL", "141.1.1.1": "DE", "216.160.83.56": "US",
		"2a02:cf40::1": "DK", "127.0.0.1": "", "10.1.2.3": "", "::1": "",
	} {
		loc, err := db.Lookup(netip.MustParseAddr(ip))
		if err != nil || loc.Country != want {
			t.Errorf("Lookup(%s) = %+v, %v; want %q", ip, loc, err, want)
		}
	}
	if again, _ := geodata.Embedded(); again != db {
		t.Error("Embedded parsed the database twice")
	}
}

func TestCityDatabase(t *testing.T) {
	data := geodatatest.Build(t, "GeoIP2-City", map[string]geodata.Location{
		"198.51.100.0/24": {Country: "GB", Region: "ENG", City: "London"},
		"2001:db8::/32":   {Country: "FR", Region: "IDF", City: "Paris"},
		"192.0.2.0/24":    {Country: "DE"},
	})
	db, err := geodata.OpenBytes("city", data)
	if err != nil {
		t.Fatal(err)
	}
	if !db.HasRegion() {
		t.Fatal("a city database says it has no region data")
	}
	for ip, want := range map[string]geodata.Location{
		"198.51.100.7": {Country: "GB", Region: "ENG", City: "London"},
		"2001:db8::5":  {Country: "FR", Region: "IDF", City: "Paris"},
		"192.0.2.1":    {Country: "DE"},
		"203.0.113.1":  {},
	} {
		if loc, err := db.Lookup(netip.MustParseAddr(ip)); err != nil || loc != want {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", ip, loc, err, want)
		}
	}
}

// rawDB builds a database whose records are given as they are written,
// for layouts geodatatest does not make.
func rawDB(t *testing.T, dbType string, nets map[string]mmdbtype.DataType) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: dbType, RecordSize: 24, IncludeReservedNetworks: true,
		Description: map[string]string{"en": "test"}, BuildEpoch: geodatatest.BuildEpoch.Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestOpenRefuses: one bad file per check, each with its message.
func TestOpenRefuses(t *testing.T) {
	good, err := os.ReadFile(maxmindTestDB)
	if err != nil {
		t.Fatal(err)
	}
	asn := geodatatest.Build(t, "GeoLite2-ASN", map[string]geodata.Location{"192.0.2.0/24": {Country: "DE"}})
	ipvall := geodatatest.Build(t, "country ipvAll", map[string]geodata.Location{"192.0.2.0/24": {Country: "DE"}})
	flipped := append([]byte(nil), good...)
	for i := 100; i < 400; i++ { // inside the search tree
		flipped[i] ^= 0xff
	}
	// The data section starts after the search tree and 16 zero bytes.
	md := openTestDB(t, maxmindTestDB).Metadata()
	dataStart := int(md.NodeCount*md.RecordSize/4) + 16
	badData := append([]byte(nil), good...)
	for i := dataStart; i < dataStart+64; i++ {
		badData[i] = 0xff
	}
	numericISO := rawDB(t, "GeoIP2-Country", map[string]mmdbtype.DataType{
		"192.0.2.0/24": mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.Uint32(276)}},
	})
	empty := rawDB(t, "GeoIP2-Country", nil)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a MaxMind DB file (truncated or corrupt?)"},
		{"text", []byte("not a database\n"), "not a MaxMind DB file (truncated or corrupt?)"},
		{"truncated to half", good[:len(good)/2], "not a MaxMind DB file (truncated or corrupt?)"},
		{"truncated by one byte", good[:len(good)-1], "not a MaxMind DB file (truncated or corrupt?)"},
		{"metadata only", good[len(good)-200:], "not a MaxMind DB file (truncated or corrupt?)"},
		{"tree damaged", flipped, "the file is damaged (truncated or corrupt)"},
		{"data damaged", badData, "the file is damaged (truncated or corrupt)"},
		{"ASN database", asn, `a "GeoLite2-ASN" database has no countries`},
		{"ip-location-db layout", ipvall, "edgeward geodata convert"},
		{"iso_code not a string", numericISO, "the record for 192.0.2.0/24 is not in the GeoIP2 layout"},
		{"no networks", empty, "the database maps no address to a location"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := geodata.OpenBytes("x.mmdb", c.data)
			if err == nil {
				t.Fatalf("OpenBytes succeeded (%s)", db.Type())
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x.mmdb: ") {
				t.Fatalf("error %q, want x.mmdb: ... %q", err, c.want)
			}
		})
	}
}

func TestOpenFileChecks(t *testing.T) {
	dir := t.TempDir()
	if _, err := geodata.Open(filepath.Join(dir, "missing.mmdb")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := geodata.Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	// A sparse file just over the bound: refused before it is read.
	huge := filepath.Join(dir, "huge.mmdb")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1<<30 + 1); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	if _, err := geodata.Open(huge); err == nil || err.Error() != huge+": 1073741825 bytes; a GeoIP database over 1 GiB is refused" {
		t.Errorf("file over 1 GiB: %v", err)
	}
}

// FuzzOpenBytes: no input makes the reader panic or yield a database
// whose lookups fail silently; seeds are real databases and cuts of them.
func FuzzOpenBytes(f *testing.F) {
	good, err := os.ReadFile(maxmindTestDB)
	if err != nil {
		f.Fatal(err)
	}
	small := geodatatest.Build(f, "GeoIP2-Country", map[string]geodata.Location{"192.0.2.0/24": {Country: "DE"}, "2001:db8::/32": {Country: "FR"}})
	city := geodatatest.Build(f, "GeoIP2-City", map[string]geodata.Location{"198.51.100.0/24": {Country: "GB", Region: "ENG", City: "London"}})
	for _, db := range [][]byte{good, small, city} {
		f.Add(db)
		f.Add(db[:len(db)-10])
		f.Add(db[:len(db)/2])
		f.Add(db[len(db)/3:])
	}
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := geodata.OpenBytes("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, ip := range []string{"81.2.69.142", "2a02:cf40::1", "8.8.8.8", "::", "192.0.2.1", "2001:db8::1", "198.51.100.1"} {
			_, _ = db.Lookup(netip.MustParseAddr(ip)) // errors are fine (the caller denies), panics are not
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	db, err := geodata.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, ip string }{
		{"IPv4", "81.2.69.142"},
		{"IPv6", "2a02:cf40::1"},
		{"IPv4-unknown", "10.1.2.3"},
		{"IPv6-unknown", "2001:db8::1"},
		{"IPv4-mapped", "::ffff:193.0.6.139"},
	} {
		ip := netip.MustParseAddr(c.ip)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.Lookup(ip); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("IPv4-spread", func(b *testing.B) { // many networks: tree walks over cold paths
		ips := make([]netip.Addr, 4096)
		for i := range ips {
			ips[i] = netip.AddrFrom4([4]byte{byte(i * 7), byte(i * 13), byte(i), 1})
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_, _ = db.Lookup(ips[i&4095])
			i++
		}
	})
}

// BenchmarkOpenEmbedded: what loading the bundled database costs (what
// Embedded does once, and a Store does per reload of a file that size):
// parse, Verify, sample lookups.
func BenchmarkOpenEmbedded(b *testing.B) {
	data, err := os.ReadFile("dbip-country-lite.mmdb")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := geodata.OpenBytes("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}
