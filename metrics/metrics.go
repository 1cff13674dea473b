package metrics

import (
	"slices"
	"strings"

	"github.com/gohttpserver/httpserver"
)

// An Observer is told of the requests an instrumented Server serves (see
// Instrument). Its methods are called on the goroutine serving the
// request, for many requests at once: they must be safe for concurrent
// use, quick (a request's next one on the connection waits for them), and
// must not panic, nor keep the Request past Done when the Server reuses
// requests (Server.ReuseRequests).
type Observer interface {
	// Start is called just before the request's handler runs.
	Start(Start)
	// Done is called once for every entry the Server gives its
	// AccessLog: when a request's response has ended, completely or not,
	// and when the server refused a head that did not parse (then
	// Entry.Request is nil, and Start was not called).
	Done(Done)
}

// Start describes a request whose handler is about to run.
type Start struct {
	Request *httpserver.Request
	Method  Method
	Proto   Proto
}

// Done describes a request whose response has ended, or a refusal.
type Done struct {
	// Entry is the Server's access-log entry: the Request (nil for a
	// refused head), the status sent, the bytes received and sent, the
	// duration and what went wrong. The request began Entry.Duration
	// before Done was called.
	Entry httpserver.AccessEntry
	// Method and Proto are Entry.Request's (MethodOther and ProtoUnknown
	// for a refused head); Class is Entry.Status's.
	Method Method
	Proto  Proto
	Class  Class
	// Route is the path of the Mux pattern that served the request,
	// without the pattern's method ("/items/{id}" for "GET /items/{id}"):
	// RouteOf(Entry.Request). It is "" when no Mux route matched (a 404
	// or 405 of a Mux, a Handler that is not one) and for a refused head.
	// Its values are bounded by the patterns registered, never by what
	// clients send, so it may be a label (OpenTelemetry's http.route).
	Route string
	// Started reports whether Start was called for Entry.Request. It is
	// false for a refused head, and for the few requests answered before
	// the handler could run: an HTTP/2 request that package h2's limits
	// refuse (414, 431), an "Upgrade: h2c" request when Instrument was
	// called before h2.Configure. A gauge of requests in flight counts
	// up at Start and down at a Done that was Started.
	Started bool
}

// Refused reports whether d is a refusal: bytes the server answered (with
// d.Entry.Status, 400 or another 4xx or 5xx) and closed the connection on,
// because they did not parse as a request head within the limits.
func (d *Done) Refused() bool { return d.Entry.Request == nil }

// DurationBuckets are the upper bounds, in seconds, of the request
// duration histograms: the ones the OpenTelemetry semantic conventions
// advise for http.server.request.duration. They must not be modified.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Instrument makes srv report its requests to each of obs, by changing
// two of its fields:
//
//   - Handler becomes a Handler that calls Start and then the Handler srv
//     had (nil answering 404, as the Server does);
//   - AccessLog becomes a function that calls Done and then the
//     AccessLog srv had, if any. So srv always has an AccessLog once
//     instrumented: see Server.AccessLog for what that costs.
//
// Call it once, before Serve, after setting Handler and AccessLog, and
// preferably before h2.Configure: HTTP/2 requests reach Start and Done
// either way (package h2 reads both fields when its first connection
// starts), but when called after a Configure with H2C, Instrument's
// Handler sits in front of h2c's upgrade check, so that the request that
// upgrades a connection to h2c counts as in flight for as long as the
// HTTP/2 connection it became lasts (it does anyway for a WebSocket
// upgrade: the request then lasts the session).
//
// The Handler installed must serve srv's requests only: a request that
// reached Start is remembered until the AccessLog entry for it.
// Instrumenting costs a request no allocation; Observers are called in
// the order given.
func Instrument(srv *httpserver.Server, obs ...Observer) {
	if len(obs) == 0 {
		return
	}
	in := &instrumented{obs: slices.Clone(obs), next: srv.Handler, log: srv.AccessLog}
	srv.Handler = in
	srv.AccessLog = in.logAccess
}

// instrumented is Instrument's Handler, and its AccessLog (logAccess).
type instrumented struct {
	obs  []Observer
	next httpserver.Handler           // the Server's Handler: nil answers 404
	log  func(httpserver.AccessEntry) // the Server's AccessLog, or nil
	live inflight                     // the requests Start saw and Done has not
}

func (in *instrumented) Handle(req *httpserver.Request) *httpserver.Response {
	in.live.add(req)
	s := Start{Request: req, Method: MethodOf(req.Verb), Proto: ProtoOf(req)}
	for _, o := range in.obs {
		o.Start(s)
	}
	if in.next == nil {
		return &httpserver.Response{StatusCode: 404, Message: "Not Found\n"}
	}
	return in.next.Handle(req)
}

func (in *instrumented) logAccess(e httpserver.AccessEntry) {
	d := Done{Entry: e, Class: ClassOf(e.Status)}
	if req := e.Request; req != nil {
		d.Method, d.Proto = MethodOf(req.Verb), ProtoOf(req)
		d.Route = RouteOf(req)
		d.Started = in.live.remove(req)
	}
	for _, o := range in.obs {
		o.Done(d)
	}
	if in.log != nil {
		in.log(e)
	}
}

// RouteOf is the path of the Mux pattern that served req
// (Request.Pattern without its method: "/items/{id}" for
// "GET /items/{id}"), or "" if no Mux route matched it. A pattern's
// method is a token, which has no '/', and its path starts with one.
func RouteOf(req *httpserver.Request) string {
	p := req.Pattern()
	if i := strings.IndexByte(p, '/'); i > 0 {
		return p[i:]
	}
	return p
}
