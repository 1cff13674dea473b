// Command httpserver serves a directory over HTTP/1.x (and HTTP/2 over
// TLS), as "python -m http.server" does, with byte ranges, validators and
// conditional requests, precompressed siblings, compression on the fly,
// safe paths, directory listings (HTML, or JSON on request) and an
// access log.
//
// Usage:
//
//	httpserver [flags] [DIR]
//
// It serves DIR (default: the current directory) on -addr (default
// ":8000") and says where on its first line of standard error:
//
//	Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...
//
// The flags:
//
//	-addr host:port   address to listen on (":8000"; a bare port is ":port";
//	                  port 0 picks one)
//	-tls-cert file    PEM certificate chain; with -tls-key, serve HTTPS
//	-tls-key file     PEM private key
//	-cache policy     Cache-Control: no-cache (default), assets=DURATION,
//	                  off, or a literal value such as "public, max-age=300"
//	-listing=false    no directory listings (403 without index.html)
//	-dotfiles         serve and list names beginning with '.'
//	-log format       access log on standard error: clf (default), json, off
//	-compress=false   no compression on the fly (on by default: zstd, br or
//	                  gzip for text, JSON, JavaScript, SVG... of 1 KiB or more)
//	-h2=false         HTTP/1.1 only over TLS (by default h2 is offered by ALPN)
//	-h2c              cleartext HTTP/2 too (prior knowledge, Upgrade: h2c)
//	-drain DURATION   on the first signal, keep accepting and answering
//	                  (with Connection: close) for DURATION, while /ready
//	                  says 503, before the 10 seconds for requests in flight
//	-trusted-proxies CIDR[,CIDR...]
//	                  believe X-Forwarded-For/-Proto from these proxies only
//	-proxy-protocol   expect a PROXY protocol header from -trusted-proxies
//	-metrics ADDR     Prometheus metrics at /metrics and readiness at
//	                  /ready on ADDR (host:port), a listener of their own
//	                  (off by default)
//	-max-conns N      at most N connections at once (default 10000; 0: no limit)
//	-max-conns-per-ip N
//	                  at most N from one client address (default 1000; 0: no limit)
//	-reuseport        listen with SO_REUSEPORT (Linux), so that several
//	                  processes share -addr and the kernel spreads
//	                  connections over them
//
// "httpserver -help" describes each in full, with the exact formats of the
// log lines. The fileserver package documents what requests get.
//
// With -metrics, the second line of standard error says where the
// metrics are:
//
//	Metrics on http://127.0.0.1:9090/metrics
//
// They (package metrics/prom has them all) count requests by method,
// status class and protocol, their durations, bytes received and sent,
// refusals by status, requests in flight, and connections by state;
// /ready answers 503 once the shutdown has begun. The metrics listener
// serves plain HTTP, and stops after the server has.
//
// Ctrl-C or SIGTERM stops accepting connections (after -drain, if set),
// closes idle ones, and
// waits at most 10 seconds for requests in flight before exiting; a second
// Ctrl-C (or SIGTERM) exits at once, also when the command was started
// with SIGINT ignored (nohup, "httpserver &" in a script). The exit status
// is 0 when every request finished, 1 when the server could not start or
// requests had to be cut off, 2 for a bad command line (a malformed -addr
// among them), and 128+N after a second signal N: 130 for Ctrl-C, 143 for
// SIGTERM.
//
// SIGHUP restarts the command in place, losing no request: it starts
// its executable again (the file as it is now: installing a new build
// and sending SIGHUP upgrades), with the same arguments and environment,
// and hands it the listening sockets (httpserver.PassListeners). The
// successor reads its flags, directory and certificates anew, and says
// on a pipe once it serves; only then does the old process stop
// accepting and shut down as on SIGTERM, with -drain (5 seconds if it is
// 0; it ends once no connection is left), and exit 0. Both accept on the same sockets meanwhile, so nothing
// queued is lost. A successor that fails (exits, or is not ready within
// 30 seconds) leaves the old process serving, which says why. A SIGHUP
// during a restart is ignored, and a SIGHUP that follows the hang-up of
// the terminal standard error is on stops the command instead.
//
// Started by systemd's socket activation (LISTEN_PID and LISTEN_FDS),
// the command serves the sockets passed, all of them, instead of -addr,
// and its banner says so.
//
// Install it from a clone of the module with
//
//	go install ./cmd/httpserver
//
// or, once the module is published (it is not yet), with
//
//	go install github.com/gohttpserver/httpserver/cmd/httpserver@latest
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/compress"
	"github.com/gohttpserver/httpserver/fileserver"
	"github.com/gohttpserver/httpserver/h2"
)

