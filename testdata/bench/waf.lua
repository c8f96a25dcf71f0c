-- wrk script for testdata/bench/waf.sh: the benign request every server
-- gets, then report.lua's one-line summary after the run.
--
--   wrk ... -s waf.lua http://127.0.0.1:PORT/PATH -- GET|POST HOST
--
-- GET is the URL as given; POST sends a urlencoded contact form to it.
-- Both carry the headers a browser sends (no Accept-Encoding, so nothing
-- is compressed) and Host: HOST, a name rather than the numeric address
-- (which the CRS scores as suspicious, rule 920350).

local form = "name=alice&comment=hello+world&email=alice%40example.com"

-- report.lua sits beside this file; wrk loads scripts by the path given.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function init(args)
  local method, host = args[1], args[2]
  if (method ~= "GET" and method ~= "POST") or host == nil then
    error("waf.lua wants two arguments after --: GET|POST HOST")
  end
  wrk.method = method
  wrk.headers["Host"] = host
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
  wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
  wrk.headers["Accept-Language"] = "en-GB,en;q=0.5"
  if method == "POST" then
    wrk.body = form
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end
