//go:build unix

package httpserver

import (
	"context"
	"net"
	"testing"
)

// TestIdleConnHoldsNoBuffers checks that a keep-alive connection waiting
// for its next request has given its read and write buffers back, and
// that it still serves the next request. Plain TCP only: it checks the
// raw-read wait (readIdle), which only a connection with its socket has.
func TestIdleConnHoldsNoBuffers(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
		return &Response{StatusCode: 200, Message: "hi"}
	})}
	srv.init()
	accepted := make(chan *conn, 1)
	// What the connection holds each time it waits, as seen from its own
	// goroutine.
	waits := make(chan [2]int, 10)
	setHooks(t, &hooks{waitIdle: func(c *conn) { waits <- [2]int{cap(c.r.buf), cap(c.w.buf)} }})
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		c := newConn(srv, nc, srv.ctx)
		accepted <- c
		c.serve()
	}()
	rc := dialRaw(t, l.Addr().String())
	c := recvWithin(t, accepted, "the connection")
	if c.r.raw == nil {
		t.Fatal("a TCP connection has no raw access; readIdle is not used")
	}
	for i := range 3 {
		rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		got := recvWithin(t, waits, "the connection to wait for a request")
		if got != [2]int{} {
			t.Fatalf("after request %d: idle connection holds a %d-byte read and a %d-byte write buffer, want none",
				i, got[0], got[1])
		}
	}
	srv.Shutdown(context.Background())
}