// defaultGrace bounds the wait for requests in flight after the first
// signal. parseConfig puts it in config.grace, which tests shorten.
const defaultGrace = 10 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is the command: it parses args, serves until SIGINT or SIGTERM,
// and returns the exit status. Everything it prints goes to stderr.
func run(args []string, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	// The signals stay caught until run returns, so that the second one
	// reaches serve too, which then quits at once. (Reverting to the
	// default disposition after the first instead would not do: for a
	// process started with SIGINT ignored, as by nohup or "cmd &" in a
	// non-interactive shell, the default is the ignoring it inherited,
	// which signal.Notify had lifted.)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	// SIGHUP restarts in place (restart.go).
	hups := make(chan os.Signal, 1)
	signal.Notify(hups, syscall.SIGHUP)
	defer signal.Stop(hups)
	rs := &restarts{hups: hups, args: args, timeout: defaultRestartTimeout, stderr: os.Stderr, hungUp: terminalHungUp()}
	if f, ok := stderr.(*os.File); ok {
		rs.stderr = f
	}
	return exitStatus(serve(sigs, rs, cfg, stderr), stderr)
}

// exitStatus prints err, if any, on stderr and returns the exit status it
// means: 0 for nil, 128+N for a quitError of signal N (130 for SIGINT, as
// a shell reports a command that Ctrl-C ended), else 1.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "httpserver: %v\n", err)
	var q *quitError
	if errors.As(err, &q) {
		if n, ok := q.sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return 128 + int(syscall.SIGINT)
	}
	return 1
}

// quitError is a second signal during the drain: the command quits at
// once, cutting off the requests still in flight.
type quitError struct{ sig os.Signal }

func (e *quitError) Error() string {
	return fmt.Sprintf("%v again: quit at once, cutting off requests in flight", e.sig)
}

// serve serves cfg until the first signal on sigs, or until a restart
// (rs) has handed over to a successor, then shuts down (see
// serveUntilSignal).
func serve(sigs <-chan os.Signal, rs *restarts, cfg *config, stderr io.Writer) error {
	if fi, err := os.Stat(cfg.dir); err != nil {
		if isPort(cfg.dir) {
			return fmt.Errorf("%w (to choose the port: -addr :%s)", err, cfg.dir)
		}
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", cfg.dir)
	}
	h, err := fileserver.New(cfg.dir, &fileserver.Options{
		CacheControl: cfg.cacheControl,
		NoListing:    !cfg.listing,
		ShowDotfiles: cfg.dotfiles,
	})
	if err != nil {
		return err
	}
	if !cfg.noCompress {
		h = compress.Handler(h, nil) // a precompressed sibling's answer is left as it is
	}
	var tlsConfig *tls.Config
	if cfg.tlsCert != "" {
		// Loaded here, not by ServeTLS, so that a bad file fails before
		// the banner says we serve. ServeTLS offers ALPN "h2" (when h2 is
		// configured below) and "http/1.1" by itself.
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return err
		}
		tlsConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
		}
	}

	ls, err := openListeners(cfg)
	if err != nil {
		return err
	}
	var ml net.Listener // -metrics
	if cfg.metrics != "" {
		if ml, err = net.Listen("tcp", cfg.metrics); err != nil {
			for _, l := range ls.ls {
				l.Close()
			}
			return fmt.Errorf("-metrics: %w", err)
		}
	}
	for _, line := range ls.banners(cfg.addr, tlsConfig != nil) {
		fmt.Fprintln(stderr, line)
	}
	srv := &httpserver.Server{
		Handler:   h,
		TLSConfig: tlsConfig,
		AccessLog: newAccessLog(cfg.logMode, stderr),
		ErrorLog:  newErrorLog(cfg.logMode, stderr),
		Drain:     cfg.drain,

		MaxConns:      cfg.maxConns,
		MaxConnsPerIP: cfg.maxConnsPerIP,

		TrustedProxies: cfg.trustedProxies,
		ProxyProtocol:  cfg.proxyProtocol,
	}
	var (
		startMetrics func() (stop func())
		countH2Error func(string)
	)
	if ml != nil {
		// Instrumented before h2.Configure (see metrics.Instrument),
		// served once srv is complete: a scrape reads it.
		countH2Error, startMetrics = serveMetrics(srv, ml, cfg.metrics, stderr)
	}
	if cfg.h2 || cfg.h2c {
		if err := h2.Configure(srv, &h2.Config{H2C: cfg.h2c, CountError: countH2Error}); err != nil {
			return err
		}
		if !cfg.h2 {
			delete(srv.TLSNextProto, "h2") // h2c only
		}
	}
	if startMetrics != nil {
		defer startMetrics()()
	}
	return serveUntilSignal(srv, ls, sigs, rs, cfg.grace, stderr)
}

