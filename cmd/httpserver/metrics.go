package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/metrics"
	"github.com/gohttpserver/httpserver/metrics/prom"
)

// metricsShutdown bounds the wait for a scrape in flight when the
// metrics server stops.
const metricsShutdown = time.Second

// serveMetrics instruments srv (so it must run before h2.Configure) and
// serves its metrics on l, given as addr on the command line, with a
// Server of its own, in plain HTTP and without an access log:
//
//	GET /metrics   Prometheus' exposition: srv's metrics (package
//	               metrics/prom), the Go runtime's and the process's
//	GET /ready     srv.ReadyHandler: 200 until the shutdown begins, then 503
//
// It instruments srv at once (before h2.Configure, see
// metrics.Instrument), says where on stderr, and returns the function
// for h2.Config.CountError (the HTTP/2 errors counter) and start, which
// serves the metrics: call it once srv's fields are all set, since a
// scrape reads srv (Stats) from then on. start returns the function that
// stops the metrics, to be called once srv has stopped: the metrics are
// scraped through srv's drain, and /ready says 503 during it.
func serveMetrics(srv *httpserver.Server, l net.Listener, addr string, stderr io.Writer) (countH2Error func(string), start func() (stop func())) {
	c := prom.NewCollector(srv)
	metrics.Instrument(srv, c)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := httpserver.NewMux()
	mux.Route("GET /metrics", prom.Handler(reg))
	mux.Route("GET /ready", srv.ReadyHandler())
	ms := &httpserver.Server{Handler: mux, ErrorLog: srv.ErrorLog}

	fmt.Fprintln(stderr, metricsBanner(addr, l.Addr()))
	return c.CountHTTP2Error, func() func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			ms.Serve(l) // fails only when accepting does: the metrics stop, the server goes on
		}()
		return func() {
			ctx, cancel := context.WithTimeout(context.Background(), metricsShutdown)
			defer cancel()
			ms.Shutdown(ctx)
			<-done
		}
	}
}

// metricsBanner is the line that says where the metrics are:
// "Metrics on http://127.0.0.1:9090/metrics", the host shown as banner
// shows it.
func metricsBanner(addr string, bound net.Addr) string {
	host, port := shownHostPort(addr, bound)
	return fmt.Sprintf("Metrics on http://%s/metrics", net.JoinHostPort(host, port))
}
