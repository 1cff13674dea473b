package httpserver

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// respState is the response being written on a connection; it belongs to
// the connection's goroutine.
//
// A response is written in three steps: checkResponse reads the handler's
// Response (and its Content-Length, Connection and Date fields), the body
// source is opened (writeBody), and at the latest moment that still allows
// a Content-Length, decide calls wire.DecideFraming and writes the head.
// After that every body byte goes through enc.
type respState struct {
	decided  bool // the head has been written
	head     respHead
	in       wire.FramingInput // what decide decides from
	enc      bodyEncoder
	broken   bool // the response cannot be completed: close the connection
	panicked bool // the handler panicked (set by callHandler)

	resp       *Response
	req        *Request
	closeAsked bool // the handler's "Connection: close"

	// deferred: a Stream has had the chance to change the status or the
	// fields (StreamWriter.Header, WriteHeader), so decide checks them
	// again. tunnel: the status opens a tunnel (isTunnel).
	deferred bool
	tunnel   bool
	// trailers are the fields to send after a chunked body
	// (StreamWriter.Trailer); declared: the Headers hold a Trailer field.
	trailers Header
	declared bool
	// ownDeadlines: the Stream set a read or write deadline, which the
	// end of the response resets.
	ownDeadlines bool

	pend    []byte  // body bytes held back until the framing is decided
	pendBox *[]byte // the pool's box pend came in, or nil

	// For the access log: the status sent, and why the response did not
	// complete normally (nil if it did). Body bytes sent are enc.sent.
	status  int
	failure error
}

var errResponseTruncated = errors.New("httpserver: response truncated")

var pendPool sync.Pool // of *[]byte, each of the server's write window size

// handlerFault logs a response the handler should not have produced.
func (c *conn) handlerFault(req *Request, what string) {
	c.srv.logger().Error("httpserver: invalid response from handler", "fault", what, "verb", req.Verb, "path", req.Path)
}

// writeResponse validates resp and writes it. mustClose says the request
// already rules out keep-alive (CONNECT); what its body leaves does too,
// judged when the head goes (decide). It reports whether the connection
// may carry another request.
func (c *conn) writeResponse(req *Request, resp *Response, mustClose bool) bool {
	o := &c.rs.out
	// Field by field, not a composite literal: the state holds pointers,
	// and a whole-struct copy costs a bulk write barrier per request.
	o.decided, o.broken = false, false
	o.resp, o.req, o.status, o.failure = resp, req, 0, nil
	o.deferred, o.tunnel = false, false
	o.pend = o.pend[:0]
	if o.trailers.Len() > 0 {
		o.trailers.Reset()
	}
	if fault := c.checkResponse(req, resp); fault != "" {
		if resp != nil || !o.panicked {
			c.handlerFault(req, fault)
		}
		closeBody(resp)
		c.writeError(500, "")
		return false
	}
	o.in.KeepAlive = !mustClose && !o.closeAsked && c.mayKeepAlive()
	err := c.writeBody(resp)
	closeBody(resp)
	if o.ownDeadlines {
		o.ownDeadlines = false
		c.r.setDeadline(time.Time{})
		c.w.setDeadline(time.Time{})
	}
	if c.hijacked {
		c.releasePend()
		return false // the connection is the Stream's now
	}
	if err == nil && !o.decided {
		err = c.decide(int64(len(o.pend)))
	}
	if err == nil {
		err = c.finishBody()
	}
	c.releasePend()
	if err == nil {
		if o.tunnel {
			return false // a tunnel not taken over: close (RFC 9110 §9.3.6)
		}
		return o.head.framing.KeepAlive && !o.broken
	}
	o.failure = err
	if !errors.Is(err, ErrAbortResponse) && c.w.err == nil && !o.broken {
		c.srv.logger().Error("httpserver: response body failed", "err", err, "verb", req.Verb, "path", req.Path)
	}
	if !o.decided {
		// Nothing sent yet: the client can still get a clean 500.
		c.writeError(500, "")
	}
	return false
}

// mayKeepAlive reports whether, as far as the request and the server are
// concerned, the connection may carry another request.
func (c *conn) mayKeepAlive() bool {
	if c.rs.head.Close || c.srv.shutting.Load() {
		return false
	}
	max := c.srv.maxRequestsPerConn()
	return max <= 0 || c.nreq < max
}

