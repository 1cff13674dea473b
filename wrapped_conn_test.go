package httpserver

import (
	"net"
	"testing"
)

// prefixConn embeds a *net.TCPConn, and so has its SyscallConn method, but
// returns bytes of its own before the socket's: what a PROXY protocol
// reader that read ahead looks like.
type prefixConn struct {
	*net.TCPConn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.TCPConn.Read(p)
}

type prefixListener struct {
	net.Listener
	prefix string
}

func (l prefixListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &prefixConn{TCPConn: c.(*net.TCPConn), prefix: []byte(l.prefix)}, nil
}

// TestWrappedConnReadThroughWrapper: a net.Conn that wraps a socket is
// read through its Read, never around it through the socket it exposes:
// the request held by the wrapper is served, and so is the next one, sent
// on the socket. Single-mode: the test is its own mode, a wrapper that
// exposes its *net.TCPConn.
func TestWrappedConnReadThroughWrapper(t *testing.T) {
	checkNoGoroutineLeak(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := startE2EOn(t, &Server{Handler: HandlerFunc(pathHandler)},
		prefixListener{l, "GET /from-the-wrapper HTTP/1.1\r\nHost: h\r\n\r\n"})
	rc := dialRaw(t, ts.addr)
	if r := rc.response("GET"); r.Status != 200 || string(r.Body) != "/from-the-wrapper" {
		t.Fatalf("first response: got %d %q, want 200 %q", r.Status, r.Body, "/from-the-wrapper")
	}
	if r := rc.roundTrip("GET /second HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 || string(r.Body) != "/second" {
		t.Fatalf("second response: got %d %q, want 200 %q", r.Status, r.Body, "/second")
	}
}
