#!/bin/bash
# run.sh NAME WORKLOAD: profile one server at GOMAXPROCS=2 on CPUs 0,1 with wrk -t2 on 0,1
set -e
name=$1; w=$2; d=/tmp/c13prof
GOMAXPROCS=2 taskset -c 0,1 $d/bs-$name -impl ours -addr 127.0.0.1:0 -file $d/f.bin -cpuprofile $d/$name-$w.pprof > $d/$name-$w.log 2>&1 &
pid=$!
for i in $(seq 50); do port=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' $d/$name-$w.log); [ -n "$port" ] && break; sleep 0.1; done
taskset -c 0,1 wrk -t2 -c256 -d1s http://127.0.0.1:$port/plaintext > /dev/null
s=""; [ $w = pipelined ] && s="-s /work/wt/cores13/bench/pipeline.lua"
taskset -c 0,1 timeout 30 wrk -t2 -c256 -d5s $s http://127.0.0.1:$port/plaintext -- 16 > $d/$name-$w.wrk
kill -TERM $pid; wait $pid || true
grep Requests/sec $d/$name-$w.wrk
