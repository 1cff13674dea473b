package httpserver

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/wire"
	"github.com/gohttpserver/httpserver/proxyproto"
)

// conn is one client connection.
//
// One goroutine at a time owns a connection and everything in it but the
// fields marked otherwise: the goroutine Serve started for it, until the
// connection parks; then nobody, until a poller worker takes it (see
// parkState.own for how ownership passes). The table says who else may
// touch what.
//
//	field              owner / guard
//	-----------------  ---------------------------------------------------
//	srv, rwc, remote*, set by newConn, read-only after
//	reuse
//	cx                 atomic: the context, made on first use by any
//	                   goroutine (see context); cancel may run from any
//	tracked, slot,     set by startConn before the goroutine starts;
//	perIP              then the owner's, for untrack (run once)
//	perProxyIP         the owner, as it counts the PROXY header's client
//	r, w               the owner (reader, writer); r.raw is set by newConn
//	                   and read-only after: the poller peeks through it
//	rs                 the owner; nil while parked (see acquireState): it
//	                   exists only while a request is being read or served
//	bodyGen            the owner (a Request's Body reads it, and rs.body, on
//	                   the owner's goroutine, while its handler runs)
//	nreq, isHEAD,      the owner
//	linger, hijacked
//	tlsState           the owner sets it once, at the first request (see
//	                   tlsConnState); read-only after, shared by Requests
//	expectProxy,       the owner; proxy is set once, before the first
//	proxy              request (or after the TLS handshake), read-only
//	                   after, shared by Requests (ProxyHeader)
//	state              written by the owner (under mu for the idle states,
//	                   see setIdle); read by Shutdown under mu
//	mu                 guards the idle-state transitions against Shutdown
//	                   moving the read deadline (closeIfIdle)
//	pk                 see parkState: its ownership word is atomic, its
//	                   registration guarded by the poller's mu
type conn struct {
	srv *Server
	rwc net.Conn
	cx  atomic.Pointer[connCtx]

	// remoteAddr is the peer's "ip:port" ("" when it is not TCP), made
	// once and shared by every Request on the connection; its IP (see
	// remoteIP) is remoteAddr[ipStart:ipEnd].
	remoteAddr string

	r reader
	w writer

	// rs holds the head being parsed and the response being written.
	rs *reqState

	// bodyGen counts requests, so that a Request's Body can tell whether
	// the body state (rs.body) is still its own.
	bodyGen uint64

	nreq int // requests served on this connection

	// tlsState is Request.TLS for every request on a TLS connection; nil
	// before the first request, and on other connections.
	tlsState *tls.ConnectionState

	// proxy is the PROXY protocol header once read, nil without one
	// (see expectProxy).
	proxy *proxyproto.Header

	// isHEAD: the request being answered is HEAD, so even an error
	// response must not carry a body (RFC 9110 §9.3.2).
	isHEAD bool

	// reuse: Requests are reused once their response has ended
	// (Server.ReuseRequests, or see reusesRequests).
	reuse bool

	// linger: the connection closes with input possibly unread (an error
	// response, an undrained body); see lingerClose.
	linger bool

	// expectProxy: a PROXY protocol header is due before the first
	// request (Server.ProxyProtocol, from a trusted peer).
	expectProxy bool

	// hijacked: the connection is no longer the engine's to read or
	// write: a Stream took it (StreamWriter.Hijack: the server no longer
	// closes or counts it), or a ConnHandler serves it (takeOver, which
	// closes it and ends its count when the handler returns).
	hijacked bool

	// What the server counts the connection in, for untrack to give
	// back: tracked, its place among the server's connections; slot, a
	// MaxConns slot; perIP, the peer's MaxConnsPerIP count; perProxyIP,
	// that of the client its PROXY header named.
	tracked, slot, perIP, perProxyIP bool

	// The rest of the remote address (see remoteAddr).
	ipStart, ipEnd uint8
	remotePort     uint16

	mu    sync.Mutex
	state stateWord

	pk parkState
}

// connCtx is a connection's context with its cancel function.
type connCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// canceledEarly is conn.cx for a connection canceled before its context
// was made: it is made canceled.
var canceledEarly = new(connCtx)

