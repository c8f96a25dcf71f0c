// Package ratelimit counts requests per key over a sliding window, for
// the WAF's rate-based rules ("at most 100 POSTs to /login* per client
// address per 5 minutes").
//
// # Counting
//
// Each key has two fixed-window counters: the current window and the one
// before it. A request is counted when it arrives, and the estimate of
// the requests in the trailing window is the current count plus the
// previous count weighted by how much of the previous window the
// trailing window still covers (the sliding-window approximation used by
// Cloudflare and nginx's limit_req successors). It never under-counts a
// steady rate, needs 24 bytes per key, and makes no timer per key.
// A request over the limit is refused and not counted, so a client that
// keeps hammering stays blocked only as long as its admitted requests
// stay in the window, as AWS WAF's rate-based rules behave.
//
// # Bounds
//
// Keys live in shards, each with a fixed capacity. When a shard is full,
// keys idle for two windows (which count nothing any more) are swept;
// when it is full of live keys, the least recently seen eighth is
// dropped. An attacker cycling through addresses can push out
// its own old entries, not make the table grow. Time comes from an
// injected clock, so window boundaries are testable.
package ratelimit
