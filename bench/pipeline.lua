-- pipeline.lua: wrk sends DEPTH requests in one write and waits for all
-- DEPTH responses before the next write (HTTP/1.1 pipelining).
--
--   wrk -t1 -c256 -d10s -s pipeline.lua http://127.0.0.1:8080/plaintext -- 16
--
-- The argument after "--" is the depth (default 16). The request is the
-- URL's path, formatted by wrk.format exactly as wrk's plain run sends it.

local depth = 16
local batch

init = function(args)
  depth = tonumber(args[1]) or depth
  local reqs = {}
  for i = 1, depth do
    reqs[i] = wrk.format(nil, nil)
  end
  batch = table.concat(reqs)
end

request = function()
  return batch
end
