#!/usr/bin/env bash
# h2load.sh: HTTP/2 throughput of the command (cmd/httpserver over HTTPS,
# h2 by ALPN) against net/http's own HTTPS server (cmd/h2files: its
# FileServer with ServeTLS), serving the same files, under nghttp2's
# h2load, on loopback.
#
# Each server runs alone, pinned to one CPU (SERVER_CPU) with taskset;
# h2load runs on another (CLIENT_CPU). Rounds are interleaved (both
# servers once per round, the first alternating), each server fresh for
# each round, warmed up with a short h2load run before it is measured.
# Besides req/s it records the server's CPU time per request (from
# /proc/<pid>/stat), which other load on the machine disturbs less.
#
# Workloads, each DURATION seconds of h2load -c CONNS -m STREAMS:
#   small  GET /small.html (1 KiB)
#   64k    GET /64k.bin (64 KiB)
#
# Usage:  bench/h2load.sh                      # 3 rounds of 8 s: about 2 minutes
#         ROUNDS=1 DURATION=3 bench/h2load.sh  # a smoke run
#
# Environment (defaults in brackets): ROUNDS [3], DURATION seconds [8],
# CONNS [10], STREAMS [10], WORKLOADS ["small 64k"], SERVER_CPU [0],
# CLIENT_CPU [1], OUT [results/<date>-h2load].
#
# Only 127.0.0.1 is used; every command is bounded in time, and the
# servers are stopped on exit, however it happens.
set -euo pipefail

cd "$(dirname "$0")"
BENCH_DIR=$(pwd)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNS=${CONNS:-10}
STREAMS=${STREAMS:-10}
WORKLOADS=${WORKLOADS:-"small 64k"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
OUT=${OUT:-results/$STAMP-h2load}
IMPLS="ours nethttp"

log() { printf '%s h2load.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in h2load taskset go; do
	command -v "$tool" >/dev/null || { log "$tool is not installed (h2load: apt-get install nghttp2-client)"; exit 1; }
done

WORK=$(mktemp -d)
SERVER_PID=

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	for _ in $(seq 50); do
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

mkdir -p "$OUT/raw"
OUT=$(cd "$OUT" && pwd)
log "building the command and h2files"
(cd .. && go build -o "$WORK/httpserver" ./cmd/httpserver)
go build -o "$WORK/h2files" ./cmd/h2files
mkdir "$WORK/site"
head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 >"$WORK/site/small.html"
head -c 65536 /dev/urandom >"$WORK/site/64k.bin"
(cd "$WORK" && go run "$(go env GOROOT)/src/crypto/tls/generate_cert.go" --host 127.0.0.1 --ecdsa-curve P256 >/dev/null 2>&1)

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "command: ROUNDS=$ROUNDS DURATION=$DURATION CONNS=$CONNS STREAMS=$STREAMS WORKLOADS=\"$WORKLOADS\" bench/h2load.sh"
	echo "commit: $(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$BENCH_DIR/.." status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ' (with uncommitted changes)')"
	echo "go: $(go version)"
	echo "h2load: $(h2load --version 2>&1 | head -1)"
	echo "kernel: $(uname -sr)"
	echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "server cpu: $SERVER_CPU, client cpu: $CLIENT_CPU"
} >"$OUT/env.txt"

# start_server IMPL LOG: starts the server pinned to SERVER_CPU on
# 127.0.0.1 and a port the kernel picks, and sets SERVER_PID and
# SERVER_PORT once it answers over h2.
start_server() {
	local impl=$1 logf=$2
	case $impl in
	ours) taskset -c "$SERVER_CPU" "$WORK/httpserver" -addr 127.0.0.1:0 -log off \
		-tls-cert "$WORK/cert.pem" -tls-key "$WORK/key.pem" "$WORK/site" >"$logf" 2>&1 & ;;
	nethttp) taskset -c "$SERVER_CPU" "$WORK/h2files" -addr 127.0.0.1:0 \
		-cert "$WORK/cert.pem" -key "$WORK/key.pem" "$WORK/site" >"$logf" 2>&1 & ;;
	esac
	SERVER_PID=$!
	SERVER_PORT=
	for _ in $(seq 100); do
		if [ -z "$SERVER_PORT" ]; then
			# "Serving HTTPS on 127.0.0.1 port N (...)" or "listening on 127.0.0.1:N"
			SERVER_PORT=$(sed -n -e 's/^Serving HTTPS on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' \
				-e 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$logf" 2>/dev/null | head -1 || true)
		fi
		if [ -n "$SERVER_PORT" ] && timeout 5 h2load -n 1 "https://127.0.0.1:$SERVER_PORT/small.html" 2>/dev/null |
			grep -q ' 1 succeeded'; then
			return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "$impl did not start; its log:"
	cat "$logf" >&2
	exit 1
}