// context returns the connection's context (see Request.Context). It is
// made on first use, from any goroutine, for most handlers never ask for
// it: a context and its registration with the server's cost 140 bytes,
// which an idle connection then does not hold. Canceling before it is
// made (cancel) is recorded, and the context is then made canceled.
func (c *conn) context() context.Context {
	for {
		x := c.cx.Load()
		if x != nil && x != canceledEarly {
			return x.ctx
		}
		ctx, cancel := context.WithCancel(c.srv.ctx)
		if x == canceledEarly {
			cancel()
		}
		if c.cx.CompareAndSwap(x, &connCtx{ctx, cancel}) {
			return ctx
		}
		cancel() // another goroutine made it first
	}
}

// cancel cancels the connection's context, made or not yet made. It may
// run on any goroutine.
func (c *conn) cancel() {
	for {
		x := c.cx.Load()
		switch {
		case x == canceledEarly:
			return
		case x != nil:
			x.cancel()
			return
		case c.cx.CompareAndSwap(nil, canceledEarly):
			return
		}
	}
}

// reqState is the part of a connection's state that only matters while
// it reads or serves a request. It lives apart from conn, in a pool, so
// that a parked connection does not carry it.
type reqState struct {
	head wire.RequestHead
	out  respState
	// body is the body of the request being served (see conn.bodyGen).
	body body
	// arena and farena hold the copies of request heads and their
	// fields (see arena.go); spare is the Request of the last response,
	// for reuse (Server.ReuseRequests). They go back to their pools
	// before the reqState does (releaseBuffers).
	arena  *strArena
	farena *fieldArena
	spare  *Request
	// pattern is the Mux pattern that dispatched the request being
	// served (Request.Pattern), shared by every copy of its Request.
	pattern string
}

var reqStatePool = sync.Pool{New: func() any { return new(reqState) }}

// acquireState gives the connection a reqState, if it has none.
func (c *conn) acquireState() {
	if c.rs == nil {
		c.rs = reqStatePool.Get().(*reqState)
		c.rs.out.enc.w = &c.w
	}
}

// releaseState returns the reqState to its pool. A connection closing
// may be in the middle of a head; the head is reset here, so that every
// reqState in the pool is a fresh one (Parse resumes where the last call
// stopped: a stale head would parse another connection's bytes from the
// middle).
func (c *conn) releaseState() {
	rs := c.rs
	if rs == nil {
		return
	}
	c.releaseArenas()
	c.releaseSpare()
	c.rs = nil
	if cap(rs.head.Fields) > 32 {
		rs.head.Fields = nil // an unusually large head; do not keep its index
	}
	rs.head.Reset()
	rs.out = respState{pend: rs.out.pend[:0], pendBox: rs.out.pendBox} // and drop the last Response
	rs.body = body{}
	reqStatePool.Put(rs)
}

// reqPool holds Requests for reuse (Server.ReuseRequests) while their
// connections are idle.
var reqPool sync.Pool

// reusesRequests reports whether s reuses a Request once its response has
// ended: with ReuseRequests, or when nothing can see a Request after that
// (the Handler is a bridge.ReleasesRequests, nethttp.FromHTTP's, and
// there is no AccessLog).
func reusesRequests(s *Server) bool {
	if s.ReuseRequests {
		return true
	}
	_, releases := s.Handler.(bridge.ReleasesRequests)
	return releases && s.AccessLog == nil
}

func newConn(s *Server, rwc net.Conn, base context.Context) *conn {
	c := &conn{srv: s, rwc: rwc, reuse: reusesRequests(s)}
	if base != s.ctx {
		// BaseContext gave another parent, which context does not know:
		// made now, and canceled on Close as well.
		ctx, cancel := context.WithCancel(base)
		stop := context.AfterFunc(s.ctx, cancel)
		c.cx.Store(&connCtx{ctx, func() { stop(); cancel() }})
	}
	c.r.rwc = rwc
	c.w = writer{rwc: rwc, window: s.writeBufferSize(), timeout: s.writeTimeout(), pool: &s.wbufPool}
	c.setupRaw()
	if a, ok := rwc.RemoteAddr().(*net.TCPAddr); ok {
		c.setRemote(a)
	}
	// Over TLS the header is read below crypto/tls (proxyConn).
	c.expectProxy = s.ProxyProtocol && !c.isTLS() && s.trustedPeer(rwc.RemoteAddr())
	return c
}