// checkResponse returns what is wrong with resp, or "", and fills in the
// response state's head and framing input from it.
func (c *conn) checkResponse(req *Request, resp *Response) string {
	o := &c.rs.out
	if resp == nil {
		return "nil response"
	}
	if fault := statusLineFault(req, resp); fault != "" {
		return fault
	}
	h := &c.rs.head
	rh := &o.head
	rh.version = 11
	switch {
	case h.Major == 0:
		rh.version = 9
	case h.Minor == 0 || resp.Version == "1.0":
		rh.version = 10
	}
	rh.status, rh.reason, rh.fields = resp.StatusCode, resp.StatusMsg, &resp.Headers
	rh.ownDate, rh.contentType, rh.kind, rh.connTokens = false, "", headFinal, false
	if o.tunnel = isTunnel(req.Verb, resp.StatusCode); o.tunnel {
		rh.kind = headTunnel
	}
	o.in = wire.FramingInput{Version: o.head.version, Head: c.isHEAD, Status: resp.StatusCode, Length: -1, Declared: -1, Endless: resp.Endless}
	// Read from the fields, afresh when a Stream changed them (recheck).
	o.closeAsked, o.declared = false, false
	if fault := c.checkFields(resp); fault != "" {
		return fault
	}
	if resp.Stream == nil && resp.Body == nil && o.in.Declared >= 0 &&
		o.in.Declared != int64(len(resp.Message)) && wire.HasBody(c.isHEAD, resp.StatusCode) {
		// A HEAD or 304 handler may state the GET length; elsewhere
		// Message is the body and the field must agree with it.
		return "Content-Length header disagrees with Message"
	}
	return ""
}

// statusLineFault returns what is wrong with resp's status line (status,
// reason, version), or "".
func statusLineFault(req *Request, resp *Response) string {
	if isTunnel(req.Verb, resp.StatusCode) {
		// A 101, or a 2xx to CONNECT, opens a tunnel: the head carries no
		// framing and the connection is then the handler's, which only a
		// Stream can take (StreamWriter.Hijack).
		switch {
		case resp.Stream == nil:
			return "tunnel (101, or 2xx to CONNECT) without a Stream to take the connection"
		case resp.StatusCode == 101 && (req.Version != "1.1" || req.Headers.Get("Upgrade") == ""):
			// RFC 9110 §7.8: only to a protocol the client asked for,
			// and Upgrade is HTTP/1.1's.
			return "101 to a request without Upgrade"
		case resp.StatusCode == 101:
			return switchFault(&req.Headers, &resp.Headers)
		}
		return ""
	}
	if resp.StatusCode < 200 || resp.StatusCode > 599 {
		if resp.StatusCode >= 100 && resp.StatusCode < 200 {
			// Interim responses go through StreamWriter.WriteHeader.
			return "1xx status returned as a final response"
		}
		return "status code " + strconv.Itoa(resp.StatusCode) + " outside 100..599"
	}
	if !wire.IsFieldValue(resp.StatusMsg) {
		return "control character in StatusMsg"
	}
	switch resp.Version {
	case "", "1.0", "1.1":
	default:
		return "unsupported Version " + strconv.Quote(resp.Version)
	}
	return ""
}

// switchFault returns what is wrong with the fields of a 101 answering a
// request with the fields req, or "". RFC 9110 §15.2.2 and §7.8: a 101
// names in Upgrade the protocols it switches to, which must be among
// those the request's Upgrade offered (protocol names compared without
// regard to case), and, like every sender of Upgrade, lists "upgrade" in
// Connection. A client can do nothing with a switch it cannot tell (a
// WebSocket client must fail the connection without Upgrade and
// Connection, RFC 6455 §4.1), so the safe answer to a handler that
// leaves them out is the fault's 500, not a guess.
func switchFault(req, resp *Header) string {
	named := false
	for _, v := range resp.Values("Upgrade") {
		for v != "" {
			var tok string
			if tok, v = nextToken(v); tok == "" {
				continue
			}
			named = true
			offered := false
			for _, o := range req.Values("Upgrade") {
				if containsToken(o, tok) {
					offered = true
					break
				}
			}
			if !offered {
				return "101 to a protocol the request's Upgrade did not offer"
			}
		}
	}
	if !named {
		return "101 without an Upgrade field naming the protocol"
	}
	for _, v := range resp.Values("Connection") {
		if containsToken(v, "upgrade") {
			return ""
		}
	}
	return "101 without the upgrade option in its Connection field"
}

