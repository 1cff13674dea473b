package httpserver

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// framing is how a response body is delimited on the wire.
type framing uint8

const (
	frameNone    framing = iota // no body: HEAD, 204, 304
	frameLength                 // Content-Length
	frameChunked                // Transfer-Encoding: chunked
	frameClose                  // the body ends when the connection closes
	frameRaw                    // HTTP/0.9: no head at all, body then close
)

// decideFraming is the one place that chooses how a response is framed and
// whether the connection survives it. Nothing else guesses.
//
// Inputs: the version we answer in (9 for 0.9, 10, 11), whether the
// response carries a body at all (not for HEAD, 204, 304), the body length
// if known (-1 if not), whether the body is endless, and whether the
// connection may be kept alive as far as everything else is concerned (the
// client did not ask to close, the server is not shutting down, the request
// was read completely or can be drained).
//
//	response                    | answer 1.1                | answer 1.0                       | 0.9
//	----------------------------+---------------------------+----------------------------------+-----------------
//	no body (HEAD, 204, 304)    | none; CL as for GET       | none; CL as for GET              | body only, close
//	length known                | Content-Length            | Content-Length                   | body only, close
//	length unknown              | chunked                   | close-delimited, close           | body only, close
//	endless                     | chunked                   | close-delimited, close           | body only, close
//
// Keep-alive follows the client: HTTP/1.1 unless it sent "Connection:
// close"; HTTP/1.0 only if it sent "Connection: keep-alive" (the caller
// folds both into mayKeep). A close-delimited body always closes.
//
// Callers decide as late as they can and as early as they must: a body
// whose length is unknown is buffered up to the write window first, so a
// short streamed body still goes out with a Content-Length.
func decideFraming(version int, hasBody bool, length int64, endless, mayKeep bool) (f framing, keepAlive bool) {
	switch {
	case version == 9:
		return frameRaw, false
	case !hasBody:
		return frameNone, mayKeep
	case length >= 0 && !endless:
		return frameLength, mayKeep
	case version == 11:
		return frameChunked, mayKeep
	default:
		return frameClose, false
	}
}

// outState is the response being written on a connection; it belongs to
// the connection's goroutine.
type outState struct {
	frame     framing
	decided   bool  // the head has been written
	version   int   // 9, 10 or 11
	hasBody   bool  // the status and method allow a body
	isHead    bool  // the request was HEAD
	mayKeep   bool  // keep-alive allowed by everything but the framing
	keepAlive bool  // decided
	remaining int64 // frameLength: bytes still owed
	broken    bool  // the response cannot be completed: close the connection
	panicked  bool  // the handler panicked (set by callHandler)

	resp       *Response
	status     int
	declaredCL int64 // the handler's own Content-Length header, or -1
	closeAsked bool  // the handler's "Connection: close"

	pend []byte // body bytes held back until the framing is decided

	// For the access log: body bytes sent, and why the response did not
	// complete normally (nil if it did).
	sent    int64
	failure error
}

var errResponseTruncated = errors.New("httpserver: response truncated")

var pendPool sync.Pool // of *[]byte, each of the server's write window size

// handlerFault logs a response the handler should not have produced.
func (c *conn) handlerFault(req *Request, what string) {
	c.srv.logger().Error("httpserver: invalid response from handler", "fault", what, "verb", req.Verb, "path", req.Path)
}

