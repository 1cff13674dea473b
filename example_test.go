package httpserver_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// The callback API: register a function on a host and port, get an id,
// stop by id. Port 0 picks a free port; ListenerAddr tells which.
func ExampleRegisterCallback() {
	id, err := httpserver.RegisterCallback("127.0.0.1", 0, func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: "hello, " + req.QueryDict.Get("name") + "\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	})
	if err != nil {
		panic(err)
	}
	defer httpserver.StopCallback(id)

	addr, _ := httpserver.ListenerAddr(id)
	res, err := http.Get("http://" + addr.String() + "/greet?name=world")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(res.Status, " ", string(body))
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
	_, addr := serveOnLoopback(srv)
	res, err := http.Post("http://"+addr+"/items", "text/plain", strings.NewReader("x"))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(string(body))

	if err := srv.Shutdown(context.Background()); err != nil {
		panic(err)
	}
	// Output: POST /items
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
	_, addr := serveOnLoopback(srv)
	for _, path := range []string{"/a", "/b", "/a"} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(string(body))
	}
	srv.Shutdown(context.Background())
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
	_, addr := serveOnLoopback(srv)
	defer srv.Close()
	res, err := http.Get("http://" + addr + "/events")
	if err != nil {
		panic(err)
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

// A Mux with a route of its own and a file server below /static/, on a
// Server with the default limits, stopped gracefully. (The README shows
// this code; being an Example without output, it is compiled, not run.)
func Example_mux() {
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id")}
	})
	// Files under ./public at /static/: ranges, validators, listings.
	files, err := fileserver.New("./public", &fileserver.Options{Prefix: "/static/"})
	if err != nil {
		log.Fatal(err)
	}
	mux.Route("GET /static/", files)

	srv := &httpserver.Server{Handler: mux}
	go srv.ListenAndServe()
	// ...
	srv.Shutdown(context.Background())
}
