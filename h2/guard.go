package h2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
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
	rw := &streamWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: h.writeTimeout}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &streamBody{ReadCloser: r.Body, rc: rw.rc, timeout: h.readTimeout, own: &rw.ownRead, n: &rw.bytesIn}
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
		e.BytesIn = headerListSize(r) + rw.bytesIn.Load()
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

// streamWriter counts what a handler writes, and bounds each write's
// progress by the write timeout unless the handler has set a deadline of
// its own (StreamWriter.SetWriteDeadline, through ResponseController):
// the deadline is armed when a write starts and cleared when it returns,
// so that a stream that waits between writes (server-sent events) is not
// cut off for waiting. It notes the handler's own read deadline
// (StreamWriter.SetReadDeadline) for streamBody. Unwrap lets
// http.ResponseController reach the HTTP/2 writer's other methods.
type streamWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	own     bool        // the handler set its own write deadline
	ownRead atomic.Bool // the handler set its own read deadline (the Body may be read on another goroutine)
	status  int
	bytes   int64
	bytesIn atomic.Int64 // request body bytes read (the Body may be read on another goroutine)
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
	w.arm()
	n, err := w.ResponseWriter.Write(p)
	w.disarm()
	w.bytes += int64(n)
	return n, err
}

func (w *streamWriter) Flush() { w.FlushError() }

func (w *streamWriter) FlushError() error {
	w.arm()
	err := w.rc.Flush()
	w.disarm()
	return err
}

func (w *streamWriter) SetWriteDeadline(t time.Time) error {
	w.own = !t.IsZero()
	return w.rc.SetWriteDeadline(t)
}

// SetReadDeadline sets the handler's own deadline for Body reads, which
// replaces the read timeout until the handler sets the zero time.
func (w *streamWriter) SetReadDeadline(t time.Time) error {
	w.ownRead.Store(!t.IsZero())
	return w.rc.SetReadDeadline(t)
}

func (w *streamWriter) arm() {
	if !w.own {
		w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	}
}

func (w *streamWriter) disarm() {
	if !w.own {
		w.rc.SetWriteDeadline(time.Time{})
	}
}

func (w *streamWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// streamBody bounds each read of a request body by the read timeout, as
// streamWriter does writes, unless the handler has set a read deadline of
// its own, which must then stay as it was set.
type streamBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	own     *atomic.Bool  // streamWriter.ownRead
	n       *atomic.Int64 // streamWriter.bytesIn
}

func (b *streamBody) Read(p []byte) (int, error) {
	if b.own.Load() {
		n, err := b.ReadCloser.Read(p)
		b.n.Add(int64(n))
		return n, err
	}
	b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.ReadCloser.Read(p)
	if !b.own.Load() { // not set while the read was waiting
		b.rc.SetReadDeadline(time.Time{})
	}
	b.n.Add(int64(n))
	return n, err
}

// headerListSize is the size of r's header list as RFC 9113 section
// 6.5.2 counts it (SETTINGS_MAX_HEADER_LIST_SIZE): each field's name and
// value, uncompressed, plus 32 octets, the pseudo-header fields
// included. It stands for the head's bytes in AccessEntry.BytesIn: the
// HPACK-coded size on the wire is not known above x/net/http2, and
// depends on what the connection's earlier requests left in its table.
// Cookies count as the one field x/net/http2 joins them into.
func headerListSize(r *http.Request) int64 {
	const perField = 32
	n := len(":method") + len(r.Method) + perField
	// A CONNECT has no :scheme and no :path (RFC 9113 section 8.5),
	// unless it is extended (RFC 8441: x/net/http2 keeps its :protocol
	// among the header fields).
	if r.Method != http.MethodConnect || r.Header.Get(":protocol") != "" {
		scheme := "https"
		if r.TLS == nil {
			scheme = "http"
		}
		n += len(":scheme") + len(scheme) + len(":path") + len(r.RequestURI) + 2*perField
	}
	if r.Host != "" {
		n += len(":authority") + len(r.Host) + perField
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + perField
		}
	}
	return int64(n)
}

// noteRequest gives the access-log entry, if there is one, the Request.
func noteRequest(req *httpserver.Request) {
	if e, ok := req.Context().Value(entryKey{}).(*httpserver.AccessEntry); ok {
		e.Request = req
	}
}
