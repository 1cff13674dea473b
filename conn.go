package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// minReadBuffer is the read buffer a connection starts with. It must hold
// a whole chunk-size line (the wire package refuses lines over 4 KiB), so
// a chunked body never needs a larger buffer; heads grow it up to
// MaxHeaderBytes.
const minReadBuffer = 4<<10 + 64

// conn is one client connection. Everything in it belongs to the
// connection's goroutine (the one running serve) except the fields under
// mu, which Shutdown reads from another goroutine.
type conn struct {
	srv    *Server
	rwc    net.Conn
	ctx    context.Context
	cancel context.CancelFunc

	remoteIP   string // shared by every Request on the connection
	remotePort int

	// Read side. The unconsumed input is rbuf[rpos:rend]; a request head
	// is parsed in place starting at rpos.
	rbuf       []byte
	rpos, rend int
	// arena holds the copies of request heads (see headString); nil
	// while the connection is idle, like the buffers.
	arena  *strArena
	farena *fieldArena
	// spare is the Request of the last response, for reuse
	// (Server.ReuseRequests); nil while the connection is idle.
	spare *Request
	// reqState holds the head being parsed and the response being
	// written; nil while the connection is parked (see acquireState).
	*reqState
	// headArmed: the ReadHeaderTimeout deadline is set for this head.
	headArmed bool

	// Write side: wbuf holds output not yet written to the socket; its
	// capacity is the write window (Server.WriteBufferSize).
	wbuf []byte
	werr error // sticky: once a write failed, every later one does

	// body is the request body being read; bodyGen counts requests, so
	// that a Request's Body can tell whether body is still its own.
	body    body
	bodyGen uint64

	nreq int // requests served on this connection

	// isHEAD: the request being answered is HEAD, so even an error
	// response must not carry a body (RFC 9110 §9.3.2).
	isHEAD bool

	// linger: the connection closes with input possibly unread (an error
	// response, an undrained body); see lingerClose.
	linger bool

	// The deadlines last armed, as offsets from clockBase (see armRead).
	readDL, writeDL time.Duration

	// raw reads the socket without a buffer between requests (nil when
	// the connection offers no raw access, as with TLS); see readIdle.
	raw       syscall.RawConn
	rawReadFn func(fd uintptr) bool // c.rawRead, bound once per connection
	rawN      int
	rawErr    error

	mu   sync.Mutex
	idle bool // waiting for the first byte of a request; guarded by mu

	// drained: the last read from the socket returned less than it asked
	// for, so the socket held no more input then (see park).
	drained bool

	// Parking (poll_linux.go). poll is nil when the connection cannot
	// park, and set before its goroutine starts; noPark is set (by the
	// connection's goroutine) when registering with poll failed. pfd and
	// pid are guarded by poll.mu. pstate says who owns the connection (see
	// park); pdeadline is its idle deadline while parked, as a coarseNow
	// value. pclose is set by whoever wakes the connection to close it,
	// before its goroutine starts.
	poll      *poller
	noPark    bool
	pfd       int
	pid       uint32 // registration with poll; 0 when unregistered
	pstate    atomic.Uint32
	pclose    bool
	pdeadline atomic.Int64

	// done runs once the connection is closed (the server's accounting).
	done func()
}

// parkResult is what park did.
type parkResult uint8

const (
	parkNo    parkResult = iota // parking is not available: read and wait
	parkOK                      // parked: the goroutine must return at once
	parkRead                    // input arrived meanwhile: read it
	parkClose                   // the server is shutting down: close
)

// readResult is how readRequest ended.
type readResult uint8

const (
	readOK     readResult = iota // a request
	readClose                    // close the connection
	readParked                   // parked: the goroutine must return at once
)

// lingerTimeout bounds how long a closing connection keeps reading what the
// client still sends; see lingerClose.
const lingerTimeout = 500 * time.Millisecond

// reqState is the part of a connection's state that only matters while
// it serves a request. It lives apart from conn, in a pool, so that a
// parked connection does not carry it (328 bytes of an idle connection's
// 896 otherwise).
type reqState struct {
	head wire.RequestHead
	out  outState // the response being written
}

var reqStatePool = sync.Pool{New: func() any { return new(reqState) }}

// acquireState gives the connection a reqState, if it has none.
func (c *conn) acquireState() {
	if c.reqState == nil {
		c.reqState = reqStatePool.Get().(*reqState)
	}
}

