package geodata

import (
	_ "embed"
	"sync"
)

// Attribution credits the bundled database, as CC BY 4.0 and DB-IP ask,
// and says it was changed (converted), as CC BY 4.0 section 3(a)(1)(B)
// asks. It is the text of NOTICE on one line.
const Attribution = "IP Geolocation by DB-IP (https://db-ip.com), licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). " +
	"Converted from DB-IP's IP-to-Country Lite data to the GeoIP2-Country MMDB record layout."

// AttributionHTML is the link DB-IP asks pages that use its data to show.
const AttributionHTML = `<a href="https://db-ip.com">IP Geolocation by DB-IP</a>`

// EmbeddedSource names the bundled database in messages.
const EmbeddedSource = "bundled DB-IP Country Lite (2026-06)"

//go:embed dbip-country-lite.mmdb
var embeddedData []byte

var embedded struct {
	once sync.Once
	db   *DB
	err  error
}

// Embedded returns the bundled DB-IP database, opened and verified once.
func Embedded() (*DB, error) {
	embedded.once.Do(func() {
		embedded.db, embedded.err = OpenBytes(EmbeddedSource, embeddedData)
		if embedded.db != nil {
			embedded.db.embedded = true
		}
	})
	return embedded.db, embedded.err
}