// writeResponse validates resp and writes it. mustClose says the request
// side already rules out keep-alive. It reports whether the connection may
// carry another request.
func (c *conn) writeResponse(req *Request, resp *Response, mustClose bool) bool {
	o := &c.out
	panicked := o.panicked
	*o = outState{resp: resp, declaredCL: -1, pend: o.pend[:0], isHead: req.Verb == "HEAD"}
	if resp == nil {
		if !panicked {
			c.handlerFault(req, "nil response")
		}
		c.writeError(500, "")
		return false
	}
	if req.Verb == "CONNECT" && resp.StatusCode < 300 && resp.StatusCode >= 200 {
		// A 2xx to CONNECT means "the tunnel is open" and may carry no
		// framing (RFC 9110 §9.3.6); no handler can open a tunnel here.
		c.handlerFault(req, "2xx answer to CONNECT (tunnels are not supported)")
		closeBody(resp)
		c.writeError(500, "")
		return false
	}
	if fault := c.checkResponse(resp); fault != "" {
		c.handlerFault(req, fault)
		closeBody(resp)
		c.writeError(500, "")
		return false
	}

	h := &c.head
	o.status = resp.StatusCode
	o.hasBody = !o.isHead && o.status != 204 && o.status != 304
	switch {
	case h.Major == 0:
		o.version = 9
	case h.Minor == 0 || resp.Version == "1.0":
		o.version = 10
	default:
		o.version = 11
	}
	o.mayKeep = !mustClose && !h.Close && !o.closeAsked && !c.srv.shutting.Load()
	if max := c.srv.maxRequestsPerConn(); max > 0 && c.nreq >= max {
		o.mayKeep = false
	}

	err := c.writeBody(resp)
	closeBody(resp)
	if err == nil && !o.decided {
		err = c.decide(int64(len(o.pend)))
		if err == nil {
			err = c.emitPending()
		}
	}
	if err == nil {
		err = c.finishBody()
	}
	if err == nil && o.broken {
		o.failure = errResponseTruncated
	}
	if err != nil {
		o.failure = err
		if !errors.Is(err, ErrAbortResponse) && c.werr == nil && !o.broken {
			c.srv.logger().Error("httpserver: response body failed", "err", err, "verb", req.Verb, "path", req.Path)
		}
		if !o.decided {
			// Nothing sent yet: the client can still get a clean 500.
			c.out.pend = c.out.pend[:0]
			c.writeError(500, "")
		}
		c.releasePend()
		return false
	}
	c.releasePend()
	return o.keepAlive && !o.broken
}