// setRemote makes a the connection's remote address.
func (c *conn) setRemote(a *net.TCPAddr) {
	addr, ip := joinAddr(a)
	c.remoteAddr, c.remotePort = addr, uint16(a.Port)
	c.ipStart = 0
	if addr[0] == '[' {
		c.ipStart = 1
	}
	c.ipEnd = c.ipStart + uint8(len(ip))
}

// remoteIP is the peer's IP address, a part of remoteAddr.
func (c *conn) remoteIP() string { return c.remoteAddr[c.ipStart:c.ipEnd] }

// joinAddr returns a's "host:port" ("[host]:port" for IPv6), and its host
// as a part of that string: one allocation for both.
func joinAddr(a *net.TCPAddr) (addr, ip string) {
	var buf [64]byte
	b := buf[:0]
	host, _ := netip.AddrFromSlice(a.IP)
	host = host.Unmap()
	v6 := host.Is6()
	if v6 {
		b = append(b, '[')
	}
	b = host.AppendTo(b)
	n := len(b)
	if v6 {
		b = append(b, ']')
	}
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(a.Port), 10)
	addr = string(b)
	if v6 {
		return addr, addr[1:n]
	}
	return addr, addr[:n]
}

// lingerTimeout bounds how long a closing connection keeps reading what the
// client still sends; see lingerClose.
const lingerTimeout = 500 * time.Millisecond

// lingerClose half-closes rwc and reads and discards what the client
// still sends, for at most lingerTimeout and max bytes, before the caller
// closes it. Closing a socket with unread input makes the kernel answer
// with a reset, which can destroy the response just sent before the
// client has read it (RFC 9112 §9.6): a client uploading a body we refused
// would see "connection reset" instead of our 413. buf is scratch space
// (nil: a small one of its own).
func lingerClose(rwc net.Conn, buf []byte, max int64) {
	cw, ok := rwc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
	if len(buf) == 0 {
		var small [512]byte
		buf = small[:]
	}
	for read := int64(0); read < max; {
		n, err := rwc.Read(buf)
		read += int64(n)
		if err != nil {
			return
		}
	}
}

var aLongTimeAgo = time.Unix(1, 0)

// closeIfIdle wakes a connection that waits for its next request so that
// it closes; a busy one finishes its request first (it sees srv.shutting).
// It is called by Shutdown, from another goroutine.
func (c *conn) closeIfIdle() {
	c.mu.Lock()
	if st := c.state.load(); (st == stateIdle || st == stateParked) && !c.wakeToClose() {
		c.rwc.SetReadDeadline(aLongTimeAgo)
	}
	c.mu.Unlock()
}

// setIdle moves the connection to stateIdle, waiting for a request, and
// arms the idle timeout. It reports false if the server is shutting down
// and past its Drain: the caller closes the connection instead. During
// the Drain a connection still waits for a request (one woken from the
// poller has it already), which is answered with "Connection: close".
func (c *conn) setIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.closingIdle() {
		return false
	}
	c.setState(stateIdle)
	// Under mu, so that closeIfIdle's deadline cannot be overwritten.
	c.r.arm(c.srv.idleTimeout(), false)
	return true
}

// setBusy moves an idle connection to stateHead: a request's first bytes
// have arrived.
func (c *conn) setBusy() {
	c.mu.Lock()
	c.setState(stateHead)
	c.mu.Unlock()
}

// run is the goroutine Serve starts for a new connection when no idle
// worker takes it (see start). Once the connection parks, the goroutine
// stays on as a worker resuming parked connections (its stack has grown
// to what serving takes); once it closes, the goroutine ends.
func (c *conn) run() {
	if tc, ok := c.rwc.(*tls.Conn); ok {
		if !c.handshake(tc) {
			c.close()
			return
		}
		if h := proxyHeaderUnderTLS(tc); h != nil {
			c.useProxyHeader(h)
			if !c.countProxyClient() {
				c.acquireState()
				c.refuse(503, "too many connections from your address")
				c.close()
				return
			}
		}
		if next := c.srv.TLSNextProto; len(next) > 0 {
			if h := next[tc.ConnectionState().NegotiatedProtocol]; h != nil {
				c.serveConnHandler(h, nil)
				c.close()
				return
			}
		}
	}
	p := c.pk.poll
	if c.serve() {
		p.work(nil)
	}
}

