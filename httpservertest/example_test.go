package httpservertest_test

import (
	"fmt"
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

func ExampleNewRequest() {
	req := httpservertest.NewRequest("POST", "/notes/a%2Fb?tag=go&draft", strings.NewReader("hello"))
	fmt.Println(req.Verb, req.Path, req.Version)
	fmt.Println(req.QueryDict.Get("tag"), req.QueryDict.Has("draft"))
	for name, value := range req.Headers.All() {
		fmt.Printf("%s: %s\n", name, value)
	}
	fmt.Println(req.ContentLength, req.RemoteIP, req.RemotePort)
	// Output:
	// POST /notes/a%2Fb 1.1
	// go true
	// Host: example.com
	// Content-Length: 5
	// 5 192.0.2.1 1234
}

func ExampleDo() {
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id") + "\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	})

	res := httpservertest.Do(mux, httpservertest.NewRequest("GET", "/users/7", nil))
	fmt.Println(res.StatusCode, res.StatusMsg, res.Headers.Get("Content-Type"))
	fmt.Printf("%q\n", res.Body)

	res = httpservertest.Do(mux, httpservertest.NewRequest("DELETE", "/users/7", nil))
	fmt.Println(res.StatusCode, res.Headers.Get("Allow"))
	// Output:
	// 200 OK text/plain; charset=utf-8
	// "user 7\n"
	// 405 GET, HEAD
}

// A Stream's interim answers, head, body and trailers, as a client would
// receive them.
func ExampleDo_stream() {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Link", "</app.css>; rel=preload")
			w.WriteHeader(103) // Early Hints, with the Link field
			w.Header().Set("Content-Type", "text/html")
			w.WriteString("<!doctype html>")
			if err := w.Flush(); err != nil { // the head goes; the body is chunked
				return err
			}
			w.Trailer().Set("Server-Timing", "db;dur=53")
			return nil
		}}
	})

	res := httpservertest.Do(h, httpservertest.NewRequest("GET", "/", nil))
	for _, i := range res.Interim {
		fmt.Println(i.StatusCode, i.Headers.Get("Link"))
	}
	fmt.Println(res.StatusCode, res.Headers.Get("Content-Type"), string(res.Body))
	fmt.Println("trailer:", res.Trailers.Get("Server-Timing"), "flushes:", res.Flushes)
	// Output:
	// 103 </app.css>; rel=preload
	// 200 text/html <!doctype html>
	// trailer: db;dur=53 flushes: 1
}

// A response the server would refuse: the client gets a 500, and Fault
// says why.
func ExampleDo_fault() {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{Message: "forgot the status"}
	})
	res := httpservertest.Do(h, httpservertest.NewRequest("GET", "/", nil))
	fmt.Println(res.StatusCode, res.Fault)
	// Output:
	// 500 status code 0 outside 100..599
}
