#!/usr/bin/env bash
# cpureq.sh: one quick side-by-side figure. Runs one server (benchserver,
# pinned to CPU 0) for 5 s under wrk (CPU 1) and prints req/s and the
# server's CPU time per request from /proc/<pid>/stat.
#
#   cd bench && go build -o /tmp/benchserver ./cmd/benchserver
#   bench/cpureq.sh ours /plaintext 256 -s bench/pipeline.lua
#
# usage: cpureq.sh impl path conns [extra wrk args]
set -u
impl=$1; path=$2; conns=${3:-256}; shift 3; extra="$@"
port=9200
taskset -c 0 "${BENCHSERVER:-/tmp/benchserver}" -impl $impl -addr 127.0.0.1:$port -quiet -max-requests-per-conn -1 >/dev/null 2>&1 & pid=$!
for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$port$path && break; sleep 0.1; done
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
out=$(taskset -c 1 wrk -t1 -c$conns -d5s $extra http://127.0.0.1:$port$path)
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
kill $pid; wait $pid 2>/dev/null
reqs=$(echo "$out" | awk '/requests in/{print $1}')
rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
echo "$impl $path rps=$rps cpu_us_per_req=$(echo "scale=2; ($t1-$t0)*10000/$reqs" | bc)"
