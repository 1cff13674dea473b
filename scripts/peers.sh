#!/usr/bin/env bash
# peers.sh: the command (cmd/httpserver) behind the real peers, Debian's
# HAProxy and nginx, with wrk and curl as clients. Too slow for CI (about
# three and a half minutes); its output goes into docs/SCALING.md.
#
#   scripts/peers.sh                     # every scenario
#   DURATION=10 scripts/peers.sh         # shorter loads
#   ONLY="proxy xff" scripts/peers.sh    # some runs only
#   OUT=/tmp/peers scripts/peers.sh      # keep the configs and logs there
#
# Scenarios (the summary table at the end has one row per check):
#   1. rolling restarts behind HAProxy (its default retry policy, health
#      check GET /ready on each instance's -metrics port): two instances,
#      wrk for DURATION seconds through HAProxy, three restarts (A, B,
#      A). With -drain DRAIN (2s) no request may fail, whether an
#      instance is started again at once or stays down for SLOW seconds.
#      Reported only, not judged: the same with -drain 0, and with the
#      health check on GET / (which a draining instance still answers).
#   2. PROXY protocol from HAProxy (send-proxy, send-proxy-v2): the access
#      log shows the client's source, 127.0.0.7; a trusted peer without a
#      header is closed; a PROXY header sent straight from an untrusted
#      peer is refused (400) and not believed.
#   3. X-Forwarded-For from nginx ($proxy_add_x_forwarded_for): the log
#      shows 127.0.0.7, not what the client forged; a forged field sent
#      straight from an untrusted peer is ignored.
#   4. restart in place (SIGHUP): wrk straight at the command started
#      with -drain 1s, and through nginx with proxy_next_upstream off,
#      while SIGHUP restarts it 3 times: no request may fail. (Rows
#      "not run" with a command that has no SIGHUP restart.)
#
# Environment (defaults in brackets): DURATION seconds of wrk per run
# [30], CONNS wrk connections [32], DRAIN for the run that must pass
# [2s], SLOW seconds an instance stays down in the drain-slow runs [5],
# CLIENT source address of the client [127.0.0.7], ONLY the runs to do,
# among drain drain-slow nodrain drain-rootcheck proxy xff sighup
# sighup-nginx [all], OUT [a new /tmp/peers.XXXXXX, kept],
# PEERS_TIMEOUT bound on the whole script in seconds [480].
#
# It installs haproxy, nginx and wrk with apt-get if they are missing,
# runs everything on 127.0.0.1 (the client binds 127.0.0.7) with configs
# it writes to OUT (never the system ones), bounds every process with
# timeout, and stops them all on exit, however it happens. The exit status
# is 0 when every scenario that must pass passed, 1 otherwise, 124 when
# the whole run took longer than PEERS_TIMEOUT.

# shellcheck disable=SC2317 # functions called through wait_for and the traps
set -euo pipefail

# The whole run is bounded: re-run this script under timeout once.
if [ -z "${PEERS_BOUNDED:-}" ]; then
	export PEERS_BOUNDED=1
	exec timeout -k 15 "${PEERS_TIMEOUT:-480}" bash "$0" "$@"
fi

cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH:/usr/sbin:/sbin"

