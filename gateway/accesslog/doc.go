// Package accesslog writes the gateway's access log: one line per viewer
// request, in CloudFront's standard log format or as JSON lines.
//
// # Destinations
//
// Open takes a path and a format. The path is "stdout", "stderr", "off"
// (nothing is written) or a file, opened with O_APPEND|O_CREATE and mode
// 0640 in a directory that must already exist. Log formats the entry into
// a pooled buffer and appends it to the Logger's buffer under a mutex; a
// background flusher writes the buffer out at least every 500ms and as
// soon as it exceeds 64KiB, so a request never waits for the disk. If the
// writer falls 4MiB behind, further lines are dropped rather than queued.
// Failed writes and dropped lines are reported through log/slog, at most
// once a minute; they never panic and never reach the request. Reopen,
// for SIGUSR1 after logrotate moved the file, opens the path anew; Close
// writes out what is buffered. Lines written to stdout or stderr by two
// Loggers at once (during a reload) never interleave.
//
// # CloudFront format
//
// Exactly as CloudFront's standard logs: a new or empty file starts with
// "#Version: 1.0" and the "#Fields:" line naming the 33 fields; stdout and
// stderr get the two lines once when the Logger is opened. Each request is
// one line of 33 tab-separated fields. date and time are in UTC and, as in
// CloudFront, are when the response was finished (Entry.Time plus
// TimeTaken); time-taken and time-to-first-byte are seconds with three
// decimals (0.082). An empty or unset value is "-": an empty string, a
// negative size or range (-1: unknown), a zero c-port,
// fle-encrypted-fields or time-to-first-byte. sc-status 0, for a viewer that
// went away before the response, is "000".
//
// Every string field is escaped as CloudFront does (RFC 1738 percent
// encoding): bytes 0 through 32 (controls, tab, CR, LF, space), bytes 127
// and above (DEL, non-ASCII UTF-8 and invalid UTF-8) and the characters
// < > " # % { } | \ ^ ~ [ ] ` ' are written as %XX. A CloudFront line is
// therefore printable ASCII apart from its 32 separating tabs and final
// newline, whatever a viewer put in its path, query, User-Agent, Referer
// or Host header, and decoding a field once gives back the exact value the
// gateway logged. The path (cs-uri-stem) is the decoded, normalized path,
// so it comes out percent-encoded once; the query (cs-uri-query) is the
// raw query as received, so an escape in it comes out as %25XX, which is
// what CloudFront writes too.
//
// GoAccess reads these files with --log-format=CLOUDFRONT. GoAccess counts
// lines with sc-status 000 as failed unless --no-strict-status is given.
//
// # JSON lines
//
// One object per line, keys in a fixed order: time (the request's arrival,
// RFC 3339 in UTC with milliseconds), request_id, edge_location,
// client_ip, client_port, forwarded_for, method, host (the Host header the
// viewer sent), path, query, status, result, response_result (only when it
// differs from result), detailed_result, bytes_sent, bytes_received,
// time_taken_ms, ttfb_ms (milliseconds with three decimals), user_agent,
// referer, cookie, protocol, protocol_version, distribution, behavior,
// origin, denied_by, reason, content_type, content_length, range_start,
// range_end, ssl_protocol, ssl_cipher, fle_status, fle_encrypted_fields.
// Empty strings, zero counts and unknown (-1) sizes are left out; time,
// status and time_taken_ms are always there. Strings are valid JSON for
// any input: quotes, backslashes and control characters are escaped and
// each byte of invalid UTF-8 becomes U+FFFD, so a line never breaks.
//
// # What is logged
//
// Only what the caller puts in an Entry; this package adds nothing and
// redacts nothing. The gateway must never put secrets there: no
// Authorization header, no signatures or key material, no values of
// encrypted form fields. The Cookie header is logged (cs(Cookie),
// "cookie") only when Entry.Cookie is set, which the gateway does only
// when cookie logging is configured.
package accesslog
