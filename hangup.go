package httpserver

// Noticing a client that goes away while its request is served.
//
// A request's context is its connection's (conn.context). Reads and writes
// notice a dead client when they fail, but a handler that waits on its
// context alone (a long poll, a stream of events, a slow computation)
// would run on for nothing. On Linux the connection's poller learns of the
// hang-up without a system call of the connection's own: a plain TCP or
// Unix socket is registered with it once, edge-triggered for EPOLLIN and
// EPOLLRDHUP (it is how the connection parks, poll_linux.go), and stays
// registered; a TLS connection's TCP socket is registered for EPOLLRDHUP
// alone (opaque: it never parks). The kernel always adds EPOLLHUP and
// EPOLLERR. The registration is made once per connection, as its first
// handler starts if the connection has not parked before; after that a
// request costs two atomic loads as its handler starts, and an event comes
// only when the client hangs up. Measured (December 2026, interleaved
// runs on a shared 2-core machine): BenchmarkServeMinimal 494 ns before,
// 496 ns after (-cpu 1, 10 runs, p=0.85); one loopback connection per
// request, which now registers where it used to be served without ever
// parking, 44.8 µs before, 45.3 µs after (12 runs, p=0.71).
//
// A hang-up is not always a client that went away. A FIN (EPOLLRDHUP) is
// also what a client sends when it half-closes (shutdown(SHUT_WR)) after
// its last request and waits for the answers, and the two cannot be told
// apart. net/http's rule is followed: a half-close with nothing pending
// cancels, one with pending requests does not (net/http reads a byte of
// the next request instead of an EOF). clientGone decides:
//
//	HUP or ERR                     gone: nothing more can be sent either
//	a later request is buffered    not gone: the client awaits its answer
//	TLS                            gone: a peek sees records, and a client
//	                               half-closes TLS with close_notify, not FIN
//	peek: EOF, or the socket broke gone: everything the client sent is in,
//	                               and no request follows this one
//	peek: data, nothing, failed    not gone: the client sent more (the rest
//	                               of the body, a pipelined request)
//
// Two differences from net/http (Go 1.26, checked on loopback): a
// request already in the read buffer counts as pending (net/http's
// background read is on the socket, under its bufio.Reader, so there the
// first of two requests that arrived together is canceled); and a
// half-close after a request with a body cancels as soon as the whole
// request is in, where net/http waits until the handler has read the body
// to its end, and never cancels one that does not read it (only the body
// reader could tell, here).
//
// The peek is a recv of one byte with MSG_PEEK|MSG_DONTWAIT, which
// consumes nothing and never waits; EOF means the client's FIN is next
// in the socket. "Buffered" is the
// owner's read buffer holding bytes beyond the request's body when its
// handler started (conn.pk.pipelined), which only the owner can see; it
// stays true until the handler returns, since the buffer loses bytes only
// to body reads. (A body read can pull a pipelined request in from the
// socket while the handler runs; if the FIN arrives only after that, the
// peek finds the socket empty and the handler is canceled although a
// request is pending: a narrow window, and the request is still served.)
//
// The event is edge-triggered: it comes once, whatever the connection is
// doing. The poller records it (pk.hup) before it looks at the
// connection's state, and the owner stores stateHandler before it looks
// at pk.hup (startHandler): one of the two sees the other's write
// (sequentially consistent atomics), so a hang-up that arrives while a
// request is read, or between requests, is decided as the handler starts
// and is not lost. Both may decide; canceling twice is harmless. A
// hang-up that found data pending (the rest of a body still in the
// socket) is looked at again by the sweep, which cancels once the socket
// holds nothing but the FIN: up to a sweep interval (at most a second)
// after the handler has read its body.
//
// Canceling the context is all that is done: the connection goes on, and
// its next read sees the EOF or the reset. A canceled context stays
// canceled for the connection's later requests, which, by the rule above,
// can only be requests already received.
//
// Not covered: connections the poller does not see (wrapped net.Conns,
// TLS over anything but *net.TCPConn, systems other than Linux, a server
// whose poller could not be made), and a TLS client's close_notify
// without a FIN, which is in the TLS stream and not in the socket's state.