DURATION=${DURATION:-30}
CONNS=${CONNS:-32}
DRAIN=${DRAIN:-2s}
SLOW=${SLOW:-5}
CLIENT=${CLIENT:-127.0.0.7}
BOUND=${PEERS_TIMEOUT:-480} # no process outlives the script's own bound
OUT=${OUT:-$(mktemp -d /tmp/peers.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# want NAME: NAME is in ONLY (all when ONLY is empty).
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

log() { printf '%s peers.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- tools -------------------------------------------------------------------

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v nginx >/dev/null || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	timeout 300 $SUDO apt-get update
	timeout 300 $SUDO apt-get install -y "${missing[@]}"
fi
command -v go >/dev/null || { log "go is not installed"; exit 1; }

# --- processes -----------------------------------------------------------------

# PID[name] is the pid of a process this script started (under timeout
# --foreground, which passes a signal on to its command once: a second
# SIGTERM would make our command quit at once).
declare -A PID=()

# spawn NAME STDOUT STDERR CMD...: starts CMD in the background, bounded.
spawn() {
	local name=$1 out=$2 err=$3
	shift 3
	timeout --foreground -k 5 "$BOUND" "$@" >"$out" 2>"$err" &
	PID[$name]=$!
}

# stop NAME [GRACE]: SIGTERM, at most GRACE seconds (5) to exit, then
# SIGKILL; sets STOP_STATUS to the exit status.
stop() {
	local name=$1 grace=${2:-5} pid=${PID[$1]:-} i
	STOP_STATUS=
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < grace * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	STOP_STATUS=0
	wait "$pid" 2>/dev/null || STOP_STATUS=$?
	unset "PID[$name]"
}

# Restarted in place, a command is no longer our child: its successor is
# the old process's. Their pids come from the "Restarted: pid N ..." lines;
# cleanup stops those still running (after checking that the pid is still
# our build, not a pid reused since). The script's own bound (timeout, on
# its whole process group) covers them too.
SUCCESSORS=()
ours_pid() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$OUT/httpserver" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# stop_pid PID: SIGTERM, then SIGKILL after 15 s, of a command that is not
# our child.
stop_pid() {
	ours_pid "$1" || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait_for "pid $1 to exit" 15 gone "$1" || kill -KILL "$1" 2>/dev/null || true
}

cleanup() {
	local name p
	for name in "${!PID[@]}"; do stop "$name" 2; done
	for p in "${SUCCESSORS[@]}"; do stop_pid "$p"; done
	rm -f "$OUT/httpserver"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port: a port in 20000-32767 (below the ephemeral range) that nothing
# listens on and that this run has not handed out yet.
declare -A GIVEN=()
free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12768))
		[ -z "${GIVEN[$p]:-}" ] || continue
		if ! ss -Htln "sport = :$p" | grep -q .; then
			GIVEN[$p]=1
			echo "$p"
			return 0
		fi
	done
	log "no free port found"
	return 1
}

# now: seconds since the epoch, with microseconds.
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# status_of URL [CURL ARGS...]: the status code of one GET ("000" when no
# answer came).
status_of() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true
}

# wait_for WHAT SECONDS CMD...: polls CMD every 50 ms until it succeeds;
# fails after SECONDS.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 20; i++)); do
		if "$@"; then return 0; fi
		sleep 0.05
	done
	log "gave up after ${secs}s waiting for $what"
	return 1
}

