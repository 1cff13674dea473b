#!/usr/bin/env bash
# Restarts under load: runs wrk against the command on 127.0.0.1 for
# RESTART_SECONDS (default 12) while sending SIGHUP RESTARTS times (default
# 3), evenly spread, each to the process serving at the time; then reports
# wrk's figures, its non-2xx answers and socket errors, and the pids that
# served. Exits 1 if any request failed or a restart did not happen.
#
#   scripts/restart.sh
#   RESTART_SECONDS=30 RESTARTS=5 WRK_CONNECTIONS=32 scripts/restart.sh
#   RESTART_FLAGS='-drain 2s' scripts/restart.sh     # flags for the command
#   WRK_CLOSE=1 scripts/restart.sh    # a new connection per request
#   RESTART_MODE=reuseport scripts/restart.sh
#
# RESTART_MODE=reuseport does what SIGHUP replaces, for comparison: each
# "restart" starts a new process with -reuseport on the same port, waits
# for its banner, then stops the old one with SIGTERM (its queued
# connections are reset with its socket).
#
# Needs wrk (Debian: apt-get install wrk). Linux; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
command -v wrk >/dev/null || { echo "restart: wrk not found (apt-get install wrk)"; exit 1; }

seconds=${RESTART_SECONDS:-12}
restarts=${RESTARTS:-3}
conns=${WRK_CONNECTIONS:-16}
out=$(mktemp -d /tmp/restart.XXXXXX)

go build -o "$out/httpserver" ./cmd/httpserver
mkdir "$out/site"
printf 'hello, restart\n' >"$out/site/f.txt"

mode=${RESTART_MODE:-sighup}
case "$mode" in
sighup) ;;
reuseport) RESTART_FLAGS="-reuseport ${RESTART_FLAGS:-}" ;;
*) echo "restart: RESTART_MODE=$mode: want sighup or reuseport"; exit 2 ;;
esac
# shellcheck disable=SC2086 # RESTART_FLAGS is a list of flags
"$out/httpserver" -addr 127.0.0.1:0 -log off ${RESTART_FLAGS:-} "$out/site" 2>"$out/stderr.log" &
first=$!
all="$first"
cleanup() {
  # The process serving last, and any other left (by pid, as recorded).
  for p in $(grep -oE 'restarted as pid [0-9]+' "$out/stderr.log" | awk '{print $4}') $all; do
    kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

for _ in $(seq 100); do
  grep -q '^Serving HTTP' "$out/stderr.log" && break
  sleep 0.1
done
port=$(sed -nE '1s/^Serving HTTP on [^ ]+ port ([0-9]+) .*/\1/p' "$out/stderr.log")
[ -n "$port" ] || { echo "restart: the command did not start"; cat "$out/stderr.log"; exit 1; }
url="http://127.0.0.1:$port/f.txt"

wrkargs=(-t2 -c"$conns" -d"${seconds}s")
if [ -n "${WRK_CLOSE:-}" ]; then wrkargs+=(-H 'Connection: close'); fi
echo "restart: wrk ${wrkargs[*]} $url, $restarts restarts by $mode, files in $out"
wrk "${wrkargs[@]}" "$url" >"$out/wrk.txt" 2>&1 &
wrkpid=$!

pid=$first
pids="$pid"
interval=$(awk -v s="$seconds" -v n="$restarts" 'BEGIN { printf "%.2f", s / (n + 1) }')
status=0
for i in $(seq "$restarts"); do
  sleep "$interval"
  if [ "$mode" = reuseport ]; then
    # shellcheck disable=SC2086
    "$out/httpserver" -addr "127.0.0.1:$port" -log off ${RESTART_FLAGS:-} "$out/site" 2>"$out/stderr.$i.log" &
    next=$!
    all="$all $next"
    for _ in $(seq 200); do grep -q '^Serving HTTP' "$out/stderr.$i.log" && break; sleep 0.1; done
    kill -TERM "$pid"
    echo "restart $i: pid $pid -> pid $next (-reuseport, then SIGTERM)"
    pid=$next
    pids="$pids $pid"
    continue
  fi
  kill -HUP "$pid"
  # Wait (at most 20 s) for the successor to say it serves.
  next=""
  for _ in $(seq 200); do
    next=$(grep -E "^Restarted: pid [0-9]+ serves the sockets now; pid $pid stops accepting$" "$out/stderr.log" | awk '{print $3}' || true)
    [ -n "$next" ] && break
    if grep -qE "^Restart failed: .*; pid $pid goes on serving$" "$out/stderr.log"; then break; fi
    sleep 0.1
  done
  if [ -z "$next" ]; then
    echo "restart $i: pid $pid did not hand over:"
    tail -5 "$out/stderr.log"
    status=1
    break
  fi
  echo "restart $i: pid $pid -> pid $next"
  pid=$next
  pids="$pids $pid"
done
wait "$wrkpid"

cat "$out/wrk.txt"
non2xx=$(sed -nE 's/^ *Non-2xx or 3xx responses: ([0-9]+)/\1/p' "$out/wrk.txt")
sockerr=$(sed -nE 's/^ *Socket errors: (.*)/\1/p' "$out/wrk.txt")
echo "pids serving in turn: $pids"
echo "non-2xx or 3xx responses: ${non2xx:-0}"
echo "socket errors: ${sockerr:-none}"
# Each old process must have exited (0 is checked for the first, our child).
for p in $pids; do
  [ "$p" = "$pid" ] && continue
  for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then echo "pid $p is still running after its restart"; status=1; fi
done
if [ "$pid" != "$first" ]; then
  wait "$first" && echo "the first process exited 0" || { echo "the first process exited $?"; status=1; }
fi
if [ "${non2xx:-0}" != 0 ] || [ -n "$sockerr" ]; then status=1; fi
kill "$pid"
exit "$status"
