-- paced.lua: each connection waits PACE milliseconds after every response
-- before it sends its next request, so that the offered load is bounded
-- (at most connections * 1000 / PACE requests per second) and the same for
-- every server, below what any of them can serve. The latency wrk reports
-- is then the server's answer time at that load, not the queueing of a
-- saturated server, whose p99 only restates its throughput (256
-- connections waiting on a server that does N requests a second wait about
-- 256/N seconds each, whatever its tail).
--
--   wrk -t1 -c256 -d10s -s paced.lua http://127.0.0.1:8080/plaintext -- 10
--
-- The argument after "--" is PACE in milliseconds (default 10). wrk starts
-- each request's clock when it writes it, after the pause.

local pace = 10

init = function(args)
  pace = tonumber(args[1]) or pace
end

delay = function()
  return pace
end
