// Command httpserver serves HTTP/1.x with the httpserver library.
//
// Until the file server lands (see the issue tracker) it serves a demo
// callback: "/" says hello, "/echo" echoes the request, "/stream" streams
// parts over time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver"
)

func main() {
	addr := flag.String("addr", ":8000", "address to listen on (host:port)")
	flag.Parse()

	srv := &httpserver.Server{Addr: *addr, Handler: httpserver.HandlerFunc(demo)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "httpserver: serving HTTP on %s (Ctrl-C to stop)\n", *addr)
	select {
	case err := <-errc:
		slog.Error("httpserver: listen failed", "err", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	fmt.Fprintln(os.Stderr, "httpserver: shutting down, draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		slog.Error("httpserver: shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
		slog.Error("httpserver: serve", "err", err)
	}
}

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
