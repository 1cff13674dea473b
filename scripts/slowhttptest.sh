#!/usr/bin/env bash
# Runs slowhttptest (Debian package) in its three slow modes, one after the
# other, while a probe issues a normal request every second to the server
# under attack and records whether it succeeded and how long it took.
#
#   scripts/slowhttptest.sh                   # 60 s per mode, 500 connections
#   SLOW_SECONDS=30 SLOW_CONNS=200 scripts/slowhttptest.sh
#   SLOW_OUT=/tmp/slow scripts/slowhttptest.sh   # keep the CSV files and logs
#
# Slowloris and slow read go to cmd/httpserver serving a scratch directory
# (an index.html, and a 4 MiB file for slow read to fetch). The CLI has no
# handler that reads request bodies (a POST gets its answer at once), so
# the slow-body mode goes to scripts/soakserver's /echo, which reads the
# whole body: the library with the same default Server. Both run with the
# defaults (ReadHeaderTimeout 10s, ReadTimeout and WriteTimeout 30s,
# MaxConnsPerIP 1000); slowhttptest connects from 127.0.0.1 only, so
# SLOW_CONNS above 1000 meets the per-IP limit (503).
#
# Installs slowhttptest with apt-get if it is missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

seconds=${SLOW_SECONDS:-60}
conns=${SLOW_CONNS:-500}
port=${SLOW_PORT:-18123}   # the CLI; the soakserver picks a free port
out=${SLOW_OUT:-$(mktemp -d /tmp/slowhttptest.XXXXXX)}
mkdir -p "$out"

if ! command -v slowhttptest >/dev/null; then
  echo "slowhttptest: installing the Debian package"
  apt-get update >/dev/null && apt-get install -y slowhttptest >/dev/null
