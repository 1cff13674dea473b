package httpserver

import (
	"io"
	"net"
	"time"
)

// memConn is an in-memory net.Conn for benchmarks and allocation tests:
// it replays req `times` times, `depth` requests per Read (1 for plain
// keep-alive, more for pipelining), and counts what the server writes.
type memConn struct {
	req     []byte
	batch   []byte // depth copies of req
	times   int    // requests left to deliver
	depth   int
	written int64
	writes  int
}

func newMemConn(req string, times, depth int) *memConn {
	m := &memConn{req: []byte(req), times: times, depth: depth}
	for i := 0; i < depth; i++ {
		m.batch = append(m.batch, req...)
	}
	return m
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.times <= 0 {
		return 0, io.EOF
	}
	k := m.depth
	if k > m.times {
		k = m.times
	}
	if len(p) < k*len(m.req) {
		k = len(p) / len(m.req)
		if k == 0 {
			panic("memConn: read buffer smaller than one request")
		}
	}
	m.times -= k
	return copy(p, m.batch[:k*len(m.req)]), nil
}

func (m *memConn) Write(p []byte) (int, error) {
	m.written += int64(len(p))
	m.writes++
	return len(p), nil
}

func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }

// serveMem serves one memConn to the end on the calling goroutine.
func serveMem(s *Server, m *memConn) {
	s.init()
	clockStart()
	defer clockStop()
	c := newConn(s, m, s.ctx)
	c.serve()
}
