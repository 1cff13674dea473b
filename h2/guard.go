package h2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
)

// guard applies the Server's request limits that x/net/http2 does not
// know to each HTTP/2 request, before and around the Handler, with the
// answers the engine gives for HTTP/1: 414 for a request line (method
// and :path) over MaxRequestLineBytes, 431 for more fields than
// MaxHeaderCount, and MaxBodyBytes on the body, 413 when it is exceeded.
type guard struct {
	s    *httpserver.Server
	next httpserver.Handler // nil: 404, as the engine answers
}

func (g *guard) Handle(req *httpserver.Request) *httpserver.Response {
	noteRequest(req)
	s := g.s
	if len(req.Verb)+1+len(req.Path)+len(req.QueryStr)+1 > orInt(s.MaxRequestLineBytes, httpserver.DefaultMaxRequestLine) {
		return refusal(414)
	}
	// The Host field ToHTTP adds from :authority is not the client's.
	if n := req.Headers.Len() - 1; n > orInt(s.MaxHeaderCount, httpserver.DefaultMaxHeaderCount) {
		return refusal(431)
	}
	limit := s.MaxBodyBytes
	if limit == 0 {
		limit = httpserver.DefaultMaxBodyBytes
	}
	if limit > 0 {
		req.SetBodyLimit(limit)
	}
	var resp *httpserver.Response
	if g.next == nil {
		resp = &httpserver.Response{StatusCode: 404, Message: "404 Not Found\n"}
	} else {
		resp = g.next.Handle(req)
	}
	if bridge.BodyTooLarge(req) {
		if resp != nil && resp.Body != nil {
			if c, ok := resp.Body.(interface{ Close() error }); ok {
				c.Close()
			}
		}
		return refusal(413)
	}
	return resp
}

// refusal is the answer to a request the limits refuse.
func refusal(status int) *httpserver.Response {
	resp := &httpserver.Response{StatusCode: status, Message: http.StatusText(status) + "\n"}
	resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
	return resp
}

// streamHandler is what x/net/http2 calls for each stream: it applies
// the Server's progress timeouts to the stream, as the engine applies
// them to HTTP/1 (a Body read must deliver data within ReadTimeout, a
// write must complete within WriteTimeout; x/net/http2 has only
// whole-request timeouts, which would cut off long streams), counts what
// is written, and reports the request to Server.AccessLog.
type streamHandler struct {
	readTimeout, writeTimeout time.Duration
	log                       func(httpserver.AccessEntry) // nil: no access log
	next                      http.Handler
}

func (h *streamHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rw := &streamWriter{
		ResponseWriter: w,
		rc:             rc,
		writes:         watchdog{timeout: h.writeTimeout, set: rc.SetWriteDeadline},
		reads:          watchdog{timeout: h.readTimeout, set: rc.SetReadDeadline},
	}
	// Before x/net/http2 learns that the handler is done, after which rc
	// must not be used.
	defer rw.stop()
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &streamBody{ReadCloser: r.Body, reads: &rw.reads}
	}
	if h.log == nil {
		h.next.ServeHTTP(rw, r)
		return
	}
	start := time.Now()
	e := &httpserver.AccessEntry{}
	defer func() {
		p := recover()
		if p != nil {
			e.Err = errAborted
		}
		e.Status, e.Bytes, e.Duration = rw.status, rw.bytes, time.Since(start)
		if e.Status == 0 && p == nil {
			e.Status = http.StatusOK
		}
		if e.Request != nil {
			e.RemoteIP, e.RemotePort = e.Request.RemoteIP, e.Request.RemotePort
		}
		h.log(*e)
		if p != nil {
			panic(p)
		}
	}()
	h.next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), entryKey{}, e)))
}

// entryKey is the context key under which streamHandler leaves the
// access-log entry for the guard to give the Request.
type entryKey struct{}

var errAborted = errors.New("h2: the response was aborted (the stream was reset)")

// errHandlerDone is the error of a deadline set after the stream's
// handler has returned.
var errHandlerDone = errors.New("h2: the stream's handler has returned")

