// Command soakserver is the server side of scripts/soak.sh: the demo
// handler of cmd/httpserver ("/", "/echo", "/stream?n=") on a Server with
// the default limits and timeouts, plus the process's goroutine count on a
// second, loopback-only listener. The CLI has no way to report goroutines,
// and a thread count (/proc/PID/status) would not show a goroutine leak, so
// the soak runs this instead; the handler code is a copy of the CLI's demo.
//
// It prints "serving ADDR" and "stats ADDR" on stdout once both listen,
// and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve the demo on")
	statsAddr := flag.String("stats", "127.0.0.1:0", "loopback address for the statistics listener")
	flag.Parse()

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakserver:", err)
		os.Exit(1)
	}
	sl, err := net.Listen("tcp", *statsAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soakserver:", err)
		os.Exit(1)
	}
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(demo)}
	stats := &httpserver.Server{Handler: httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return &httpserver.Response{StatusCode: 200, Message: fmt.Sprintf(
			"goroutines %d\nheap_inuse %d\nheap_objects %d\nnum_gc %d\n",
			runtime.NumGoroutine(), ms.HeapInuse, ms.HeapObjects, ms.NumGC)}
	})}
	go stats.Serve(sl)
	go srv.Serve(l)
	fmt.Printf("serving %s\nstats %s\n", l.Addr(), sl.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	stats.Close()
}

// demo is cmd/httpserver's demo handler.
func demo(req *httpserver.Request) *httpserver.Response {
	switch req.Path {
	case "/":
		resp := &httpserver.Response{StatusCode: 200, Message: "Hello, World!\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	case "/echo":
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 400, Message: "bad body\n"}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s?%s HTTP/%s\n", req.Verb, req.Path, req.QueryStr, req.Version)
		for name, value := range req.Headers.All() {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
		fmt.Fprintf(&b, "\n%d body bytes from %s:%d\n", len(body), req.RemoteIP, req.RemotePort)
		resp := &httpserver.Response{StatusCode: 200, Message: b.String()}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	case "/stream":
		n, _ := strconv.Atoi(req.QueryDict.Get("n"))
		if n <= 0 || n > 100 {
			n = 5
		}
		resp := &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			for i := 0; i < n; i++ {
				if _, err := fmt.Fprintf(w, "part %d\n", i); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
				select {
				case <-time.After(100 * time.Millisecond):
				case <-req.Context().Done():
					return req.Context().Err()
				}
			}
			return nil
		}}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	}
	return &httpserver.Response{StatusCode: 404, Message: "Not Found\n"}
}
