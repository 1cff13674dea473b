#!/usr/bin/env bash
# load.sh: throughput and latency of our server, fasthttp and net/http under
# wrk, side by side, on loopback.
#
# Each server runs alone, pinned to one CPU (SERVER_CPU) with taskset; wrk
# runs on another (CLIENT_CPU). Rounds are interleaved (every impl once per
# round, the starting impl rotating), and the table shows the median of the
# rounds with ratios against fasthttp and net/http.
#
# Besides req/s and p99 it records the server's CPU time per request (from
# /proc/<pid>/stat), which other load on the machine disturbs much less than
# req/s, and how much of the server's core other processes took during each
# run (from /proc/stat): runs where that exceeds a tenth are listed as noisy.
#
# Workloads, each DURATION seconds against a fresh server per round:
#   plaintext  GET /plaintext, CONNS keep-alive connections
#   pipelined  the same, DEPTH requests per write (pipeline.lua)
#   json       GET /json, CONNS connections
#   file       GET /file (FILE_SIZE bytes, 1 MB), FILE_CONNS connections
#   paced      GET /plaintext, CONNS connections, each pausing PACE_MS after
#              every response (paced.lua): a bounded offered load, the same
#              for every server, so that p99 is the answer time at that load
#              rather than a saturated server's queue (compare p99 here)
#
# Usage:  bench/load.sh                      # 3 rounds of 10 s
#         ROUNDS=1 DURATION=3 bench/load.sh  # a quick smoke run
#
# Environment (defaults in brackets): ROUNDS [3], DURATION seconds [10],
# WARMUP seconds of plaintext before measuring each server [1], CONNS [256],
# FILE_CONNS [16], DEPTH [16], PACE_MS [10], FILE_SIZE [1048576], IMPLS ["ours fasthttp
# nethttp"], WORKLOADS ["plaintext pipelined json file"], SERVER_CPU [0],
# CLIENT_CPU [1], PORT [0: any free port], PROFILE [1]: afterwards profile ours
# alone under each of PROFILE_WORKLOADS ["plaintext pipelined"] (CPU profile,
# pprof -top), RATIOS [none]: more ratio columns, as "a/b" pairs of IMPLS
# (e.g. "fromhttp/nethttp chi-fromhttp/chi-nethttp"), OURS_FLAGS [none]: more benchserver flags for ours, such as
# "-reuse-requests" (Server.ReuseRequests), OUT [results/<date>].
#
# More cores for the server (issue 13, item 3): SERVER_CPU may list several
# CPUs ("0,1"), and SERVER_GOMAXPROCS [unset: the runtime's default, one per
# CPU of SERVER_CPU] sets GOMAXPROCS for the server; WRK_THREADS [1] is wrk's
# -t. On a machine with no CPU to spare the client then shares the server's
# CPUs (CLIENT_CPU=0,1): req/s is then bounded by the client as much as by
# the server, and server CPU per request is the figure to compare, as ratios
# within the run; the "other work" noise check is off, since the client's
# work is on the server's CPUs. BASE [none]: the path of another checkout
# of the repository (a git worktree at another commit, say): its
# benchserver, built there, is the impl "base", run as "ours" (with
# OURS_FLAGS), for before/after ratios in the same rounds (IMPLS="ours base
# fasthttp" RATIOS="ours/base").
#
# Raw wrk outputs, server logs, a TSV of every run, the tables (with the
# ratios also paired by round, paired.sh), the notes and the profiles go
# to OUT. Only 127.0.0.1 is used; every command is bounded in
# time and the servers are stopped on exit, however it happens.
set -euo pipefail