// streamWriter counts what a handler writes, and bounds the progress of
// each write and each Body read by the stream's watchdogs. Its
// SetReadDeadline and SetWriteDeadline, which http.ResponseController
// (and so StreamWriter's) reach, give the handler's own deadlines to the
// watchdogs, which then stand aside. Unwrap lets ResponseController
// reach the HTTP/2 writer's other methods.
type streamWriter struct {
	http.ResponseWriter
	rc            *http.ResponseController
	writes, reads watchdog
	status        int
	bytes         int64
}

func (w *streamWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.writes.arm()
	n, err := w.ResponseWriter.Write(p)
	w.writes.disarm()
	w.bytes += int64(n)
	return n, err
}

func (w *streamWriter) Flush() { w.FlushError() }

func (w *streamWriter) FlushError() error {
	w.writes.arm()
	err := w.rc.Flush()
	w.writes.disarm()
	return err
}

func (w *streamWriter) SetWriteDeadline(t time.Time) error { return w.writes.setOwn(t) }

func (w *streamWriter) SetReadDeadline(t time.Time) error { return w.reads.setOwn(t) }

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stop ends the watchdogs, when the handler returns.
func (w *streamWriter) stop() {
	w.writes.stop()
	w.reads.stop()
}

// streamBody bounds each read of a request body by the reads watchdog.
type streamBody struct {
	io.ReadCloser
	reads *watchdog
}

func (b *streamBody) Read(p []byte) (int, error) {
	b.reads.arm()
	n, err := b.ReadCloser.Read(p)
	b.reads.disarm()
	return n, err
}

// watchdog bounds the progress of a stream's Body reads, or of its
// writes, as the engine bounds HTTP/1's: arm starts an operation and
// disarm ends it, and if timeout passes in between, the watchdog sets a
// deadline in the past, on which x/net/http2 fails the operation at once
// (a read with os.ErrDeadlineExceeded; a write by resetting the stream).
// Time spent between operations is not counted, so that a stream that
// waits between writes (server-sent events) is not cut off for waiting.
// A deadline the handler sets (setOwn) replaces the timeout, through
// x/net/http2's own deadlines, until the handler sets the zero time.
//
// Arming and disarming only reset the watchdog's timer. Setting
// x/net/http2's deadline instead, as this type once did, costs a message
// to the connection's serving goroutine each time: around each write, it
// took about a tenth of the CPU time of a request for a small file (h2load
// on 1 KiB over TLS: 51 against 46 µs per request; docs/PERFORMANCE.md).
type watchdog struct {
	timeout time.Duration
	set     func(time.Time) error // the stream's ResponseController's SetReadDeadline or SetWriteDeadline

	mu       sync.Mutex  // guards the fields below, and calls of set
	timer    *time.Timer // nil until first armed
	deadline time.Time   // of the operation in progress; zero between operations
	own      bool        // the handler has set a deadline of its own: the timer stays off
	stopped  bool        // the handler has returned: set must not be called any more
}

func (d *watchdog) arm() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.own || d.stopped {
		return
	}
	d.deadline = time.Now().Add(d.timeout)
	if d.timer == nil {
		d.timer = time.AfterFunc(d.timeout, d.fire)
	} else {
		d.timer.Reset(d.timeout)
	}
}

func (d *watchdog) disarm() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deadline = time.Time{}
	if d.timer != nil {
		d.timer.Stop()
	}
}

// fire runs when the timer does: it fails the operation in progress if
// that has run out of time. (A timer that fired as its operation ended
// may find the next one in progress, or none.)
func (d *watchdog) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.own || d.stopped || d.deadline.IsZero() || time.Now().Before(d.deadline) {
		return
	}
	d.set(time.Unix(0, 1)) // in the past
}

// setOwn sets the handler's deadline t, or with the zero time gives the
// operations back to the timeout.
func (d *watchdog) setOwn(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return errHandlerDone
	}
	d.own = !t.IsZero()
	d.deadline = time.Time{}
	if d.timer != nil {
		d.timer.Stop()
	}
	return d.set(t)
}

func (d *watchdog) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}

// noteRequest gives the access-log entry, if there is one, the Request.
func noteRequest(req *httpserver.Request) {
	if e, ok := req.Context().Value(entryKey{}).(*httpserver.AccessEntry); ok {
		e.Request = req
	}
}