// serveUntilSignal serves ls with srv (over TLS when srv has a
// TLSConfig, which holds the certificate) until the first signal on
// sigs, then shuts down gracefully: after srv.Drain (serving on, every
// answer with "Connection: close"), it stops accepting, closes idle
// connections and lets requests in flight finish for at most grace. It returns nil when every request finished, an error
// when they had to be cut off after grace, and a *quitError, without
// waiting any longer, on a second signal.
//
// A SIGHUP on rs.hups (rs may be nil: no restarts) starts a successor on
// the same sockets (restart.go); once it is ready this process shuts
// down the same way (with defaultRestartDrain if srv.Drain is 0), except
// that it accepts nothing more (the successor does) and its drain ends
// once no connection is left, and a
// first signal during that shutdown only says
// so (it was meant for the successor too, when it came from the
// terminal), the second quits. While a restart is under way a SIGHUP is
// ignored, and a stop signal abandons it (the successor is killed, or,
// if it became ready meanwhile, given the signal as well).
func serveUntilSignal(srv *httpserver.Server, ls *listeners, sigs <-chan os.Signal, rs *restarts, grace time.Duration, stderr io.Writer) error {
	errc := make(chan error, len(ls.ls))
	gates := make([]*gateListener, len(ls.ls))
	for i, l := range ls.ls {
		g := newGateListener(l)
		gates[i] = g
		go func() {
			if srv.TLSConfig != nil {
				errc <- srv.ServeTLS(g, "", "")
			} else {
				errc <- srv.Serve(g)
			}
		}()
	}
	successorOf := ls.ready != nil
	ls.notifyReady() // a successor: the predecessor may stop accepting
	notify := func(state string) {
		if err := sdNotify(state); err != nil {
			fmt.Fprintf(stderr, "systemd notification %q: %v\n", state, err)
		}
	}
	if !successorOf {
		// A successor's predecessor names it to systemd once it is
		// ready (MAINPID below): only the main process may notify.
		notify("READY=1")
	}

	var hups <-chan os.Signal
	if rs != nil {
		hups = rs.hups
	}
	var (
		restarting    <-chan restartResult // a restart under way
		cancelRestart context.CancelFunc
		successor     *os.Process // ready: this process hands over
	)
	defer func() {
		if cancelRestart != nil {
			cancelRestart()
			<-restarting
		}
	}()
	var stopSig os.Signal
wait:
	for {
		select {
		case err := <-errc:
			return err // Serve fails only when accepting does
		case stopSig = <-sigs:
			if restarting != nil {
				// Abandon the restart; a successor that became ready
				// meanwhile stops too.
				cancelRestart()
				if res := <-restarting; res.succ != nil {
					res.succ.Signal(stopSig)
				}
				cancelRestart, restarting = nil, nil
			}
			break wait
		case <-hups:
			if restarting != nil {
				fmt.Fprintln(stderr, "Restart: SIGHUP again while the successor starts: ignored")
				continue
			}
			if rs.hungUp() {
				fmt.Fprintln(stderr, "The terminal hung up: shutting down")
				stopSig = syscall.SIGHUP
				break wait
			}
			fmt.Fprintf(stderr, "Restarting: starting a successor on the same sockets (pid %d goes on serving until it is ready) ...\n", os.Getpid())
			notify("RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan restartResult, 1)
			go func() {
				succ, err := startSuccessor(ctx, ls.ls, rs.args, rs.timeout, rs.stderr)
				done <- restartResult{succ, err}
			}()
			restarting, cancelRestart = done, cancel
		case res := <-restarting:
			cancelRestart()
			cancelRestart, restarting = nil, nil
			if res.err != nil {
				fmt.Fprintf(stderr, "Restart failed: %v; pid %d goes on serving\n", res.err, os.Getpid())
				notify("READY=1")
				continue
			}
			successor = res.succ
			notify("MAINPID=" + strconv.Itoa(successor.Pid) + "\nREADY=1")
			break wait
		}
	}
	if successor != nil {
		fmt.Fprintf(stderr, "Restarted: pid %d serves the sockets now; pid %d stops accepting\n", successor.Pid, os.Getpid())
		var wg sync.WaitGroup
		for _, g := range gates {
			wg.Go(func() { g.stop(5 * time.Second) })
		}
		wg.Wait()
		if srv.Drain == 0 {
			srv.Drain = defaultRestartDrain // Shutdown is yet to read it
		}
	}
	if successor == nil {
		notify("STOPPING=1") // after a hand-over, the successor is the service
	}
	// The message goes once Shutdown has begun (the readiness probe says
	// 503 from then on), not before.
	began := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(began) })
	ctx, cancel := context.WithTimeout(context.Background(), srv.Drain+grace)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	<-began
	if successor != nil {
		// The successor accepts now: Serve may return (ErrServerClosed,
		// as Shutdown has begun), and the drain ends as soon as the
		// last connection has closed, without waiting out its length.
		for _, g := range gates {
			g.Close()
		}
	}
	switch {
	case successor != nil:
		fmt.Fprintf(stderr, "Shutting down: answering requests on open connections for at most %v, then letting those in flight finish (at most %v more; Ctrl-C again to quit at once) ...\n", srv.Drain, grace)
	case srv.Drain > 0:
		fmt.Fprintf(stderr, "Shutting down: serving for %v more (every answer with Connection: close; /ready says 503), then letting requests in flight finish (at most %v more; Ctrl-C again to quit at once) ...\n", srv.Drain, grace)
	default:
		fmt.Fprintf(stderr, "Shutting down: letting requests in flight finish (at most %v; Ctrl-C again to quit at once) ...\n", grace)
	}
	var serr error
	signalled := stopSig != nil // a signal after this one quits at once
