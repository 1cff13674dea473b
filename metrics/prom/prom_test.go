package prom

import (
	"bufio"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
	"github.com/gohttpserver/httpserver/metrics"
)

// testHandler answers /ok with "ok\n", /fail with a 500, /echo with the
// request body, /hold once release is closed (after a token on held),
// and anything else with a 404.
func testHandler(held chan<- struct{}, release <-chan struct{}) httpserver.Handler {
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		switch req.Path {
		case "/ok":
			return &httpserver.Response{StatusCode: 200, Message: "ok\n"}
		case "/fail":
			return &httpserver.Response{StatusCode: 500, Message: "failed\n"}
		case "/echo":
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return &httpserver.Response{StatusCode: 400, Message: err.Error()}
			}
			return &httpserver.Response{StatusCode: 200, Message: string(b)}
		case "/hold":
			held <- struct{}{}
			<-release
			return &httpserver.Response{StatusCode: 200, Message: "released\n"}
		}
		return &httpserver.Response{StatusCode: 404, Message: "no such thing\n"}
	})
}

// serveInstrumented instruments srv with a Collector, configures HTTP/2
// (h2c too) and serves it, and the Collector's metrics; it returns both
// addresses.
func serveInstrumented(t *testing.T, srv *httpserver.Server) (addr, metricsAddr string) {
	t.Helper()
	c := NewCollector(srv)
	metrics.Instrument(srv, c)
	if err := h2.Configure(srv, &h2.Config{H2C: true}); err != nil {
		t.Fatal(err)
	}
	return serve(t, srv), metricsServer(t, c)
}