// releaseState returns the reqState to its pool. A connection closing
// may be in the middle of a head; the head is reset here, so that every
// reqState in the pool is a fresh one (Parse resumes where the last call
// stopped: a stale head would parse another connection's bytes from the
// middle).
func (c *conn) releaseState() {
	rs := c.reqState
	if rs == nil {
		return
	}
	c.reqState = nil
	if cap(rs.head.Fields) > 32 {
		rs.head.Fields = nil // an unusually large head; do not keep its index
	}
	rs.head.Reset()
	rs.out = outState{pend: rs.out.pend[:0]} // and drop the last Response
	reqStatePool.Put(rs)
}

// reqPool holds Requests for reuse (Server.ReuseRequests) while their
// connections are idle.
var reqPool sync.Pool

var readBufPool = sync.Pool{New: func() any { b := make([]byte, minReadBuffer); return &b }}

func newConn(s *Server, rwc net.Conn, base context.Context) *conn {
	c := &conn{srv: s, rwc: rwc}
	if base != s.ctx {
		// BaseContext gave another parent: cancel on Close as well.
		ctx, cancel := context.WithCancel(base)
		stop := context.AfterFunc(s.ctx, cancel)
		c.ctx = ctx
		c.cancel = func() { stop(); cancel() }
	} else {
		c.ctx, c.cancel = context.WithCancel(base)
	}
	c.setupRaw()
	if a, ok := rwc.RemoteAddr().(*net.TCPAddr); ok {
		c.remoteIP = a.IP.String()
		c.remotePort = a.Port
	}
	return c
}

// lingerClose half-closes the connection and reads and discards what the
// client still sends, for at most lingerTimeout and MaxDrainBytes, before
// the caller closes it. Closing a socket with unread input makes the kernel
// answer with a reset, which can destroy the response just sent before the
// client has read it (RFC 9112 §9.6): a client uploading a body we refused
// would see "connection reset" instead of our 413.
func (c *conn) lingerClose() {
	cw, ok := c.rwc.(interface{ CloseWrite() error })
	if !ok || c.werr != nil {
		return
	}
	if cw.CloseWrite() != nil {
		return
	}
	c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
	buf := c.rbuf
	if len(buf) == 0 {
		var small [512]byte
		buf = small[:]
	}
	for read, max := int64(0), c.srv.maxDrainBytes(); read < max; {
		n, err := c.rwc.Read(buf)
		read += int64(n)
		if err != nil {
			return
		}
	}
}

// closeIfIdle wakes a connection that waits for its next request so that
// it closes; a busy one finishes its request first (it sees srv.shutting).
func (c *conn) closeIfIdle() {
	c.mu.Lock()
	if c.idle && !c.wakeToClose() {
		c.rwc.SetReadDeadline(aLongTimeAgo)
	}
	c.mu.Unlock()
}

var aLongTimeAgo = time.Unix(1, 0)

// setIdle marks the connection as waiting for a request and arms the idle
// timeout. It reports false if the server is shutting down: the caller
// closes the connection instead.
func (c *conn) setIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.shutting.Load() {
		return false
	}
	c.idle = true
	// Under mu, so that closeIfIdle's deadline cannot be overwritten.
	c.armRead(c.srv.idleTimeout())
	return true
}

func (c *conn) setBusy() {
	c.mu.Lock()
	c.idle = false
	c.mu.Unlock()
}

// run is the goroutine Serve starts for a new connection. Once the
// connection parks, the goroutine stays on as a worker resuming parked
// connections (its stack has grown to what serving takes); once it
// closes, the goroutine ends.
func (c *conn) run() {
	p := c.poll
	if c.serve() {
		p.work(nil)
	}
}

// serve runs the connection until it closes or parks, and reports whether
// it parked.
func (c *conn) serve() (parked bool) {
	defer func() {
		if !parked {
			c.close()
		}
	}()
	for {
		req, r := c.readRequest()
		if r == readParked {
			return true // c belongs to the poller now: touch nothing
		}
		if r != readOK {
			return
		}
		c.acquireWriteBuf()
		keep := c.serveRequest(req)
		if c.srv.ReuseRequests {
			c.spare = req // its response has ended
		}
		if !keep {
			c.flush()
			return
		}
	}
}

