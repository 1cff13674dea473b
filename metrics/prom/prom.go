// Package prom exports an httpserver.Server's metrics to Prometheus: a
// Collector, which is also the metrics.Observer that counts the
// requests, and a Handler that serves a scrape. It is the one package of
// the module that pulls in github.com/prometheus/client_golang.
//
//	srv := &httpserver.Server{Handler: h}
//	c := prom.NewCollector(srv)
//	metrics.Instrument(srv, c) // before Serve and h2.Configure
//	h2.Configure(srv, &h2.Config{CountError: c.CountHTTP2Error}) // if it serves HTTP/2
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(c)
//	// Serve prom.Handler(reg) at /metrics, on a listener of its own.
//
// # Metrics
//
// Requests are counted once their response has ended, with four labels
// whose values are bounded (see package metrics): method (GET, HEAD,
// POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, or _OTHER),
// code_class (1xx to 5xx, or none when no status could be sent), proto
// (HTTP/1.0, HTTP/1.1, HTTP/2, HTTP/0.9) and route (the path of the Mux
// pattern that served the request, "/items/{id}", or "" when none did:
// metrics.Done.Route, bounded by the patterns registered):
//
//	httpserver_requests_total{method,code_class,proto,route}             counter
//	httpserver_request_duration_seconds{method,code_class,proto,route}   histogram
//	httpserver_received_bytes_total    counter: request heads and the body bytes read (decoded)
//	httpserver_sent_bytes_total        counter: response bodies (without framing)
//	httpserver_refused_total{code}     counter: heads refused before they parsed, by status
//	httpserver_http2_errors_total{type}  counter: HTTP/2 connection and stream errors (CountHTTP2Error)
//
// The duration runs from the parsed head to the end of the response, in
// the buckets OpenTelemetry advises for http.server.request.duration
// (metrics.DurationBuckets: 5 ms to 10 s). The byte counters include
// refusals' answers (a refused head itself counts no bytes received, nor
// does a body nobody read before the connection closed); an HTTP/2
// request's head counts as its header list size (AccessEntry.BytesIn). A
// refusal's code is the status the server answered it with (400 for a
// malformed head, 408 for one too slow, 414, 431, 501 for an unknown
// long method, 505): a set the server chooses, never the client. An
// HTTP/2 error's type is x/net/http2's name for it
// (h2.Config.CountError), also from a fixed set: it is counted only when
// CountHTTP2Error is given to h2.Configure as above.
//
// Gauges read when scraped:
//
//	httpserver_requests_in_flight          requests between their handler's start and their response's end
//	httpserver_connections{state}          open connections by state: idle, parked, active, taken_over
//	httpserver_open_connections            every open connection (those counting toward MaxConns)
//	httpserver_listeners                   listeners being served
//	httpserver_ready                       1 while the server takes new work, 0 once Shutdown has begun
//
// See httpserver.Stats for what each state counts. The Go runtime's and
// the process's metrics are client_golang's own collectors
// (collectors.NewGoCollector, collectors.NewProcessCollector). For several
// Servers in one registry, register each Collector through
// prometheus.WrapRegistererWith with a label telling them apart.
//
// # Cost
//
// A request costs its Observer calls a few atomic additions and no
// allocation: the counter and histogram of each (method, code_class,
// proto, route) are looked up once, the first time that combination is
// seen, and kept in an array indexed by the first three, one array per
// route (found in a map that is copied when a route is first seen, and
// only read after); no label map of client_golang's is consulted per
// request. Series appear as their combinations occur.
package prom

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/metrics"
	"github.com/gohttpserver/httpserver/nethttp"
)