wind:
	for {
		select {
		case sig := <-sigs:
			if !signalled {
				signalled = true
				fmt.Fprintf(stderr, "Shutting down already, after the restart (%v again to quit at once)\n", sig)
				continue
			}
			srv.Close()
			return &quitError{sig}
		case serr = <-shut:
			break wind
		}
	}
	for range ls.ls {
		if err := <-errc; err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
			return err
		}
	}
	if serr != nil {
		return fmt.Errorf("requests still in flight after %v were cut off", grace)
	}
	fmt.Fprintln(stderr, "Stopped.")
	return nil
}

// banner is the line that says where the server listens, in the words of
// Python's http.server: "Serving HTTP on 0.0.0.0 port 8000
// (http://0.0.0.0:8000/) ...". bound is the address actually bound (so
// port 0 shows the port chosen); an address given without a host, which
// listens on every interface, shows as 0.0.0.0.
func banner(addr string, bound net.Addr, isTLS bool) string {
	proto, scheme := "HTTP", "http"
	if isTLS {
		proto, scheme = "HTTPS", "https"
	}
	host, port := shownHostPort(addr, bound)
	return fmt.Sprintf("Serving %s on %s port %s (%s://%s/) ...", proto, host, port, scheme, net.JoinHostPort(host, port))
}

// shownHostPort is how the banners show bound, the address that addr
// (from the command line) bound.
func shownHostPort(addr string, bound net.Addr) (host, port string) {
	host, port, err := net.SplitHostPort(bound.String())
	if err != nil {
		host, port = bound.String(), ""
	}
	if ta, ok := bound.(*net.TCPAddr); ok {
		host, port = ta.IP.String(), strconv.Itoa(ta.Port)
		if h, _, err := net.SplitHostPort(addr); err == nil && h == "" && ta.IP.IsUnspecified() {
			host = "0.0.0.0"
		}
	}
	return host, port
}