serves() { [ "$(status_of "http://127.0.0.1:$1/hello.txt")" = 200 ]; }
has_banner() { grep -q '^Serving HTTP on ' "$1" 2>/dev/null; }

# start_ours NAME PORT LOG FLAGS...: our command on 127.0.0.1:PORT serving
# $OUT/www, once it has bound its port (the banner comes after the bind).
start_ours() {
	local name=$1 port=$2 logf=$3
	shift 3
	spawn "$name" /dev/null "$logf" "$OUT/httpserver" -addr "127.0.0.1:$port" "$@" "$OUT/www"
	wait_for "$name to listen" 10 has_banner "$logf" || { cat "$logf" >&2; return 1; }
}

# --- results -------------------------------------------------------------------

ROWS=()    # "scenario|requests|non-2xx|socket errors|verdict|detail"
FAILED=0   # a scenario that must pass did not

row() { ROWS+=("$1|$2|$3|$4|$5|$6"); }
must() { # SCENARIO REQUESTS NON2XX SOCKERR OK DETAIL: a check that must pass
	if [ "$5" = yes ]; then
		row "$1" "$2" "$3" "$4" pass "$6"
	else
		row "$1" "$2" "$3" "$4" FAIL "$6"
		FAILED=1
	fi
}

# parse_wrk FILE: "requests non2xx socket_errors req_per_s max_latency"
parse_wrk() {
	local f=$1 n non2xx sockerr rps max
	n=$(awk '/ requests in / {print $1; exit}' "$f")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")
	sockerr=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$f")
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
	max=$(awk '$1 == "Latency" {print $4; exit}' "$f")
	echo "${n:-0} ${non2xx:-0} ${sockerr:-0} ${rps:-0} ${max:-NA}"
}

# csv_field FILE PXNAME SVNAME FIELD: a field of HAProxy's stats CSV, by
# the name its header gives it.
csv_field() {
	awk -F, -v px="$2" -v sv="$3" -v f="$4" '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == px && $2 == sv { print $col[f]; exit }' "$1"
}

# --- build and prepare -----------------------------------------------------------

log "building the command; configs and logs in $OUT"
go build -o "$OUT/httpserver" ./cmd/httpserver
mkdir -p "$OUT/www"
printf 'ok\n' >"$OUT/www/index.html"
printf 'Hello, World!\n' >"$OUT/www/hello.txt"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "commit: $(git rev-parse --short HEAD)$(git status --porcelain --untracked-files=no | grep -q . && echo ' (with uncommitted changes)')"
	echo "haproxy: $(haproxy -v | head -1)"
	echo "nginx: $(nginx -v 2>&1)"
	echo "wrk: $(wrk --version 2>&1 | head -1 || true)"
	echo "curl: $(curl --version | head -1)"
	echo "kernel: $(uname -sr), cpus: $(nproc)"
} >"$OUT/env.txt"
cat "$OUT/env.txt" >&2

# --- 1. rolling restarts behind HAProxy --------------------------------------------

# haproxy_cfg FRONT STATS PA PB MA MB CHECK: HAProxy in http mode in
# front of two instances (on ports PA and PB, their -metrics on MA and
# MB), with its defaults left alone where they matter: retries 3,
# retry-on conn-failure, no option redispatch, http-reuse safe,
# keep-alive to the servers. CHECK is "ready" for the health check on
# /ready at the metrics port, "root" for GET / on the served port.
# docs/SCALING.md quotes this config.
haproxy_cfg() {
	cat <<CFG
global
    log stdout format raw local0

defaults
    mode http
    log global
    log-format "status=%ST server=%b/%s retries=%rc term=%tsc time=%Tt"
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:$1
    default_backend be

backend be
    balance roundrobin
$(if [ "$7" = ready ]; then
	echo "    option httpchk GET /ready"
	echo "    server a 127.0.0.1:$3 check port $5 inter 500ms fall 2 rise 1"
	echo "    server b 127.0.0.1:$4 check port $6 inter 500ms fall 2 rise 1"
else
	echo "    option httpchk GET /"
	echo "    server a 127.0.0.1:$3 check inter 500ms fall 2 rise 1"
	echo "    server b 127.0.0.1:$4 check inter 500ms fall 2 rise 1"
fi)

frontend stats
    bind 127.0.0.1:$2
    stats enable
    stats uri /stats
CFG
}

# haproxy_state STATS SERVER: the server's state in HAProxy's stats (UP,
# DOWN, "UP 1/2" while going down...).
haproxy_state() {
	curl -s --max-time 2 "http://127.0.0.1:$1/stats;csv" >"$OUT/.stats.csv" || true
	csv_field "$OUT/.stats.csv" be "$2" status
}
haproxy_up() { [ "$(haproxy_state "$1" "$2")" = UP ]; }
haproxy_served() { # STATS N: the frontend has answered at least N requests
	curl -s --max-time 2 "http://127.0.0.1:$1/stats;csv" >"$OUT/.stats.csv" || true
	[ "$(csv_field "$OUT/.stats.csv" fe FRONTEND req_tot)" -ge "$2" ] 2>/dev/null
}

# rolling LABEL DRAIN DOWN MUST CHECK: scenario 1 with -drain DRAIN,
# each instance staying stopped for DOWN seconds after it exits (0:
# started again at once; more: a slow start, or a replacement that comes
# up elsewhere); MUST is yes when it must not lose a request; CHECK is
# HAProxy's health check (see haproxy_cfg).
rolling() {
	local label=$1 drain=$2 down=$3 must_pass=$4 check=$5
	local dir="$OUT/rolling-$label" pf ps pa pb ma mb wrkpid ok=yes notes=""
	mkdir -p "$dir"
	pf=$(free_port) && ps=$(free_port) && pa=$(free_port) && pb=$(free_port) && ma=$(free_port) && mb=$(free_port)
	declare -A port=([a]=$pa [b]=$pb) mport=([a]=$ma [b]=$mb)
	local flags=(-drain "$drain" -log clf)
	start_ours a "$pa" "$dir/a.0.log" "${flags[@]}" -metrics "127.0.0.1:$ma"
	start_ours b "$pb" "$dir/b.0.log" "${flags[@]}" -metrics "127.0.0.1:$mb"
	haproxy_cfg "$pf" "$ps" "$pa" "$pb" "$ma" "$mb" "$check" >"$dir/haproxy.cfg"
	haproxy -c -f "$dir/haproxy.cfg" >"$dir/haproxy-check.txt" 2>&1 || { cat "$dir/haproxy-check.txt" >&2; return 1; }
	spawn haproxy "$dir/haproxy.log" "$dir/haproxy.err" haproxy -db -f "$dir/haproxy.cfg"
	wait_for "HAProxy" 10 serves "$pf"
	wait_for "a UP in HAProxy" 10 haproxy_up "$ps" a
	wait_for "b UP in HAProxy" 10 haproxy_up "$ps" b

	log "rolling ($label, -drain $drain, down ${down}s): wrk ${DURATION}s, $CONNS connections, through HAProxy on 127.0.0.1:$pf"
	timeout $((DURATION + 30)) wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$pf/hello.txt" >"$dir/wrk.txt" 2>&1 &
	wrkpid=$!
	PID[wrk]=$wrkpid
	wait_for "load through HAProxy" 10 haproxy_served "$ps" 1000

	local n=0 name t0 st t_exit t_serve t_up
	: >"$dir/timeline.txt"
	for name in a b a; do
		n=$((n + 1))
		t0=$(now)
		stop "$name" 30
		st=$STOP_STATUS
		t_exit=$(since "$t0")
		[ "$st" = 0 ] || { ok=no; notes+="$name exited with status $st; "; }
		[ "$down" = 0 ] || sleep "$down" # the scenario's down time, not a check
		start_ours "$name" "${port[$name]}" "$dir/$name.$n.log" "${flags[@]}" -metrics "127.0.0.1:${mport[$name]}"
		wait_for "$name to serve" 10 serves "${port[$name]}"
		t_serve=$(since "$t0")
		wait_for "$name UP in HAProxy" 10 haproxy_up "$ps" "$name"
		t_up=$(since "$t0")
		echo "restart $n ($name): SIGTERM; exited with status $st after ${t_exit}s; serving again at ${t_serve}s; UP in HAProxy at ${t_up}s" | tee -a "$dir/timeline.txt" >&2
	done
	if ! kill -0 "$wrkpid" 2>/dev/null; then
		ok=no
		notes+="the load ended before the last restart; "
	fi
	local wst=0
	wait "$wrkpid" || wst=$?
	unset "PID[wrk]"
	[ "$wst" = 0 ] || { ok=no; notes+="wrk exited with status $wst; "; }
	curl -s --max-time 2 "http://127.0.0.1:$ps/stats;csv" >"$dir/stats.csv" || true
	stop haproxy
	stop a 15
	stop b 15
	# Keep of the access logs only what was not a 200 (and the command's
	# own lines): the 200s are hundreds of megabytes over the runs.
	local f
	for f in "$dir"/[ab].*.log; do
		echo "$(grep -c '" 200 ' "$f" || true) requests answered 200 (their lines removed)" >"$f.tmp"
		grep -v '" 200 ' "$f" >>"$f.tmp" || true
		mv "$f.tmp" "$f"
	done

	local nreq non2xx sockerr rps maxlat h5xx hretr hredis hecon heresp
	read -r nreq non2xx sockerr rps maxlat < <(parse_wrk "$dir/wrk.txt")
	# The backend's requests only (not the stats page's).
	grep ' server=be/' "$dir/haproxy.log" >"$dir/haproxy-be.log" || true
	# HAProxy's own count of 5xx answers (its log, written without
	# blocking, may drop lines under load: it gives the details only).
	h5xx=$(csv_field "$dir/stats.csv" fe FRONTEND hrsp_5xx)
	hretr=$(csv_field "$dir/stats.csv" be BACKEND wretr)
	hredis=$(csv_field "$dir/stats.csv" be BACKEND wredis)
	hecon=$(csv_field "$dir/stats.csv" be BACKEND econ)
	heresp=$(csv_field "$dir/stats.csv" be BACKEND eresp)
	{
		echo "wrk: $nreq requests, $rps req/s, max latency $maxlat, non-2xx $non2xx, socket errors $sockerr"
		echo "HAProxy: $h5xx responses 5xx (in its log, by status: $(sed -n 's/^status=\([0-9-]*\) .*/\1/p' "$dir/haproxy-be.log" | sort | uniq -c | awk '{printf "%s%s x%s", s, $2, $1; s=", "}')); backend retries $hretr, redispatches $hredis, connection errors $hecon, response errors $heresp"
		echo "HAProxy termination states other than --: $(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^term=/ && $i != "term=----") print $i}' "$dir/haproxy-be.log" | sort | uniq -c | awk '{printf "%s%s x%s", s, $2, $1; s=", "} END {if (!NR) printf "none"}')"
	} | tee "$dir/summary.txt" >&2
	[ "$non2xx" = 0 ] && [ "$sockerr" = 0 ] && [ "$h5xx" = 0 ] && [ "$hecon" = 0 ] && [ "$heresp" = 0 ] || ok=no
	local detail="$rps req/s, max latency $maxlat; HAProxy: ${h5xx} 5xx, ${hretr} retries, ${hredis} redispatches, ${hecon} conn errors, ${heresp} resp errors${notes:+; ${notes%; }}"
	local scen="1. rolling restarts, HAProxy, -drain $drain"
	[ "$down" = 0 ] || scen+=", down ${down}s"
	[ "$check" = ready ] || scen+=", health check GET /"
	if [ "$must_pass" = yes ]; then
		must "$scen" "$nreq" "$non2xx" "$sockerr" "$ok" "$detail"
	else
		row "$scen" "$nreq" "$non2xx" "$sockerr" "reported" "$detail"
	fi
}

! want drain || rolling drain "$DRAIN" 0 yes ready
! want drain-slow || rolling drain-slow "$DRAIN" "$SLOW" yes ready
! want nodrain || rolling nodrain 0 0 no ready
! want drain-rootcheck || rolling drain-rootcheck "$DRAIN" "$SLOW" no root

# --- 2. PROXY protocol from HAProxy --------------------------------------------------

# logged_remote LOG QUERY: the "remote" (and "peer", if any) of the JSON
# access-log lines of requests whose query begins with QUERY, one line
# each.
logged_remote() {
	{ grep -F "\"query\":\"$2" "$1" || true; } | sed -n 's/.*"remote":"\([^"]*\)"\(,"peer":"\([^"]*\)"\)\{0,1\}.*/remote=\1 peer=\3/p'
}

# check_remote SCENARIO LOG QUERY WANT_HOST WANT_PEER CODES...: CODES are
# the curl status codes of the requests; all of them must be 200, and each
# logged line must show WANT_HOST as the client (and WANT_PEER as the
# peer, "" for none).
check_remote() {
	local scen=$1 logf=$2 q=$3 host=$4 peer=$5 ok=yes non2xx=0 sockerr=0 c lines n=0
	shift 5
	for c in "$@"; do
		n=$((n + 1))
		case $c in 200) ;; 000) sockerr=$((sockerr + 1)); ok=no ;; *) non2xx=$((non2xx + 1)); ok=no ;; esac
	done
	lines=$(logged_remote "$logf" "$q")
	[ "$(printf '%s\n' "$lines" | grep -c .)" = "$n" ] || ok=no
	while IFS= read -r l; do
		[[ $l == "remote=$host:"*" peer=$peer"* ]] || ok=no
		[ -n "$peer" ] || [[ $l == *" peer=" ]] || ok=no
	done <<<"$lines"
	must "$scen" "$n" "$non2xx" "$sockerr" "$ok" "logged: $(printf '%s' "$lines" | sort | uniq -c | awk '{$1 = $1 "x"; print}' | paste -sd';' -)"
}

