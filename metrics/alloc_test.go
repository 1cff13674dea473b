package metrics

import (
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// nopObserver is an Observer that does nothing: what is measured is
// Instrument's own cost.
type nopObserver struct{}

func (nopObserver) Start(Start) {}
func (nopObserver) Done(Done)   {}

// instrumentedFixture returns Instrument's Handler around a handler that
// answers resp at once, and a Request read from a real connection (the
// labels of one built by hand would take another path: ProtoOf).
func instrumentedFixture(tb testing.TB) (*instrumented, *httpserver.Request) {
	tb.Helper()
	reqs := make(chan *httpserver.Request, 1)
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		reqs <- req // not reused: the Server has no ReuseRequests
		return &httpserver.Response{StatusCode: 204}
	})}
	addr := serve(tb, srv)
	rawRequest(tb, addr, "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	req := <-reqs
	if p := ProtoOf(req); p != ProtoHTTP11 {
		tb.Fatalf("ProtoOf(a request from a connection): got %v, want HTTP/1.1", p)
	}
	resp := &httpserver.Response{StatusCode: 200, Message: "ok\n"}
	in := &instrumented{
		obs:  []Observer{nopObserver{}},
		next: httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { return resp }),
	}
	return in, req
}

// TestInstrumentAllocs: the Handler and the AccessLog that Instrument
// installs cost a request no allocation.
func TestInstrumentAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	in, req := instrumentedFixture(t)
	e := httpserver.AccessEntry{Request: req, Status: 200, Bytes: 3, BytesIn: 40, Duration: time.Millisecond}
	in.Handle(req) // the first request sizes the in-flight shard
	in.logAccess(e)
	if got := testing.AllocsPerRun(1000, func() {
		in.Handle(req)
		in.logAccess(e)
	}); got != 0 {
		t.Errorf("a request through Instrument's Handler and AccessLog: %v allocations, want 0", got)
	}
	refused := httpserver.AccessEntry{Status: 400, Bytes: 39}
	if got := testing.AllocsPerRun(1000, func() { in.logAccess(refused) }); got != 0 {
		t.Errorf("a refusal through Instrument's AccessLog: %v allocations, want 0", got)
	}
}

// BenchmarkInstrument is what Instrument adds to a request: its Handler
// and its AccessLog, with an Observer that does nothing.
func BenchmarkInstrument(b *testing.B) {
	in, req := instrumentedFixture(b)
	e := httpserver.AccessEntry{Request: req, Status: 200, Bytes: 3, BytesIn: 40, Duration: time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		in.Handle(req)
		in.logAccess(e)
	}
}
