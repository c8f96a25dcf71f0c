package geodata

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oschwald/geoip2-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2"
)

// Location is what a lookup found. An empty Country means the database
// has no country for the address.
type Location struct {
	Country string // ISO 3166-1 alpha-2, upper case ("GB")
	Region  string // ISO 3166-2 subdivision code without the country ("ENG"); city data only
	City    string // the city's English name; city data only
}

// DB is one loaded and validated database, held in memory. It is
// immutable and safe for concurrent use.
type DB struct {
	geo      *geoip2.Reader    // opened, typed and validated by geoip2-golang
	mmdb     *maxminddb.Reader // the same bytes, for lookups that decode only what they need
	source   string            // a path, or embeddedSource
	city     bool              // records may have subdivisions and city names
	built    time.Time         // metadata build epoch
	dbType   string            // metadata database_type
	embedded bool
	cache    sync.Map // data offset -> Location
	cached   atomicCount
}

// maxFileSize bounds a database file read into memory.
const maxFileSize = 1 << 30

// maxCached bounds the decoded records kept per database: a country
// database has a few hundred distinct records, a city database millions.
const maxCached = 1 << 16

// Open reads the database file at path into memory and validates it.
func Open(path string) (*DB, error) {
	data, _, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return OpenBytes(path, data)
}

// readFile reads a whole file, refusing what is not a regular file or is
// over maxFileSize. fi is the file as it was when opened, before the
// read: if it changes during the read, the next Store check sees that.
func readFile(path string) (data []byte, fi os.FileInfo, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > maxFileSize {
		return nil, nil, fmt.Errorf("%s: %d bytes; a GeoIP database over 1 GiB is refused", path, fi.Size())
	}
	data, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, nil, fmt.Errorf("%s: over 1 GiB; refused", path)
	}
	return data, fi, nil
}

// OpenBytes validates data, a whole MaxMind DB file, and returns it as a
// DB. name names it in errors. data must not be modified afterwards.
func OpenBytes(name string, data []byte) (db *DB, err error) {
	defer func() { // the readers must never panic on hostile bytes; if one does, refuse the file
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%s: not a usable MaxMind DB file (reader failed: %v)", name, r)
		}
	}()
	geo, err := geoip2.OpenBytes(data)
	if err != nil {
		var ut geoip2.UnknownDatabaseTypeError
		if errors.As(err, &ut) {
			return nil, fmt.Errorf("%s: a %q database has no countries; use a GeoIP2, GeoLite2 or DB-IP country or city database (an ip-location-db file converts with `edgeward geodata convert`)", name, ut.DatabaseType)
		}
		return nil, fmt.Errorf("%s: not a MaxMind DB file (truncated or corrupt?): %w", name, err)
	}
	md := geo.Metadata()
	if !countryType(md.DatabaseType) {
		return nil, fmt.Errorf("%s: a %q database has no countries; use a GeoIP2, GeoLite2 or DB-IP country or city database", name, md.DatabaseType)
	}
	mmdb, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := mmdb.Verify(); err != nil {
		return nil, fmt.Errorf("%s: the file is damaged (truncated or corrupt): %w", name, err)
	}
	db = &DB{
		geo: geo, mmdb: mmdb, source: name, dbType: md.DatabaseType,
		city:  !strings.Contains(md.DatabaseType, "Country"),
		built: time.Unix(int64(md.BuildEpoch), 0).UTC(),
	}
	if err := db.sample(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return db, nil
}

// sampleSize is how many networks OpenBytes looks up as a check.
const sampleSize = 16

// sample looks up the first networks of the database both through
// geoip2-golang (the records are in the layout it reads) and through
// Lookup's own decoding, and refuses a database that maps no address.
func (db *DB) sample() error {
	n := 0
	for res := range db.mmdb.Networks() {
		if err := res.Err(); err != nil {
			return fmt.Errorf("the file is damaged: %w", err)
		}
		if _, err := db.geo.Country(res.Prefix().Addr()); err != nil {
			return fmt.Errorf("the record for %s is not in the GeoIP2 layout: %w", res.Prefix(), err)
		}
		if _, err := db.decode(res); err != nil {
			return fmt.Errorf("the record for %s is not in the GeoIP2 layout: %w", res.Prefix(), err)
		}
		if n++; n == sampleSize {
			return nil
		}
	}
	if n == 0 {
		return errors.New("the database maps no address to a location")
	}
	return nil
}

// countryType reports whether a database type has country records.
func countryType(t string) bool {
	return strings.Contains(t, "Country") || strings.Contains(t, "City") ||
		strings.Contains(t, "Enterprise")
}

// Lookup returns the location of ip. An IPv4-mapped IPv6 address is
// looked up as IPv4. The error is for a record that cannot be decoded (a
// damaged database): callers that enforce a policy must then deny.
func (db *DB) Lookup(ip netip.Addr) (Location, error) {
	if !ip.IsValid() {
		return Location{}, nil
	}
	res := db.mmdb.Lookup(ip.Unmap())
	if err := res.Err(); err != nil {
		return Location{}, err
	}
	if !res.Found() {
		return Location{}, nil
	}
	off := res.Offset()
	if v, ok := db.cache.Load(off); ok {
		return v.(Location), nil
	}
	loc, err := db.decode(res)
	if err != nil {
		return Location{}, err
	}
	if db.cached.inc() <= maxCached {
		db.cache.Store(off, loc)
	}
	return loc, nil
}

// record is the part of a GeoIP2 record a lookup needs.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"subdivisions"`
	City struct {
		Names struct {
			English string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
}

func (db *DB) decode(res maxminddb.Result) (Location, error) {
	if !db.city {
		var iso string
		if err := res.DecodePath(&iso, "country", "iso_code"); err != nil {
			return Location{}, err
		}
		return Location{Country: iso}, nil
	}
	var r record
	if err := res.Decode(&r); err != nil {
		return Location{}, err
	}
	loc := Location{Country: r.Country.ISOCode, City: r.City.Names.English}
	if len(r.Subdivisions) > 0 {
		loc.Region = r.Subdivisions[0].ISOCode
	}
	return loc, nil
}

// Type is the database's type, as its metadata names it
// ("GeoIP2-Country", "DBIP-Country-Lite", "GeoLite2-City", ...).
func (db *DB) Type() string { return db.dbType }

// BuildTime is when the database was built.
func (db *DB) BuildTime() time.Time { return db.built }

// HasRegion reports whether the database has city-level data: region
// and city may be filled.
func (db *DB) HasRegion() bool { return db.city }

// Embedded reports whether this is the bundled DB-IP database.
func (db *DB) Embedded() bool { return db.embedded }

// Source is the file the database came from, or the bundled database's
// name.
func (db *DB) Source() string { return db.source }

// Metadata is the database's metadata.
func (db *DB) Metadata() maxminddb.Metadata { return db.geo.Metadata() }