# cpu_ticks PID: user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

# parse_h2load FILE: prints "req_per_s succeeded failed"
parse_h2load() {
	awk '
		/^finished in / { gsub(/,/, ""); rps = $4 }
		/^requests: / { gsub(/,/, ""); ok = $8; failed = $10 }
		END { print (rps == "" ? 0 : rps), (ok == "" ? 0 : ok), (failed == "" ? "NA" : failed) }
	' "$1"
}

TSV="$OUT/runs.tsv"
printf 'round\timpl\tworkload\treq_per_s\tsucceeded\tfailed\tserver_cpu_s\tcpu_us_per_req\n' >"$TSV"

read -r -a impl_list <<<"$IMPLS"
for round in $(seq "$ROUNDS"); do
	for k in 0 1; do
		impl=${impl_list[$(((k + round - 1) % 2))]}
		start_server "$impl" "$OUT/raw/r$round-$impl-server.log"
		port=$SERVER_PORT
		log "round $round/$ROUNDS: $impl on 127.0.0.1:$port"
		taskset -c "$CLIENT_CPU" timeout 60 h2load -n 20000 -c "$CONNS" -m "$STREAMS" \
			"https://127.0.0.1:$port/small.html" >"$OUT/raw/r$round-$impl-warmup.txt" 2>&1 || true
		for w in $WORKLOADS; do
			case $w in
			small) path=/small.html ;;
			64k) path=/64k.bin ;;
			*) log "unknown workload $w"; exit 1 ;;
			esac
			f="$OUT/raw/r$round-$impl-$w.txt"
			args=(-D "$DURATION" -c "$CONNS" -m "$STREAMS" "https://127.0.0.1:$port$path")
			echo "taskset -c $CLIENT_CPU h2load ${args[*]}" >"$f"
			cpu0=$(cpu_ticks "$SERVER_PID")
			taskset -c "$CLIENT_CPU" timeout $((DURATION + 30)) h2load "${args[@]}" >>"$f" 2>&1 ||
				echo "h2load exited with status $?" >>"$f"
			cpu1=$(cpu_ticks "$SERVER_PID")
			read -r rps ok failed < <(parse_h2load "$f")
			cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
			us_req=$(awk -v s="$cpu_s" -v n="$ok" 'BEGIN { if (n > 0) printf "%.2f", s * 1e6 / n; else print "NA" }')
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$impl" "$w" "$rps" "$ok" "$failed" "$cpu_s" "$us_req" >>"$TSV"
			log "  $w: $rps req/s, $ok succeeded, $failed failed, server CPU $cpu_s s ($us_req us/req)"
		done
		stop_server
	done
done

# median WORKLOAD IMPL COLUMN: the median of a runs.tsv column (4 = req/s,
# 8 = CPU us per request)
median() {
	awk -F'\t' -v w="$1" -v i="$2" -v c="$3" 'NR > 1 && $3 == w && $2 == i && $c != "NA" {print $c}' "$TSV" |
		sort -g | awk '{v[NR] = $1} END {
			if (NR == 0) { print "NA"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2fx", a / b }'
}

{
	echo "| medians of $ROUNDS rounds, h2load -c $CONNS -m $STREAMS, ${DURATION} s | ours | net/http | ours / net/http |"
	echo "|---|---|---|---|"
	for w in $WORKLOADS; do
		o=$(median "$w" ours 4) n=$(median "$w" nethttp 4)
		printf '| %s, req/s | %.0f | %.0f | %s |\n' "$w" "$o" "$n" "$(ratio "$o" "$n")"
		o=$(median "$w" ours 8) n=$(median "$w" nethttp 8)
		# CPU per request: lower is better, so the ratio is theirs over ours.
		printf '| %s, server CPU per request | %s µs | %s µs | %s per core |\n' "$w" "$o" "$n" "$(ratio "$n" "$o")"
	done
	echo
	echo "failed requests: ours $(awk -F'\t' 'NR > 1 && $2 == "ours" {s += $6} END {print s + 0}' "$TSV"), net/http $(awk -F'\t' 'NR > 1 && $2 == "nethttp" {s += $6} END {print s + 0}' "$TSV")"
} | tee "$OUT/table.md"
log "raw outputs in $OUT"
