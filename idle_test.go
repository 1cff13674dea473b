//go:build unix

package httpserver

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"testing"
)

// TestIdleConnHoldsNoBuffers checks that a keep-alive connection waiting
// for its next request has given its read and write buffers back, and
// that it still serves the next request.
func TestIdleConnHoldsNoBuffers(t *testing.T) {
	if raceEnabled {
		// The test reads the connection's fields while its goroutine is
		// parked; correct, but invisible to the race detector.
		t.Skip("reads another goroutine's fields")
	}
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
	if c.raw == nil {
		t.Fatal("a TCP connection has no raw access; readIdle is not used")
	}
	for i := range 3 {
		rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		pollUntil(t, "the connection to wait for a request", idleWaitParked)
		if c.rbuf != nil || c.wbuf != nil {
			t.Fatalf("after request %d: idle connection holds a %d-byte read and a %d-byte write buffer, want none",
				i, cap(c.rbuf), cap(c.wbuf))
		}
	}
	srv.Shutdown(context.Background())
}

// idleWaitParked reports whether a connection goroutine is parked on the
// poller in readIdle.
func idleWaitParked() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("[IO wait")) && bytes.Contains(g, []byte("(*conn).readIdle")) {
			return true
		}
	}
	return false
}
