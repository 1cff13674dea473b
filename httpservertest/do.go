package httpservertest

import (
	"errors"
	"io"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// Result is the response a handler gave, as the client would have
// received it (without the framing: see Do).
type Result struct {
	// StatusCode and StatusMsg are the final status and its reason phrase
	// (the standard one when the handler gave none; "" for an
	// unregistered code).
	StatusCode int
	StatusMsg  string

	// Headers are the handler's header fields as they were when the head
	// was sent, in their order and case. The fields the server adds or
	// replaces itself (Date, Content-Length, Transfer-Encoding,
	// Connection) are neither added nor removed.
	Headers httpserver.Header

	// Body is the response body as the client would read it: empty for a
	// response without one (HEAD, 204, 304), cut where the server would
	// have stopped sending it.
	Body []byte

	// Trailers are the trailer fields sent after a chunked body
	// (StreamWriter.Trailer), without those the server drops (the fields
	// that may not be trailers, invalid ones). Trailers of a body that
	// would have gone with a Content-Length, or to an HTTP/1.0 client,
	// are not sent, so not here either.
	Trailers httpserver.Header

	// Interim are the 1xx responses a Stream sent before the final one
	// (StreamWriter.WriteHeader), in order.
	Interim []Interim

	// Flushes counts the Stream's successful calls of StreamWriter.Flush.
	Flushes int

	// Err is the error the Stream returned, or the one the Response's
	// Body failed with (io.EOF excepted); nil otherwise. If it came
	// before the head was sent, the client got a 500 (StatusCode says
	// so); after it, a truncated body.
	Err error

	// Fault says why the server would have logged the response as the
	// handler's fault ("" if it would not): a nil Response, a status or
	// header field it refuses, a body longer or shorter than its
	// Content-Length, an invalid field in an interim response. A fault
	// found before the head was sent is answered as the server does:
	// StatusCode 500 with a plain-text message; one found later leaves
	// the head as it was sent and Body as far as it went.
	Fault string
}

// Interim is one 1xx response.
type Interim struct {
	StatusCode int
	Headers    httpserver.Header // the fields as they were when it was sent
}

// ErrCannotHijack is what StreamWriter.Hijack returns under Do: there is
// no connection to take over. A Stream that answers 101 or a CONNECT
// (which must hijack) can be tested up to that point: the tunnel's head
// is in the Result and Hijack's error is usually the Stream's, in Err.
var ErrCannotHijack = errors.New("httpservertest: cannot hijack")

// Do calls h.Handle(req) and produces the response as the server would,
// on the calling goroutine: it reads a Message or a Body whole (closing a
// Body that is an io.Closer), or runs the Stream with a *StreamWriter
// that behaves like the server's, and returns what the client would have
// received.
//
// What the server does, Do does: the Response is checked (a nil
// Response, a status outside 200..599 other than a tunnel's, a 101 or a
// 2xx to CONNECT, which need a Stream; a Transfer-Encoding field, an
// invalid field or StatusMsg, a Content-Length that disagrees with the
// Message; see Result.Fault) before anything is sent and again when a
// Stream's head goes; a response without a body (to HEAD, 204, 304) runs
// no Stream and reads no Body; a Stream's head is sent at its first Flush,
// at the first Write that overflows the server's default write window
// (httpserver.DefaultWriteBufferSize) or a length the Response's Headers
// declare, when it returns, or at once for an Endless Stream, and the
// status and fields may change until then (StreamWriter.Header, WriteHeader,
// HeadSent); a Write past a declared length fails with
// httpserver.ErrLengthMismatch, one to a response without a body with
// httpserver.ErrBodyNotAllowed; interim 1xx answers go only to an HTTP/1.1
// request, and one 100 at most; trailers go only after a chunked body.
//
// What Do does not do: it does not frame the body (Content-Length,
// chunked or close-delimited is the server's decision, in the README's
// table; the Result holds the decoded body) nor add the automatic fields
// (Date, Content-Length, Connection); it does not recover a panic, of the
// handler or of the Stream, which propagates to the test as with
// httptest; StreamWriter.Hijack returns ErrCannotHijack;
// SetReadDeadline and SetWriteDeadline do nothing and return nil; no
// request body limit applies but the one SetBodyLimit sets. The
// StreamWriter is, as the server's, for the Stream's goroutine only and
// fails once the Stream has returned.
func Do(h httpserver.Handler, req *httpserver.Request) *Result {
	resp := h.Handle(req)
	res := new(Result)
	r := &recorder{req: req, resp: resp, res: res, isHEAD: req.Verb == "HEAD"}
	if resp != nil && resp.Body != nil {
		if c, ok := resp.Body.(io.Closer); ok {
			defer c.Close()
		}
	}
	hi, fault := check(req, resp, r.isHEAD)
	if fault != "" {
		r.fail(fault)
		return res
	}
	r.declared = hi.declared
	err := r.produce()
	if err == nil && !r.sent {
		r.commit(int64(len(r.pend))) // a fault is in res.Fault
	}
	switch {
	case err != nil && !r.sent:
		// Nothing was sent yet: the server answers 500 instead.
		r.answer500()
	case err == nil && r.mode == wire.ModeLength && r.remaining > 0:
		r.setFault("response body shorter than its length")
	case err == nil && r.mode == wire.ModeChunked:
		res.Trailers = sendableTrailers(&r.trailers)
	}
	res.Err = err
	return res
}

// produce produces the body from the Response's source, deciding the
// head as soon as the server would (respond.go, writeBody), from the
// length it knows without producing the body (Response.KnownLength). A
// fault found when the head goes is not an error: it is in the Result.
func (r *recorder) produce() error {
	resp := r.resp
	n := resp.KnownLength()
	switch {
	case isTunnel(r.req.Verb, resp.StatusCode):
		if err := r.commit(-1); err != nil {
			return nil // a fault, answered with 500
		}
		return r.runStream()
	case !wire.HasBody(r.isHEAD, resp.StatusCode):
		r.commit(n)
		return nil
	case resp.Stream != nil:
		// Only an Endless Stream's head goes before it runs; otherwise it
		// waits for the Stream, even with a declared length.
		if resp.Endless {
			if err := r.commit(n); err != nil {
				return nil
			}
		}
		return r.runStream()
	case resp.Body != nil:
		if resp.Endless || n >= 0 {
			if err := r.commit(n); err != nil {
				return nil
			}
		}
		return r.copyBody(resp.Body)
	}
	if err := r.commit(n); err != nil {
		return nil
	}
	return r.admit([]byte(resp.Message))
}

// runStream runs the Response's Stream with a StreamWriter whose methods
// are the recorder's.
func (r *recorder) runStream() error {
	w := bridge.NewStreamWriter(r).(*httpserver.StreamWriter)
	defer func() { r.done = true }()
	return r.resp.Stream(w)
}

// copyBody reads a Response's Body into the result, through the same
// window as a Stream's writes, and no further than a known length.
func (r *recorder) copyBody(body io.Reader) error {
	buf := make([]byte, 32<<10)
	for empty := 0; ; {
		p := buf
		if r.sent && r.mode == wire.ModeLength {
			if r.remaining == 0 {
				return nil // extra bytes in the reader are not sent
			}
			p = p[:min(int64(len(p)), r.remaining)]
		}
		n, err := body.Read(p)
		if _, werr := r.Write(p[:n]); werr != nil {
			return werr
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		case n > 0:
			empty = 0
		default:
			// As the server (and bufio) do: a reader that never
			// progresses would spin forever.
			if empty++; empty >= 100 {
				return io.ErrNoProgress
			}
		}
	}
}

// sendableTrailers returns the trailer fields the server would send.
func sendableTrailers(t *httpserver.Header) httpserver.Header {
	var out httpserver.Header
	for name, value := range t.All() {
		if wire.IsToken(name) && wire.IsFieldValue(value) && wire.AllowedTrailer(name) {
			out.Add(name, value)
		}
	}
	return out
}