cd "$(dirname "$0")"
BENCH_DIR=$(pwd)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-256}
FILE_CONNS=${FILE_CONNS:-16}
DEPTH=${DEPTH:-16}
PACE_MS=${PACE_MS:-10}
FILE_SIZE=${FILE_SIZE:-1048576}
IMPLS=${IMPLS:-"ours fasthttp nethttp"}
WORKLOADS=${WORKLOADS:-"plaintext pipelined json file"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PROFILE=${PROFILE:-1}
SERVER_GOMAXPROCS=${SERVER_GOMAXPROCS:-}
WRK_THREADS=${WRK_THREADS:-1}
BASE=${BASE:-}
PROFILE_WORKLOADS=${PROFILE_WORKLOADS:-"plaintext pipelined"}
OURS_FLAGS=${OURS_FLAGS:-}
RATIOS=${RATIOS:-}
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
OUT=${OUT:-results/$STAMP}

log() { printf '%s load.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- tools -------------------------------------------------------------------

SUDO=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v taskset >/dev/null || missing+=(util-linux)
if [[ " ${IMPLS:-} " == *" nginx "* ]]; then command -v nginx >/dev/null || missing+=(nginx); fi
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	$SUDO apt-get update
	$SUDO apt-get install -y "${missing[@]}"
fi
command -v go >/dev/null || { log "go is not installed"; exit 1; }

# --- build and prepare ---------------------------------------------------------

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
log "building benchserver"
go build -o "$WORK/benchserver" ./cmd/benchserver
if [ -n "$BASE" ]; then
	log "building benchserver in $BASE (impl base)"
	(cd "$BASE/bench" && go build -o "$WORK/benchserver-base" ./cmd/benchserver)
fi
head -c "$FILE_SIZE" /dev/urandom >"$WORK/file.bin"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "command: ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS FILE_CONNS=$FILE_CONNS DEPTH=$DEPTH PACE_MS=$PACE_MS IMPLS=\"$IMPLS\" WORKLOADS=\"$WORKLOADS\" RATIOS=\"$RATIOS\" OURS_FLAGS=\"$OURS_FLAGS\" SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU SERVER_GOMAXPROCS=$SERVER_GOMAXPROCS WRK_THREADS=$WRK_THREADS BASE=$BASE bench/load.sh"
	echo "commit: $(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$BENCH_DIR/.." status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ' (with uncommitted changes)')"
	echo "go: $(go version)"
	echo "wrk: $(wrk --version 2>&1 | head -1 || true)"
	echo "kernel: $(uname -sr)"
	echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "server cpu: $SERVER_CPU, client cpu: $CLIENT_CPU, server GOMAXPROCS: ${SERVER_GOMAXPROCS:-default}, wrk threads: $WRK_THREADS"
	if [ -n "$BASE" ]; then
		echo "base: $BASE at $(git -C "$BASE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	fi
} >"$OUT/env.txt"

# answers PORT: one GET /plaintext gets "HTTP/1.1 200" within a second.
answers() {
	# shellcheck disable=SC2016 # $1 and $line belong to the inner shell
	timeout 2 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3
		IFS= read -r -t 1 line <&3 && [[ $line == "HTTP/1.1 200"* ]]
	' _ "$1" 2>/dev/null
}

# start_server IMPL LOG [FLAGS...]: starts benchserver pinned to SERVER_CPU
# on 127.0.0.1 (PORT if set, else a port the kernel picks, so that nothing
# else on the machine can be in the way), and sets SERVER_PID and
# SERVER_PORT once it answers.
start_server() {
	local impl=$1 logf=$2
	shift 2
	if [ "$impl" = nginx ]; then
		start_nginx "$logf"
		return
	fi
	local extra=() bin=$WORK/benchserver env=()
	if [ "$impl" = ours ] || [ "$impl" = base ]; then
		read -r -a extra <<<"$OURS_FLAGS"
	fi
	if [ "$impl" = base ]; then
		bin=$WORK/benchserver-base
		impl=ours
	fi
	if [ -n "$SERVER_GOMAXPROCS" ]; then
		env=("GOMAXPROCS=$SERVER_GOMAXPROCS")
	fi
	env "${env[@]}" taskset -c "$SERVER_CPU" "$bin" -impl "$impl" -addr "127.0.0.1:${PORT:-0}" -file "$WORK/file.bin" "${extra[@]}" "$@" >"$logf" 2>&1 &
	SERVER_PID=$!
	SERVER_PORT=
	for _ in $(seq 100); do
		if [ -z "$SERVER_PORT" ]; then
			SERVER_PORT=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$logf" | head -1)
		fi
		if [ -n "$SERVER_PORT" ] && answers "$SERVER_PORT"; then return 0; fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "$impl did not start; its log:"
	cat "$logf" >&2
	exit 1
}

