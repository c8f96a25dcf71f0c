// Package convert turns an ip-location-db country database (records
// {country_code: "GB"}, database type "country ipvAll", which
// geoip2-golang cannot read) into the GeoIP2-Country record layout
// ({country: {iso_code}, registered_country: {iso_code}}), written with
// github.com/maxmind/mmdbwriter. `make geodata` uses it to rebuild the
// bundled DB-IP database; operators can use it on a newer edition.
//
// The output is deterministic: the same input gives the same bytes.
// Networks mmdbwriter refuses as IETF special-purpose space (2001::/23,
// ...) or as aliases of IPv4 space in the IPv6 tree (Teredo, 6to4) are
// left out and counted.
//
// The source is an operator's download, read by a command-line tool, not
// a gateway input: a damaged tree or record is refused with the reason
// (FuzzConvert), and the result is opened and checked by the caller
// (`edgeward geodata convert` does, with geodata.OpenBytes).
package convert

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/oschwald/maxminddb-golang/v2"
)

// DatabaseType is the type written into converted databases.
const DatabaseType = "DBIP-Country-Lite"

// Stats describe a conversion.
type Stats struct {
	Networks  int       // networks written
	Reserved  int       // networks left out as reserved or aliased space
	Countries int       // distinct country codes
	Built     time.Time // the source's build time, kept
}

// Convert reads src, a whole ip-location-db country MMDB, and writes the
// converted database to w.
func Convert(src []byte, w io.Writer) (Stats, error) {
	var st Stats
	r, err := maxminddb.OpenBytes(src)
	if err != nil {
		return st, fmt.Errorf("source: %w", err)
	}
	md := r.Metadata
	st.Built = time.Unix(int64(md.BuildEpoch), 0).UTC()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            DatabaseType,
		Description:             map[string]string{"en": "converted from ip-location-db dbip-country-mmdb"},
		Languages:               []string{"en"},
		RecordSize:              24,
		BuildEpoch:              int64(md.BuildEpoch),
		IncludeReservedNetworks: false,
	})
	if err != nil {
		return st, err
	}
	records := map[string]mmdbtype.Map{} // one record value per country
	written := map[string]bool{}
	// maxminddb's Verify would check the whole source first, but it also
	// refuses the empty description ip-location-db files have. A tree
	// has at most NodeCount+1 networks; more means a damaged tree whose
	// nodes are shared, which would otherwise be walked without end.
	seen := uint(0)
	for res := range r.Networks() {
		if seen++; seen > md.NodeCount+1 {
			return st, fmt.Errorf("source: damaged search tree (more networks than its %d nodes allow)", md.NodeCount)
		}
		if err := res.Err(); err != nil {
			return st, fmt.Errorf("source: damaged (truncated or corrupt): %w", err)
		}
		var rec struct {
			CountryCode string `maxminddb:"country_code"`
		}
		if err := res.Decode(&rec); err != nil {
			return st, fmt.Errorf("source record for %s: %w", res.Prefix(), err)
		}
		if !isCode(rec.CountryCode) {
			return st, fmt.Errorf("source record for %s: country_code %q is not a two-letter code (is this an ip-location-db country database?)", res.Prefix(), rec.CountryCode)
		}
		m, ok := records[rec.CountryCode]
		if !ok {
			c := mmdbtype.Map{"iso_code": mmdbtype.String(rec.CountryCode)}
			m = mmdbtype.Map{"country": c, "registered_country": c}
			records[rec.CountryCode] = m
		}
		p := res.Prefix()
		n := &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
		err := tree.Insert(n, m)
		var rn *mmdbwriter.ReservedNetworkError
		var an *mmdbwriter.AliasedNetworkError
		switch {
		case errors.As(err, &rn), errors.As(err, &an):
			st.Reserved++
			continue
		case err != nil:
			return st, fmt.Errorf("insert %s: %w", p, err)
		}
		st.Networks++
		written[rec.CountryCode] = true
	}
	st.Countries = len(written)
	if st.Networks == 0 {
		return st, errors.New("source: no networks")
	}
	if _, err := tree.WriteTo(w); err != nil {
		return st, err
	}
	return st, nil
}

// isCode reports whether s is an ISO 3166-1 alpha-2 code as ip-location-db
// writes them: two upper-case ASCII letters.
func isCode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}
