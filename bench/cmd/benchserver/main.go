// Command benchserver serves the benchmark handlers (see package bench) on
// one of three servers, for load tests with wrk and the idle-connection
// memory test:
//
//	benchserver -impl ours|nethttp|fasthttp|fromhttp|chi-nethttp|chi-fromhttp -addr 127.0.0.1:8080 [-file path]
//
// Endpoints: /plaintext, /json, /file (a 1 MB file made in a temporary
// directory unless -file is given) and /rss (memory figures as text).
// SIGUSR1 prints the same memory figures to stderr. SIGINT or SIGTERM
// stops the server, writes the CPU profile if -cpuprofile was given, and
// prints the memory figures once more.
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/bench"
	"github.com/gohttpserver/httpserver/nethttp"
	"github.com/valyala/fasthttp"
)

func main() {
	var (
		impl       = flag.String("impl", "ours", "server to run: ours, nethttp, fasthttp; fromhttp (nethttp's handler through nethttp.FromHTTP on ours); chi-nethttp, chi-fromhttp (the same behind a chi router)")
		addr       = flag.String("addr", "127.0.0.1:8080", "address to listen on")
		file       = flag.String("file", "", "file served at /file (default: a 1 MB file made in a temporary directory)")
		fileSize   = flag.Int64("file-size", 1<<20, "size of the file made when -file is not given")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		memprofile = flag.String("memprofile", "", "write an allocation profile (pprof's allocs: every allocation since the start, sampled) to this file at exit")
		maxConns   = flag.Int("max-conns", 0, "ours: Server.MaxConns (0: the library default, -1: unlimited)")
		maxReqs    = flag.Int("max-requests-per-conn", 0, "ours: Server.MaxRequestsPerConn (0: the library default, -1: unlimited)")
		reduceMem  = flag.Bool("fasthttp-reduce-memory", false, "fasthttp: set Server.ReduceMemoryUsage")
		reuseReqs  = flag.Bool("reuse-requests", false, "ours: set Server.ReuseRequests")
		quiet      = flag.Bool("quiet", false, "do not log handler faults and accept errors (ours)")
	)
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchserver: ")

	path := *file
	if path == "" {
		dir, err := os.MkdirTemp("", "benchserver-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "file.bin")
		if err := makeFile(path, *fileSize); err != nil {
			log.Fatal(err)
		}
	}
	hs := &bench.Handlers{FilePath: path}

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	if *memprofile != "" {
		defer func() {
			f, err := os.Create(*memprofile)
			if err != nil {
				log.Print(err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				log.Print(err)
			}
		}()
	}

	var serve func() error
	var stop func()
	switch *impl {
	case "ours":
		srv := &httpserver.Server{
			Handler:            hs.Ours(),
			MaxConns:           *maxConns,
			MaxRequestsPerConn: *maxReqs,
			ReuseRequests:      *reuseReqs,
		}
		if *quiet {
			srv.ErrorLog = slog.New(slog.DiscardHandler)
		}
		serve = func() error { return srv.Serve(l) }
		stop = func() { srv.Close() }
	case "nethttp", "chi-nethttp":
		h := hs.NetHTTP()
		if *impl == "chi-nethttp" {
			h = hs.Chi()
		}
		srv := &http.Server{Handler: h}
		serve = func() error { return srv.Serve(l) }
		stop = func() { srv.Close() }
	case "fromhttp", "chi-fromhttp":
		// The net/http handler, unchanged, on our engine.
		h := hs.NetHTTP()
		if *impl == "chi-fromhttp" {
			h = hs.Chi()
		}
		srv := &httpserver.Server{
			Handler:            nethttp.FromHTTP(h),
			MaxConns:           *maxConns,
			MaxRequestsPerConn: *maxReqs,
			ReuseRequests:      *reuseReqs,
		}
		if *quiet {
			srv.ErrorLog = slog.New(slog.DiscardHandler)
		}
		serve = func() error { return srv.Serve(l) }
		stop = func() { srv.Close() }
	case "fasthttp":
		srv := &fasthttp.Server{Handler: hs.Fasthttp(), ReduceMemoryUsage: *reduceMem}
		serve = func() error { return srv.Serve(l) }
		stop = func() { l.Close() }
	default:
		probe, ok := probes[*impl]
		if !ok {
			log.Fatalf("unknown -impl %q (want ours, nethttp, fasthttp, fromhttp, chi-nethttp, chi-fromhttp, or a transport probe: probe-net, probe-uring)", *impl)
		}
		serve, stop = probe(l)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- serve() }()
	fmt.Fprintf(os.Stderr, "benchserver: %s listening on %s (pid %d, file %s)\n", *impl, l.Addr(), os.Getpid(), path)

	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGUSR1 {
				fmt.Fprint(os.Stderr, bench.MemReport())
				continue
			}
			stop()
			fmt.Fprint(os.Stderr, bench.MemReport())
			return // deferred: stop the profile, remove the temporary file
		case err := <-done:
			fmt.Fprintf(os.Stderr, "benchserver: serve returned: %v\n", err)
			return
		}
	}
}

// makeFile writes size random bytes to path (random so that nothing on the
// way can compress it).
func makeFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	for left := size; left > 0; {
		n := min(int64(len(buf)), left)
		rand.Read(buf[:n])
		if _, err := f.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	return f.Close()
}