// Collector is a prometheus.Collector of one Server's metrics (see the
// package doc), and the metrics.Observer that counts its requests: give
// it to metrics.Instrument for the same Server, and register it. It is
// safe for concurrent use.
type Collector struct {
	srv *httpserver.Server

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	received prometheus.Counter
	sent     prometheus.Counter
	refused  *prometheus.CounterVec
	h2errors *prometheus.CounterVec
	inFlight atomic.Int64

	// series holds the children of requests and duration for each label
	// combination with route "", routes those of each other route, made
	// at its first request. Two requests racing to make the same one get
	// the same children from the vectors, so the loser's store is
	// harmless. routes is replaced, under routesMu, by a copy with one
	// more route; it is only read otherwise.
	series   routeSeries
	routes   atomic.Pointer[map[string]*routeSeries]
	routesMu sync.Mutex
	// refusedBy holds refused's child for each status, made likewise.
	refusedBy [600]atomic.Pointer[prometheus.Counter]

	inFlightDesc, connsDesc, openDesc, listenersDesc, readyDesc *prometheus.Desc
}

// routeSeries holds the series of one route.
type routeSeries [metrics.NumProtos][metrics.NumMethods][metrics.NumClasses]atomic.Pointer[series]

// series is what one request updates.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewCollector returns a Collector for srv, whose gauges it reads from
// srv.Stats when scraped. It does not instrument srv: call
// metrics.Instrument(srv, c) too, before srv serves.
func NewCollector(srv *httpserver.Server) *Collector {
	labels := []string{"method", "code_class", "proto", "route"}
	return &Collector{
		srv: srv,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "httpserver_requests_total",
			Help: "Requests answered, by method, status class, protocol and route, counted when their response ended.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "httpserver_request_duration_seconds",
			Help:    "Time from a request's parsed head to the end of its response.",
			Buckets: append([]float64(nil), metrics.DurationBuckets...),
		}, labels),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpserver_received_bytes_total",
			Help: "Bytes received in requests: heads, and the body bytes read (decoded), for HTTP/1.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "httpserver_sent_bytes_total",
			Help: "Bytes of response bodies sent, framing excluded.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "httpserver_refused_total",
			Help: "Request heads refused before they parsed, by the status they were answered with.",
		}, []string{"code"}),
		h2errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "httpserver_http2_errors_total",
			Help: "HTTP/2 connection and stream errors the server detected (a GOAWAY or a reset stream, before any handler ran), by x/net/http2's name for them.",
		}, []string{"type"}),
		inFlightDesc: prometheus.NewDesc("httpserver_requests_in_flight",
			"Requests whose handler has started and whose response has not ended.", nil, nil),
		connsDesc: prometheus.NewDesc("httpserver_connections",
			"Open connections by state: idle (waiting for a request), parked (idle, without a goroutine), active (serving a request), taken_over (HTTP/2, WebSocket).", []string{"state"}, nil),
		openDesc: prometheus.NewDesc("httpserver_open_connections",
			"Open connections, counting toward MaxConns.", nil, nil),
		listenersDesc: prometheus.NewDesc("httpserver_listeners",
			"Listeners being served.", nil, nil),
		readyDesc: prometheus.NewDesc("httpserver_ready",
			"1 while the server takes new work, 0 once Shutdown has begun.", nil, nil),
	}
}

// Start counts the request in flight.
func (c *Collector) Start(metrics.Start) { c.inFlight.Add(1) }

// Done counts the request, or the refusal.
func (c *Collector) Done(d metrics.Done) {
	e := &d.Entry
	c.received.Add(float64(e.BytesIn))
	c.sent.Add(float64(e.Bytes))
	if d.Refused() {
		c.refusedCounter(e.Status).Inc()
		return
	}
	if d.Started {
		c.inFlight.Add(-1)
	}
	s := c.seriesFor(d.Route, d.Proto, d.Method, d.Class)
	s.requests.Inc()
	s.duration.Observe(e.Duration.Seconds())
}

