package httpserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// The callback API: register a function on a host and port, get an id,
// serve until Ctrl-C or SIGTERM, stop by id. StopCallback lets requests in
// flight finish (for up to 30 seconds).
//
// The README shows this program with port 8080. Here port 0 picks a free
// port, and instead of waiting for Ctrl-C the example makes one request
// and then stops itself.
func ExampleRegisterCallback() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	id, err := httpserver.RegisterCallback("127.0.0.1", 0, func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: "hello, " + req.QueryDict.Get("name") + "\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	})
	if err != nil {
		log.Fatal(err)
	}

	// Example only: one request to the port chosen, then stop as Ctrl-C would.
	addr, err := httpserver.ListenerAddr(id)
	if err != nil {
		log.Fatal(err)
	}
	res, err := http.Get("http://" + addr.String() + "/greet?name=world")
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Status, " ", string(body))
	stop()

	<-ctx.Done()
	if err := httpserver.StopCallback(id); err != nil {
		log.Fatal(err)
	}
	// Output: 200 OK hello, world
}

// A Server with a handler, served on a listener of your own and stopped
// gracefully.
func ExampleServer() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: req.Verb + " " + req.Path + "\n"}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // port 0: a free port
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	res, err := http.Post("http://"+l.Addr().String()+"/items", "text/plain", strings.NewReader("x"))
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(string(body))

	if err := srv.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-served)
	// Output:
	// POST /items
	// httpserver: server closed
}

// ReuseRequests, for a handler that keeps nothing of its Request but
// strings: the server reuses each Request for a later one, so a request
// costs no allocation. Strings taken from the Request (here the path, as
// a map key) stay valid; the *Request itself must not be kept.
func ExampleServer_reuseRequests() {
	hits := map[string]int{}
	var mu sync.Mutex // handlers of different connections run concurrently
	srv := &httpserver.Server{
		ReuseRequests: true,
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			mu.Lock()
			hits[req.Path]++ // a string from the Request: safe to keep
			n := hits[req.Path]
			mu.Unlock()
			return &httpserver.Response{StatusCode: 200, Message: fmt.Sprintf("%s %d\n", req.Path, n)}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	for _, path := range []string{"/a", "/b", "/a"} {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(string(body))
	}
	// Output:
	// /a 1
	// /b 1
	// /a 2
}

// A body produced in parts: each Flush sends what was written so far, in
// chunks for HTTP/1.1 clients. A slow client slows the writes down instead
// of making the server buffer.
func ExampleStreamWriter() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				for i := 1; i <= 3; i++ {
					fmt.Fprintf(w, "event %d\n", i)
					if err := w.Flush(); err != nil {
						return err
					}
				}
				return nil
			}}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	res, err := http.Get("http://" + l.Addr().String() + "/events")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(res.TransferEncoding, "\n", string(body))
	// Output:
	// [chunked]
	// event 1
	// event 2
	// event 3
}

// A Mux routes by method and path pattern; a Mux is itself a Handler, so
// it can be called directly, without a socket.
func ExampleMux() {
	m := httpserver.NewMux()
	m.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id")}
	})
	m.RouteFunc("GET /users/new", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "new-user form"}
	})
	for _, req := range []*httpserver.Request{
		{Verb: "GET", Path: "/users/42"},
		{Verb: "GET", Path: "/users/new"},
		{Verb: "DELETE", Path: "/users/42"},
		{Verb: "GET", Path: "/users/../etc"},
	} {
		resp := m.Handle(req)
		fmt.Println(req.Verb, req.Path, "->", resp.StatusCode, strings.TrimSpace(resp.Message))
		if allow := resp.Headers.Get("Allow"); allow != "" {
			fmt.Println("  Allow:", allow)
		}
	}
	// Output:
	// GET /users/42 -> 200 user 42
	// GET /users/new -> 200 new-user form
	// DELETE /users/42 -> 405 Method Not Allowed
	//   Allow: GET, HEAD
	// GET /users/../etc -> 404 Not Found
}

// A program: a Mux with a route of its own and the current directory's
// files below /static/, on a Server with the default limits, serving until
// Ctrl-C or SIGTERM and then shutting down gracefully.
//
// The README shows this program calling srv.ListenAndServe() (":8000").
// Here srv.Serve(l) serves a listener on a free port instead, and rather
// than wait for Ctrl-C the example makes two requests and stops itself.
func Example_mux() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id") + "\n"}
	})
	// The files of the current directory at /static/: ranges, validators,
	// listings; dotfiles stay hidden.
	files, err := fileserver.New(".", &fileserver.Options{Prefix: "/static/"})
	if err != nil {
		log.Fatal(err)
	}
	mux.Route("GET /static/", files)

	// Example only: a listener on a free port, for srv.Serve(l) below.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}

	srv := &httpserver.Server{Handler: mux} // zero value works; safe limits by default
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	// Example only: two requests, then stop as Ctrl-C would.
	for _, path := range []string{"/users/42", "/static/go.mod"} {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		line, _ := bufio.NewReader(res.Body).ReadString('\n')
		res.Body.Close()
		fmt.Print(path, ": ", res.Status, " ", line)
	}
	stop()

	<-ctx.Done() // Ctrl-C or SIGTERM
	// Stop accepting, close idle connections, and give requests in flight
	// 10 seconds to finish before their connections are closed.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// /users/42: 200 OK user 42
	// /static/go.mod: 200 OK module github.com/gohttpserver/httpserver
}
