package nethttp

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
)

// FromHTTP returns an httpserver.Handler that serves each request with
// h, as net/http's server would.
//
// h gets an *http.Request built from the engine's Request (see
// docs/NETHTTP.md for each field) and an http.ResponseWriter that follows
// net/http's rules: the head is decided at the first Write or WriteHeader;
// WriteHeader with a 1xx code but 101 sends an interim response at once;
// Content-Type is sniffed from the first bytes when none was set; a body
// written before the handler returns goes with a Content-Length when it
// fits the server's write window (WriteBufferSize, 16 KiB by default,
// where net/http's threshold is 2 KiB), chunked otherwise; trailers are
// declared with a "Trailer" field or set with http.TrailerPrefix. The
// writer is an http.Flusher, an http.Hijacker, an io.ReaderFrom and an
// io.StringWriter, and has FlushError, SetReadDeadline, SetWriteDeadline
// and EnableFullDuplex for http.ResponseController. Writes block while
// the client is slow to read: nothing is buffered beyond the window.
//
// The request's context carries http.ServerContextKey: a stub
// *http.Server, made once per FromHTTP call, whose fields say nothing
// about the engine's configuration (Addr and the timeouts are zero); and
// http.LocalAddrContextKey, the connection's local address.
//
// A panic in h is logged as net/http logs it ("http: panic serving ADDR:
// VALUE" and the stack) through slog.Default(), except
// http.ErrAbortHandler, which is not logged. A panic before the head was
// sent gets a 500 (net/http closes the connection without an answer);
// after it, the connection is closed, so the client sees a truncated body.
//
// HEAD requests are served by running h before the engine answers (the
// engine does not run a body's producer for HEAD): h's writes are
// counted and discarded, as net/http discards them, and Flush, Hijack,
// the deadlines and interim responses are not available then.
//
// A nil h serves http.DefaultServeMux, as net/http's server does.
// FromHTTP(ToHTTP(g)) returns g itself.
func FromHTTP(h http.Handler) httpserver.Handler {
	if t, ok := h.(toHTTP); ok {
		return t.h
	}
	if h == nil {
		h = http.DefaultServeMux
	}
	return &adapter{h: h, srv: &http.Server{}}
}

// adapter is the httpserver.Handler FromHTTP returns.
type adapter struct {
	h   http.Handler
	srv *http.Server // the stub for http.ServerContextKey
	// log is where faults go; nil means slog.Default() at the time of
	// logging (tests set their own).
	log *slog.Logger
}

func (a *adapter) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	return slog.Default()
}

// exchange is everything one request through FromHTTP needs, in one
// allocation: the *http.Request with its URL, context and body, the
// ResponseWriter, and the Response the engine writes.
type exchange struct {
	a    *adapter
	req  *httpserver.Request
	hreq http.Request
	url  url.URL
	ctx  requestContext
	body requestBody
	rw   responseWriter
	resp httpserver.Response
	// vals backs the values of the first header fields (see header).
	vals [8]string
}

// NoQueryDict tells the engine that the adapter never reads
// Request.QueryDict (see internal/bridge): r.URL.RawQuery has the query.
func (a *adapter) NoQueryDict() {}

// ReleasesRequests tells the engine that the adapter is done with a
// Request when its response has ended (see internal/bridge), so that the
// engine may reuse it: the handler gets an *http.Request of its own,
// whose fields are copies of the Request's (strings, which stay valid)
// and whose Body stops reaching the Request's when the handler returns
// (requestBody.end); nothing reads the Request after that.
func (a *adapter) ReleasesRequests() {}

