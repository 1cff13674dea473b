package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
	"github.com/gohttpserver/httpserver/internal/forwarded"
)

// config is the command line, parsed and checked.
type config struct {
	dir      string        // the directory to serve
	addr     string        // -addr
	tlsCert  string        // -tls-cert
	tlsKey   string        // -tls-key ("" with tlsCert "": plain HTTP)
	cache    string        // -cache as given, for messages
	listing  bool          // -listing
	dotfiles bool          // -dotfiles
	logMode  string        // -log: "clf", "json" or "off"
	h2       bool          // -h2: HTTP/2 over TLS (by ALPN)
	h2c      bool          // -h2c: HTTP/2 over cleartext TCP
	drain    time.Duration // -drain: Server.Drain
	// trustedProxies is -trusted-proxies: Server.TrustedProxies.
	trustedProxies []netip.Prefix
	proxyProtocol  bool   // -proxy-protocol: Server.ProxyProtocol
	metrics        string // -metrics: where to serve /metrics and /ready ("": nowhere)
	// reusePort is -reuseport: listen with SO_REUSEPORT.
	reusePort bool
	// maxConns and maxConnsPerIP are -max-conns and -max-conns-per-ip as
	// Server.MaxConns and MaxConnsPerIP take them: 0 for the library's
	// default (which is the flag's), httpserver.Unlimited for none.
	maxConns, maxConnsPerIP int
	// noCompress is -compress=false (so that the zero config, as the
	// flag's default, compresses).
	noCompress bool

	// grace bounds the drain after the first signal: defaultGrace, which
	// tests shorten (it is no flag: nobody has needed another value).
	grace time.Duration

	// cacheControl is the policy -cache names; nil for the file server's
	// default ("no-cache").
	cacheControl func(name string, fi fs.FileInfo) string
}

// usageText opens -help; the flag defaults follow it, then usageNotes.
const usageText = `Usage: httpserver [flags] [DIR]

Serves the directory DIR (default: the current directory) over HTTP/1.x,
and HTTP/2 over TLS (with -tls-cert and -tls-key; -h2c for cleartext),
with byte ranges, ETags and conditional requests, precompressed siblings
(file.br, file.gz, file.zst), compression on the fly (zstd, br, gzip)
of what has no sibling, and directory listings. Ctrl-C (or SIGTERM)
stops accepting (after -drain), lets requests in flight finish for at
most 10 seconds, and exits; Ctrl-C again quits at once. SIGHUP restarts in place, losing
no request (see Restarts below). Flags come before DIR.

Flags:
`