// handshake completes a TLS connection's handshake under
// ReadHeaderTimeout (as net/http bounds it), or IdleTimeout if that is
// shorter (a client that has sent nothing yet is idle): left to the first
// read, it would have the whole IdleTimeout, and a client that opens
// connections and never finishes its hello would hold each for a minute.
// It reports false, having answered plain HTTP sent to the TLS port, if
// the handshake failed.
func (c *conn) handshake(tc *tls.Conn) bool {
	d := min(c.srv.readHeaderTimeout(), c.srv.idleTimeout())
	if c.srv.handshakeTimeout > 0 {
		d = c.srv.handshakeTimeout
	}
	tc.SetDeadline(time.Now().Add(d))
	err := tc.HandshakeContext(c.context())
	if err != nil {
		c.acquireState()
		c.answerPlainHTTP(err)
		return false
	}
	// The reader and writer arm their own deadlines from here (their
	// armed offsets are still zero, so their first arm sets them).
	return true
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
		if r == readPreface {
			c.serveConnHandler(c.srv.H2C, c.r.buffered())
			return
		}
		if r != readOK {
			return
		}
		c.w.acquire()
		keep := c.serveRequest(req)
		if c.reuse {
			c.rs.spare = req // its response has ended
		}
		if !keep {
			c.w.flush()
			return
		}
	}
}

// resume is the goroutine the poller starts for a parked connection.
func (c *conn) resume() {
	if c.pk.close {
		c.close() // idle timeout, shutdown or Close
		return
	}
	c.serve()
}

// close closes the connection and releases what it holds.
func (c *conn) close() {
	if c.hijacked {
		// The Stream has returned: the request's context ends, and the
		// connection is left to whoever took it (untrack ran at Hijack).
		c.cancel()
		c.releaseBuffers()
		c.releaseState()
		return
	}
	c.setState(stateClosed)
	c.cancel()
	closer := io.Closer(c.rwc)
	switch {
	case c.w.err != nil && isTimeout(c.w.err):
		// A client that stopped reading: close with a reset, so the
		// kernel drops the unsent response at once instead of holding up
		// to its send buffer per connection for minutes (a slow-read
		// attack's real cost; nginx's reset_timedout_connection). Over
		// TLS the socket underneath is reset and closed directly: the TLS
		// close would first try to send close_notify after the half
		// written record, for up to 5 s, to a client that does not read.
		raw := c.rwc
		if tc, ok := raw.(*tls.Conn); ok {
			raw = tc.NetConn()
			closer = raw
		}
		if tc, ok := raw.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	case c.linger && c.w.err == nil:
		lingerClose(c.rwc, c.r.buf, c.srv.maxDrainBytes())
	}
	c.deregister()
	closer.Close()
	c.releaseBuffers()
	c.releaseState()
	c.untrack()
}

// untrack gives back what the server counts the connection in (see
// conn.tracked), once: as it closes, or as it is hijacked or taken over.
func (c *conn) untrack() {
	if !c.tracked {
		return
	}
	c.tracked = false
	s := c.srv
	if c.perProxyIP {
		if key, ok := clientKey(net.TCPAddrFromAddrPort(c.proxy.Source)); ok {
			s.removeClientConn(key)
		}
	}
	s.trackConn(c, false)
	c.releaseSlots()
}

// releaseSlots gives back the connection's peer count and MaxConns slot.
func (c *conn) releaseSlots() {
	if c.perIP {
		key, _ := clientKey(c.rwc.RemoteAddr())
		c.srv.removeClientConn(key)
	}
	if c.slot {
		<-c.srv.connSem
	}
}

// Buffers live only while a connection has work: they come from pools
// when a request arrives and go back when the connection waits for the
// next one (see readIdle) or closes, so an idle keep-alive connection holds
// no buffer at all.

// releaseBuffers returns the buffers to their pools. The read buffer must
// hold no unconsumed input, the write buffer no unsent output.
func (c *conn) releaseBuffers() {
	c.r.release()
	c.w.release()
	c.releaseArenas()
	c.releaseSpare()
}

