package prom_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/metrics"
	"github.com/gohttpserver/httpserver/metrics/prom"
)

// A Server's metrics, served for Prometheus on a listener of their own.
func Example() {
	logged := make(chan struct{}, 1)
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /hello/{name}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "hello\n"}
	})
	srv := &httpserver.Server{
		Handler: mux, // the route label is the path of the pattern that matched

		// Instrument keeps the Server's own AccessLog, and calls it after
		// the Collector: here, to know when the request has been counted.
		AccessLog: func(httpserver.AccessEntry) { logged <- struct{}{} },
	}
	c := prom.NewCollector(srv)
	metrics.Instrument(srv, c) // before Serve (and h2.Configure)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	msrv := &httpserver.Server{Handler: prom.Handler(reg)}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Close()
	go msrv.Serve(ml)
	defer msrv.Close()

	resp, err := http.Get("http://" + l.Addr().String() + "/hello/gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	<-logged

	resp, err = http.Get("http://" + ml.Addr().String() + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "httpserver_requests_total") || strings.HasPrefix(line, "httpserver_sent_bytes_total") {
			fmt.Println(line)
		}
	}
	// Output:
	// httpserver_requests_total{code_class="2xx",method="GET",proto="HTTP/1.1",route="/hello/{name}"} 1
	// httpserver_sent_bytes_total 6
}
