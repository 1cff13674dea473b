package nethttp_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
)

// serve runs srv on a loopback port and returns its base URL and a stop
// function.
func serve(srv *httpserver.Server) (string, func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }
}

// A net/http ServeMux, with its patterns and handlers, served by the
// engine.
func ExampleFromHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})
	srv := &httpserver.Server{Handler: nethttp.FromHTTP(mux)}
	base, stop := serve(srv)
	defer stop()

	resp, err := http.Get(base + "/hello/gopher")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output: 200 OK hello, gopher
}

// net/http/pprof's handlers, served by the engine.
func ExampleFromHTTP_pprof() {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &httpserver.Server{Handler: nethttp.FromHTTP(mux)}
	base, stop := serve(srv)
	defer stop()

	resp, err := http.Get(base + "/debug/pprof/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	// Output: 200 OK text/html; charset=utf-8
}

// An httpserver handler under net/http's test server.
func ExampleToHTTP() {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "hello from " + req.Path + "\n"}
	})
	ts := httptest.NewServer(nethttp.ToHTTP(h))
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/there")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", resp.ContentLength, " ", string(body))
	// Output: 200 OK 18 hello from /there
}