// checkFields validates the handler's header fields and reads the ones
// the server acts on.
func (c *conn) checkFields(resp *Response) string {
	o := &c.rs.out
	for name, value := range resp.Headers.All() {
		if !wire.IsToken(name) {
			return "invalid header name " + strconv.Quote(name)
		}
		if !wire.IsFieldValue(value) {
			return "invalid value for header " + name
		}
		switch {
		case len(name) != len("Content-Length") && len(name) != len("Transfer-Encoding") &&
			len(name) != len("Connection") && len(name) != len("Date") && len(name) != len("Trailer"):
			// None of the fields the server reads (most fields).
		case equalFoldASCII(name, "Trailer"):
			o.declared = true
		case equalFoldASCII(name, "Content-Length"):
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || (o.in.Declared >= 0 && n != o.in.Declared) {
				return "invalid Content-Length header"
			}
			o.in.Declared = n
		case equalFoldASCII(name, "Transfer-Encoding"):
			return "Transfer-Encoding set by handler (the server frames responses)"
		case equalFoldASCII(name, "Connection"):
			if containsToken(value, "close") {
				o.closeAsked = true
			}
			if hasOtherConnectionTokens(value) {
				o.head.connTokens = true
			}
		case equalFoldASCII(name, "Date"):
			o.head.ownDate = true
		}
	}
	return ""
}

// hasOtherConnectionTokens reports whether the Connection field value v
// lists an option other than close and keep-alive.
func hasOtherConnectionTokens(v string) bool {
	for v != "" {
		var tok string
		if tok, v = nextToken(v); tok != "" && !equalFoldASCII(tok, "close") && !equalFoldASCII(tok, "keep-alive") {
			return true
		}
	}
	return false
}

// containsToken reports whether the comma-separated list v holds token.
func containsToken(v, token string) bool {
	for v != "" {
		var elem string
		if elem, v = nextToken(v); equalFoldASCII(elem, token) {
			return true
		}
	}
	return false
}

// nextToken splits the comma-separated list v at its first element:
// that element without its surrounding spaces and tabs ("" for an empty
// one), and the rest of the list after the comma ("" at the end).
func nextToken(v string) (tok, rest string) {
	if i := indexByte(v, ','); i >= 0 {
		return trimSpace(v[:i]), v[i+1:]
	}
	return trimSpace(v), ""
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func trimSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func closeBody(resp *Response) {
	if resp != nil && resp.Body != nil {
		if cl, ok := resp.Body.(io.Closer); ok {
			cl.Close()
		}
	}
}

// knownLength reports the length of a reader body if it can be known
// without reading it.
func knownLength(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > fi.Size() {
			return -1
		}
		return fi.Size() - off
	}
	return -1
}

// sourceLength is the body's length when it is known without producing
// the body (-1 if not): a Message's, a declared one, a sized reader's.
func sourceLength(resp *Response, declared int64) int64 {
	switch {
	case resp.Stream != nil:
		return declared
	case resp.Body != nil:
		switch {
		case resp.BodyLength > 0:
			return resp.BodyLength
		case declared >= 0:
			return declared
		case !resp.Endless:
			return knownLength(resp.Body)
		}
		return -1
	}
	return int64(len(resp.Message))
}