// resume is the goroutine the poller starts for a parked connection.
func (c *conn) resume() {
	if c.pclose {
		c.close() // idle timeout, shutdown or Close
		return
	}
	c.serve()
}

// close closes the connection and releases what it holds.
func (c *conn) close() {
	c.cancel()
	switch {
	case c.werr != nil && isTimeout(c.werr):
		// A client that stopped reading: close with a reset, so the
		// kernel drops the unsent response at once instead of holding up
		// to its send buffer per connection for minutes (a slow-read
		// attack's real cost; nginx's reset_timedout_connection).
		if tc, ok := c.rwc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	case c.linger:
		c.lingerClose()
	}
	c.deregister()
	c.rwc.Close()
	c.releaseBuffers()
	c.releaseState()
	if c.done != nil {
		c.done()
	}
}

// Buffers live only while a connection has work: they come from pools
// when a request arrives and go back when the connection waits for the
// next one (see readIdle) or closes, so an idle keep-alive connection holds
// no buffer at all.

func (c *conn) acquireReadBuf() {
	if c.rbuf == nil {
		c.rbuf = *readBufPool.Get().(*[]byte)
	}
}

func (c *conn) acquireWriteBuf() {
	if c.wbuf != nil {
		return
	}
	w := c.srv.writeBufferSize()
	if p, ok := c.srv.wbufPool.Get().(*[]byte); ok && cap(*p) == w {
		c.wbuf = (*p)[:0]
		return
	}
	c.wbuf = make([]byte, 0, w)
}

// releaseBuffers returns the buffers to their pools. The read buffer must
// hold no unconsumed input, the write buffer no unsent output.
func (c *conn) releaseBuffers() {
	if cap(c.rbuf) == minReadBuffer {
		b := c.rbuf[:minReadBuffer]
		readBufPool.Put(&b)
	}
	c.rbuf = nil
	c.rpos, c.rend = 0, 0
	if c.wbuf != nil && cap(c.wbuf) == c.srv.writeBufferSize() {
		b := c.wbuf[:0]
		c.srv.wbufPool.Put(&b)
	}
	c.wbuf = nil
	c.releaseArenas()
	if c.spare != nil {
		reqPool.Put(c.spare)
		c.spare = nil
	}
}

