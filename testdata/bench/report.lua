-- wrk script for testdata/bench/bench.sh: after the run, print one
-- machine-readable line the script parses, next to wrk's usual report.
--
--   BENCH rps=<requests/s> p50_us=<µs> p99_us=<µs> requests=<n> bytes=<n>
--         non2xx=<n> sockerr=<n>
--
-- rps is completed requests over the measured duration (what wrk prints as
-- Requests/sec); p50/p99 are latency percentiles in microseconds; bytes is
-- everything read (heads and bodies); non2xx counts HTTP error statuses
-- (wrk's "Non-2xx or 3xx responses"); sockerr sums connect, read, write and
-- timeout errors.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_us=%.0f p99_us=%.0f requests=%d bytes=%d non2xx=%d sockerr=%d\n",
    summary.requests / secs,
    latency:percentile(50),
    latency:percentile(99),
    summary.requests,
    summary.bytes,
    e.status,
    e.connect + e.read + e.write + e.timeout))
end
