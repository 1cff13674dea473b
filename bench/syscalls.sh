#!/usr/bin/env bash
# syscalls.sh: system calls per request, by server. Each server runs
# pinned to SERVER_CPU as load.sh pins it, wrk loads it from CLIENT_CPU for
# DURATION seconds, and perf counts the server process's system calls
# meanwhile (tracepoints raw_syscalls:sys_enter and the syscalls that
# matter for a server, counted in the kernel: no slow-down worth the
# name, unlike strace). Too slow and too noisy for CI; its output goes
# into docs/PERFORMANCE.md.
#
#   bench/syscalls.sh
#   IMPLS="ours probe-net probe-uring" WORKLOAD=pipelined bench/syscalls.sh
#
# Environment (defaults in brackets): IMPLS ["ours fasthttp probe-net
# probe-uring probe-uring-pool"], WORKLOAD [plaintext]: plaintext or pipelined (DEPTH
# requests per write, as load.sh's), CONNS [256], DURATION [5],
# SERVER_CPU [0], CLIENT_CPU [1].
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$PATH"

IMPLS=${IMPLS:-"ours fasthttp probe-net probe-uring probe-uring-pool"}
WORKLOAD=${WORKLOAD:-plaintext}
CONNS=${CONNS:-256}
DURATION=${DURATION:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
for c in perf wrk taskset; do command -v "$c" >/dev/null || { echo "syscalls.sh: $c is missing" >&2; exit 1; }; done

WORK=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$WORK"' EXIT
go build -o "$WORK/benchserver" ./cmd/benchserver
events=raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_io_uring_enter,syscalls:sys_enter_futex,syscalls:sys_enter_nanosleep,syscalls:sys_enter_sched_yield

echo "syscalls.sh: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git rev-parse --short HEAD), $WORKLOAD, $CONNS connections, ${DURATION}s, server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU"
printf '%-12s %10s %9s %9s %9s %9s %9s %9s\n' impl requests total/req read/req write/req epoll/req uring/req futex/req
for impl in $IMPLS; do
	port=$((20000 + RANDOM % 10000))
	taskset -c "$SERVER_CPU" "$WORK/benchserver" -impl "$impl" -addr "127.0.0.1:$port" -quiet >"$WORK/$impl.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	script=()
	[ "$WORKLOAD" = pipelined ] && script=(-s pipeline.lua)
	perf stat -x, -e "$events" -p "$pid" -o "$WORK/$impl.perf" -- sleep "$((DURATION + 1))" &
	ppid=$!
	sleep 0.5
	taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" "${script[@]}" "http://127.0.0.1:$port/plaintext" >"$WORK/$impl.wrk" 2>&1
	wait "$ppid" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	reqs=$(awk '/requests in/ {print $1}' "$WORK/$impl.wrk")
	count() { awk -F, -v e="$1" '$3 == e {print $1}' "$WORK/$impl.perf"; }
	per() { awk -v n="$1" -v r="$reqs" 'BEGIN { if (n == "" || n == "<not counted>" || n == "<not supported>") n = 0; printf "%.3f", n / r }'; }
	epoll=$(awk -v a="$(count syscalls:sys_enter_epoll_wait)" -v b="$(count syscalls:sys_enter_epoll_pwait)" 'BEGIN { print a + b }')
	printf '%-12s %10s %9s %9s %9s %9s %9s %9s\n' "$impl" "$reqs" \
		"$(per "$(count raw_syscalls:sys_enter)")" "$(per "$(count syscalls:sys_enter_read)")" \
		"$(per "$(count syscalls:sys_enter_write)")" "$(per "$epoll")" \
		"$(per "$(count syscalls:sys_enter_io_uring_enter)")" "$(per "$(count syscalls:sys_enter_futex)")"
done