# start_nginx LOG: nginx as a peer (IMPLS="ours fasthttp nginx"), one process
# (master_process off, so its CPU time is the worker's) pinned to
# SERVER_CPU, with the same paths: /plaintext and /json are fixed strings
# (nginx encodes no JSON: the /json figure is not comparable), /file is the
# same file through sendfile. Access log off, as in the Go servers.
start_nginx() {
	local logf=$1 port=${PORT:-}
	if [ -z "$port" ]; then
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	fi
	mkdir -p "$WORK/nginx"
	cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $WORK/nginx/error.log;
pid $WORK/nginx/nginx.pid;
events { worker_connections 20000; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	client_body_temp_path $WORK/nginx;
	proxy_temp_path $WORK/nginx;
	fastcgi_temp_path $WORK/nginx;
	uwsgi_temp_path $WORK/nginx;
	scgi_temp_path $WORK/nginx;
	server {
		listen 127.0.0.1:$port;
		location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
		location = /json { default_type application/json; return 200 '{"message":"Hello, World!"}'; }
		location = /file { default_type application/octet-stream; alias $WORK/file.bin; }
	}
}
CONF
	taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$logf" 2>&1 &
	SERVER_PID=$!
	SERVER_PORT=$port
	for _ in $(seq 100); do
		if answers "$SERVER_PORT"; then return 0; fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "nginx did not start; its log:"
	cat "$logf" "$WORK/nginx/error.log" >&2
	exit 1
}

# wrk_run OUTFILE SECONDS CONNS PATH [SCRIPT ARGS]
wrk_run() {
	local outf=$1 secs=$2 conns=$3 path=$4 port=$5 script=${6:-} sarg=${7:-$DEPTH}
	local args=("-t$WRK_THREADS" "-c$conns" "-d${secs}s" --latency)
	if [ -n "$script" ]; then
		args+=(-s "$BENCH_DIR/$script" "http://127.0.0.1:$port$path" -- "$sarg")
	else
		args+=("http://127.0.0.1:$port$path")
	fi
	echo "taskset -c $CLIENT_CPU wrk ${args[*]}" >"$outf"
	taskset -c "$CLIENT_CPU" timeout $((secs + 30)) wrk "${args[@]}" >>"$outf" 2>&1 ||
		echo "wrk exited with status $?" >>"$outf"
}

# to_ms VALUE: wrk's "2.70ms", "850.00us", "1.02s" in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n
	}'
}

# parse_wrk FILE: prints "rps p99_ms non2xx socket_errors requests"
parse_wrk() {
	local f=$1 rps p99 non2xx sockerr nreq
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
	p99=$(awk '$1 == "99%" {print $2; exit}' "$f")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")
	sockerr=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$f")
	nreq=$(awk '/ requests in / {print $1; exit}' "$f")
	[ -n "$p99" ] && p99=$(to_ms "$p99")
	echo "${rps:-0} ${p99:-NA} ${non2xx:-0} ${sockerr:-0} ${nreq:-0}"
}

# cpu_ticks PID: user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# core_ticks: "busy idle" clock ticks of the CPUs of SERVER_CPU so far,
# summed (busy: user, nice, system, irq and softirq, where the server's own
# packet handling is often counted; steal is left out). Busy time that is
# not the server's is other work on the server's cores: noise, unless the
# client shares them (cpus_overlap).
core_ticks() {
	awk -v cpus="$SERVER_CPU" 'BEGIN { n = split(cpus, l, ","); for (i = 1; i <= n; i++) want["cpu" l[i]] = 1 }
		$1 in want { b += $2 + $3 + $4 + $7 + $8; i += $5 + $6 } END { print b + 0, i + 0 }' /proc/stat
}

# cpus_overlap: SERVER_CPU and CLIENT_CPU have a CPU in common.
cpus_overlap() {
	awk -v a="$SERVER_CPU" -v b="$CLIENT_CPU" 'BEGIN { n = split(a, x, ","); m = split(b, y, ",")
		for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (x[i] == y[j]) exit 0; exit 1 }'
}
CLK_TCK=$(getconf CLK_TCK)

