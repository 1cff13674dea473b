package httpserver

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// StreamWriter is how a Response's Stream function sends the body in
// parts, and decides the head as late as its first write: the status and
// header fields may change until then (Header, WriteHeader), interim 1xx
// answers may go before it, trailer fields after a chunked body (Trailer),
// and the connection may be taken over (Hijack).
//
// A StreamWriter is valid only during the Stream call and must not be used
// from another goroutine while that call runs unless the caller serialises
// access. Every method fails (or does nothing) once the Stream has
// returned.
type StreamWriter struct {
	c *conn        // the server's connection; nil once the Stream has returned
	t streamTarget // another host (nethttp.ToHTTP, httpservertest), or nil
	_ [0]func()    // not comparable
}

// streamTarget is a StreamWriter's other end when the response is not
// written by this package's engine (see internal/bridge): the methods are
// StreamWriter's own, with its contracts.
type streamTarget interface {
	Write(p []byte) (int, error)
	Flush() error
	Header() *Header
	WriteHeader(code int)
	Trailer() *Header
	HeadSent() bool
	Hijack() (net.Conn, []byte, error)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

func init() {
	bridge.NewStreamWriter = func(target any) any {
		return &StreamWriter{t: target.(streamTarget)}
	}
	bridge.WithServer = func(ctx context.Context, srv any) context.Context {
		s := srv.(*Server)
		s.init()
		return context.WithValue(ctx, serverKey{}, s)
	}
	bridge.BodyTooLarge = func(req any) bool {
		lb, ok := req.(*Request).Body.(*limitedBody)
		return ok && lb.tripped
	}
	bridge.BodyLimit = func(req any) int64 { return req.(*Request).bodyLimit() }
	bridge.SetPattern = func(req any, p string) { req.(*Request).setPattern(p) }
}

var (
	errStreamDone = errors.New("httpserver: StreamWriter used after its Stream returned")

	// ErrHijacked is returned by StreamWriter methods and by the request's
	// Body once the connection has been taken over with Hijack.
	ErrHijacked = errors.New("httpserver: connection has been hijacked")

	errHijackFailed = errors.New("httpserver: the response failed and its connection closes: it cannot be hijacked")
)

// conn returns the connection to act on, or nil (and the error) when
// there is none: the Stream has returned, or another host writes.
func (w *StreamWriter) conn() (*conn, error) {
	c := w.c
	if c == nil {
		return nil, errStreamDone
	}
	if c.hijacked {
		return nil, ErrHijacked
	}
	return c, nil
}

// Write sends p as part of the body. Until the first Flush, or until the
// write window fills, data is held back so that a short body can still be
// sent with a Content-Length; the head (status and fields as they are
// then) is sent when it no longer can be held. Write blocks while the
// client is slow to read. A write past a declared length fails with
// ErrLengthMismatch as soon as the length is known: at once for a
// Content-Length in the Response's Headers, when the head goes for one
// set through Header. A Stream never runs for a response without a body
// (HEAD, 204, 304): the server answers those without calling it.
func (w *StreamWriter) Write(p []byte) (int, error) {
	if w.t != nil {
		return w.t.Write(p)
	}
	if p == nil {
		p = []byte{} // nil tells write to take the string
	}
	return w.write(p, "")
}

// WriteString is Write for a string, without converting it.
func (w *StreamWriter) WriteString(s string) (int, error) {
	if w.t != nil {
		return w.t.Write([]byte(s))
	}
	return w.write(nil, s)
}

// write is Write of p, or of s when p is nil, on the server's connection.
func (w *StreamWriter) write(p []byte, s string) (int, error) {
	c, err := w.conn()
	if err != nil {
		return 0, err
	}
	n := len(p)
	if p == nil {
		n = len(s)
	}
	o := &c.rs.out
	if !o.decided {
		c.acquirePend()
		// Held back while it fits, and while it keeps within a declared
		// length: a write past it is refused at once (ErrLengthMismatch),
		// as it would be once the head has gone.
		if k := len(o.pend) + n; k <= cap(o.pend) && (o.in.Declared < 0 || int64(k) <= o.in.Declared) {
			if p != nil {
				o.pend = append(o.pend, p...)
			} else {
				o.pend = append(o.pend, s...)
			}
			return n, nil
		}
		if err := c.decide(-1); err != nil {
			return 0, err
		}
	}
	if err := c.bodyWrite(p, s); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush sends the head, if it has not gone yet, and everything written so
// far to the client. After the first Flush the body's length is unknown,
// so it is sent chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
func (w *StreamWriter) Flush() error {
	if w.t != nil {
		return w.t.Flush()
	}
	c, err := w.conn()
	if err != nil {
		return err
	}
	if err := c.decide(-1); err != nil {
		return err
	}
	return c.w.flush()
}

// Header returns the response's header fields (the Response's Headers),
// which the Stream may change until the head is sent (HeadSent); later
// changes are not sent (see Trailer for fields that follow the body). The
// head of an Endless response goes before its Stream runs, so its fields
// are final by then. The fields are checked when the head is sent: an
// invalid one is the handler's fault, answered with 500 as for a
// returned Response, and the write that sent it (or the Stream's return)
// fails.
func (w *StreamWriter) Header() *Header {
	if w.t != nil {
		return w.t.Header()
	}
	c := w.c
	if c == nil {
		return new(Header)
	}
	o := &c.rs.out
	o.deferred = true
	return &o.resp.Headers
}

// WriteHeader sets the response's status, or sends an interim answer:
//
//   - 100..199 but 101: an interim response goes out at once, with the
//     header fields as they are now (103 Early Hints with its Link fields,
//     say), which stay for the final response. An HTTP/1.0 client gets
//     none (RFC 9110 §15.2). 100 Continue is normally the server's own
//     business (see Request.Body); sent here, the server sends no other.
//   - 101 Switching Protocols (to a request with an Upgrade field, with
//     the Upgrade and Connection fields Response.StatusCode describes), or a
//     2xx answer to CONNECT: the head goes out at once, without framing,
//     and the Stream must then take the connection with Hijack; if it
//     returns without doing so, the connection is closed.
//   - anything else: the final status, replacing the Response's
//     StatusCode (and its StatusMsg, when the code changes). It is sent
//     with the head, at the first Write that cannot be held back, Flush or
//     the Stream's return, and checked then (200..599).
//
// Once the head is sent WriteHeader does nothing, as net/http's does; the
// head of an Endless response has gone before its Stream runs.
func (w *StreamWriter) WriteHeader(code int) {
	if w.t != nil {
		w.t.WriteHeader(code)
		return
	}
	c, err := w.conn()
	if err != nil {
		return
	}
	c.streamWriteHeader(code)
}

// Trailer returns the trailer fields: fields sent after the body, when it
// is sent chunked (to an HTTP/1.1 client, with no Content-Length). A
// response whose Headers hold a "Trailer" field naming the trailers it
// will send (and no Content-Length) is always sent chunked to HTTP/1.1
// clients, so that its trailers can go (RFC 9110 §6.6.2); otherwise, and
// always to an HTTP/1.0 client, which cannot receive trailers, a short
// body may go with a Content-Length, and the trailers are dropped.
// Fields that may not be trailers (framing, routing and control fields,
// RFC 9110 §6.5.1: among them Content-Length, Transfer-Encoding, Host,
// Trailer, Connection) and invalid ones are dropped, and logged.
func (w *StreamWriter) Trailer() *Header {
	if w.t != nil {
		return w.t.Trailer()
	}
	c := w.c
	if c == nil {
		return new(Header)
	}
	return &c.rs.out.trailers
}

// HeadSent reports whether the head has been sent (or is committed to be:
// written to the window), after which the status and header fields can
// no longer change.
func (w *StreamWriter) HeadSent() bool {
	if w.t != nil {
		return w.t.HeadSent()
	}
	c := w.c
	return c == nil || c.hijacked || c.rs.out.decided
}

// Hijack takes the connection over: the server sends what the response
// has written so far (nothing, if the Stream has not written or
// flushed: the caller then writes its own answer, as WebSocket libraries
// written for net/http do), clears the connection's deadlines, and hands
// it to the caller with the bytes it had read from the client but not
// consumed (what followed the request's head and the part of its body
// read so far; nil when there were none).
//
// From then on the server forgets the connection: it no longer counts
// toward MaxConns, MaxConnsPerIP or Shutdown, and the caller must close
// it. The request's context stays live until the Stream returns (or the
// server is closed). The Request's Body and this StreamWriter fail with
// ErrHijacked. A connection of another host (nethttp.ToHTTP under a
// server without hijacking, HTTP/2) returns an error, and so does a
// response that has failed (the server answered 500 for a fault found
// when the head went, or the body broke its framing): its connection
// closes.
func (w *StreamWriter) Hijack() (net.Conn, []byte, error) {
	if w.t != nil {
		return w.t.Hijack()
	}
	c, err := w.conn()
	if err != nil {
		return nil, nil, err
	}
	return c.hijack()
}

// HandOff takes the connection over as Hijack does and serves it with
// serve, for a protocol that keeps the connection the server's to count
// (WebSocket, HTTP/2 after "Upgrade: h2c"): serve gets the connection,
// whose first reads return the bytes the server had read beyond the
// request, and HandOff returns once serve has returned and the
// connection is closed. Until then the connection counts toward MaxConns
// and MaxConnsPerIP, Shutdown waits for it (serve should watch the
// Request's ShutdownNotice and end its protocol cleanly), Close closes it
// under serve, and no server timeout applies (serve sets its own
// deadlines). A panic in serve is logged and closes the connection.
// Afterwards the Stream should return; the StreamWriter and the
// Request's Body fail with ErrHijacked.
//
// HandOff fails, without calling serve, where Hijack would. Under
// another host (nethttp.ToHTTP) it hijacks the host's connection, which
// that host does not count, and closes it after serve.
func (w *StreamWriter) HandOff(serve func(c net.Conn)) error {
	if w.t != nil {
		nc, rest, err := w.t.Hijack()
		if err != nil {
			return err
		}
		defer nc.Close()
		serve(withPreread(nc, rest))
		return nil
	}
	c, err := w.conn()
	if err != nil {
		return err
	}
	rest, err := c.detach()
	if err != nil {
		return err
	}
	c.takeOver(serve, rest)
	return nil
}

// SetReadDeadline sets an absolute deadline for reading the request body,
// which replaces the server's ReadTimeout for this request; the zero time
// restores ReadTimeout (never "no deadline": a peer that stalls is cut
// off either way). A Body read that passes it fails with the
// connection's timeout error (errors.Is(err, os.ErrDeadlineExceeded)),
// the response is the Stream's to finish, and the connection closes
// after it. It is reset when the response ends.
func (w *StreamWriter) SetReadDeadline(t time.Time) error {
	if w.t != nil {
		return w.t.SetReadDeadline(t)
	}
	c, err := w.conn()
	if err != nil {
		return err
	}
	c.rs.out.ownDeadlines = true
	return c.r.setDeadline(t)
}

// SetWriteDeadline sets an absolute deadline for writing the response,
// which replaces the server's WriteTimeout for this response; the zero
// time restores WriteTimeout (a client that stops reading is still cut
// off). A write to the connection that passes it fails with the
// connection's timeout error (errors.Is(err, os.ErrDeadlineExceeded)),
// and the connection is closed. It is reset when the response ends: what
// the Stream left held back is then sent under WriteTimeout.
func (w *StreamWriter) SetWriteDeadline(t time.Time) error {
	if w.t != nil {
		return w.t.SetWriteDeadline(t)
	}
	c, err := w.conn()
	if err != nil {
		return err
	}
	c.rs.out.ownDeadlines = true
	return c.w.setDeadline(t)
}

// isTunnel reports whether status, to req, opens a tunnel: the head goes
// without framing and the connection is then the handler's (RFC 9110
// §15.2.2 for 101, §9.3.6 for CONNECT).
func isTunnel(verb string, status int) bool {
	return status == 101 || (verb == "CONNECT" && status >= 200 && status < 300)
}

// streamWriteHeader is StreamWriter.WriteHeader on the server's
// connection.
func (c *conn) streamWriteHeader(code int) {
	o := &c.rs.out
	if o.decided {
		return
	}
	if code >= 100 && code < 200 && code != 101 {
		c.writeInterim(code)
		return
	}
	if code != o.resp.StatusCode {
		o.resp.StatusCode, o.resp.StatusMsg = code, ""
	}
	o.deferred = true
	if isTunnel(o.req.Verb, code) {
		if c.decide(-1) == nil {
			c.w.flush()
		}
	}
}

// writeInterim sends an interim (1xx) response with the response's fields
// as they are now.
func (c *conn) writeInterim(code int) {
	o := &c.rs.out
	h := &c.rs.head
	if h.Major == 0 || h.Minor == 0 {
		return // RFC 9110 §15.2: never to an HTTP/1.0 client
	}
	for name, value := range o.resp.Headers.All() {
		if !wire.IsToken(name) || !wire.IsFieldValue(value) {
			c.handlerFault(o.req, "invalid header field in a "+strconv.Itoa(code)+" interim response")
			return
		}
	}
	if code == 100 {
		if c.rs.body.sentContinue {
			return
		}
		c.rs.body.sentContinue = true
	}
	ih := respHead{version: 11, status: code, fields: &o.resp.Headers, kind: headInterim}
	c.w.appendTo(func(b []byte) []byte { return appendHead(b, &ih) })
	c.w.flush()
}

// hijack is StreamWriter.Hijack on the server's connection.
func (c *conn) hijack() (net.Conn, []byte, error) {
	rest, err := c.detach()
	if err != nil {
		return nil, nil, err
	}
	c.rwc.SetDeadline(time.Time{})
	c.forgetSocket()
	c.hijacked = true
	c.setState(stateHijacked)
	c.untrack() // the server forgets it: MaxConns, per-IP, Shutdown
	return c.rwc, rest, nil
}

// detach ends the server's part in the response being written, for
// Hijack and HandOff: it sends what is decided and buffered, and returns
// a copy of the input read beyond the request. Afterwards the Request's
// Body and the StreamWriter fail with ErrHijacked.
func (c *conn) detach() ([]byte, error) {
	o := &c.rs.out
	if o.broken {
		// The server has answered 500 (a fault in the head), or the body
		// broke its framing: what the client has is not a response the
		// Stream can build on.
		return nil, errHijackFailed
	}
	if !o.decided && len(o.pend) > 0 {
		if err := c.decide(-1); err != nil {
			return nil, err
		}
	}
	if err := c.w.flush(); err != nil {
		return nil, err
	}
	var rest []byte
	if !c.r.empty() {
		rest = append([]byte(nil), c.r.buffered()...)
		c.r.consume(len(rest))
	}
	c.w.err = ErrHijacked
	c.rs.body.err = ErrHijacked
	o.decided = true // nothing more of this response is the server's
	return rest, nil
}
