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
func source(t *testing.T, nets map[string]string) []byte {
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
		{"not country codes", source(t, map[string]string{"81.2.69.0/24": "GBR"}), `country_code "GBR" is not a two-letter code`},
		{"empty", source(t, map[string]string{}), "source: no networks"},
	} {
		if _, err := Convert(c.src, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