TSV="$OUT/runs.tsv"
printf 'round\timpl\tworkload\treq_per_s\tp99_ms\tnon2xx\tsocket_errors\tserver_ok_after\trequests\tserver_cpu_s\tcpu_us_per_req\tcore_other_s\tcore_idle_s\n' >"$TSV"
NOTES="$OUT/notes.txt"
: >"$NOTES"

# --- rounds ----------------------------------------------------------------------

read -r -a impl_list <<<"$IMPLS"
n_impls=${#impl_list[@]}
total=$((ROUNDS * n_impls))
done_runs=0
for round in $(seq "$ROUNDS"); do
	for k in $(seq 0 $((n_impls - 1))); do
		impl=${impl_list[$(((k + round - 1) % n_impls))]}
		done_runs=$((done_runs + 1))
		start_server "$impl" "$OUT/raw/r$round-$impl-server.log"
		port=$SERVER_PORT
		log "round $round/$ROUNDS: $impl on 127.0.0.1:$port ($done_runs/$total)"
		if [ "$WARMUP" -gt 0 ]; then
			wrk_run "$OUT/raw/r$round-$impl-warmup.txt" "$WARMUP" "$CONNS" /plaintext "$port"
		fi
		for w in $WORKLOADS; do
			f="$OUT/raw/r$round-$impl-$w.txt"
			cpu0=$(cpu_ticks "$SERVER_PID")
			read -r busy0 idle0 < <(core_ticks)
			case $w in
			plaintext) wrk_run "$f" "$DURATION" "$CONNS" /plaintext "$port" ;;
			pipelined) wrk_run "$f" "$DURATION" "$CONNS" /plaintext "$port" pipeline.lua ;;
			json) wrk_run "$f" "$DURATION" "$CONNS" /json "$port" ;;
			paced) wrk_run "$f" "$DURATION" "$CONNS" /plaintext "$port" paced.lua "$PACE_MS" ;;
			file) wrk_run "$f" "$DURATION" "$FILE_CONNS" /file "$port" ;;
			*) log "unknown workload $w"; exit 1 ;;
			esac
			cpu1=$(cpu_ticks "$SERVER_PID")
			read -r busy1 idle1 < <(core_ticks)
			ok=yes
			if ! answers "$port"; then
				ok=no
				echo "round $round: $impl stopped answering after $w (see raw/r$round-$impl-$w.txt)" >>"$NOTES"
			fi
			read -r rps p99 non2xx sockerr nreq < <(parse_wrk "$f")
			cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
			us_req=$(awk -v s="$cpu_s" -v n="$nreq" 'BEGIN { if (n > 0) printf "%.2f", s * 1e6 / n; else print "NA" }')
			other_s=$(awk -v a="$((busy1 - busy0 - (cpu1 - cpu0)))" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", a / hz }')
			idle_s=$(awk -v a="$((idle1 - idle0))" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", a / hz }')
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$impl" "$w" "$rps" "$p99" "$non2xx" "$sockerr" "$ok" "$nreq" "$cpu_s" "$us_req" "$other_s" "$idle_s" >>"$TSV"
			log "  $w: $rps req/s, p99 $p99 ms, server CPU $cpu_s s ($us_req us/req), core $SERVER_CPU: other work $other_s s, idle $idle_s s; non-2xx $non2xx, socket errors $sockerr"
			if [ "$w" != file ] && ! cpus_overlap && awk -v o="$other_s" -v d="$DURATION" 'BEGIN { exit !(o > d / 10) }'; then
				# (The file workload's own packet handling lands on the
				# server core as softirq time, so it always shows some.)
				echo "round $round: $impl $w: other work used $other_s s of the server core's ${DURATION} s: a noisy run" >>"$NOTES"
			fi
			if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ]; then
				echo "round $round: $impl $w: $non2xx non-2xx responses, $sockerr socket errors" >>"$NOTES"
			fi
		done
		stop_server
	done
done

# --- table -----------------------------------------------------------------------

# median WORKLOAD IMPL COLUMN: the median of a runs.tsv column (4 = req/s,
# 5 = p99, 11 = CPU us per request)
median() {
	awk -F'\t' -v w="$1" -v i="$2" -v c="$3" 'NR > 1 && $3 == w && $2 == i && $c != "NA" {print $c}' "$TSV" |
		sort -g | awk '{v[NR] = $1} END {
			if (NR == 0) { print "NA"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

sum_col() {
	awk -F'\t' -v w="$1" -v i="$2" -v c="$3" 'NR > 1 && $3 == w && $2 == i {s += $c} END {print s + 0}' "$TSV"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2fx", a / b }'
}

has_impl() { [[ " $IMPLS " == *" $1 "* ]]; }

TABLE="$OUT/table.md"
{
	echo "Medians of $ROUNDS round(s) of ${DURATION}s; server on CPU $SERVER_CPU${SERVER_GOMAXPROCS:+ with GOMAXPROCS=$SERVER_GOMAXPROCS}, wrk -t$WRK_THREADS on CPU $CLIENT_CPU$(cpus_overlap && echo ' (shared with the server: compare CPU per request)'); $(date -u +%Y-%m-%d).${OURS_FLAGS:+ Ours with $OURS_FLAGS.}${BASE:+ base: $BASE at $(git -C "$BASE" rev-parse --short HEAD 2>/dev/null).}"
	echo
	header="| workload |"
	sep="|---|"
	for impl in "${impl_list[@]}"; do header+=" $impl req/s |"; sep+="---|"; done
	if has_impl ours && has_impl fasthttp; then header+=" ours/fasthttp |"; sep+="---|"; fi
	if has_impl ours && has_impl nethttp; then header+=" ours/nethttp |"; sep+="---|"; fi
	for pair in $RATIOS; do if has_impl "${pair%/*}" && has_impl "${pair#*/}"; then header+=" $pair |"; sep+="---|"; fi; done
	for impl in "${impl_list[@]}"; do header+=" $impl p99 ms |"; sep+="---|"; done
	header+=" errors (non-2xx + socket) |"
	sep+="---|"
	echo "$header"
	echo "$sep"
	for w in $WORKLOADS; do
		case $w in
		file) label="file 1 MB, $FILE_CONNS conns" ;;
		pipelined) label="pipelined x$DEPTH, $CONNS conns" ;;
		paced) label="paced ${PACE_MS} ms, $CONNS conns" ;;
		*) label="$w, $CONNS conns" ;;
		esac
		row="| $label |"
		declare -A med=()
		for impl in "${impl_list[@]}"; do
			med[$impl]=$(median "$w" "$impl" 4)
			row+=" $(awk -v v="${med[$impl]}" 'BEGIN { if (v == "NA") print v; else printf "%.0f", v }') |"
		done
		if has_impl ours && has_impl fasthttp; then row+=" $(ratio "${med[ours]}" "${med[fasthttp]}") |"; fi
		if has_impl ours && has_impl nethttp; then row+=" $(ratio "${med[ours]}" "${med[nethttp]}") |"; fi
		for pair in $RATIOS; do if has_impl "${pair%/*}" && has_impl "${pair#*/}"; then row+=" $(ratio "${med[${pair%/*}]}" "${med[${pair#*/}]}") |"; fi; done
		for impl in "${impl_list[@]}"; do row+=" $(median "$w" "$impl" 5) |"; done
		errs=""
		for impl in "${impl_list[@]}"; do
			errs+="$impl $(($(sum_col "$w" "$impl" 6) + $(sum_col "$w" "$impl" 7))), "
		done
		row+=" ${errs%, } |"
		echo "$row"
		unset med
	done
	echo
	echo "Server CPU time per request (user + system, from /proc/<pid>/stat; lower is better; less sensitive than req/s to other load on the machine):"
	echo
	header="| workload |"
	sep="|---|"
	for impl in "${impl_list[@]}"; do header+=" $impl us/req |"; sep+="---|"; done
	if has_impl ours && has_impl fasthttp; then header+=" ours/fasthttp |"; sep+="---|"; fi
	if has_impl ours && has_impl nethttp; then header+=" ours/nethttp |"; sep+="---|"; fi
	for pair in $RATIOS; do if has_impl "${pair%/*}" && has_impl "${pair#*/}"; then header+=" $pair |"; sep+="---|"; fi; done
	echo "$header"
	echo "$sep"
	for w in $WORKLOADS; do
		row="| $w |"
		declare -A med=()
		for impl in "${impl_list[@]}"; do
			med[$impl]=$(median "$w" "$impl" 11)
			row+=" ${med[$impl]} |"
		done
		if has_impl ours && has_impl fasthttp; then row+=" $(ratio "${med[ours]}" "${med[fasthttp]}") |"; fi
		if has_impl ours && has_impl nethttp; then row+=" $(ratio "${med[ours]}" "${med[nethttp]}") |"; fi
		for pair in $RATIOS; do if has_impl "${pair%/*}" && has_impl "${pair#*/}"; then row+=" $(ratio "${med[${pair%/*}]}" "${med[${pair#*/}]}") |"; fi; done
		echo "$row"
		unset med
	done
	echo
	echo "The server's core during the runs (seconds, summed over workloads and rounds): \"other\" is CPU time of other processes on it (noise), \"idle\" is time the server left it unused (the server was waiting: on wrk, or on itself):"
	echo
	echo "| impl | measured s | server CPU s | other s | idle s |"
	echo "|---|---|---|---|---|"
	for impl in "${impl_list[@]}"; do
		awk -F'\t' -v i="$impl" -v d="$DURATION" 'NR > 1 && $2 == i { n++; c += $10; o += $12; id += $13 }
			END { printf "| %s | %d | %.2f | %.2f | %.2f |\n", i, n * d, c, o, id }' "$TSV"
	done
} >"$TABLE"

