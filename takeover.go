package httpserver

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime/debug"
	"time"
)

// A ConnHandler serves a connection the server accepted and then handed
// over whole, to speak another protocol on it: HTTP/2 after TLS
// negotiated "h2" (Server.TLSNextProto), or after the HTTP/2 preface on a
// cleartext connection (Server.H2C). c is the connection: a *tls.Conn for
// TLSNextProto, and for H2C a net.Conn whose first reads return the bytes
// the server had already read (the preface among them).
//
// The function owns c until it returns; the server then closes c. Until
// then the connection stays the server's to count, unlike one taken with
// StreamWriter.Hijack: it counts toward MaxConns and MaxConnsPerIP,
// Shutdown waits for the function to return (tell it to finish with
// Server.RegisterOnShutdown), and Close closes c under it. None of the
// server's timeouts apply: the function sets its own deadlines. ctx is
// canceled when Close is called, or when a Shutdown whose context ended
// closes the connection. It runs on the connection's goroutine; a panic in
// it is logged and closes the connection, as a handler's does.
type ConnHandler func(ctx context.Context, c net.Conn)

// h2Preface is the client connection preface of HTTP/2 (RFC 9113 §3.4).
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// prefaceMatch is how the first bytes of a connection compare with the
// HTTP/2 preface.
type prefaceMatch uint8

const (
	prefaceNo      prefaceMatch = iota // not the preface: HTTP/1
	prefacePartial                     // a proper prefix of it: read more
	prefaceWhole                       // the preface
)

// matchPreface compares in, the first bytes of a connection, with the
// HTTP/2 preface. It is a pure function, tested at every split point.
func matchPreface(in []byte) prefaceMatch {
	switch {
	case len(in) >= len(h2Preface):
		if string(in[:len(h2Preface)]) == h2Preface {
			return prefaceWhole
		}
	case bytes.HasPrefix([]byte(h2Preface), in):
		return prefacePartial
	}
	return prefaceNo
}

// prereadConn is a connection whose first reads return bytes the server
// read from it before handing it over, and whose RemoteAddr is the
// client's when a PROXY protocol header said who that is.
type prereadConn struct {
	net.Conn
	rest   []byte
	remote net.Addr // nil: the connection's own
}

func (p *prereadConn) RemoteAddr() net.Addr {
	if p.remote != nil {
		return p.remote
	}
	return p.Conn.RemoteAddr()
}

func (p *prereadConn) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		if len(p.rest) == 0 {
			p.rest = nil
		}
		return n, nil
	}
	return p.Conn.Read(b)
}

// CloseWrite half-closes the connection when it can be (TCP, TLS), as a
// protocol that lingers after its last message needs (WebSocket's close).
func (p *prereadConn) CloseWrite() error {
	if cw, ok := p.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// withPreread returns c, preceded by rest when there is any.
func withPreread(c net.Conn, rest []byte) net.Conn {
	if len(rest) == 0 {
		return c
	}
	return &prereadConn{Conn: c, rest: rest}
}

// takeOver hands the connection to serve with the bytes rest already read
// from it, runs serve, and then closes the connection and ends the
// server's accounting for it. The caller has moved nothing yet: takeOver
// moves the state to taken-over, and to closed when serve returns. The
// conn's own close (c.close) runs afterwards, as for a hijack, and frees
// what is left.
func (c *conn) takeOver(serve func(net.Conn), rest []byte) {
	// The read buffer holds nothing unconsumed (rest is a copy) and the
	// window was flushed: both go back to their pools for as long as
	// serve runs, which may be hours (a WebSocket). The arenas stay: the
	// Request's strings live in them.
	c.r.release()
	c.w.release()
	c.rwc.SetDeadline(time.Time{})
	c.forgetSocket()
	c.hijacked = true
	c.setState(stateTakenOver)
	defer func() {
		if r := recover(); r != nil {
			c.srv.logger().Error("httpserver: connection handler panic", "panic", r, "remote", c.remoteAddr, "stack", string(debug.Stack()))
		}
		c.setState(stateClosed)
		c.rwc.Close()
		c.untrack()
	}()
	nc := withPreread(c.rwc, rest)
	if c.proxy != nil && c.proxy.Source.IsValid() {
		nc = &prereadConn{Conn: c.rwc, rest: rest, remote: net.TCPAddrFromAddrPort(c.proxy.Source)}
	}
	serve(nc)
}

// serveConnHandler hands a connection that has not carried a request to
// h: after a TLS handshake that negotiated h's protocol, or after the
// HTTP/2 preface (whose bytes, in the read buffer, go along). The
// buffers are given back first: the connection may live long under h.
func (c *conn) serveConnHandler(h ConnHandler, rest []byte) {
	if len(rest) > 0 {
		rest = append([]byte(nil), rest...)
		c.r.consume(len(rest))
	}
	c.releaseBuffers()
	c.releaseState()
	c.takeOver(func(nc net.Conn) { h(c.context(), nc) }, rest)
}