const usageNotes = `
Cache policies (-cache):
  no-cache          every response says "Cache-Control: no-cache": caches
                    may keep files but revalidate them (a 304 when unchanged)
  assets=DURATION   for sites whose asset names change with their content:
                    HTML files and listings "no-cache", every other file
                    "public, max-age=SECONDS" (and "immutable" from 8760h);
                    DURATION in Go syntax: 90s, 10m, 24h, 8760h
  off               no Cache-Control field at all
  anything else     sent as is, e.g. -cache 'public, max-age=300'

Access log (-log), one line per request on standard error:
  clf   common log format, then the duration in milliseconds:
          HOST - - [02/Jan/2006:15:04:05 -0700] "METHOD PATH HTTP/1.1" STATUS BYTES DURATION_MS
        PATH keeps its query; BYTES counts body bytes ("-" for none). A
        request refused before it could be parsed shows "-" as its request
        and the reason, quoted, after the duration:
          HOST - - [02/Jan/2006:15:04:05 -0700] "-" 400 BYTES 0.000 "REASON"
        as does a response that did not complete, with what went wrong
  json  a JSON object per line (log/slog): time, level, msg ("request", or
        "refused" for a request that could not be parsed), method, path,
        query (when present), proto, status, bytes, duration (nanoseconds),
        remote (IP:port), and, for a request refused or a response that
        did not complete, error: what went wrong
  off   no access log

Metrics (-metrics host:port), on a listener of their own, in plain HTTP
(so bind it to an address only the monitoring reaches):
  GET /metrics  Prometheus' text format (or protobuf, as the scraper asks):
                httpserver_requests_total{method,code_class,proto},
                httpserver_request_duration_seconds{method,code_class,proto},
                httpserver_requests_in_flight, httpserver_connections{state},
                httpserver_open_connections, httpserver_received_bytes_total,
                httpserver_sent_bytes_total, httpserver_refused_total{code},
                httpserver_listeners, httpserver_ready; and the Go runtime's
                (go_*) and the process's (process_*)
  GET /ready    200 "ready", then 503 "draining" once Ctrl-C or SIGTERM has
                begun the shutdown (for a load balancer's health check)
  Method labels are the nine standard methods or _OTHER; code_class is 1xx
  to 5xx (none when nothing could be sent); proto is HTTP/1.0, HTTP/1.1 or
  HTTP/2. The metrics listener stops after the server has.

Faults (a handler's panic, with its stack; failures to accept) are logged
on standard error too, whatever -log says: as JSON objects with -log json,
else as key=value lines (log/slog's text format) with a stack's lines
indented below its line.

The first line on standard error is the address actually bound, as in
  Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...
and with -metrics the second says where the metrics are:
  Metrics on http://127.0.0.1:9090/metrics
one line per socket, each followed by where the socket came from when it
was not opened here: "(a socket from systemd)", or "(the socket of pid N,
restarted as pid M)".

Restarts (SIGHUP): the command starts the executable again (its file as
it is now, so a new build installed in its place takes over), with the
same flags, environment and directory, and hands it the listening
sockets. The successor reads its flags, the directory and the
certificates anew. Once it serves, the old process stops accepting and
shuts down as on SIGTERM, with a drain of -drain or, if that is 0, 5
seconds (requests on its open connections answered with "Connection:
close", but no new connection accepted: the successor takes those; the
drain ends once no connection is left), then exits 0.
Meanwhile both accept on the same sockets, so no connection is refused
or dropped. If the successor fails (a bad flag, a directory gone; or
not ready within 30 seconds, when it is killed), the old process says
why and goes on serving. A SIGHUP during a restart is ignored; Ctrl-C
or SIGTERM abandons it. When the terminal that standard error is on
hangs up, its SIGHUP stops the command instead.

Socket activation (systemd): when LISTEN_PID and LISTEN_FDS pass sockets
to the command (a .socket unit, systemd-socket-activate), it serves them
all instead of -addr (stream sockets only: TCP or Unix). A restart by
systemd keeps the sockets in systemd, whose queues hold the connections
that arrive meanwhile. With NOTIFY_SOCKET set (Type=notify, or
Type=notify-reload, whose systemctl reload sends SIGHUP), the command
tells systemd when it is ready and stopping, and, in a SIGHUP restart,
names the successor as the service's main process (MAINPID), so that
systemd follows it.

Exit status: 0 after a shutdown that drained every request, 1 when the
server could not start (a port in use, say) or the 10 seconds ran out, 2
for bad usage (a malformed -addr too), 128+N when a second signal N cut
the shutdown short: 130 for Ctrl-C, 143 for SIGTERM.
`

// errUsage marks a command line that is wrong; the message says how.
var errUsage = errors.New("usage")