# The same ratios paired by round, which cancel drift between rounds
# (paired.sh): for ours against each peer in the run, and RATIOS.
paired_pairs=()
for peer in fasthttp nethttp nginx; do
	if has_impl ours && has_impl "$peer"; then paired_pairs+=("ours/$peer"); fi
done
for pair in $RATIOS; do paired_pairs+=("$pair"); done
if [ ${#paired_pairs[@]} -gt 0 ]; then
	{ echo; "$BENCH_DIR/paired.sh" "$OUT" "${paired_pairs[@]}"; } >>"$TABLE"
fi

# --- profile -----------------------------------------------------------------------

# profile_ours WORKLOAD: run ours alone under one workload with -cpuprofile.
profile_ours() {
	local w=$1 prof="$OUT/cpu-ours-$1.pprof"
	log "profiling ours under the $w load (${DURATION}s)"
	start_server ours "$OUT/raw/profile-ours-$w-server.log" -cpuprofile "$prof"
	case $w in
	plaintext) wrk_run "$OUT/raw/profile-ours-$w.txt" "$DURATION" "$CONNS" /plaintext "$SERVER_PORT" ;;
	pipelined) wrk_run "$OUT/raw/profile-ours-$w.txt" "$DURATION" "$CONNS" /plaintext "$SERVER_PORT" pipeline.lua ;;
	json) wrk_run "$OUT/raw/profile-ours-$w.txt" "$DURATION" "$CONNS" /json "$SERVER_PORT" ;;
	file) wrk_run "$OUT/raw/profile-ours-$w.txt" "$DURATION" "$FILE_CONNS" /file "$SERVER_PORT" ;;
	esac
	stop_server
	go tool pprof -top -nodecount=40 "$WORK/benchserver" "$prof" >"$OUT/cpu-ours-$w.top.txt" 2>&1 || true
	go tool pprof -top -cum -nodecount=40 "$WORK/benchserver" "$prof" >"$OUT/cpu-ours-$w.topcum.txt" 2>&1 || true
}

if [ "$PROFILE" = 1 ] && has_impl ours; then
	for w in $PROFILE_WORKLOADS; do profile_ours "$w"; done
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"

echo
cat "$TABLE"
if [ -s "$NOTES" ]; then
	echo
	echo "Notes:"
	cat "$NOTES"
fi
for w in $PROFILE_WORKLOADS; do
	if [ -s "$OUT/cpu-ours-$w.top.txt" ]; then
		echo
		echo "CPU profile of ours under the $w load (top 15; all of it in cpu-ours-$w.top.txt):"
		sed -n '/flat%/,$p' "$OUT/cpu-ours-$w.top.txt" | head -n 16
	fi
done
echo
echo "Raw results: $OUT"
