package prom

import (
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/metrics"
)

// observations are what a Collector is told of a request, and of a
// refusal.
func observations() (metrics.Start, metrics.Done, metrics.Done) {
	req := &httpserver.Request{Verb: "GET", Path: "/", Version: "1.1"}
	start := metrics.Start{Request: req, Method: metrics.MethodGet, Proto: metrics.ProtoHTTP11}
	done := metrics.Done{
		Entry:  httpserver.AccessEntry{Request: req, Status: 200, Bytes: 1234, BytesIn: 80, Duration: 3 * time.Millisecond},
		Method: metrics.MethodGet, Proto: metrics.ProtoHTTP11, Class: metrics.Class2xx, Started: true,
	}
	refused := metrics.Done{Entry: httpserver.AccessEntry{Status: 400, Bytes: 39}, Class: metrics.Class4xx}
	return start, done, refused
}

// TestCollectorAllocs: once a label combination has been seen, counting
// a request (or a refusal) allocates nothing.
func TestCollectorAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	c := NewCollector(&httpserver.Server{})
	start, done, refused := observations()
	c.Start(start) // makes the series
	c.Done(done)
	c.Done(refused)
	if got := testing.AllocsPerRun(1000, func() {
		c.Start(start)
		c.Done(done)
	}); got != 0 {
		t.Errorf("Start and Done of a request: %v allocations, want 0", got)
	}
	if got := testing.AllocsPerRun(1000, func() { c.Done(refused) }); got != 0 {
		t.Errorf("Done of a refusal: %v allocations, want 0", got)
	}
	routed := done
	routed.Route = "/items/{id}"
	other := done
	other.Route = "/other"
	c.Done(routed) // makes the routes' series
	c.Done(other)
	if got := testing.AllocsPerRun(1000, func() {
		c.Start(start)
		c.Done(routed)
	}); got != 0 {
		t.Errorf("Start and Done of a routed request: %v allocations, want 0", got)
	}
}

// BenchmarkCollector is what counting a request costs the goroutine that
// served it.
func BenchmarkCollector(b *testing.B) {
	c := NewCollector(&httpserver.Server{})
	start, done, _ := observations()
	b.ReportAllocs()
	for b.Loop() {
		c.Start(start)
		c.Done(done)
	}
}

// BenchmarkCollectorParallel counts requests of one series from every
// core at once: the worst case for the shared counters' cache lines.
func BenchmarkCollectorParallel(b *testing.B) {
	c := NewCollector(&httpserver.Server{})
	start, done, _ := observations()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Start(start)
			c.Done(done)
		}
	})
}

// BenchmarkCollectorRouted is BenchmarkCollector for a request a Mux
// route served: its series are found through the routes' map.
func BenchmarkCollectorRouted(b *testing.B) {
	c := NewCollector(&httpserver.Server{})
	start, done, _ := observations()
	done.Route = "/items/{id}"
	for _, r := range []string{"/a", "/b/{x}", "/c/", "/d/{y...}"} { // a few other routes in the map
		d := done
		d.Route = r
		c.Done(d)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Start(start)
		c.Done(done)
	}
}
