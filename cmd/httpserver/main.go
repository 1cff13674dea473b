// Command httpserver serves a directory over HTTP/1.x, as
// "python -m http.server" does, with byte ranges, validators and
// conditional requests, precompressed siblings, safe paths, directory
// listings (HTML, or JSON on request) and an access log.
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
//
// "httpserver -help" describes each in full, with the exact formats of the
// log lines. The fileserver package documents what requests get.
//
// Ctrl-C or SIGTERM stops accepting connections, closes idle ones, and
// waits at most 10 seconds for requests in flight before exiting (a second
// Ctrl-C exits at once). The exit status is 0 when every request finished,
// 1 when the server could not start or requests had to be cut off, and 2
// for a bad command line.
//
// Install it with
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
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// shutdownGrace bounds the wait for requests in flight after Ctrl-C.
const shutdownGrace = 10 * time.Second

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, stop, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "httpserver: %v\n", err)
		return 1
	}
	return 0
}

// serve serves cfg until ctx ends, then shuts down gracefully. It calls
// stopSignals once it has begun to shut down, so that a second signal
// has its default effect (ending the process at once).
func serve(ctx context.Context, stopSignals func(), cfg *config, stderr io.Writer) error {
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
	var tlsConfig *tls.Config
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return err
		}
		tlsConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			// Say which protocol we speak, so that no client tries h2.
			NextProtos: []string{"http/1.1"},
		}
	}

	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, banner(cfg.addr, l.Addr(), tlsConfig != nil))
	if tlsConfig != nil {
		l = tls.NewListener(l, tlsConfig)
	}
	srv := &httpserver.Server{
		Handler:   h,
		AccessLog: newAccessLog(cfg.logMode, stderr),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()

	select {
	case err := <-errc:
		return err // Serve fails only when accepting does
	case <-ctx.Done():
	}
	stopSignals()
	fmt.Fprintf(stderr, "Shutting down: letting requests in flight finish (at most %v; Ctrl-C again to quit at once) ...\n", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	serr := srv.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
		return err
	}
	if serr != nil {
		return fmt.Errorf("requests still in flight after %v were cut off", shutdownGrace)
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
	return fmt.Sprintf("Serving %s on %s port %s (%s://%s/) ...", proto, host, port, scheme, net.JoinHostPort(host, port))
}