// TestCollectorRequests serves requests of several methods, statuses and
// protocols, and refusals, then scrapes the Collector and checks that
// every counter says exactly what was sent.
func TestCollectorRequests(t *testing.T) {
	logged := make(logWaiter, 100)
	srv := &httpserver.Server{Handler: testHandler(nil, nil), AccessLog: logged.log}
	addr, maddr := serveInstrumented(t, srv)

	// Before any request: no series of requests, zero bytes, the gauges.
	fams := scrape(t, maddr)
	checkSeries(t, fams, "httpserver_requests_total")
	checkSeries(t, fams, "httpserver_received_bytes_total", "{} 0")
	checkSeries(t, fams, "httpserver_ready", "{} 1")

	head := func(method, path, version string) string {
		return method + " " + path + " HTTP/" + version + "\r\nHost: a\r\nConnection: close\r\n\r\n"
	}
	tests := []struct {
		raw     string
		status  int
		refused bool // the head does not parse: it counts no bytes received
	}{
		{head("GET", "/ok", "1.1"), 200, false},
		{head("GET", "/ok", "1.1"), 200, false},
		{head("HEAD", "/ok", "1.1"), 200, false},
		{"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 200, false},
		{head("PUT", "/echo", "1.1"), 200, false},
		{head("BREW", "/ok", "1.0"), 200, false},
		{head("get", "/ok", "1.1"), 200, false}, // methods are case-sensitive: _OTHER
		{head("DELETE", "/nothing", "1.1"), 404, false},
		{head("GET", "/fail", "1.0"), 500, false},
		{"GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n", 400, true},
		{"GET / HTTP/1.1\r\nHost: a\r\nbad header\r\n\r\n", 400, true},
		{head(strings.Repeat("X", 40), "/", "1.1"), 501, true},
		{"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505, true},
	}
	var in, out int
	for _, tt := range tests {
		status, body := rawRequest(t, addr, tt.raw)
		if status != tt.status {
			t.Errorf("%.40q: got status %d, want %d", tt.raw, status, tt.status)
		}
		if !tt.refused {
			in += len(tt.raw)
		}
		out += len(body)
		logged.wait(t, 1)
	}
	h2c, _ := h2cClient(t)
	for _, path := range []string{"/ok", "/nothing"} {
		_, body := h2Get(t, h2c, "http://"+addr+path)
		out += len(body)
		// An HTTP/2 head counts as its header list size (RFC 9113
		// section 6.5.2): the six fields Go's client sends, 32 octets
		// more each.
		in += len(":authority"+addr) + len(":method"+"GET") + len(":path"+path) + len(":scheme"+"http") +
			len("accept-encoding"+"gzip") + len("user-agent"+"Go-http-client/2.0") + 6*32
		logged.wait(t, 1)
	}

	fams = scrape(t, maddr)
	checkSeries(t, fams, "httpserver_requests_total",
		`{code_class="2xx",method="GET",proto="HTTP/1.1",route=""} 2`,
		`{code_class="2xx",method="HEAD",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="POST",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="PUT",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="_OTHER",proto="HTTP/1.0",route=""} 1`,
		`{code_class="2xx",method="_OTHER",proto="HTTP/1.1",route=""} 1`,
		`{code_class="4xx",method="DELETE",proto="HTTP/1.1",route=""} 1`,
		`{code_class="5xx",method="GET",proto="HTTP/1.0",route=""} 1`,
		`{code_class="2xx",method="GET",proto="HTTP/2",route=""} 1`,
		`{code_class="4xx",method="GET",proto="HTTP/2",route=""} 1`,
	)
	// The histogram has a series for each series of requests, with as
	// many samples.
	if got, want := samples(fams, "httpserver_request_duration_seconds"), samples(fams, "httpserver_requests_total"); !slices.Equal(got, want) {
		t.Errorf("httpserver_request_duration_seconds: got sample counts\n\t%s\nwant those of httpserver_requests_total\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	for _, m := range fams["httpserver_request_duration_seconds"].GetMetric() {
		h := m.GetHistogram()
		var bounds []float64
		for _, b := range h.GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
			if b.GetCumulativeCount() > h.GetSampleCount() {
				t.Errorf("bucket %g counts %d of %d samples", b.GetUpperBound(), b.GetCumulativeCount(), h.GetSampleCount())
			}
		}
		if want := append(slices.Clone(metrics.DurationBuckets), math.Inf(1)); !slices.Equal(bounds, want) {
			t.Errorf("histogram buckets: got %v, want %v", bounds, want)
		}
	}
	checkSeries(t, fams, "httpserver_refused_total",
		`{code="400"} 2`,
		`{code="501"} 1`,
		`{code="505"} 1`,
	)
	checkSeries(t, fams, "httpserver_received_bytes_total", "{} "+strconv.Itoa(in))
	checkSeries(t, fams, "httpserver_sent_bytes_total", "{} "+strconv.Itoa(out))
	checkSeries(t, fams, "httpserver_requests_in_flight", "{} 0")
	checkSeries(t, fams, "httpserver_listeners", "{} 1")
	checkSeries(t, fams, "httpserver_ready", "{} 1")
}

// TestCollectorConnections holds one connection parked between requests
// (idle, without the poller), one in its handler and one taken over by
// HTTP/2, and scrapes the gauges; then again once Shutdown has begun.
func TestCollectorConnections(t *testing.T) {
	held, release := make(chan struct{}, 1), make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	srv := &httpserver.Server{Handler: testHandler(held, release)}
	addr, maddr := serveInstrumented(t, srv)

	// A keep-alive connection that has had its response and waits.
	idle := dialKeepAlive(t, addr)
	// An HTTP/2 connection, which the client keeps.
	h2c, h2tr := h2cClient(t)
	if status, _ := h2Get(t, h2c, "http://"+addr+"/ok"); status != 200 {
		t.Fatalf("GET /ok over HTTP/2: %d", status)
	}
	// A request in its handler.
	holding := make(chan int, 1)
	go func() {
		status, _ := rawRequest(t, addr, "GET /hold HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		holding <- status
	}()
	<-held

	parked, waiting := 1, 0 // Linux parks an idle connection in the poller
	if runtime.GOOS != "linux" {
		parked, waiting = 0, 1
	}
	waitStats(t, srv, "a connection idle, one active, one taken over", func(st httpserver.Stats) bool {
		return st.Conns == 3 && st.Parked == parked && st.Idle == waiting && st.Active == 1 && st.TakenOver == 1
	})
	fams := scrape(t, maddr)
	checkSeries(t, fams, "httpserver_connections",
		`{state="idle"} `+strconv.Itoa(waiting),
		`{state="parked"} `+strconv.Itoa(parked),
		`{state="active"} 1`,
		`{state="taken_over"} 1`,
	)
	checkSeries(t, fams, "httpserver_open_connections", "{} 3")
	checkSeries(t, fams, "httpserver_requests_in_flight", "{} 1")
	checkSeries(t, fams, "httpserver_listeners", "{} 1")
	checkSeries(t, fams, "httpserver_ready", "{} 1")

	// Shutdown waits for the held request; meanwhile the server is not
	// ready, and serves no listener. (The HTTP/2 connection goes first:
	// x/net/http2 would give it a second to close after its GOAWAY.)
	h2tr.CloseIdleConnections()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(t.Context()) }()
	waitStats(t, srv, "Shutdown to begin", func(st httpserver.Stats) bool { return !st.Ready && st.Listeners == 0 })
	fams = scrape(t, maddr)
	checkSeries(t, fams, "httpserver_ready", "{} 0")
	checkSeries(t, fams, "httpserver_listeners", "{} 0")
	checkSeries(t, fams, "httpserver_requests_in_flight", "{} 1")

	close(release)
	released = true
	if status := <-holding; status != 200 {
		t.Errorf("GET /hold: got %d, want 200", status)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	idle.Close()
	fams = scrape(t, maddr)
	checkSeries(t, fams, "httpserver_requests_in_flight", "{} 0")
	checkSeries(t, fams, "httpserver_open_connections", "{} 0")
}

// dialKeepAlive makes a request on a new connection to addr, reads its
// response, and returns the connection, kept alive.
func dialKeepAlive(t *testing.T, addr string) io.Closer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(hangGuard))
	if _, err := io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c
}

// TestCollectorLint runs client_golang's linter (the Prometheus naming
// conventions: units, _total for counters, base units) over every
// metric, each series present.
func TestCollectorLint(t *testing.T) {
	srv := &httpserver.Server{}
	c := NewCollector(srv)
	c.Start(metrics.Start{})
	c.Done(metrics.Done{Entry: httpserver.AccessEntry{Request: &httpserver.Request{Verb: "GET"}, Status: 200}, Class: metrics.Class2xx, Proto: metrics.ProtoHTTP11, Started: true})
	c.Done(metrics.Done{Entry: httpserver.AccessEntry{Status: 400}})
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

// TestCollectorRoutes: the route label is the path of the Mux pattern
// that served the request, over HTTP/1.1 and HTTP/2, and "" for a
// request no route matched.
func TestCollectorRoutes(t *testing.T) {
	logged := make(logWaiter, 100)
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /items/{id}", func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "item\n"}
	})
	mux.RouteFunc("POST /items/", func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 201}
	})
	srv := &httpserver.Server{Handler: mux, AccessLog: logged.log}
	addr, maddr := serveInstrumented(t, srv)
	for _, raw := range []string{
		"GET /items/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		"GET /items/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		"POST /items/ HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"GET /nothing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	} {
		rawRequest(t, addr, raw)
		logged.wait(t, 1)
	}
	h2c, _ := h2cClient(t)
	for _, path := range []string{"/items/3", "/nothing"} {
		h2Get(t, h2c, "http://"+addr+path)
		logged.wait(t, 1)
	}
	checkSeries(t, scrape(t, maddr), "httpserver_requests_total",
		`{code_class="2xx",method="GET",proto="HTTP/1.1",route="/items/{id}"} 2`,
		`{code_class="2xx",method="POST",proto="HTTP/1.1",route="/items/"} 1`,
		`{code_class="4xx",method="GET",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="GET",proto="HTTP/2",route="/items/{id}"} 1`,
		`{code_class="4xx",method="GET",proto="HTTP/2",route=""} 1`,
	)
}