proxy_protocol() {
	local dir="$OUT/proxy-protocol" pp pu pv1 pv2
	mkdir -p "$dir"
	pp=$(free_port) && pu=$(free_port) && pv1=$(free_port) && pv2=$(free_port)
	start_ours pp "$pp" "$dir/trusted.log" -proxy-protocol -trusted-proxies 127.0.0.1 -log json
	start_ours pu "$pu" "$dir/untrusted.log" -proxy-protocol -trusted-proxies 127.0.0.9/32 -log json
	cat >"$dir/haproxy.cfg" <<CFG
global
    log stdout format raw local0

defaults
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_v1
    mode tcp
    bind 127.0.0.1:$pv1
    default_backend be_v1

backend be_v1
    mode tcp
    server s1 127.0.0.1:$pp send-proxy

frontend fe_v2
    mode http
    bind 127.0.0.1:$pv2
    default_backend be_v2

backend be_v2
    mode http
    server s2 127.0.0.1:$pp send-proxy-v2
CFG
	haproxy -c -f "$dir/haproxy.cfg" >"$dir/haproxy-check.txt" 2>&1 || { cat "$dir/haproxy-check.txt" >&2; return 1; }
	spawn haproxy "$dir/haproxy.log" "$dir/haproxy.err" haproxy -db -f "$dir/haproxy.cfg"
	wait_for "HAProxy (send-proxy)" 10 serves "$pv1"
	log "PROXY protocol: HAProxy on $pv1 (tcp, send-proxy) and $pv2 (http, send-proxy-v2) in front of 127.0.0.1:$pp"

	# Two requests on one connection each: the header comes once, and
	# names the client for both.
	local codes
	codes=$(curl -s --max-time 5 --interface "$CLIENT" -o /dev/null -o /dev/null -w '%{http_code} ' \
		"http://127.0.0.1:$pv1/hello.txt?case=v1.1" "http://127.0.0.1:$pv1/hello.txt?case=v1.2" || true)
	# shellcheck disable=SC2086 # one word per status code
	check_remote "2. PROXY v1 (send-proxy, tcp mode)" "$dir/trusted.log" "case=v1." "$CLIENT" "" $codes
	codes=$(curl -s --max-time 5 --interface "$CLIENT" -o /dev/null -o /dev/null -w '%{http_code} ' \
		"http://127.0.0.1:$pv2/hello.txt?case=v2.1" "http://127.0.0.1:$pv2/hello.txt?case=v2.2" || true)
	# shellcheck disable=SC2086
	check_remote "2. PROXY v2 (send-proxy-v2, http mode)" "$dir/trusted.log" "case=v2." "$CLIENT" "" $codes

	# A trusted peer's connection without a header is closed unanswered.
	local rc=0
	curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$pp/hello.txt?case=no-header" || rc=$?
	local ok=no
	if [ "$rc" = 52 ] && ! grep -q 'case=no-header' "$dir/trusted.log"; then ok=yes; fi
	must "2. trusted peer, no PROXY header" 1 0 1 "$ok" "curl exit $rc (52: empty reply, as expected: closed without an answer)"

	# An untrusted peer (127.0.0.1; only 127.0.0.9 is trusted) sends a
	# forged header straight to the command.
	local line
	# shellcheck disable=SC2016 # $1 belongs to the inner shell
	line=$(timeout 5 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "PROXY TCP4 6.6.6.6 127.0.0.1 4444 %s\r\nGET /hello.txt?case=forged-proxy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$1" >&3
		IFS= read -r -t 3 line <&3 && printf "%s\n" "$line" | tr -d "\r"
	' _ "$pu" 2>/dev/null || true)
	wait_for "the refusal in the access log" 5 grep -q '"msg":"refused"' "$dir/untrusted.log" || true
	local logged
	logged=$(grep '"msg":"refused"' "$dir/untrusted.log" | sed -n 's/.*"remote":"\([^"]*\)".*/\1/p' | paste -sd, -)
	ok=no
	if [[ $line == "HTTP/1.1 400"* ]] && [[ $logged == 127.0.0.1:* ]] && ! grep -q '6\.6\.6\.6' "$dir/untrusted.log"; then ok=yes; fi
	must "2. forged PROXY header, untrusted peer" 1 1 0 "$ok" "answer \"$line\" (400 expected); logged remote=$logged"
	stop haproxy
	stop pp
	stop pu
}
! want proxy || proxy_protocol

# --- 3. X-Forwarded-For from nginx -----------------------------------------------------

forwarded_for() {
	local dir="$OUT/nginx-xff" pr pn
	mkdir -p "$dir/tmp"
	pr=$(free_port) && pn=$(free_port)
	start_ours xff "$pr" "$dir/ours.log" -trusted-proxies 127.0.0.1 -log json
	cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    log_format peers '\$remote_addr "\$request" \$status sent_xff="\$proxy_add_x_forwarded_for"';
    access_log $dir/access.log peers;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
    server {
        listen 127.0.0.1:$pn;
        location / {
            proxy_pass http://127.0.0.1:$pr;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
CONF
	nginx -t -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/nginx-check.txt" 2>&1 || { cat "$dir/nginx-check.txt" >&2; return 1; }
	spawn nginx "$dir/nginx.out" "$dir/nginx.err" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	wait_for "nginx" 10 serves "$pn"
	log "X-Forwarded-For: nginx on $pn in front of 127.0.0.1:$pr (-trusted-proxies 127.0.0.1)"

	local c
	c=$(status_of "http://127.0.0.1:$pn/hello.txt?case=xff-plain" --interface "$CLIENT")
	check_remote "3. XFF via nginx" "$dir/ours.log" "case=xff-plain" "$CLIENT" "127.0.0.1" "$c"
	c=$(status_of "http://127.0.0.1:$pn/hello.txt?case=xff-forged" --interface "$CLIENT" -H 'X-Forwarded-For: 6.6.6.6')
	check_remote "3. forged XFF via nginx" "$dir/ours.log" "case=xff-forged" "$CLIENT" "127.0.0.1" "$c"
	c=$(status_of "http://127.0.0.1:$pr/hello.txt?case=xff-direct" --interface "$CLIENT" -H 'X-Forwarded-For: 6.6.6.6')
	check_remote "3. forged XFF, untrusted peer" "$dir/ours.log" "case=xff-direct" "$CLIENT" "" "$c"
	stop nginx
	stop xff
	log "nginx forwarded: $(grep -o 'sent_xff="[^"]*"' "$dir/access.log" | paste -sd' ' -)"
}
! want xff || forwarded_for

# --- 4. restart in place (SIGHUP) ---------------------------------------------------------

# inplace LABEL VIA TITLE: scenario 4 (its row titled TITLE), wrk for DURATION seconds at the command
# (VIA direct) or through nginx (VIA nginx, with proxy_next_upstream off
# and kept-alive upstream connections) while the command, with -drain
# 1s, is restarted in place 3 times by SIGHUP, each to the process serving
# at the time, each waiting for the old one to exit.
inplace() {
	local label=$1 via=$2 title=$3
	local dir="$OUT/sighup-$label" pc pn url pid next n st ok=yes notes=""
	mkdir -p "$dir/tmp"
	pc=$(free_port)
	start_ours sighup "$pc" "$dir/ours.log" -drain 1s -log off
	pid=$(pgrep -P "${PID[sighup]}")
	url="http://127.0.0.1:$pc/hello.txt"
	if [ "$via" = nginx ]; then
		pn=$(free_port)
		cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
    upstream ours {
        server 127.0.0.1:$pc;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$pn;
        location / {
            proxy_pass http://ours;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream off;
        }
    }
}
CONF
		nginx -t -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/nginx-check.txt" 2>&1 || { cat "$dir/nginx-check.txt" >&2; return 1; }
		spawn nginx "$dir/nginx.out" "$dir/nginx.err" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
		wait_for "nginx" 10 serves "$pn"
		url="http://127.0.0.1:$pn/hello.txt"
	fi
	log "restart in place ($title): wrk ${DURATION}s, $CONNS connections, at $url; 3 SIGHUPs"
	timeout $((DURATION + 30)) wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$dir/wrk.txt" 2>&1 &
	PID[wrk]=$!
	sleep 2 # let the load get going (scheduling, not a check)

	: >"$dir/timeline.txt"
	local t0 t_next t_exit
	# successor: sets next once the log says who took over from pid (or
	# that the restart failed).
	successor() {
		next=$(sed -n "s/^Restarted: pid \([0-9]*\) serves the sockets now; pid $pid stops accepting\$/\1/p" "$dir/ours.log")
		[ -n "$next" ] || grep -q "^Restart failed: .*; pid $pid goes on serving\$" "$dir/ours.log"
	}
	for n in 1 2 3; do
		t0=$(now)
		kill -HUP "$pid"
		next=
		wait_for "pid $pid's successor" 40 successor || true
		if [ -z "$next" ]; then
			ok=no
			notes+="restart $n of pid $pid failed; "
			break
		fi
		SUCCESSORS+=("$next")
		t_next=$(since "$t0")
		wait_for "pid $pid to exit" 20 gone "$pid" || { ok=no; notes+="pid $pid did not exit; "; }
		t_exit=$(since "$t0")
		echo "restart $n: pid $pid -> pid $next, serving at ${t_next}s; pid $pid gone at ${t_exit}s" | tee -a "$dir/timeline.txt" >&2
		pid=$next
	done
	if gone "${PID[wrk]}"; then ok=no; notes+="the load ended before the last restart; "; fi
	local wst=0
	wait "${PID[wrk]}" || wst=$?
	unset "PID[wrk]"
	[ "$wst" = 0 ] || { ok=no; notes+="wrk exited with status $wst; "; }
	# The first process (our child, through timeout) must have exited 0.
	stop sighup 20
	[ "$STOP_STATUS" = 0 ] || { ok=no; notes+="the first process exited with status $STOP_STATUS; "; }
	stop nginx
	stop_pid "$pid"
	local nreq non2xx sockerr rps maxlat nginx_err=""
	read -r nreq non2xx sockerr rps maxlat < <(parse_wrk "$dir/wrk.txt")
	[ "$non2xx" = 0 ] && [ "$sockerr" = 0 ] || ok=no
	if [ "$via" = nginx ]; then
		nginx_err="; nginx error log: $(grep -c '\[error\]' "$dir/error.log" || true) errors"
	fi
	echo "wrk: $nreq requests, $rps req/s, max latency $maxlat, non-2xx $non2xx, socket errors $sockerr$nginx_err" | tee "$dir/summary.txt" >&2
	must "4. restart in place (SIGHUP x3), -drain 1s, $title" "$nreq" "$non2xx" "$sockerr" "$ok" "$rps req/s, max latency $maxlat$nginx_err${notes:+; ${notes%; }}"
}

if ! grep -q SIGHUP <<<"$("$OUT/httpserver" -help 2>&1)"; then
	row "4. restart in place (SIGHUP)" - - - "not run" "not run: SIGHUP not available"
else
	! want sighup || inplace direct direct "direct"
	! want sighup-nginx || inplace nginx nginx "behind nginx, proxy_next_upstream off"
fi

# --- summary ---------------------------------------------------------------------

{
	echo
	echo "peers.sh summary ($(date -u '+%Y-%m-%d %H:%M UTC'); logs in $OUT):"
	echo
	printf '%s\n' "scenario|requests|non-2xx|socket errors|verdict|detail" "${ROWS[@]}" |
		awk -F'|' '
			{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
			END {
				for (r = 1; r <= n; r++) {
					line = ""
					for (i = 1; i <= 6; i++) line = line sprintf(i < 6 ? "%-" w[i] "s | " : "%s", cell[r, i])
					print line
					if (r == 1) { sep = ""; for (i = 1; i <= 6; i++) { s = sprintf("%" w[i] "s", ""); gsub(/ /, "-", s); sep = sep s (i < 6 ? "-+-" : "") } print sep }
				}
			}'
	echo
	if [ "$FAILED" = 0 ]; then echo "result: every scenario that must pass passed"; else echo "result: FAILED (see the rows marked FAIL)"; fi
} | tee "$OUT/summary.txt"
exit "$FAILED"