// Handle answers req by running the net/http handler: in the Stream of
// the Response it returns, so that the handler decides the head as late
// as its first write, or, for HEAD, at once (see serveHEAD).
func (a *adapter) Handle(req *httpserver.Request) *httpserver.Response {
	if req.Verb == "OPTIONS" && req.Path == "*" {
		return optionsAsterisk(req)
	}
	x := &exchange{a: a, req: req}
	if !x.buildRequest() {
		return &httpserver.Response{StatusCode: 400, Headers: closeHeader(), Message: "400 Bad Request"}
	}
	x.rw.init(x)
	if req.Verb == "HEAD" {
		return x.serveHEAD()
	}
	x.resp.StatusCode = 200
	if req.Verb == "CONNECT" {
		// A 2xx to CONNECT opens a tunnel the moment the engine sees it;
		// the handler's own WriteHeader decides (a proxy may answer 502).
		// Until then the status is one that cannot be a tunnel; a panic
		// before the head gets a 500 anyway.
		x.resp.StatusCode = 500
	}
	x.resp.Stream = x.stream
	return &x.resp
}

// optionsAsterisk answers "OPTIONS *" (a question about the server, not
// a resource) as net/http's server does without calling the handler (its
// globalOptionsHandler): 200 with an empty body, after reading up to 4 KiB
// of a request body.
func optionsAsterisk(req *httpserver.Request) *httpserver.Response {
	if req.ContentLength != 0 {
		io.Copy(io.Discard, io.LimitReader(req.Body, 4<<10))
	}
	return &httpserver.Response{StatusCode: 200}
}

func closeHeader() httpserver.Header {
	var h httpserver.Header
	h.Set("Connection", "close")
	return h
}

// stream is the Response's Stream: it runs the handler with the
// ResponseWriter writing to sw.
func (x *exchange) stream(sw *httpserver.StreamWriter) (err error) {
	rw := &x.rw
	rw.sw = sw
	defer func() {
		if p := recover(); p != nil {
			err = rw.recovered(p)
		}
	}()
	x.a.h.ServeHTTP(rw, &x.hreq)
	x.notePattern()
	return rw.finish()
}

// notePattern gives the engine's Request the pattern a net/http ServeMux
// set on the handler's request (Request.Pattern, for the AccessLog and
// package metrics' route), when it is not the one it had: the innermost
// match counts, as with nested Muxes. A ServeMux behind a middleware
// that copied the request sets it on the copy, which is out of reach, as
// it is for net/http's own server.
func (x *exchange) notePattern() {
	if p := x.hreq.Pattern; p != "" && p != x.req.Pattern() {
		bridge.SetPattern(x.req, p)
	}
}

// serveHEAD runs the handler for a HEAD request before the engine
// answers: the engine sends the head of a response without a body at
// once, without running a Stream. The writer records the status and the
// fields and discards the body, as net/http discards a HEAD handler's
// writes; what net/http would add (a sniffed Content-Type, a
// Content-Length for a short body) is added from what was written.
func (x *exchange) serveHEAD() (resp *httpserver.Response) {
	rw := &x.rw
	defer func() {
		if p := recover(); p != nil {
			rw.recovered(p)
			resp = &httpserver.Response{StatusCode: 500, Headers: closeHeader()}
		}
	}()
	x.a.h.ServeHTTP(rw, &x.hreq)
	x.notePattern()
	rw.finish()
	// A Stream that never runs: the engine takes the length from the
	// Content-Length field, if there is one, and sends none otherwise
	// (a Message "" would announce "Content-Length: 0").
	x.resp.Stream = noStream
	return &x.resp
}

func noStream(*httpserver.StreamWriter) error { return nil }

// recovered handles a panic of the handler: it logs it as net/http's
// conn.serve does, unless it is http.ErrAbortHandler, and returns the
// Stream's error: ErrAbortResponse, which closes the connection once the
// head has gone and gets the client a 500 before.
func (rw *responseWriter) recovered(p any) error {
	rw.handlerDone = true
	rw.x.body.end()
	if p != http.ErrAbortHandler {
		const size = 64 << 10
		buf := make([]byte, size)
		buf = buf[:runtime.Stack(buf, false)]
		rw.x.a.logger().Error(fmt.Sprintf("http: panic serving %v: %v\n%s", rw.x.hreq.RemoteAddr, p, buf))
	}
	return httpserver.ErrAbortResponse
}
