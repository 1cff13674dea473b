package httpserver

import (
	"io"
	"strconv"
)

// A Response is what a Handler returns: a status, headers and a body.
//
// The body is the first of these that is set: Stream, Body, Message. The
// server chooses the framing (Content-Length, chunked, or close-delimited)
// from the body and the client's version; see wire.DecideFraming (the
// table is in the README).
// A handler must not set Content-Length or Connection itself unless it
// means them: a Content-Length that disagrees with the body is a handler
// fault (500 before anything is sent, or the connection is closed if the
// body turns out shorter or longer mid-stream), and "Connection: close"
// closes the connection after the response. A Transfer-Encoding header is
// always a handler fault (500): the server frames responses itself.
//
// The server reads a Response only after the handler has returned it, on
// the connection's goroutine; the handler must not modify it afterwards.
type Response struct {
	// Version is the HTTP version to answer with: "" (the default) answers
	// in the request's version; "1.0" or "1.1" may lower it (a higher
	// version than the client's is lowered to the client's).
	Version string

	// StatusCode is the status, 200..599. Interim (1xx) responses are not
	// final and cannot be returned from a handler: they are refused with
	// a 500 (100 Continue is sent by the server itself, see Request.Body;
	// a Stream sends others with StreamWriter.WriteHeader). The exception
	// is 101 Switching Protocols, to an HTTP/1.1 request with an Upgrade
	// field, which like a 2xx to CONNECT opens a tunnel: it is allowed
	// only with a Stream, which must take the connection
	// (StreamWriter.Hijack), and with fields of its own that say what it
	// switches to (RFC 9110 §7.8): an Upgrade naming only protocols the
	// request's Upgrade offered, and "upgrade" in Connection. A 101
	// without them is refused with a 500, like any invalid response.
	StatusCode int

	// StatusMsg is the reason phrase; "" uses the standard one for
	// StatusCode. It must not contain CR, LF or other control characters.
	StatusMsg string

	// Headers are written in order and in their case, after the status
	// line and the automatic Date field, before the framing
	// (Content-Length or Transfer-Encoding) and Connection fields the
	// server adds. Content-Length and Connection given here are read (see
	// above), not copied: a Connection field's "close" is obeyed and its
	// other options ("upgrade", with an Upgrade field) go in the server's
	// own Connection field. A Date given here replaces the automatic one;
	// an empty Date ("") suppresses it.
	Headers Header

	// Message is the whole body, when the body is known in advance.
	Message string

	// Body, when non-nil, is streamed to the client. If BodyLength is
	// positive it is the exact length of Body; otherwise the length is
	// taken from Body when it reports one (a Len() int method, as
	// *bytes.Reader, *strings.Reader and *bytes.Buffer have, or an *os.File
	// whose size is known), or it is unknown and the framing is chosen from
	// how much Body produces before the first buffer fills. If Body is also
	// an io.Closer it is closed when the response ends, however it ends.
	Body io.Reader

	// BodyLength declares Body's length when positive. 0 means "not
	// declared"; an empty body is Message "" with Body nil.
	BodyLength int64

	// Stream, when non-nil, produces the body in parts: the server calls it
	// after the handler has returned, on the connection's goroutine, and it
	// writes to w as the parts become available, calling w.Flush to send
	// what it has written so far. Writes block while the client is slow to
	// read: the server never buffers more than the connection's write
	// window (WriteBufferSize). If Stream returns before it has flushed and
	// before the window filled, the whole body is known and it goes out with
	// a Content-Length. An error from Stream after the head was sent ends
	// the response abnormally (the connection is closed without a final
	// chunk, so the client sees a truncated body). A response without a
	// body (to HEAD, or 204, 304) never calls Stream, nor reads Body: its
	// head goes out at once, with a Content-Length only where one is known
	// without producing the body (a declared one, a Message's, BodyLength,
	// a sized reader's).
	Stream func(w *StreamWriter) error

	// Endless marks a body that has no natural end (server-sent events, a
	// live feed): it is sent chunked to HTTP/1.1 clients and
	// close-delimited to HTTP/1.0 ones, never with a Content-Length (even a
	// Message or a Body whose length is known), and never buffered to find
	// its length; the head of an Endless Stream is flushed at once.
	Endless bool
}

// KnownLength returns the body's length when it is known without
// producing the body, as the server takes it to frame the response: a
// Content-Length in Headers, BodyLength, a sized Body's (a Len method, or
// a regular file's size past its offset), or Message's. It returns -1
// when only producing the body would tell: a Stream, or a reader of
// unknown size, without a declared length; an Endless Body without one.
// Middleware that must decide before the body flows (a minimum size to
// compress, say) and hosts other than the server (nethttp.ToHTTP) use it.
func (r *Response) KnownLength() int64 {
	declared := int64(-1)
	if v := r.Headers.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			declared = n
		}
	}
	return sourceLength(r, declared)
}