// readRequest reads and parses the next request head. It returns
// readClose when the connection is to be closed (after answering a bad
// request), and readParked when the connection has been handed to the
// poller, after which neither it nor its caller may touch c.
func (c *conn) readRequest() (*Request, readResult) {
	// RFC 9112 §2.2: some clients send an extra CRLF after a body. Drop
	// one that arrived with the body, so that the connection counts as
	// idle (closed quietly at IdleTimeout) and not as a stalled head (an
	// unsolicited 408 at ReadHeaderTimeout).
	if c.rend-c.rpos >= 2 && c.rbuf[c.rpos] == '\r' && c.rbuf[c.rpos+1] == '\n' {
		c.rpos += 2
	}
	if c.rpos == c.rend {
		c.rpos, c.rend = 0, 0
	}
	c.acquireState()
	c.head.Reset()
	c.isHEAD = false
	c.out.status, c.out.sent, c.out.failure = 0, 0, nil
	lim := wire.Limits{
		MaxRequestLine: c.srv.maxRequestLine(),
		MaxHeadBytes:   c.srv.maxHeaderBytes(),
		MaxFields:      c.srv.maxHeaderCount(),
	}
	waiting := c.rpos == c.rend // no byte of this request yet
	if waiting && !c.setIdle() {
		// Shutting down: send the responses still buffered (pipelined
		// ones, or the last keep-alive one) before closing, and linger so
		// that requests the client pipelined behind them, which we will
		// not read, do not make the kernel reset the connection under
		// those responses (RFC 9112 §9.6).
		c.flush()
		c.linger = c.nreq > 0
		return nil, readClose
	}
	// The header timeout is armed only when a head needs another read:
	// most heads arrive whole in one read, and parsing them needs no
	// deadline. Arming it then (rather than at the first byte) moves it by
	// the time one parse took.
	c.headArmed = false
	for {
		if !waiting {
			err := c.head.Parse(c.rbuf[c.rpos:c.rend], lim)
			if err == nil {
				break
			}
			if err != wire.ErrIncomplete {
				var we *wire.Error
				if errors.As(err, &we) {
					c.writeError(we.Status, we.Reason)
					c.logAccess(nil, time.Time{})
				}
				return nil, readClose
			}
		}
		if err := c.flush(); err != nil {
			return nil, readClose
		}
		var n int
		var err error
		if waiting && c.raw != nil {
			// Between requests: wait without holding buffers, and
			// without a goroutine where the connection can park.
			if c.drained {
				switch c.park() {
				case parkOK:
					return nil, readParked
				case parkClose:
					return nil, readClose
				}
			}
			n, err = c.readIdle()
			if err == errWouldBlock {
				c.drained = true
				continue
			}
		} else {
			c.acquireReadBuf()
			if !c.makeRoom(lim.MaxHeadBytes) {
				// Parse refuses heads over the limit before this happens.
				c.writeError(431, "request header section too large")
				c.logAccess(nil, time.Time{})
				return nil, readClose
			}
			if !waiting && !c.headArmed {
				c.headArmed = true
				c.armRead(c.srv.readHeaderTimeout())
			}
			n, err = c.rwc.Read(c.rbuf[c.rend:])
			c.drained = n < len(c.rbuf)-c.rend
		}
		c.rend += n
		if n > 0 && waiting {
			waiting = false
			c.setBusy()
		}
		if n > 0 || err == nil {
			continue
		}
		if c.rend == c.rpos {
			// Nothing of a request arrived: idle timeout, shutdown or
			// the client closed. Close quietly.
			return nil, readClose
		}
		if isTimeout(err) {
			c.writeError(408, "request head not received in time")
			c.logAccess(nil, time.Time{})
		}
		// A partial head and then EOF or a reset: nobody to answer.
		return nil, readClose
	}
	return c.newRequest(), readOK
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// makeRoom makes space after rend for another read: it moves the
// unconsumed bytes to the front, or doubles the buffer up to max bytes.
// It reports false if the buffer already holds max unconsumed bytes.
func (c *conn) makeRoom(max int) bool {
	if c.rend < len(c.rbuf) {
		return true
	}
	if c.rpos > 0 {
		n := copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos, c.rend = 0, n
		return true
	}
	if len(c.rbuf) >= max {
		return false
	}
	size := 2 * len(c.rbuf)
	if size > max {
		size = max
	}
	nb := make([]byte, size)
	copy(nb, c.rbuf[:c.rend])
	if cap(c.rbuf) == minReadBuffer {
		old := c.rbuf
		readBufPool.Put(&old)
	}
	c.rbuf = nb
	return true
}

var versionStrings = [...]string{"0.9", "1.0", "1.1"}

// newRequest builds the Request for the head just parsed and consumes the
// head from the read buffer. The head's bytes are copied once into a
// string that every string field of the Request shares (a body is not
// copied: it is read through Body).
func (c *conn) newRequest() *Request {
	h := &c.head
	end := c.rpos + h.Len
	s := c.headString(c.rbuf[c.rpos:end])
	c.rpos = end
	c.nreq++

	req := c.spare
	c.spare = nil
	if req == nil && c.srv.ReuseRequests {
		req, _ = reqPool.Get().(*Request)
	}
	if req == nil {
		req = new(Request)
	} else {
		*req = Request{fieldsStore: req.fieldsStore} // reused: clear the last request
	}
	// Field by field: assigning a whole Request literal to *req would
	// build it aside and copy it in, with write barriers.
	req.Verb = s[h.Method.Start:h.Method.End]
	req.Path = s[h.Path.Start:h.Path.End]
	req.ListenerID = c.srv.listenerID
	req.RemoteIP = c.remoteIP
	req.RemotePort = c.remotePort
	req.ContentLength = h.ContentLength
	req.ctx = c.ctx
	if req.Path == "" {
		req.Path = "/" // absolute-form with an empty path (RFC 9112 §3.2.1)
	}
	c.isHEAD = req.Verb == "HEAD"
	switch {
	case h.Major == 0:
		req.Version = versionStrings[0]
	case h.Minor == 0:
		req.Version = versionStrings[1]
	default:
		req.Version = versionStrings[2]
	}
	if h.HasQuery {
		req.QueryStr = s[h.Query.Start:h.Query.End]
		if req.QueryStr != "" {
			req.QueryDict, req.QueryErr = ParseQuery(req.QueryStr)
		}
	}
	if h.HasAuthority {
		req.Host = s[h.Authority.Start:h.Authority.End]
	}
	if len(h.Fields) > 0 {
		n := len(h.Fields)
		// Capacity limited to the fields, so that an Add on this Header
		// or on a copy of it (WithContext) reallocates instead of writing
		// into storage another copy (or another request) sees.
		var fields []HeaderField
		switch {
		case !c.srv.ReuseRequests:
			fields = c.headerFields(n)
		case n <= cap(req.fieldsStore):
			fields = req.fieldsStore[:n:n]
		default:
			req.fieldsStore = make([]HeaderField, max(n, 16))
			fields = req.fieldsStore[:n:n]
		}
		for i, f := range h.Fields {
			fields[i] = HeaderField{Name: s[f.Name.Start:f.Name.End], Value: s[f.Value.Start:f.Value.End]}
		}
		req.Headers.fields = fields
	}
	c.bodyGen++
	req.conn, req.gen = c, c.bodyGen
	b := &c.body
	*b = body{c: c, limit: c.srv.maxBodyBytes()}
	switch {
	case h.Chunked:
		b.chunked = true
	case h.ContentLength > 0:
		b.remaining = h.ContentLength
	default:
		b.done = true
	}
	b.needContinue = h.Expect100 && !b.done
	req.Body = (*requestBody)(req)
	return req
}

// serveRequest runs the handler for req and writes its response. It
// reports whether the connection may carry another request.
func (c *conn) serveRequest(req *Request) bool {
	b := &c.body
	defer func() { b.closed = true }()
	if c.srv.AccessLog != nil {
		defer c.logAccess(req, time.Now())
	}
	if !b.chunked && b.limit >= 0 && b.remaining > b.limit {
		// RFC 9110 §15.5.14: refuse before reading a body we will not
		// accept; the client may not have sent it yet (100-continue).
		c.writeError(413, "request body too large")
		return false
	}
	resp := c.callHandler(req)
	if b.protoErr != 0 {
		// The body was malformed or too large: whatever the handler made
		// of it, the client gets the protocol error, and we close.
		closeBody(resp)
		c.writeError(b.protoErr, b.protoMsg)
		return false
	}
	// CONNECT asks for a tunnel, which we never make: what the client
	// sends after the head may be tunnel data (clients send it early), and
	// must not be read as requests (RFC 9110 §9.3.6).
	mustClose := c.bodyForcesClose(b) || c.head.Form == wire.AuthorityForm
	keep := c.writeResponse(req, resp, mustClose)
	if !keep {
		c.linger = c.linger || !b.done
		return false
	}
	if !b.done {
		// The handler left part of the body unread and we promised to
		// keep the connection: read and discard it, within bounds.
		if !b.drain(c.srv.maxDrainBytes()) {
			c.linger = true
			return false
		}
	}
	return true
}

// bodyForcesClose reports whether the unread rest of the request body
// rules out keeping the connection: a client still waiting for 100
// Continue has not sent its body (RFC 9110 §10.1.1 lets us close rather
// than guess), a body that failed cannot be resynchronised, and a long
// known remainder is cheaper to cut off than to drain.
func (c *conn) bodyForcesClose(b *body) bool {
	if b.done {
		return false
	}
	if b.err != nil || (b.needContinue && !b.sentContinue) {
		return true
	}
	return !b.chunked && b.remaining > c.srv.maxDrainBytes()
}

// callHandler runs the handler, turning a panic into a nil response (a
// fault, answered with 500).
func (c *conn) callHandler(req *Request) (resp *Response) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logger().Error("httpserver: handler panic", "panic", r, "verb", req.Verb, "path", req.Path, "stack", string(debug.Stack()))
			resp = nil
			c.out.panicked = true
		}
	}()
	c.out.panicked = false
	return c.srv.handler().Handle(req)
}

