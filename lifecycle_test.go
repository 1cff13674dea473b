package httpserver

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestTransitionTable checks the lifecycle's table without sockets: the
// paths a connection takes are allowed, and the moves that would be bugs
// are not.
func TestTransitionTable(t *testing.T) {
	paths := map[string][]connState{
		"one request, closed by the client":   {stateNew, stateIdle, stateHead, stateHandler, stateWriting, stateIdle, stateClosed},
		"keep-alive, parked in between":       {stateNew, stateIdle, stateHead, stateHandler, stateWriting, stateIdle, stateParked, stateIdle, stateHead, stateHandler, stateWriting, stateClosed},
		"pipelined":                           {stateIdle, stateHead, stateHandler, stateWriting, stateHead, stateHandler, stateWriting, stateIdle},
		"unread body drained, then pipelined": {stateHead, stateHandler, stateWriting, stateDraining, stateHead},
		"unread body drained, then idle":      {stateWriting, stateDraining, stateIdle},
		"refused head":                        {stateIdle, stateHead, stateClosed},
		"parked, then the idle timeout":       {stateIdle, stateParked, stateClosed},
		"input while parking":                 {stateIdle, stateParked, stateIdle, stateHead},
		"handler panics, connection closes":   {stateHead, stateHandler, stateWriting, stateClosed},
		"TLS negotiated h2":                   {stateNew, stateTakenOver, stateClosed},
		"HTTP/2 preface":                      {stateNew, stateIdle, stateHead, stateTakenOver, stateClosed},
		"a Stream hands off (WebSocket)":      {stateHead, stateHandler, stateWriting, stateTakenOver, stateClosed},
	}
	for name, p := range paths {
		for i := 1; i < len(p); i++ {
			if !canMove(p[i-1], p[i]) {
				t.Errorf("%s: %v -> %v is not in the table", name, p[i-1], p[i])
			}
		}
	}
	forbidden := [][2]connState{
		{stateClosed, stateIdle}, {stateClosed, stateHead}, {stateParked, stateHead},
		{stateParked, stateHandler}, {stateHandler, stateIdle}, {stateHandler, stateHead},
		{stateHead, stateWriting}, {stateIdle, stateHandler}, {stateNew, stateParked},
	}
	for _, m := range forbidden {
		if canMove(m[0], m[1]) {
			t.Errorf("%v -> %v is allowed, want refused", m[0], m[1])
		}
	}
	// A hijacked connection is no longer the server's: it never closes
	// through the lifecycle, and only a response can be hijacked.
	for s := range numStates {
		if s != stateWriting && canMove(s, stateHijacked) {
			t.Errorf("%v -> hijacked is allowed, want refused", s)
		}
	}
	for s := range numStates {
		if canMove(stateTakenOver, s) != (s == stateClosed) {
			t.Errorf("taken over -> %v: allowed %v, want only closed", s, canMove(stateTakenOver, s))
		}
	}
	for s := range numStates {
		if s != stateClosed && s != stateHijacked && !canMove(s, stateClosed) {
			t.Errorf("%v cannot close", s)
		}
	}
}

// stateLog records the lifecycle of every connection while a test runs,
// checking each move against the table.
type stateLog struct {
	mu    sync.Mutex
	paths map[*conn][]connState
	bad   []string
}

func (l *stateLog) record(c *conn, from, to connState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.paths == nil {
		l.paths = make(map[*conn][]connState)
	}
	if len(l.paths[c]) == 0 {
		l.paths[c] = []connState{from}
	}
	l.paths[c] = append(l.paths[c], to)
	if !canMove(from, to) {
		l.bad = append(l.bad, fmt.Sprintf("%v -> %v", from, to))
	}
}

func (l *stateLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.bad {
		t.Errorf("transition outside the table: %s", b)
	}
}

// pathString is the path of the only connection recorded.
func (l *stateLog) pathString(t *testing.T) string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.paths) != 1 {
		t.Fatalf("recorded %d connections, want 1", len(l.paths))
	}
	var parts []string
	for _, p := range l.paths {
		for _, s := range p {
			parts = append(parts, s.String())
		}
	}
	return strings.Join(parts, " ")
}

// TestLifecycleOverLoopback drives one connection through keep-alive,
// pipelining, an undrained body and a close, and checks every transition
// it made against the table, in every mode (in modeParked the connection
// may park between requests; in the others it waits in a read).
func TestLifecycleOverLoopback(t *testing.T) {
	runModes(t, testLifecycleOverLoopback)
}

func testLifecycleOverLoopback(t *testing.T, m mode) {
	var log stateLog
	closed := make(chan struct{})
	srv := &Server{Handler: HandlerFunc(pathHandler)}
	setHooks(t, &hooks{state: func(c *conn, from, to connState) {
		if c.srv != srv {
			return // another test's connection, closing late
		}
		log.record(c, from, to)
		if to == stateClosed {
			close(closed)
		}
	}})
	ts := m.start(t, srv)
	rc := ts.dialRaw(t)
	rc.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	rc.send("GET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.response("GET")
	rc.response("GET")
	rc.roundTrip("POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", "POST")
	rc.roundTrip("GET /e HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET")
	rc.expectClosed()
	recvWithin(t, closed, "the connection to close")
	log.check(t)
	got := log.pathString(t)
	for _, want := range []string{"new idle", "head handler writing", "writing head handler", "writing draining", "closed"} {
		if !strings.Contains(got, want) {
			t.Errorf("lifecycle %q lacks %q", got, want)
		}
	}
}