// parseConfig parses the command-line arguments (without the program
// name). Help and usage messages go to out. It returns flag.ErrHelp for
// -h or -help, and an error wrapping errUsage for a bad command line.
func parseConfig(args []string, out io.Writer) (*config, error) {
	cfg := &config{grace: defaultGrace}
	fset := flag.NewFlagSet("httpserver", flag.ContinueOnError)
	fset.SetOutput(out)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), usageText)
		fset.PrintDefaults()
		fmt.Fprint(fset.Output(), usageNotes)
	}
	fset.StringVar(&cfg.addr, "addr", ":8000", "`host:port` to listen on: host empty (every interface), an IP address or a name; port 0 to 65535, 0 picks a free one; a bare port means :port")
	fset.StringVar(&cfg.tlsCert, "tls-cert", "", "PEM certificate `file` (chain) for HTTPS; needs -tls-key")
	fset.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key `file` for HTTPS; needs -tls-cert")
	fset.StringVar(&cfg.cache, "cache", "no-cache", "Cache-Control `policy`: no-cache, assets=DURATION, off, or a literal value (see below)")
	fset.BoolVar(&cfg.listing, "listing", true, "list directories that have no index.html (-listing=false: 403)")
	fset.BoolVar(&cfg.dotfiles, "dotfiles", false, "serve and list names beginning with '.' (hidden and 404 by default)")
	fset.StringVar(&cfg.logMode, "log", "clf", "access log `format`: clf, json or off (see below)")
	fset.DurationVar(&cfg.drain, "drain", 0, "on Ctrl-C or SIGTERM, first go on serving for `DURATION`, e.g. 5s, accepting connections and answering every request with Connection: close, while /ready (-metrics) says 503 and a load balancer marks this server down; then stop accepting, close idle connections, and give requests in flight the usual 10 s")
	trusted := fset.String("trusted-proxies", "", "`CIDR[,CIDR...]` of the reverse proxies in front of this server: their X-Forwarded-For and X-Forwarded-Proto name the client (in the access log), and their connections do not count per IP; from any other peer those fields are ignored")
	fset.BoolVar(&cfg.proxyProtocol, "proxy-protocol", false, "expect a PROXY protocol header (v1 or v2, HAProxy's send-proxy) on every connection from -trusted-proxies, and take the client's address from it (before the TLS handshake with -tls-cert)")
	fset.StringVar(&cfg.metrics, "metrics", "", "serve Prometheus metrics at /metrics, and readiness at /ready, on `host:port`, a listener of their own (plain HTTP; see below); off by default")
	maxConns := fset.Int("max-conns", httpserver.DefaultMaxConns, "serve at most `N` connections at once, across every listener; more wait in the kernel's listen backlog; 0 for no limit (the open-files limit is one)")
	maxPerIP := fset.Int("max-conns-per-ip", httpserver.DefaultMaxConnsPerIP, "at most `N` connections at once from one client address (an IPv6 /64), the client as -trusted-proxies and -proxy-protocol tell it; the one beyond gets 503; 0 for no limit")
	fset.BoolVar(&cfg.reusePort, "reuseport", false, "listen with SO_REUSEPORT (Linux): several processes of the same user may listen on -addr, and the kernel spreads connections over them; a restart (SIGHUP) hands the socket over instead")
	fset.BoolVar(&cfg.h2, "h2", true, "offer HTTP/2 over TLS (with -tls-cert), as browsers expect; -h2=false: HTTP/1.1 only")
	fset.BoolVar(&cfg.h2c, "h2c", false, "serve cleartext HTTP/2 too (prior knowledge and Upgrade: h2c), for clients and proxies that speak it")
	compress := fset.Bool("compress", true, "compress text, JSON, JavaScript, SVG... of 1 KiB or more on the fly (zstd, br or gzip, as the client prefers) when no precompressed sibling answers; -compress=false: siblings only")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		// The flag package has printed the error and the usage.
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg.noCompress = !*compress

	fail := func(format string, a ...any) (*config, error) {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintf(out, "httpserver: %s\nRun 'httpserver -help' for usage.\n", msg)
		return nil, fmt.Errorf("%w: %s", errUsage, msg)
	}
	switch fset.NArg() {
	case 0:
		cfg.dir = "."
	case 1:
		cfg.dir = fset.Arg(0)
	default:
		extra := fset.Args()[1:]
		if strings.HasPrefix(extra[0], "-") {
			return fail("flags must come before DIR: %q", extra[0])
		}
		return fail("one directory at most, got %q", fset.Args())
	}
	if cfg.dir == "" {
		return fail("DIR is empty")
	}
	if cfg.addr == "" {
		return fail("-addr is empty")
	}
	if isPort(cfg.addr) {
		cfg.addr = ":" + cfg.addr // "-addr 8080" as Python's "http.server 8080"
	}
	if err := checkAddr(cfg.addr); err != nil {
		return fail("-addr %q: %v", cfg.addr, err)
	}
	if isPort(cfg.metrics) {
		cfg.metrics = ":" + cfg.metrics
	}
	if cfg.metrics != "" {
		if err := checkAddr(cfg.metrics); err != nil {
			return fail("-metrics %q: %v", cfg.metrics, err)
		}
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return fail("-tls-cert and -tls-key go together")
	}
	if *trusted != "" {
		p, err := forwarded.ParsePrefixes(*trusted)
		if err != nil {
			return fail("-trusted-proxies: %v", err)
		}
		cfg.trustedProxies = p
	}
	if cfg.proxyProtocol && len(cfg.trustedProxies) == 0 {
		return fail("-proxy-protocol needs -trusted-proxies: the networks whose PROXY headers are believed")
	}
	if cfg.drain < 0 {
		return fail("-drain %v: want a duration of 0 or more", cfg.drain)
	}
	if *maxConns < 0 {
		return fail("-max-conns %d: want 0 (no limit) or more", *maxConns)
	}
	if *maxPerIP < 0 {
		return fail("-max-conns-per-ip %d: want 0 (no limit) or more", *maxPerIP)
	}
	cfg.maxConns = serverLimit(*maxConns, httpserver.DefaultMaxConns)
	cfg.maxConnsPerIP = serverLimit(*maxPerIP, httpserver.DefaultMaxConnsPerIP)
	switch cfg.logMode {
	case "clf", "json", "off":
	default:
		return fail("-log %q: want clf, json or off", cfg.logMode)
	}
	cc, err := parseCachePolicy(cfg.cache)
	if err != nil {
		return fail("-cache %q: %v", cfg.cache, err)
	}
	cfg.cacheControl = cc
	return cfg, nil
}

