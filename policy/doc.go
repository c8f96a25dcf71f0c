// Package policy loads what operators write: the Edgeward configuration
// file. It reads the file, decodes it strictly, fills in defaults and
// validates it, and hands the gateway a Config it can compile without
// further checks.
//
// # What operators write
//
// One YAML document (see Config): node_name, listen, admin, access_log,
// limits, and a list of distributions, each with hosts, origins (an HTTP
// server by url or a local directory by dir), a default_behavior, ordered
// behaviors matched by path pattern, and custom_error_responses. Durations
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
//
// Values are also stored normalized: hosts lower-case without a trailing
// dot (IP addresses canonical, IPv6 without brackets), origin paths
// cleaned, and file paths (admin.token_file, access_log.path when it is a
// file, origin dirs) absolute, resolved against the config file's
// directory, so a config means the same whatever the working directory.
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
// The package reads the config file and stats (or, for the token file,
// reads) the files the config names. It does no other I/O, never touches
// the network, and starts no goroutines. It does not import the gateway.
package policy