// writeError answers a request the server refuses on its own (a parse
// error, a limit, a handler fault) and marks the connection for closing.
// The reason must be safe to show the client. A HEAD request gets the head
// alone.
func (c *conn) writeError(status int, reason string) {
	c.acquireWriteBuf()
	msg := wire.StatusText(status)
	if reason != "" {
		msg += ": " + reason
	}
	msg += "\n"
	b := wire.AppendStatusLine(c.wbuf, 1, status, "")
	b = appendDate(b)
	b = append(b, "Content-Type: text/plain; charset=utf-8\r\n"...)
	b = wire.AppendContentLength(b, int64(len(msg)))
	b = append(b, "Connection: close\r\n\r\n"...)
	c.linger = true
	c.out.status, c.out.sent = status, 0
	if !c.isHEAD {
		b = append(b, msg...)
		c.out.sent = int64(len(msg))
	}
	c.wbuf = b
	if err := c.flush(); err != nil {
		c.out.failure = err
	}
}

// logAccess reports the request just answered to Server.AccessLog. req is
// nil for a request refused before its head was parsed; start is when the
// head was parsed (zero then).
func (c *conn) logAccess(req *Request, start time.Time) {
	f := c.srv.AccessLog
	if f == nil {
		return
	}
	e := AccessEntry{
		Request:    req,
		RemoteIP:   c.remoteIP,
		RemotePort: c.remotePort,
		Status:     c.out.status,
		Bytes:      c.out.sent,
		Err:        c.out.failure,
	}
	if !start.IsZero() {
		e.Duration = time.Since(start)
	}
	f(e)
}