// serverLimit is a limit flag's value n (0 or more, 0 for none) as the
// Server field takes it, for a limit whose default is def.
func serverLimit(n, def int) int {
	switch n {
	case 0:
		return httpserver.Unlimited
	case def:
		return 0
	}
	return n
}

// isPort reports whether s is all decimal digits (and not empty).
func isPort(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// checkAddr reports what is wrong with an -addr value, or nil: it must be
// host:port with a decimal port from 0 to 65535, and a host that is empty
// (every interface), an IP address (IPv6 in brackets, with a zone if need
// be) or a host name. A malformed address is thus a usage error (exit
// status 2) found before anything is opened, while a well-formed one that
// cannot be bound (a port in use, a name that does not resolve) fails
// when listening (exit status 1).
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		msg := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			msg = ae.Err // without the address, which the caller shows
		}
		return fmt.Errorf("%s: want host:port, such as 127.0.0.1:8000 or :8000", msg)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	if host == "" || isHostName(host) {
		return nil
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return fmt.Errorf("host %q is neither an IP address nor a host name", host)
	}
	return nil
}

// isHostName reports whether s is made of the bytes a DNS host name may
// hold (letters, digits, '-', '.', and '_', which some local names use),
// and does not begin with '-' or '.'. It does not check the name exists.
func isHostName(s string) bool {
	if s == "" || s[0] == '-' || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// parseCachePolicy turns a -cache value into a fileserver policy; nil
// means the file server's default.
func parseCachePolicy(v string) (func(name string, fi fs.FileInfo) string, error) {
	switch {
	case v == "no-cache":
		return nil, nil
	case v == "off":
		return fileserver.FixedCacheControl(""), nil
	case strings.HasPrefix(v, "assets="):
		d, err := time.ParseDuration(strings.TrimPrefix(v, "assets="))
		if err != nil {
			return nil, fmt.Errorf("bad duration: want Go syntax such as 24h or 8760h")
		}
		if d < time.Second {
			return nil, fmt.Errorf("duration below one second")
		}
		return fileserver.AssetCacheControl(d), nil
	}
	if strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("empty value (use off for none)")
	}
	// A field value: visible ASCII, spaces and tabs (RFC 9110 §5.5). No
	// CR or LF, which would end the field; the server would refuse the
	// response later, for every file, so say it now.
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return nil, fmt.Errorf("byte %#02x is not allowed in a header field", c)
		}
	}
	return fileserver.FixedCacheControl(v), nil
}
