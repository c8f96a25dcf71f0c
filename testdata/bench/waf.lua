-- wrk script for testdata/bench/waf.sh: benign requests, then report.lua's
-- one-line summary after the run.
--
--   wrk ... -s waf.lua http://127.0.0.1:PORT/ -- GET|POST HOST varied|repeat
--
-- The requests are testdata/bench/benign's (the Go benchmarks'), as a
-- browser sends them (no Accept-Encoding, so nothing is compressed), with
-- Host: HOST, a name rather than the numeric address (which the CRS scores
-- as suspicious, rule 920350):
--   GET   /products/<n mod 500>?ref=home&page=<n>&sort=price&q=<term>
--   POST  /contact, a urlencoded contact form from visitor<n>
-- varied: n counts up, so every query string and form is new, and the
-- session cookie changes every eight requests (each wrk thread counts
-- from its own start); repeat: the same request every time (n = 42).

local terms = {"red+shoes", "garden+chair", "laptop+bag", "rain+jacket", "coffee+grinder", "desk+lamp", "running+socks", "phone+case"}

-- report.lua sits beside this file; wrk loads scripts by the path given.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

local method, varied, n = "GET", true, 0

function init(args)
  local host, mode = args[2], args[3] or "varied"
  method = args[1]
  if (method ~= "GET" and method ~= "POST") or host == nil or (mode ~= "varied" and mode ~= "repeat") then
    error("waf.lua wants arguments after --: GET|POST HOST [varied|repeat]")
  end
  varied = mode == "varied"
  n = varied and (thread_id or 0) * 10000000 or 42
  wrk.method = method
  wrk.headers["Host"] = host
  wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
  wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
  wrk.headers["Accept-Language"] = "en-GB,en;q=0.9"
  wrk.headers["Referer"] = "https://" .. host .. "/products"
  if method == "POST" then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

function request()
  local headers = wrk.headers
  headers["Cookie"] = string.format("session=%x; theme=dark", math.floor(n / 8) * 2654435761 + 409240313498)
  local req
  if method == "GET" then
    req = wrk.format(nil, string.format("/products/%d?ref=home&page=%d&sort=price&q=%s", n % 500, n, terms[n % #terms + 1]), headers)
  else
    req = wrk.format(nil, "/contact", headers, string.format(
      "user=visitor%d&email=visitor%d%%40example.com&message=Hello+there%%2C+please+call+me+back+about+order+%d&remember=1", n, n, n))
  end
  if varied then
    n = n + 1
  end
  return req
end
