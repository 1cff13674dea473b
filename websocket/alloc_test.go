package websocket

import (
	"net"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver/httpservertest"
)

// replayConn is a connection whose reads return one client frame over
// and over, and whose writes go nowhere: a Conn over it reads and writes
// without a socket.
type replayConn struct {
	net.Conn // nil: only the methods below are called
	frame    []byte
	off      int
}

func (c *replayConn) Read(p []byte) (int, error) {
	n := copy(p, c.frame[c.off:])
	c.off = (c.off + n) % len(c.frame)
	return n, nil
}

func (c *replayConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (c *replayConn) SetWriteDeadline(time.Time) error { return nil }
func (c *replayConn) Close() error                     { return nil }

// replayed returns a Conn reading the client frame f again and again.
func replayed(t *testing.T, f frame, hs handshake, opts *Options) *Conn {
	var w appender
	(&client{t: t, nc: writerConn{w: &w}}).send(f)
	return newConn(&replayConn{frame: w.b}, httpservertest.NewRequest("GET", "/", nil), opts.resolve(), hs)
}

// TestAllocs: the allocation budgets of the message paths: a message
// read whole costs its buffer alone (grown once for a compressed one,
// whose size is not known in advance); a message written costs nothing,
// compressed or not (the deflaters and inflaters are pooled).
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte('a' + i%7)
	}
	noIdle := &Options{IdleTimeout: -1}
	compressed := &Options{IdleTimeout: -1, Compression: CompressionNoContext}
	deflate := handshake{deflate: true, params: deflateParams{serverNoContext: true, clientNoContext: true}}
	tests := []struct {
		name   string
		c      *Conn
		op     func(c *Conn) error
		budget float64
	}{
		{"ReadMessage, binary", replayed(t, binary(msg), handshake{}, noIdle), func(c *Conn) error { _, _, err := c.ReadMessage(); return err }, 1},
		{"ReadMessage, text", replayed(t, text(string(msg)), handshake{}, noIdle), func(c *Conn) error { _, _, err := c.ReadMessage(); return err }, 1},
		{"ReadMessage, compressed", replayed(t, frame{op: opText, rsv: rsv1, payload: fresh(t, msg)}, deflate, compressed), func(c *Conn) error { _, _, err := c.ReadMessage(); return err }, 2},
		{"WriteMessage", replayed(t, text(""), handshake{}, noIdle), func(c *Conn) error { return c.WriteMessage(BinaryMessage, msg) }, 0},
		{"WriteMessage, text", replayed(t, text(""), handshake{}, noIdle), func(c *Conn) error { return c.WriteMessage(TextMessage, msg) }, 0},
		{"WriteMessage, compressed", replayed(t, text(""), deflate, compressed), func(c *Conn) error { return c.WriteMessage(TextMessage, msg) }, 0},
		{"Ping", replayed(t, text(""), handshake{}, noIdle), func(c *Conn) error { return c.Ping(nil) }, 0},
	}
	for _, tt := range tests {
		var err error
		got := testing.AllocsPerRun(100, func() {
			if e := tt.op(tt.c); e != nil {
				err = e
			}
		})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		t.Logf("%s: %.1f allocations", tt.name, got)
		if got > tt.budget {
			t.Errorf("%s: %.1f allocations, budget %.0f", tt.name, got, tt.budget)
		}
	}
}