// writeBody produces the body from resp's source, deciding the framing as
// soon as it can. A response without a body (HEAD, 204, 304) is decided at
// once: a Stream is not run and a Body not read (RFC 9110 §9.3.2 lets a
// HEAD answer omit what only producing the body would tell).
func (c *conn) writeBody(resp *Response) error {
	o := &c.rs.out
	n := sourceLength(resp, o.in.Declared)
	if o.tunnel {
		// The head goes at once; the Stream takes the connection.
		if err := c.decide(-1); err != nil {
			return err
		}
		if err := c.w.flush(); err != nil {
			return err
		}
		return c.runStream(resp.Stream)
	}
	if !wire.HasBody(c.isHEAD, resp.StatusCode) {
		return c.decide(n)
	}
	switch {
	case resp.Stream != nil:
		if resp.Endless {
			// The client should see the head at once (event streams), so
			// it goes before the Stream runs, as the Response says.
			if err := c.decide(n); err != nil {
				return err
			}
			if err := c.w.flush(); err != nil {
				return err
			}
		}
		// Otherwise the head waits for the Stream's first write that
		// cannot be held back (StreamWriter.Write), even with a declared
		// length, so that the Stream may still change it.
		return c.runStream(resp.Stream)
	case resp.Body != nil:
		if n >= 0 || resp.Endless {
			if err := c.decide(n); err != nil {
				return err
			}
			if f, ok := resp.Body.(*os.File); ok && n >= 0 && o.enc.canSendFile() {
				return o.enc.sendFile(f, n)
			}
		}
		return c.copyBody(resp.Body)
	default:
		if err := c.decide(n); err != nil {
			return err
		}
		// The framing was decided from the Message's length: it fits.
		return o.enc.writeString(resp.Message)
	}
}

// runStream calls a Stream function with a fresh writer, containing its
// panics as faults.
func (c *conn) runStream(stream func(*StreamWriter) error) (err error) {
	w := &StreamWriter{c: c}
	defer func() {
		w.c = nil // a retained writer must not reach a later response
		if r := recover(); r != nil {
			c.srv.logger().Error("httpserver: stream panic", "panic", r)
			c.rs.out.broken = true
			err = errors.New("httpserver: stream panicked")
		}
	}()
	return stream(w)
}