// write queues p for the client. At most the write window is held: when
// it is full it is written out, and a p at least as large as the window is
// written straight from p, one window at a time, so the client's pace
// governs the caller's.
func (c *conn) write(p []byte) error {
	c.acquireWriteBuf()
	for len(p) > 0 {
		if c.werr != nil {
			return c.werr
		}
		free := cap(c.wbuf) - len(c.wbuf)
		if free == 0 {
			if err := c.flush(); err != nil {
				return err
			}
			continue
		}
		window := cap(c.wbuf)
		if len(c.wbuf) == 0 && len(p) >= window {
			if err := c.writeSocket(p[:window]); err != nil {
				return err
			}
			p = p[window:]
			continue
		}
		n := copy(c.wbuf[len(c.wbuf):cap(c.wbuf)], p)
		c.wbuf = c.wbuf[:len(c.wbuf)+n]
		p = p[n:]
	}
	return c.werr
}

func (c *conn) writeString(s string) error {
	c.acquireWriteBuf()
	for len(s) > 0 {
		if c.werr != nil {
			return c.werr
		}
		if len(c.wbuf) == cap(c.wbuf) {
			if err := c.flush(); err != nil {
				return err
			}
		}
		n := copy(c.wbuf[len(c.wbuf):cap(c.wbuf)], s)
		c.wbuf = c.wbuf[:len(c.wbuf)+n]
		s = s[n:]
	}
	return c.werr
}

// flush writes out what the window holds.
func (c *conn) flush() error {
	if c.werr != nil {
		return c.werr
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	err := c.writeSocket(c.wbuf)
	c.wbuf = c.wbuf[:0]
	if w := c.srv.writeBufferSize(); cap(c.wbuf) > 2*w {
		// A large head grew the buffer; do not keep the excess.
		c.wbuf = make([]byte, 0, w)
	}
	return err
}

// writeSocket writes p under the write progress timeout.
func (c *conn) writeSocket(p []byte) error {
	c.armWrite(c.srv.writeTimeout())
	_, err := c.rwc.Write(p)
	if err != nil {
		c.werr = err
	}
	return err
}

// fillBody reads more input for the request body into the read buffer
// under the body progress timeout, after sending whatever output is
// pending (a client may wait for it: 100 Continue, pipelined responses).
func (c *conn) fillBody() error {
	if err := c.flush(); err != nil {
		return err
	}
	if c.rpos == c.rend {
		c.rpos, c.rend = 0, 0
	}
	if !c.makeRoom(len(c.rbuf)) {
		return errors.New("httpserver: read buffer full") // cannot happen: see minReadBuffer
	}
	c.armRead(c.srv.readTimeout())
	n, err := c.rwc.Read(c.rbuf[c.rend:])
	c.drained = n < len(c.rbuf)-c.rend
	c.rend += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readBodyDirect reads body bytes straight into p when nothing is
// buffered, sparing a copy for large reads.
func (c *conn) readBodyDirect(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	c.armRead(c.srv.readTimeout())
	n, err := c.rwc.Read(p)
	c.drained = n < len(p)
	if n > 0 {
		return n, nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return 0, err
}
