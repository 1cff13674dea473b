package httpserver

import (
	"context"
	"sync"
	"testing"
)

// TestConnContext: a connection's context is made on first use, and is
// canceled whichever comes first, its making or its cancel: the order
// must not change what a handler sees.
func TestConnContext(t *testing.T) {
	tests := []struct {
		name    string
		steps   string // m: make (context), c: cancel, s: the server closes
		wantErr error
	}{
		{"made", "m", nil},
		{"made, then canceled", "mc", context.Canceled},
		{"canceled, then made", "cm", context.Canceled},
		{"canceled twice, then made", "ccm", context.Canceled},
		{"the server closed, then made", "sm", context.Canceled},
		{"made, then the server closed", "ms", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{}
			s.init()
			c := &conn{srv: s}
			var ctx context.Context
			for _, step := range tt.steps {
				switch step {
				case 'm':
					ctx = c.context()
				case 'c':
					c.cancel()
				case 's':
					s.cancel()
				}
			}
			if got := ctx.Err(); got != tt.wantErr {
				t.Errorf("Err: got %v, want %v", got, tt.wantErr)
			}
			if c.context() != ctx {
				t.Errorf("context again: got another, want the first")
			}
		})
	}
}

// TestConnContextNotMade: canceling a connection whose context nobody
// asked for makes none; asking afterwards gets a canceled one.
func TestConnContextNotMade(t *testing.T) {
	s := &Server{}
	s.init()
	c := &conn{srv: s}
	if !raceEnabled {
		if got := testing.AllocsPerRun(10, func() { c.cx.Store(nil); c.cancel() }); got != 0 {
			t.Errorf("cancel with no context made: got %v allocations, want 0", got)
		}
	}
	c.cx.Store(nil)
	c.cancel()
	if got := c.cx.Load(); got != canceledEarly {
		t.Fatalf("after cancel: got %p, want canceledEarly", got)
	}
	if err := c.context().Err(); err != context.Canceled {
		t.Errorf("made after cancel: Err got %v, want context.Canceled", err)
	}
}

// TestConnContextConcurrent: goroutines asking for the context at once,
// while another cancels, all get the same one, canceled.
func TestConnContextConcurrent(t *testing.T) {
	s := &Server{}
	s.init()
	for range 50 {
		c := &conn{srv: s}
		const n = 4
		ctxs := make([]context.Context, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { ctxs[i] = c.context() })
		}
		wg.Go(c.cancel)
		wg.Wait()
		for i, ctx := range ctxs {
			if ctx != ctxs[0] {
				t.Fatalf("goroutine %d got another context than goroutine 0", i)
			}
			if ctx.Err() != context.Canceled {
				t.Fatalf("goroutine %d: Err got %v, want context.Canceled", i, ctx.Err())
			}
		}
	}
}

// TestIdleConnMakesNoContext: a handler that never asks for its
// request's context leaves its parked connection without one; one that
// asks gets the connection's, which a later request's handler gets too.
func TestIdleConnMakesNoContext(t *testing.T) {
	ctxs := make(chan context.Context, 2)
	ts := serveE2E(t, func(req *Request) *Response {
		if req.Path == "/ctx" {
			ctxs <- req.Context()
		}
		return &Response{StatusCode: 200, Message: "ok"}
	})
	rc := dialRaw(t, ts.addr)
	rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	conns := func() []*conn {
		ts.srv.mu.Lock()
		defer ts.srv.mu.Unlock()
		var cs []*conn
		for c := range ts.srv.conns {
			cs = append(cs, c)
		}
		return cs
	}
	pollUntil(t, "the connection idle", func() bool {
		cs := conns()
		return len(cs) == 1 && (cs[0].state.load() == stateParked || cs[0].state.load() == stateIdle)
	})
	c := conns()[0]
	if x := c.cx.Load(); x != nil {
		t.Fatalf("idle connection whose handler did not ask: got a context, want none")
	}
	rc.roundTrip("GET /ctx HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	rc.roundTrip("GET /ctx HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	first, second := recvWithin(t, ctxs, "the handler"), recvWithin(t, ctxs, "the handler")
	if first != second || first.Err() != nil {
		t.Errorf("two requests' contexts: the same %v, Err %v; want the same, not canceled", first == second, first.Err())
	}
}