func (c *Collector) seriesFor(route string, p metrics.Proto, m metrics.Method, cl metrics.Class) *series {
	if p >= metrics.NumProtos || m >= metrics.NumMethods || cl >= metrics.NumClasses {
		p, m, cl = metrics.ProtoUnknown, metrics.MethodOther, metrics.ClassNone // not made by package metrics
	}
	slot := &c.routeSeries(route)[p][m][cl]
	if s := slot.Load(); s != nil {
		return s
	}
	lv := []string{m.String(), cl.String(), p.String(), route}
	s := &series{requests: c.requests.WithLabelValues(lv...), duration: c.duration.WithLabelValues(lv...)}
	slot.Store(s)
	return s
}

// routeSeries returns the series of route, made at its first request.
func (c *Collector) routeSeries(route string) *routeSeries {
	if route == "" {
		return &c.series
	}
	if m := c.routes.Load(); m != nil {
		if rs := (*m)[route]; rs != nil {
			return rs
		}
	}
	c.routesMu.Lock()
	defer c.routesMu.Unlock()
	old := c.routes.Load()
	if old != nil {
		if rs := (*old)[route]; rs != nil {
			return rs // made while this one waited
		}
	}
	m := make(map[string]*routeSeries, 1+len(ptrMap(old)))
	for k, v := range ptrMap(old) {
		m[k] = v
	}
	rs := new(routeSeries)
	m[route] = rs
	c.routes.Store(&m)
	return rs
}

// ptrMap is *m, or nil.
func ptrMap(m *map[string]*routeSeries) map[string]*routeSeries {
	if m == nil {
		return nil
	}
	return *m
}

func (c *Collector) refusedCounter(status int) prometheus.Counter {
	if status < 0 || status >= len(c.refusedBy) {
		status = 0
	}
	slot := &c.refusedBy[status]
	if p := slot.Load(); p != nil {
		return *p
	}
	ctr := c.refused.WithLabelValues(strconv.Itoa(status))
	slot.Store(&ctr)
	return ctr
}

// CountHTTP2Error counts an HTTP/2 connection or stream error: it is
// the function for h2.Config.CountError, whose errType (x/net/http2's
// name for the error, from a set its code fixes) becomes the type label.
// Those errors end a connection or reset a stream before any handler
// ran, so the request counters never see them. It is safe for
// concurrent use; each call looks the label up (errors are rare, and a
// connection ends at most at one).
func (c *Collector) CountHTTP2Error(errType string) {
	c.h2errors.WithLabelValues(errType).Inc()
}

// Describe sends the descriptions of every metric of the Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	c.requests.Describe(ch)
	c.duration.Describe(ch)
	c.received.Describe(ch)
	c.sent.Describe(ch)
	c.refused.Describe(ch)
	c.h2errors.Describe(ch)
	for _, d := range []*prometheus.Desc{c.inFlightDesc, c.connsDesc, c.openDesc, c.listenersDesc, c.readyDesc} {
		ch <- d
	}
}

// Collect sends the metrics, reading the gauges from the Server's Stats.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.requests.Collect(ch)
	c.duration.Collect(ch)
	c.received.Collect(ch)
	c.sent.Collect(ch)
	c.refused.Collect(ch)
	c.h2errors.Collect(ch)
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	gauge(c.inFlightDesc, int(c.inFlight.Load()))
	st := c.srv.Stats()
	gauge(c.connsDesc, st.Idle, "idle")
	gauge(c.connsDesc, st.Parked, "parked")
	gauge(c.connsDesc, st.Active, "active")
	gauge(c.connsDesc, st.TakenOver, "taken_over")
	gauge(c.openDesc, st.Conns)
	gauge(c.listenersDesc, st.Listeners)
	ready := 0
	if st.Ready {
		ready = 1
	}
	gauge(c.readyDesc, ready)
}

// Handler returns a Handler that answers a scrape with g's metrics, in
// the format the scraper asks for (the text format, or protocol
// buffers), compressed if it accepts that: promhttp.HandlerFor(g,
// promhttp.HandlerOpts{}) served through nethttp.FromHTTP, for the
// exposition rules promhttp keeps up with. For other HandlerOpts, write
// that expression with them.
func Handler(g prometheus.Gatherer) httpserver.Handler {
	return nethttp.FromHTTP(promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
}
