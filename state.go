package httpserver

import "sync/atomic"

// connState is where a connection is in its life. Exactly one state holds
// at a time; the connection's owner moves it (conn.setState), along the
// transitions below and no others:
//
//	from      to         when
//	--------  ---------  ----------------------------------------------------
//	new       idle       the connection waits for its first request
//	idle      head       the first bytes of a request arrived
//	idle      parked     nothing to read: the socket waits in the poller's
//	                     epoll set, without a goroutine (Linux, plain TCP)
//	parked    idle       input, or a hang-up: a worker resumes the connection
//	new|idle  head       bytes of the next request are already buffered
//	|writing|draining    (pipelining), so the head is read at once
//	head      handler    the head parsed: the handler runs (and reads the body)
//	handler   writing    the handler returned: its response is written
//	writing   draining   the handler left body bytes unread: they are discarded
//	writing   idle       the response is done, nothing is buffered
//	|draining
//	any       closed     the connection closes (an error, the client, the idle
//	                     timeout, Shutdown, Close, Connection: close)
//	writing   hijacked   a Stream took the connection (StreamWriter.Hijack):
//	                     the server has forgotten it; it is the Stream's
//	new       taken      a ConnHandler serves the connection: TLS negotiated
//	|head     over       its protocol (Server.TLSNextProto), the first bytes
//	|writing             were the HTTP/2 preface (Server.H2C), or a Stream
//	                     handed it off (StreamWriter.HandOff); the server
//	                     still counts it, and Shutdown waits for it
//	taken     closed     the ConnHandler returned, or Close closed it
//	over
//
// A head that is refused (400, 408, 413, 431, ...) is answered from head
// and the connection closes. Shutdown closes connections in idle and
// parked at once; the others finish their request first.
type connState uint8

const (
	stateNew connState = iota
	stateIdle
	stateParked
	stateHead
	stateHandler
	stateWriting
	stateDraining
	stateClosed
	stateHijacked
	stateTakenOver
	numStates
)

var stateNames = [numStates]string{"new", "idle", "parked", "head", "handler", "writing", "draining", "closed", "hijacked", "taken over"}

// serving reports whether the connection is answering a request: its
// handler runs, or its response is being written or its body drained.
// Only then does a client's hang-up cancel anything (see hangup.go).
func (s connState) serving() bool {
	return s == stateHandler || s == stateWriting || s == stateDraining
}

func (s connState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "connState(?)"
}

// transitions lists the allowed moves: transitions[from] has bit to set.
var transitions = [numStates]uint16{
	stateNew:       1<<stateIdle | 1<<stateHead | 1<<stateClosed | 1<<stateTakenOver,
	stateIdle:      1<<stateHead | 1<<stateParked | 1<<stateClosed,
	stateParked:    1<<stateIdle | 1<<stateClosed,
	stateHead:      1<<stateHandler | 1<<stateClosed | 1<<stateTakenOver,
	stateHandler:   1<<stateWriting | 1<<stateClosed,
	stateWriting:   1<<stateDraining | 1<<stateIdle | 1<<stateHead | 1<<stateClosed | 1<<stateHijacked | 1<<stateTakenOver,
	stateDraining:  1<<stateIdle | 1<<stateHead | 1<<stateClosed,
	stateClosed:    0,
	stateHijacked:  0,
	stateTakenOver: 1 << stateClosed,
}

// canMove reports whether the lifecycle allows from → to.
func canMove(from, to connState) bool {
	return from < numStates && to < numStates && transitions[from]&(1<<to) != 0
}

// stateWord holds a connState. The owner writes it; Shutdown reads it
// from another goroutine (under conn.mu for the idle states), so it is
// atomic.
type stateWord struct{ v atomic.Uint32 }

func (w *stateWord) load() connState { return connState(w.v.Load()) }

// testHooks lets tests see, and stop at, the points where a connection's
// goroutines meet. nil (always, outside tests) costs one atomic load per
// point.
var testHooks atomic.Pointer[hooks]

type hooks struct {
	state    func(c *conn, from, to connState) // every transition, allowed or not
	park     func(c *conn, step int)           // park's steps (parkStepReleased, ...)
	wake     func(c *conn, took bool)          // the poller saw input for c; took: c was parked
	waitIdle func(c *conn)                     // on c's goroutine: it waits for a request without buffers
	sweep    func(c *conn)                     // the sweep found c parked past its deadline, about to take it (under the poller's mu)
	hangUp   func(c *conn, canceled bool)      // the poller handled a hang-up event for c; canceled: it canceled c's context (under the poller's mu)
}

// setState moves the connection to state to. The transition table is
// enforced by the tests (testHooks), not at run time. Small enough to be
// inlined: it runs four times per request.
func (c *conn) setState(to connState) {
	if h := testHooks.Load(); h != nil {
		c.hookState(h, to)
	}
	c.state.v.Store(uint32(to))
}

func (c *conn) hookState(h *hooks, to connState) {
	if from := c.state.load(); from != to && h.state != nil {
		h.state(c, from, to)
	}
}
