package httpserver

import "sync/atomic"

// parkState is a connection's part in parking: waiting for its next
// request in its poller's epoll set instead of in a goroutine
// (poll_linux.go has the poller and the protocol; pollset.go how a
// Server's pollers are made and a connection assigned to one).
//
// The socket's registration also serves to notice a client that goes
// away while its request is served (hangup.go); a TLS connection, which
// never parks, registers its socket for that alone (opaque).
//
//	field      owner / guard
//	---------  -----------------------------------------------------------
//	poll       set before the connection's goroutine starts, under
//	           Server.mu (trackConn), never changed: the one of the
//	           server's pollers the connection parks in for its life; nil
//	           when the connection cannot park (TLS, wrapped, not Linux)
//	noPark     the owner: the socket cannot be registered (registering
//	           failed, or the connection is of a kind that cannot be):
//	           wait in reads, and do not try again
//	reg        the owner: the poller the socket is registered with (poll,
//	           or for a TLS connection one of the server's, picked as it
//	           registers), for deregister
//	fd, id     written by the owner under reg.mu (register, deregister),
//	           read by the owner freely and by the poller under reg.mu;
//	           id is 0 while unregistered, and tells a stale event (for a
//	           descriptor since closed and reused) from a live one
//	opaque     written by the owner under reg.mu as it registers, read by
//	           the poller under reg.mu and by the owner freely: the socket
//	           is registered for hang-ups only (TLS: it never parks, and its
//	           bytes are records a peek cannot read as requests)
//	own        atomic: who owns the connection (running, runningWake,
//	           parked); whoever moves it from parked to running owns it
//	close      written by whoever takes a parked connection to close it
//	           (the sweep, Shutdown, Close), before its goroutine starts
//	deadline   atomic: the idle deadline while parked, as a coarseNow value
//	hup        atomic: what the poller saw of the client hanging up
//	           (hupHalf, hupClosed; never cleared), and hupCanceled once
//	           the context was canceled for it (hangup.go)
//	pipelined  atomic: written by the owner as each handler starts (only
//	           when it changes), read by whoever checks a hang-up: bytes of
//	           a later request are buffered (see startHandler)
//	wprev,     reg.mu: the connection's place in reg's idle wheel
//	wnext,     (wheel.go), while filed: from registering (unless opaque)
//	wtick,     to deregistering
//	filed
type parkState struct {
	poll      *poller
	reg       *poller
	deadline  atomic.Int64
	fd        int32
	id        uint32
	own       atomic.Uint32
	hup       atomic.Uint32
	pipelined atomic.Bool
	noPark    bool
	opaque    bool
	close     bool
	filed     bool
	wtick     int64
	wprev     *conn
	wnext     *conn
}

// parkResult is what park did.
type parkResult uint8

const (
	parkNo    parkResult = iota // parking is not available: read and wait
	parkOK                      // parked: the goroutine must return at once
	parkRead                    // input arrived meanwhile: read it
	parkClose                   // the server is shutting down: close
)

// Steps of park that tests can stop at (hooks.park).
const (
	parkStepReleased = iota // buffers released, about to hand the connection over
	parkStepParked          // handed over, about to check for a shutdown
)