// checkResponse returns what is wrong with resp, or "".
func (c *conn) checkResponse(resp *Response) string {
	o := &c.out
	if resp.StatusCode < 200 || resp.StatusCode > 599 {
		if resp.StatusCode >= 100 && resp.StatusCode < 200 {
			// Interim responses need protocol support (Upgrade) that a
			// handler's return value cannot carry.
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
	for name, value := range resp.Headers.All() {
		if !wire.IsToken(name) {
			return "invalid header name " + strconv.Quote(name)
		}
		if !wire.IsFieldValue(value) {
			return "invalid value for header " + name
		}
		switch {
		case equalFoldASCII(name, "Content-Length"):
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || (o.declaredCL >= 0 && n != o.declaredCL) {
				return "invalid Content-Length header"
			}
			o.declaredCL = n
		case equalFoldASCII(name, "Transfer-Encoding"):
			return "Transfer-Encoding set by handler (the server frames responses)"
		case equalFoldASCII(name, "Connection"):
			if containsToken(value, "close") {
				o.closeAsked = true
			}
		}
	}
	if resp.Stream == nil && resp.Body == nil && o.declaredCL >= 0 &&
		o.declaredCL != int64(len(resp.Message)) && resp.StatusCode != 304 && !o.isHead {
		// A HEAD handler may state the GET length; elsewhere Message is
		// the body and the header must agree with it.
		return "Content-Length header disagrees with Message"
	}
	return ""
}

// containsToken reports whether the comma-separated list v holds token.
func containsToken(v, token string) bool {
	for v != "" {
		elem := v
		if i := indexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if equalFoldASCII(trimSpace(elem), token) {
			return true
		}
	}
	return false
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

// writeBody produces the body from resp's source, deciding the framing as
// soon as it can.
func (c *conn) writeBody(resp *Response) error {
	o := &c.out
	switch {
	case resp.Stream != nil:
		if resp.Endless || o.declaredCL >= 0 {
			if err := c.decide(o.declaredCL); err != nil {
				return err
			}
			if resp.Endless {
				// The client should see the head at once (event streams).
				if err := c.flush(); err != nil {
					return err
				}
			}
		}
		return c.runStream(resp.Stream)
	case resp.Body != nil:
		n := int64(-1)
		switch {
		case resp.BodyLength > 0:
			n = resp.BodyLength
		case o.declaredCL >= 0:
			n = o.declaredCL
		case !resp.Endless:
			n = knownLength(resp.Body)
		}
		if n >= 0 || resp.Endless {
			if err := c.decide(n); err != nil {
				return err
			}
			if !o.hasBody || o.frame == frameNone {
				return nil
			}
			if f, ok := resp.Body.(*os.File); ok && n >= 0 {
				if rf, ok := c.rwc.(io.ReaderFrom); ok {
					return c.sendFile(rf, f, n)
				}
			}
		}
		return c.copyBody(resp.Body)
	default:
		if err := c.decide(int64(len(resp.Message))); err != nil {
			return err
		}
		return c.bodyWriteString(resp.Message)
	}
}

// sendFilePiece bounds one zero-copy send: each piece must reach the
// client within WriteTimeout, so this is also the progress a slow reader
// must make (256 KiB per 30 s by default, about 8.7 KB/s).
const sendFilePiece = 256 << 10

// sendFile sends n bytes of f from its current offset with the
// connection's ReadFrom, which for a TCP connection is sendfile(2): the
// bytes go from the page cache to the socket without passing through user
// space, and nothing is buffered here beyond the kernel's socket buffer.
func (c *conn) sendFile(rf io.ReaderFrom, f *os.File, n int64) error {
	o := &c.out
	if err := c.flush(); err != nil {
		return err
	}
	lr := io.LimitedReader{R: f}
	for n > 0 {
		lr.N = min(n, sendFilePiece)
		c.armWrite(c.srv.writeTimeout())
		k, err := rf.ReadFrom(&lr)
		n -= k
		o.sent += k
		if o.frame == frameLength {
			o.remaining -= k
		}
		if err != nil {
			c.werr = err
			return err
		}
		if k == 0 {
			// The file shrank under us; finishBody reports the shortfall.
			return nil
		}
	}
	return nil
}

// runStream calls a Stream function with a fresh writer, containing its
// panics as faults.
func (c *conn) runStream(stream func(*StreamWriter) error) (err error) {
	w := &StreamWriter{c: c}
	defer func() {
		w.c = nil // a retained writer must not reach a later response
		if r := recover(); r != nil {
			c.srv.logger().Error("httpserver: stream panic", "panic", r)
			c.out.broken = true
			err = errors.New("httpserver: stream panicked")
		}
	}()
	err = stream(w)
	if errors.Is(err, ErrBodyNotAllowed) {
		err = nil
	}
	return err
}

// copyBody streams r through the write window.
func (c *conn) copyBody(r io.Reader) error {
	o := &c.out
	if !o.decided {
		// Unknown length: read the first window's worth to find out.
		c.acquirePend()
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
		if err := c.emitPending(); err != nil {
			return err
		}
	}
	if o.frame == frameNone {
		return nil // HEAD: the head is all we send; stop reading
	}
	c.acquirePend()
	buf := o.pend[:cap(o.pend)]
	for empty := 0; ; {
		limit := buf
		if o.frame == frameLength && int64(len(limit)) > o.remaining {
			if o.remaining == 0 {
				return nil // extra bytes in the reader are not sent
			}
			limit = limit[:o.remaining]
		}
		n, err := r.Read(limit)
		if n > 0 {
			if werr := c.bodyWrite(buf[:n]); werr != nil {
				return werr
			}
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
	o := &c.out
	if o.pend != nil && cap(o.pend) > 0 {
		return
	}
	w := c.srv.writeBufferSize()
	if p, ok := pendPool.Get().(*[]byte); ok && cap(*p) == w {
		o.pend = (*p)[:0]
		return
	}
	o.pend = make([]byte, 0, w)
}

func (c *conn) releasePend() {
	o := &c.out
	if o.pend != nil {
		p := o.pend[:0]
		pendPool.Put(&p)
		o.pend = nil
	}
}

// decide fixes the framing for a body of the given length (-1: unknown)
// and writes the response head.
func (c *conn) decide(length int64) error {
	o := &c.out
	if o.decided {
		return nil
	}
	o.decided = true
	// A 1.1 client answered in 1.0 reads the "Connection: keep-alive"
	// we then send, so mayKeep needs no adjustment for the version.
	o.frame, o.keepAlive = decideFraming(o.version, o.hasBody, length, o.resp.Endless, o.mayKeep)
	if o.frame == frameLength {
		o.remaining = length
	}
	if o.frame == frameRaw {
		return nil
	}
	b := wire.AppendStatusLine(c.wbuf, o.version-10, o.status, o.resp.StatusMsg)
	b = appendDate(b)
	for name, value := range o.resp.Headers.All() {
		if equalFoldASCII(name, "Content-Length") || equalFoldASCII(name, "Connection") {
			continue
		}
		b = wire.AppendField(b, name, value)
	}
	switch {
	case o.frame == frameLength:
		b = wire.AppendContentLength(b, length)
	case o.frame == frameChunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case o.frame == frameNone && o.status != 204:
		// HEAD and 304 carry the length a GET would have had (RFC 9110
		// §8.6), when we know it.
		switch {
		case o.declaredCL >= 0:
			b = wire.AppendContentLength(b, o.declaredCL)
		case length >= 0 && o.isHead:
			b = wire.AppendContentLength(b, length)
		}
	}
	switch {
	case !o.keepAlive:
		// Explicit for 1.0 too: a close-delimited body then says so.
		b = append(b, "Connection: close\r\n"...)
	case o.keepAlive && o.version == 10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	b = append(b, "\r\n"...)
	c.wbuf = b
	return c.werr
}

// emitPending sends the body bytes held back while deciding.
func (c *conn) emitPending() error {
	o := &c.out
	if len(o.pend) == 0 || o.frame == frameNone {
		o.pend = o.pend[:0]
		return nil
	}
	err := c.bodyWrite(o.pend)
	o.pend = o.pend[:0]
	return err
}

// bodyWrite sends body bytes according to the decided framing.
func (c *conn) bodyWrite(p []byte) error {
	o := &c.out
	if len(p) == 0 {
		return nil
	}
	switch o.frame {
	case frameNone:
		return ErrBodyNotAllowed
	case frameLength:
		if int64(len(p)) > o.remaining {
			if !o.broken {
				// The handler's fault; the Stream may well return the
				// error, which writeResponse then does not log.
				c.srv.logger().Error("httpserver: response body longer than its length", "extra", int64(len(p))-o.remaining)
			}
			o.broken = true
			return ErrLengthMismatch
		}
		o.remaining -= int64(len(p))
	case frameChunked:
		var hdr [20]byte
		if err := c.write(wire.AppendChunkHeader(hdr[:0], len(p))); err != nil {
			return err
		}
		if err := c.write(p); err != nil {
			return err
		}
		o.sent += int64(len(p))
		return c.writeString(wire.ChunkEnd)
	}
	o.sent += int64(len(p))
	return c.write(p)
}

func (c *conn) bodyWriteString(s string) error {
	o := &c.out
	if s == "" || o.frame == frameNone {
		return nil
	}
	if o.frame == frameLength {
		o.remaining -= int64(len(s))
	}
	o.sent += int64(len(s))
	return c.writeString(s)
}

// finishBody ends the body: the last chunk, or a check that a declared
// length was met.
func (c *conn) finishBody() error {
	o := &c.out
	switch o.frame {
	case frameChunked:
		if err := c.writeString(wire.LastChunk); err != nil {
			return err
		}
	case frameLength:
		if o.remaining != 0 {
			// The body was shorter than announced: the client would wait
			// for bytes that never come. Closing tells it the response is
			// truncated.
			if !o.broken { // not already logged as too long
				c.srv.logger().Error("httpserver: response body shorter than its length", "missing", o.remaining)
			}
			o.broken = true
		}
	case frameRaw, frameClose:
		o.keepAlive = false
	}
	return c.werr
}

// StreamWriter is how a Response's Stream function sends the body in
// parts. It is valid only during the Stream call and must not be used from
// another goroutine while that call runs unless the caller serialises
// access.
type StreamWriter struct {
	c *conn
}

var errStreamDone = errors.New("httpserver: StreamWriter used after its Stream returned")

// Write sends p as part of the body. Until the first Flush, or until the
// write window fills, data is held back so that a short body can still be
// sent with a Content-Length. Write blocks while the client is slow to
// read. It returns ErrBodyNotAllowed once the head of a body-less response
// (HEAD, 204, 304) has gone out.
func (w *StreamWriter) Write(p []byte) (int, error) {
	c := w.c
	if c == nil {
		return 0, errStreamDone
	}
	o := &c.out
	if !o.decided {
		c.acquirePend()
		if len(o.pend)+len(p) <= cap(o.pend) {
			o.pend = append(o.pend, p...)
			return len(p), nil
		}
		if err := c.decide(-1); err != nil {
			return 0, err
		}
		if err := c.emitPending(); err != nil {
			return 0, err
		}
	}
	if err := c.bodyWrite(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString is Write for a string.
func (w *StreamWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Flush sends the head, if it has not gone yet, and everything written so
// far to the client. After the first Flush the body's length is unknown,
// so it is sent chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
func (w *StreamWriter) Flush() error {
	c := w.c
	if c == nil {
		return errStreamDone
	}
	if !c.out.decided {
		if err := c.decide(-1); err != nil {
			return err
		}
		if err := c.emitPending(); err != nil {
			return err
		}
	}
	return c.flush()
}