// releaseSpare returns the Request kept for reuse to its pool.
func (c *conn) releaseSpare() {
	if c.rs != nil && c.rs.spare != nil {
		reqPool.Put(c.rs.spare)
		c.rs.spare = nil
	}
}

// waitIdle is what a connection does when it finds no input between
// requests, before it waits or parks: it gives back its buffers.
func (c *conn) waitIdle() {
	c.releaseBuffers()
	if h := testHooks.Load(); h != nil && h.waitIdle != nil {
		h.waitIdle(c)
	}
}

// serveRequest runs the handler for req and writes its response. It
// reports whether the connection may carry another request.
func (c *conn) serveRequest(req *Request) bool {
	b := &c.rs.body
	defer func() { b.closed = true }()
	if c.srv.AccessLog != nil {
		defer c.logAccess(req, time.Now())
	}
	// A declared length over the body limit is refused at the body's
	// first read (body.Read), not here: the handler may raise or lower
	// the limit first (Request.SetBodyLimit).
	c.startHandler()
	resp := c.callHandler(req)
	c.setState(stateWriting)
	if b.protoErr != 0 {
		// The body was malformed or too large: whatever the handler made
		// of it, the client gets the protocol error, and we close.
		closeBody(resp)
		c.writeError(b.protoErr, b.protoMsg)
		return false
	}
	// CONNECT asks for a tunnel: what the client sends after the head may
	// be tunnel data (clients send it early), and must not be read as
	// requests (RFC 9110 §9.3.6), whether the handler opens the tunnel
	// (a 2xx Stream that hijacks) or refuses it. What the unread body
	// rules out is judged when the head goes (decide, bodyForcesClose).
	mustClose := c.rs.head.Form == wire.AuthorityForm
	keep := c.writeResponse(req, resp, mustClose)
	if !keep {
		c.linger = c.linger || !b.done
		return false
	}
	if !b.done {
		// The handler left part of the body unread and we promised to
		// keep the connection: read and discard it, within bounds.
		c.setState(stateDraining)
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
// than guess), a body that failed cannot be resynchronised, a declared
// length over the body limit is not read at all (the handler answered
// without reading it: draining it would accept what the limit refuses),
// and a long known remainder is cheaper to cut off than to drain.
func (c *conn) bodyForcesClose(b *body) bool {
	if b.done {
		return false
	}
	if b.err != nil || (b.needContinue && !b.sentContinue) {
		return true
	}
	return !b.chunked && (b.remaining > c.srv.maxDrainBytes() || b.limit >= 0 && b.n+b.remaining > b.limit)
}

// callHandler runs the handler, turning a panic into a nil response (a
// fault, answered with 500).
func (c *conn) callHandler(req *Request) (resp *Response) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logPanic(r, req)
			resp = nil
			c.rs.out.panicked = true
		}
	}()
	c.rs.out.panicked = false
	return c.srv.handler().Handle(req)
}

// writeError answers a request the server refuses on its own (a parse
// error, a limit, a handler fault) and marks the connection for closing.
// The reason must be safe to show the client. A HEAD request gets the head
// alone.
func (c *conn) writeError(status int, reason string) {
	o := &c.rs.out
	var msg string
	c.w.appendTo(func(b []byte) []byte {
		b, msg = errorAnswer(b, status, reason, c.isHEAD)
		return b
	})
	c.linger = true
	o.status, o.enc.sent = status, int64(len(msg))
	c.w.writeString(msg)
	if err := c.w.flush(); err != nil {
		o.failure = err
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
	o := &c.rs.out
	e := AccessEntry{
		Request:    req,
		RemoteIP:   c.remoteIP(),
		RemotePort: int(c.remotePort),
		Status:     o.status,
		Bytes:      o.enc.sent,
		BytesIn:    int64(c.rs.head.Len),
		Err:        o.failure,
	}
	if req != nil && req.conn == c && c.bodyGen == req.gen {
		e.BytesIn += c.rs.body.n
	}
	if !start.IsZero() {
		e.Duration = time.Since(start)
	}
	f(e)
}

// logPanic logs a handler's panic with its stack.
func (s *Server) logPanic(r any, req *Request) {
	s.logger().Error("httpserver: handler panic", "panic", r, "verb", req.Verb, "path", req.Path, "stack", string(debug.Stack()))
}
