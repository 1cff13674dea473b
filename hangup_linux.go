package httpserver

import (
	"crypto/tls"
	"net"
	"syscall"
)

// watchHangUps registers the connection's socket with the poller, so that
// a client that goes away is noticed (hangup.go), as the connection's
// first handler starts; a connection that parked before is registered
// already. A socket that can park registers as for parking (a failure
// means it cannot park either); a TLS connection's TCP socket registers
// for EPOLLRDHUP alone, since it never parks, and input on it would
// only wake the poller for nothing. Any other connection is not watched.
func (c *conn) watchHangUps() {
	if c.pk.poll != nil {
		if !c.register() {
			c.pk.noPark = true // read and wait the ordinary way from now on
			c.r.wouldBlock = false
		}
		return
	}
	c.pk.noPark = true // tried once, whatever the outcome
	raw := tlsSocket(c.rwc)
	if raw == nil {
		return
	}
	c.srv.mu.Lock()
	p := c.srv.polls.pickLocked() // kept at least as long as this connection is tracked
	c.srv.mu.Unlock()
	if p != nil {
		c.registerWith(p, raw, syscall.EPOLLRDHUP|epollET, true)
	}
}

// tlsSocket returns the raw access to the TCP socket under a TLS
// connection, or nil when rwc is something else.
func tlsSocket(rwc net.Conn) syscall.RawConn {
	tc, ok := rwc.(*tls.Conn)
	if !ok {
		return nil
	}
	tcp, ok := tc.NetConn().(*net.TCPConn)
	if !ok {
		return nil
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// peekSocket looks at the next byte of input in the connection's socket
// without consuming it. It uses raw.Control, which keeps the descriptor
// from being closed (by Server.Close) and reused while it is used; a
// closed socket gives peekFailed. A peek that reports ECONNRESET clears
// the socket's error, so the owner's next read sees an EOF instead: the
// connection ends all the same.
func (c *conn) peekSocket() peekResult {
	if c.r.raw == nil {
		return peekNone
	}
	res := peekFailed
	c.r.raw.Control(func(fd uintptr) {
		var b [1]byte
		for {
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if err != syscall.EINTR {
				res = classifyPeek(n, err)
				return
			}
		}
	})
	return res
}

// classifyPeek names what a one-byte MSG_PEEK recv returned.
func classifyPeek(n int, err error) peekResult {
	switch err {
	case nil:
		if n > 0 {
			return peekData
		}
		return peekEOF
	case syscall.EAGAIN:
		return peekEmpty
	case syscall.ECONNRESET, syscall.ETIMEDOUT:
		return peekBroken
	}
	return peekFailed
}