// Bits of parkState.hup.
const (
	hupHalf     = 1 << iota // EPOLLRDHUP: the client sent FIN
	hupClosed               // EPOLLHUP or EPOLLERR: the connection is down
	hupCanceled             // the context was canceled for the hang-up
)

// peekResult is what a peek at a hung-up client's socket found.
type peekResult uint8

const (
	peekNone   peekResult = iota // not peeked
	peekData                     // bytes are waiting: the client sent more
	peekEOF                      // the FIN is next: nothing more will come
	peekBroken                   // the connection failed (ECONNRESET, ETIMEDOUT)
	peekEmpty                    // nothing yet (EAGAIN)
	peekFailed                   // the peek itself failed (a closed descriptor)
)

// clientGone decides whether a client that hung up has gone, so that the
// request's context is canceled: see the table above. closed is HUP or
// ERR, pipelined a later request buffered, opaque a socket carrying TLS,
// peek what a peek found; peekNone, when the rest does not decide, does
// not cancel.
func clientGone(closed, pipelined, opaque bool, peek peekResult) bool {
	switch {
	case closed:
		return true
	case pipelined:
		return false
	case opaque:
		return true
	}
	return peek == peekEOF || peek == peekBroken
}

// startHandler moves the connection to stateHandler as the handler for
// the request just read is called. It notes whether bytes of a later
// request are buffered (beyond what is left of the body: body.remaining
// is the Content-Length bytes not yet read, 0 for none and for a chunked
// body, whose buffered bytes therefore count as a later request's, which
// errs on the side of not canceling), registers the socket with the
// poller on the connection's first request, and decides a hang-up the
// poller saw earlier.
func (c *conn) startHandler() {
	pipelined := int64(c.r.end-c.r.pos) > c.rs.body.remaining
	if c.pk.pipelined.Load() != pipelined { // stored before the state: see checkHangUp
		c.pk.pipelined.Store(pipelined)
	}
	c.setState(stateHandler)
	if c.pk.id == 0 && !c.pk.noPark {
		c.watchHangUps()
	}
	if c.pk.hup.Load() != 0 {
		c.checkHangUp()
	}
}

// hungUp records a hang-up event for c and decides it. It runs on the
// poller's goroutine, under its mu.
func (c *conn) hungUp(closed bool) {
	bits := uint32(hupHalf)
	if closed {
		bits |= hupClosed
	}
	c.pk.hup.Or(bits)
	canceled := c.checkHangUp()
	if h := testHooks.Load(); h != nil && h.hangUp != nil {
		h.hangUp(c, canceled)
	}
}

// checkHangUp cancels the connection's context if the client, which has
// hung up (pk.hup), has gone while a request is served, and reports
// whether it did. The poller calls it on the event and the sweep later
// (both under the poller's mu, which keeps the socket registered), the
// owner as each handler starts. The state is read again after the peek,
// and the decision taken on what holds then: if the owner has moved on to
// another request meanwhile, pipelined is that request's (the owner
// stores it before the state), and if it no longer serves one, it will
// see pk.hup as the next handler starts.
func (c *conn) checkHangUp() bool {
	h := c.pk.hup.Load()
	if h&hupCanceled != 0 || !c.state.load().serving() {
		return false
	}
	closed := h&hupClosed != 0
	peek := peekNone
	if !closed && !c.pk.opaque && !c.pk.pipelined.Load() {
		peek = c.peekSocket()
		if !c.state.load().serving() {
			return false
		}
	}
	if !clientGone(closed, c.pk.pipelined.Load(), c.pk.opaque, peek) {
		return false
	}
	c.pk.hup.Or(hupCanceled)
	c.cancel()
	return true
}
