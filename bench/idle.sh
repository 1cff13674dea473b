#!/usr/bin/env bash
# idle.sh: memory per idle keep-alive connection, for each server.
#
# For each impl: start benchserver (pinned to SERVER_CPU, like load.sh), then
# cmd/idleconns reads the server's VmRSS, opens N connections that each
# complete one GET /plaintext and then stay open and silent, waits SETTLE,
# reads VmRSS again and prints (after - before) / N.
#
# Usage:  bench/idle.sh                 # 10,000 connections
#         N=100000 bench/idle.sh        # needs `ulimit -n` above 100,000
#
# Environment (defaults in brackets): N [10000], IMPLS ["ours fasthttp
# fasthttp-reduce nethttp"] (fasthttp-reduce is fasthttp with its
# ReduceMemoryUsage option), ROUNDS [1], SETTLE [3s], SERVER_CPU [0],
# PORT [0: any free port], SOURCES [one 127.0.0.x per 900 connections,
# comma-separated], OUT [results/<date>-idle].
#
# Only loopback is used; the servers are stopped on exit.
set -euo pipefail

cd "$(dirname "$0")"

N=${N:-10000}
IMPLS=${IMPLS:-"ours fasthttp fasthttp-reduce nethttp"}
ROUNDS=${ROUNDS:-1}
SETTLE=${SETTLE:-3s}
SERVER_CPU=${SERVER_CPU:-0}
OUT=${OUT:-results/$(date -u +%Y-%m-%dT%H%M%SZ)-idle}
if [ -z "${SOURCES:-}" ]; then
	# One loopback source address per 900 connections: our server limits
	# connections per client address (MaxConnsPerIP, default 1000), and
	# each source has about 28,000 ephemeral ports for one server port.
	SOURCES=127.0.0.1
	for i in $(seq 2 $(((N + 899) / 900))); do SOURCES+=",127.0.0.$i"; done
fi

log() { printf '%s idle.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v taskset >/dev/null || { apt-get update && apt-get install -y util-linux; }

# Both processes hold N descriptors; the Go runtime raises its soft limit
# to the hard one, so the hard limit is what counts.
want=$((N + 1024))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want" ]; then
	ulimit -Hn "$want" 2>/dev/null || {
		log "the open-file hard limit is $(ulimit -Hn), below the $want needed for N=$N; raise it (as root: ulimit -Hn $want) or lower N"
		exit 1
	}
fi
ulimit -n "$want"

WORK=$(mktemp -d)
SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}
cleanup() {
	stop_server
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
log "building"
go build -o "$WORK/benchserver" ./cmd/benchserver
go build -o "$WORK/idleconns" ./cmd/idleconns

RESULTS="$OUT/idle.tsv"
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
	for impl in $IMPLS; do
		flags=()
		case $impl in
		ours) flags=(-impl ours -max-conns -1) ;;
		fasthttp) flags=(-impl fasthttp) ;;
		fasthttp-reduce) flags=(-impl fasthttp -fasthttp-reduce-memory) ;;
		nethttp) flags=(-impl nethttp) ;;
		*) log "unknown impl $impl"; exit 1 ;;
		esac
		logf="$OUT/server-r$round-$impl.log"
		taskset -c "$SERVER_CPU" "$WORK/benchserver" "${flags[@]}" -addr "127.0.0.1:${PORT:-0}" -file-size 1024 >"$logf" 2>&1 &
		SERVER_PID=$!
		port=
		for _ in $(seq 100); do
			port=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$logf" | head -1)
			[ -n "$port" ] && break
			sleep 0.1
		done
		[ -n "$port" ] || { log "$impl did not start:"; cat "$logf" >&2; exit 1; }
		log "round $round: $impl, $N connections to 127.0.0.1:$port"
		timeout 300 "$WORK/idleconns" -addr "127.0.0.1:$port" -pid "$SERVER_PID" -n "$N" \
			-src "$SOURCES" -settle "$SETTLE" -label "$impl" | tee -a "$RESULTS" ||
			log "idleconns failed for $impl"
		stop_server
	done
done

echo
echo "Idle keep-alive connections, $N held, server RSS growth per connection ($(date -u +%Y-%m-%d)):"
echo
echo "| server | connections held | still open | RSS before (KB) | RSS after (KB) | KB per connection | Go heap in use (KB) | goroutine stacks (KB) | goroutines |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '{
	delete v; for (f = 2; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
	printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, v["conns"], v["alive"], v["rss_before_kB"], v["rss_after_kB"], v["kB_per_conn"], v["HeapInuse_kB"], v["StackInuse_kB"], v["Goroutines"]
}' "$RESULTS" | tee "$OUT/idle.md"
echo
echo "Raw results: $(cd "$OUT" && pwd)"
