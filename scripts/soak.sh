#!/usr/bin/env bash
# Soak test: mixed load against the demo server for SOAK_SECONDS (default
# 600), sampling the server's RSS, open descriptors, threads and goroutines
# every second; fails if one of them keeps growing under load or does not
# come back down after it. The rules are in scripts/soakclient/main.go.
#
#   scripts/soak.sh                      # 10 minutes
#   SOAK_SECONDS=120 scripts/soak.sh     # 2 minutes
#   SOAK_OUT=/tmp/soak scripts/soak.sh   # keep samples.csv and the logs there
#
# The server is scripts/soakserver: cmd/httpserver's demo handler on a
# default Server, plus its goroutine count on a loopback side port (the CLI
# cannot report goroutines). Linux only (/proc).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

seconds=${SOAK_SECONDS:-600}
out=${SOAK_OUT:-$(mktemp -d /tmp/soak.XXXXXX)}
mkdir -p "$out"

go build -o "$out/soakserver" ./scripts/soakserver
go build -o "$out/soakclient" ./scripts/soakclient

"$out/soakserver" -addr 127.0.0.1:0 -stats 127.0.0.1:0 >"$out/server.out" 2>"$out/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
  grep -q '^stats ' "$out/server.out" 2>/dev/null && break
  sleep 0.1
done
addr=$(awk '/^serving /{print $2}' "$out/server.out")
stats=$(awk '/^stats /{print $2}' "$out/server.out")
[ -n "$addr" ] && [ -n "$stats" ] || { echo "soak: the server did not start"; cat "$out/server.log"; exit 1; }

echo "soak: ${seconds}s against $addr (pid $pid), samples in $out/samples.csv"
status=0
"$out/soakclient" -addr "$addr" -stats "$stats" -pid "$pid" -duration "${seconds}s" -csv "$out/samples.csv" || status=$?

errors=$(grep -c 'level=ERROR' "$out/server.log" || true)
echo "server log: $errors error records (handler faults, accept errors) in $out/server.log"
if [ "$errors" -gt 0 ]; then
  grep 'level=ERROR' "$out/server.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5
  status=1
fi
exit "$status"
