package convert

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/edgeward/edgeward/geodata"
)

// source builds a database in ip-location-db's layout. Reserved and
// aliased networks need IncludeReservedNetworks in the source.
func source(t testing.TB, nets map[string]string) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "country ipvAll", RecordSize: 24, BuildEpoch: 1780345978, IncludeReservedNetworks: true, DisableIPv4Aliasing: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, cc := range nets {
		_, n, _ := net.ParseCIDR(cidr)
		if err := w.Insert(n, mmdbtype.Map{"country_code": mmdbtype.String(cc)}); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestConvert(t *testing.T) {
	src := source(t, map[string]string{
		"81.2.69.0/24": "GB", "2a02:cf40::/32": "NO",
		"2001::/32":  "US", // Teredo: aliased to IPv4 in the output tree, left out
		"10.0.0.0/8": "US", // private space: left out
	})
	var a, b bytes.Buffer
	st, err := Convert(src, &a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Networks != 2 || st.Reserved != 2 || st.Countries != 2 || st.Built.Unix() != 1780345978 {
		t.Errorf("stats %+v", st)
	}
	if _, err := Convert(src, &b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("two conversions differ (%v)", err)
	}
	db, err := geodata.OpenBytes("out", a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if db.Type() != DatabaseType {
		t.Errorf("type %q", db.Type())
	}
	for ip, want := range map[string]string{"81.2.69.9": "GB", "2a02:cf40::1": "NO", "10.1.1.1": ""} {
		if loc, err := db.Lookup(netip.MustParseAddr(ip)); err != nil || loc.Country != want {
			t.Errorf("%s: %+v %v, want %q", ip, loc, err, want)
		}
	}
}

func TestConvertRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
		want string
	}{
		{"not a database", []byte("nope"), "source: "},
		{"damaged", damaged(t), "source: damaged (truncated or corrupt): the MaxMind DB file's search tree is corrupt"},
		{"not country codes", source(t, map[string]string{"81.2.69.0/24": "GBR"}), `country_code "GBR" is not a two-letter code`},
		{"lower case", source(t, map[string]string{"81.2.69.0/24": "gb"}), `country_code "gb" is not a two-letter code`},
		{"empty", source(t, map[string]string{}), "source: no networks"},
	} {
		if _, err := Convert(c.src, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// damaged is a source whose search tree is overwritten.
func damaged(t *testing.T) []byte {
	src := source(t, map[string]string{"81.2.69.0/24": "GB", "2a02:cf40::/32": "NO"})
	for i := 0; i < 60; i++ {
		src[i] = 0xff
	}
	return src
}

// FuzzConvert: a damaged source is refused, never walked into a panic or
// an endless loop, and what converts opens as a database.
func FuzzConvert(f *testing.F) {
	for _, nets := range []map[string]string{
		{"81.2.69.0/24": "GB", "2a02:cf40::/32": "NO", "10.0.0.0/8": "US"},
		{"192.0.2.0/24": "DE"},
	} {
		src := source(f, nets)
		f.Add(src)
		f.Add(src[:len(src)/2])
		f.Add(src[len(src)/3:])
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var out bytes.Buffer
		if _, err := Convert(src, &out); err != nil {
			return
		}
		if _, err := geodata.OpenBytes("converted", out.Bytes()); err != nil {
			t.Fatalf("a converted database does not open: %v", err)
		}
	})
}