fi
command -v curl >/dev/null || { echo "slowhttptest.sh: curl is needed for the probe"; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "slowhttptest.sh: port $port is in use (set SLOW_PORT)"; exit 1
fi

go build -o "$out/httpserver" ./cmd/httpserver
go build -o "$out/soakserver" ./scripts/soakserver
mkdir -p "$out/www"
echo '<!doctype html><title>probe</title><p>ok' >"$out/www/index.html"
head -c $((4 << 20)) /dev/urandom >"$out/www/big.bin"

"$out/httpserver" -addr "127.0.0.1:$port" -log off "$out/www" >"$out/cli.log" 2>&1 &
cli=$!
"$out/soakserver" -addr 127.0.0.1:0 -stats 127.0.0.1:0 >"$out/soakserver.out" 2>"$out/soakserver.log" &
soak=$!
probe= watcher=
cleanup() {
  [ -n "$probe" ] && kill "$probe" 2>/dev/null || true
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
  kill "$cli" "$soak" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && grep -q '^serving ' "$out/soakserver.out" && break
  sleep 0.1
done
cli_url="http://127.0.0.1:$port/"
soak_addr=$(awk '/^serving /{print $2}' "$out/soakserver.out")
soak_url="http://$soak_addr/"

# probe FILE URL: one normal GET per second, "epoch http_code seconds" per
# line (http_code 000 when the request failed or took more than 5 s).
probe_loop() {
  while :; do
    r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$2" || true)
    echo "$(date +%s) ${r:-000 5}" >>"$1"
    sleep 1
  done
}

# watch FILE PID PORT: every 2 s, "epoch fds established fin-wait-1": the
# server process's open descriptors, and its TCP sockets on PORT by state
# (a socket the server has closed with unsent data stays in FIN-WAIT-1,
# owned by the kernel, until the peer takes the data or the kernel gives up).
watch_server() {
  while :; do
    echo "$(date +%s) $(ls "/proc/$2/fd" | wc -l)" \
      "$(ss -Htn state established "( sport = :$3 )" | wc -l)" \
      "$(ss -Htn state fin-wait-1 "( sport = :$3 )" | wc -l)" >>"$1"
    sleep 2
  done
}

summary() { # name probe-file csv-file server-file
  local name=$1 pf=$2 csv=$3 sf=$4 n ok median max
  n=$(wc -l <"$pf")
  ok=$(awk '$2 == "200"' "$pf" | wc -l)
  median=$(awk '$2 == "200" { print $3 }' "$pf" | sort -n | awk '{ t[NR] = $1 } END { if (NR) printf "%.1f", 1000 * t[int((NR + 1) / 2)]; else print "-" }')
  max=$(awk '$2 == "200" { print $3 }' "$pf" | sort -n | awk 'END { if (NR) printf "%.1f", 1000 * $1; else print "-" }')
  echo "$name probe: $ok/$n requests ok, latency median $median ms, max $max ms" | awk '{ printf "%-10s %s\n", $1, substr($0, length($1) + 2) }'
  # slowhttptest CSV: Seconds,Closed,Pending,Connected,Service Available
  # (the last column is the connection count while the service was
  # available to slowhttptest's own probe, 0 when it was not).
  awk -F, -v name="$name" '
    NR > 1 { rows++; if ($4 > maxc) maxc = $4; if ($5 + 0 > 0) avail++; lsec = $1; lc = $2; lconn = $4 }
    END {
      printf "%-10s slowhttptest: peak %d connected; on second %d, %d closed and %d still connected; service available in %d of %d samples\n",
        name, maxc, lsec, lc, lconn, avail, rows
    }' "$csv"
  awk -v name="$name" '
    { if ($2 > mf) mf = $2; if ($3 > me) me = $3; lf = $2; le = $3; lw = $4 }
    END {
      printf "%-10s server: peak %d open fds and %d established sockets; at the end %d fds, %d established, %d in FIN-WAIT-1\n",
        name, mf, me, lf, le, lw
    }' "$sf"
}

run_mode() { # name server-pid server-port probe-url target-url flags...
  local name=$1 spid=$2 sport=$3 probe_url=$4 target=$5; shift 5
  local pf="$out/$name.probe" sf="$out/$name.server"
  : >"$pf"
  : >"$sf"
  probe_loop "$pf" "$probe_url" &
  probe=$!
  watch_server "$sf" "$spid" "$sport" &
  watcher=$!
  echo "== $name: slowhttptest $* -c $conns -l $seconds -u ${target:0:60}"
  slowhttptest "$@" -c "$conns" -l "$seconds" -u "$target" -g -o "$out/$name" >"$out/$name.log" 2>&1 || true
  kill "$probe" "$watcher" 2>/dev/null || true
  wait "$probe" "$watcher" 2>/dev/null || true
  probe= watcher=
  sed 's/\x1b\[[0-9;]*m//g' "$out/$name.log" | grep -E 'Test ended|Exit status' | sed 's/^/   /' || true
  summary "$name" "$pf" "$out/$name.csv" "$sf" | tee -a "$out/summary.txt"
}

: >"$out/summary.txt"
echo "slowhttptest $(slowhttptest -h 2>&1 | grep -o 'version [0-9.]*'): cmd/httpserver at $cli_url, soakserver at $soak_url; results in $out"
# Slowloris: a header line every 5 s.
run_mode slowloris "$cli" "$port" "$cli_url" "$cli_url" -H -r 200 -i 5 -x 24
# Slow body (R-U-Dead-Yet): a POST announcing 8 KiB, 24 bytes every 5 s.
run_mode slowbody "$soak" "${soak_addr##*:}" "$soak_url" "${soak_url}echo" -B -r 200 -i 5 -x 24 -s 8192
# Slow read: a 4 MiB file, a 1-512 byte window, 32 bytes read per second.
run_mode slowread "$cli" "$port" "$cli_url" "${cli_url}big.bin" -X -r 200 -w 1 -y 512 -n 1 -z 32
echo
cat "$out/summary.txt"
