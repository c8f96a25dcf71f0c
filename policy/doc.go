// Package policy loads what operators write: the Edgeward configuration
// file and the policy files it references. It reads the file, decodes it strictly, fills in defaults and
// validates it, and hands the gateway a Config it can compile without
// further checks.
//
// # What operators write
//
// One YAML document (see Config): node_name, listen, admin, access_log,
// limits, cache (the cache's storage), and a list of distributions, each
// with hosts, origins (an HTTP server by url or a local directory by dir),
// a default_behavior, ordered behaviors matched by path pattern (each with
// its cache policy), and custom_error_responses. Durations
// are Go durations ("10s", "5m"); sizes are bytes with an optional unit
// ("20KiB", "1MB"). Anchors, aliases and "<<" merge keys work as in YAML.
//
// # Strictness
//
// Nothing is guessed. A key the Config types do not know, a repeated key,
// a value of the wrong type or shape, a second YAML document, a value out
// of range, a reference to an origin that does not exist, a host claimed by
// two distributions: each is an error, and Load returns no Config at all.
//
// # Every problem at once, with file:line
//
// Load and Parse report every problem they find in one *Errors, one
// "file:line: message" per problem in line order, so an operator fixes a
// file in one pass. Decoding problems are found by walking the YAML node
// tree alongside the Config types (each scalar is decoded by yaml.v3);
// semantic problems name the key path ("distributions[0].origins[1].url")
// and are placed on that key's line, or on its nearest written parent's
// line when the key is missing. A value that failed to decode is not
// reported a second time by the semantic checks. Line 0 marks a problem
// with the whole file (empty, unreadable).
//
// # Defaults, and where they land
//
// Defaults are written into the returned Config, so the gateway reads
// plain values and never applies a default of its own:
//
//   - node_name: the host name (os.Hostname), else "edgeward"
//   - listen.http 127.0.0.1:8080; listen.admin 127.0.0.1:9901 ("off" disables it)
//   - access_log.path "stdout"; access_log.format "cloudfront"
//   - limits: the values commented on Limits (20KiB headers, 8KiB URL, ...)
//   - origin (url origins only): connect_timeout 10s, connection_attempts 3,
//     read_timeout 30s, keepalive_timeout 5s; a dir origin keeps them zero
//   - behaviors' allowed_methods: [GET, HEAD]; [ALL] is stored expanded, and
//     every list is stored upper-case in the order GET, HEAD, OPTIONS, PUT,
//     PATCH, POST, DELETE
//   - custom_error_responses' response_code: the status
//   - cache: memory 256MiB; max_memory_object 8MiB (or memory/4 when
//     smaller; 0 when memory is 0); disk.max_object 50GB (or disk.size when
//     smaller); tag_headers [Cache-Tag, Surrogate-Key]; collapse_timeout 5s
//   - every behavior's cache (see Cache policies below)
//
// Values are also stored normalized: hosts lower-case without a trailing
// dot (IP addresses canonical, IPv6 without brackets), origin paths
// cleaned, header names in cache policies and cache.tag_headers canonical
// ("Accept-Language"), and file paths (admin.token_file, access_log.path
// when it is a file, origin dirs, cache.disk.path) absolute, resolved
// against the config file's directory, so a config means the same whatever
// the working directory.
//
// # Cache policies
//
// A behavior's cache is CloudFront's cache policy: either the string
// "disabled" or a mapping (CachePolicy). After Parse every behavior,
// default_behavior included, has a non-nil Cache with every default
// written in, so the gateway never asks whether a value was set; a
// disabled policy carries the defaults too, with Disabled set. The
// defaults are min_ttl 0s, default_ttl 24h, max_ttl 8760h, query_strings
// all, cookies none, no headers, compress true, stale_while_revalidate and
// stale_if_error 0s, error_ttl 10s.
//
// TTL defaults follow CloudFront and what is written: default_ttl is 24h,
// or min_ttl when that is longer, or max_ttl when that is shorter; max_ttl
// is one year, or default_ttl (min_ttl) when that is longer. Written TTLs
// must satisfy min_ttl <= default_ttl <= max_ttl, and every duration of a
// policy is at most 100 years (876000h), a sanity bound.
//
// query_strings and cookies are "none", "all", a list of names (an
// allowlist) or {except: [names]} (KeyValues). An empty list is stored as
// none and {except: []} as all, so Names is set exactly when Mode is
// KeyAllow or KeyExcept. Names are case-sensitive and not repeated; a
// query string name is any non-empty string without '&', '=' or control
// characters, a cookie name an RFC 6265 token. headers are case-insensitive
// header names. As in CloudFront, each of the three lists holds at most 10
// names and all of a policy's names together at most 1,024 characters.
//
// Header names the gateway manages, or that make no sense in a key, are
// refused with the reason: hop-by-hop headers, Accept-Encoding (the cache
// normalizes it itself), Cookie (use cookies), conditional and range
// headers (the cache answers them), Cache-Control and Pragma (ignored, as
// in CloudFront), forwarding and request-id headers and the x-amz-,
// x-edge- and x-edgeward- prefixes (the gateway sets them), and the
// CloudFront-Viewer-* headers CloudFront itself keeps out of keys
// (Address, ASN, JA3/JA4 fingerprints, TLS). Host is allowed. Listing
// Authorization is allowed and makes requests carrying credentials
// cacheable, one entry per credential; without it such requests are not
// shared.
//
// The top-level cache block sizes the store: memory (0 only with a disk
// tier), max_memory_object (at most memory/4), and an optional disk tier
// whose path may not exist yet but whose parent directory must, with a
// size of at least 64MiB and max_object at most size. tag_headers holds at
// most 4 header names ([] turns cache tags off); collapse_timeout is
// between 0s (no collapsing) and 60s.
//
// # Policy files
//
// Policies operators write and review on their own live in files with a
// kind at their top level, referenced from the config by path (relative
// to the config's directory) and checked alone by `edgeward policy check`
// (LoadFile dispatches on the kind; a file without one is a config file).
// They are decoded as strictly as the config, and their problems are
// reported with their own file name and lines, together with the
// config's (an *Errors is sorted by file, then line). A file referenced
// by several behaviors is read once and shared.
//
// kind: geo (GeoPolicy) is a country allow list or deny list (exactly one,
// ISO 3166-1 alpha-2 codes, any case, stored upper case; UK, EU,
// alpha-3 and numeric codes, withdrawn codes and names are refused with
// what to write instead; XK is accepted, as the GeoIP databases use it),
// unknown (allow, the default and CloudFront's behavior, or deny), status
// (403 default, 404, 410, 451) and an optional block page path. A
// distribution's geo_policy is the default of its behaviors; a behavior's
// own replaces it, and "none" opts out. Validation sets Behavior.Geo on
// every behavior. geodata.database names the GeoIP database (the file
// must exist; the gateway opens and verifies it, this package does not
// read databases).
//
// # Security model
//
// The config file is trusted operator input, but the package still fails
// closed: origin headers cannot carry CR/LF or override hop-by-hop and
// gateway-owned headers (Host, Via, X-Forwarded-For, X-Request-Id, ...),
// origin URLs cannot carry credentials, and file names are checked before
// use (the token file must be a small regular file, so naming a device or
// a FIFO cannot hang a reload).
//
// The package reads the config file and the policy and key files it
// names, and stats (or, for the token file, reads) the other files and
// directories it names; it never creates
// one (the cache's disk directory is created by the gateway). It does no other I/O, never touches
// the network, and starts no goroutines. It does not import the gateway.
package policy
