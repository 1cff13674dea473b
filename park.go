package httpserver

import "sync/atomic"

// parkState is a connection's part in parking: waiting for its next
// request in the server's epoll set instead of in a goroutine
// (poll_linux.go has the poller and the protocol).
//
//	field      owner / guard
//	---------  -----------------------------------------------------------
//	poll       set before the connection's goroutine starts; nil when the
//	           connection cannot park (TLS, wrapped, not Linux)
//	noPark     the owner: registering with poll failed, wait in reads
//	fd, id     written by the owner under poll.mu (register, deregister),
//	           read by the owner freely and by the poller under poll.mu;
//	           id is 0 while unregistered, and tells a stale event (for a
//	           descriptor since closed and reused) from a live one
//	own        atomic: who owns the connection (running, runningWake,
//	           parked); whoever moves it from parked to running owns it
//	close      written by whoever takes a parked connection to close it
//	           (the sweep, Shutdown, Close), before its goroutine starts
//	deadline   atomic: the idle deadline while parked, as a coarseNow value
type parkState struct {
	poll     *poller
	noPark   bool
	fd       int
	id       uint32
	own      atomic.Uint32
	close    bool
	deadline atomic.Int64
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