// copyBody streams r through the write window.
func (c *conn) copyBody(r io.Reader) error {
	o := &c.rs.out
	c.acquirePend()
	if !o.decided {
		// Unknown length: read the first window's worth to find out.
		for empty := 0; len(o.pend) < cap(o.pend); {
			n, err := r.Read(o.pend[len(o.pend):cap(o.pend)])
			o.pend = o.pend[:len(o.pend)+n]
			if err == io.EOF {
				return nil // writeResponse frames it with a Content-Length
			}
			if err != nil {
				return err
			}
			if empty, err = noProgress(n, empty); err != nil {
				return err
			}
		}
		if err := c.decide(-1); err != nil {
			return err
		}
	}
	buf := o.pend[:cap(o.pend)]
	for empty := 0; ; {
		limit := buf
		if o.enc.mode == wire.ModeLength && int64(len(limit)) > o.enc.remaining {
			if o.enc.remaining == 0 {
				return nil // extra bytes in the reader are not sent
			}
			limit = limit[:o.enc.remaining]
		}
		n, err := r.Read(limit)
		if werr := c.bodyWrite(buf[:n], ""); werr != nil {
			return werr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if empty, err = noProgress(n, empty); err != nil {
			return err
		}
	}
}

// noProgress counts consecutive empty reads from a body reader; like
// bufio, it gives up after 100 (io.Reader discourages returning 0, nil,
// and a reader that always does would spin the connection forever).
func noProgress(n, empty int) (int, error) {
	if n > 0 {
		return 0, nil
	}
	if empty++; empty >= 100 {
		return empty, io.ErrNoProgress
	}
	return empty, nil
}

func (c *conn) acquirePend() {
	o := &c.rs.out
	if cap(o.pend) > 0 {
		return
	}
	w := c.w.window
	if p, ok := pendPool.Get().(*[]byte); ok && cap(*p) == w {
		o.pend, o.pendBox = (*p)[:0], p
		return
	}
	o.pend = make([]byte, 0, w)
}

// releasePend returns the held-back buffer to its pool, in the box it
// came in (a new box per Put would cost an allocation per response).
func (c *conn) releasePend() {
	o := &c.rs.out
	if o.pend != nil {
		box := o.pendBox
		if box == nil {
			box = new([]byte)
		}
		*box = o.pend[:0]
		pendPool.Put(box)
		o.pend, o.pendBox = nil, nil
	}
}

// decide fixes the framing for a body of the given length (-1: unknown),
// writes the response head, and sends the body bytes held back meanwhile.
func (c *conn) decide(length int64) error {
	o := &c.rs.out
	if o.decided {
		return nil
	}
	if o.deferred {
		if err := c.recheck(); err != nil {
			return err
		}
	}
	o.decided = true
	switch {
	case o.tunnel:
	case o.in.Declared >= 0 && o.resp.Stream != nil:
		// A Stream's declared length, whenever its head goes (a first
		// write that outgrew the window, a Flush, its return).
		length = o.in.Declared
	case o.declared && o.in.Declared < 0 && o.head.version == 11:
		length = -1 // chunked, so that the trailers can follow
	}
	if b := &c.rs.body; !b.done && c.bodyForcesClose(b) {
		// What is left of the request body as the head goes rules out
		// another request (bodyForcesClose): judged now, not when the
		// handler returned, since a Stream may have read it meanwhile.
		// And it is too late for 100 Continue once the final head goes
		// (RFC 9110 §15.2: it must precede the final response); a client
		// waiting for it sends the body after its own timeout.
		b.needContinue = false
		o.in.KeepAlive = false
	}
	o.in.Length = length
	// A 1.1 client answered in 1.0 reads the "Connection: keep-alive"
	// we then send, so KeepAlive needs no adjustment for the version.
	if o.tunnel {
		// No framing at all: the bytes that follow are the tunnel's.
		o.head.framing = wire.Framing{Mode: wire.ModeNone, ContentLength: -1}
	} else {
		o.head.framing = wire.DecideFraming(o.in)
	}
	o.status = o.head.status
	o.enc.start(o.head.framing)
	if o.head.framing.Mode != wire.ModeRaw {
		c.w.appendTo(func(b []byte) []byte { return appendHead(b, &o.head) })
	}
	if c.w.err != nil {
		return c.w.err
	}
	pend := o.pend
	o.pend = o.pend[:0]
	if o.enc.mode == wire.ModeNone {
		return nil
	}
	return c.bodyWrite(pend, "")
}

// recheck checks the response again before its head goes, after a
// Stream had the chance to change its status and fields. A fault is
// answered with 500, as one found before the Stream ran would be; the
// error then ends the Stream.
func (c *conn) recheck() error {
	o := &c.rs.out
	o.deferred = false
	keep := o.in.KeepAlive
	if fault := c.checkResponse(o.req, o.resp); fault != "" {
		c.handlerFault(o.req, fault)
		o.broken, o.decided = true, true
		// Nothing of the Stream's may follow the 500: its later writes
		// fail (ErrBodyNotAllowed), and finishBody adds nothing, whatever
		// the encoder held from the connection's last response.
		o.enc.start(wire.Framing{Mode: wire.ModeNone, ContentLength: -1})
		c.writeError(500, "")
		if o.failure == nil {
			o.failure = errHandlerFault
		}
		return errHandlerFault
	}
	o.in.KeepAlive = keep && !o.closeAsked
	return nil
}

var errHandlerFault = errors.New("httpserver: invalid response from handler")

// bodyWrite sends body bytes (p, or s) through the encoder, logging a
// body longer than its length (a handler fault) once.
func (c *conn) bodyWrite(p []byte, s string) error {
	o := &c.rs.out
	var err error
	if p != nil {
		err = o.enc.write(p)
	} else {
		err = o.enc.writeString(s)
	}
	if err == ErrLengthMismatch {
		if !o.broken {
			// The Stream may well return the error, which writeResponse
			// then does not log.
			c.srv.logger().Error("httpserver: response body longer than its length", "length", o.head.framing.ContentLength)
		}
		o.broken = true
	}
	return err
}

// finishBody ends the body: the last chunk, or a check that a declared
// length was met.
func (c *conn) finishBody() error {
	o := &c.rs.out
	var trailers *Header
	if o.trailers.Len() > 0 {
		trailers = &o.trailers
	}
	short, err := o.enc.finish(trailers, c.srv.logger())
	if err != nil {
		return err
	}
	if short != 0 {
		// The body was shorter than announced: the client would wait for
		// bytes that never come. Closing tells it the response is
		// truncated.
		if !o.broken { // not already logged as too long
			c.srv.logger().Error("httpserver: response body shorter than its length", "missing", short)
		}
		o.broken = true
		o.failure = errResponseTruncated
	}
	if o.broken && o.failure == nil {
		o.failure = errResponseTruncated
	}
	return nil
}
