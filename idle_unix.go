//go:build unix

package httpserver

import (
	"errors"
	"io"
	"net"
	"syscall"
)

// errWouldBlock is readIdle's report that no input is waiting, for a
// connection that can park instead of waiting in the read.
var errWouldBlock = errors.New("httpserver: no input yet")

// setupRaw prepares readIdle for connections that expose their socket.
//
// Only the net package's own socket types qualify: a wrapper that embeds
// one (a PROXY protocol reader, say) would expose the socket through
// promotion while keeping bytes of its own, which a raw read would skip.
func (c *conn) setupRaw() {
	var sc syscall.Conn
	switch rwc := c.rwc.(type) {
	case *net.TCPConn:
		sc = rwc
	case *net.UnixConn:
		sc = rwc
	default:
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.raw = raw
	c.rawReadFn = c.rawRead
}

// readIdle reads the first bytes of the next request. It tries the read
// at once, into a buffer from the pool, which is all it takes when the
// client has already sent the request (the common keep-alive case, no
// extra system call). Only when the read would block does it give the
// connection's buffers back and wait for the socket to become readable
// holding none: an idle keep-alive connection costs its goroutine and
// socket, not kilobytes of buffers. The read deadline (IdleTimeout, or the
// one Shutdown sets) applies to the wait. A connection that can park does
// not wait: readIdle returns errWouldBlock instead, and the caller parks.
func (c *conn) readIdle() (int, error) {
	c.rawN, c.rawErr = 0, nil
	if err := c.raw.Read(c.rawReadFn); err != nil {
		return 0, err
	}
	if c.rawErr != nil {
		return 0, c.rawErr
	}
	if c.rawN == 0 {
		return 0, io.EOF
	}
	return c.rawN, nil
}

// rawRead is called by RawConn.Read with the socket's descriptor: true
// means done (data, EOF or an error), false means "wait until readable".
func (c *conn) rawRead(fd uintptr) bool {
	c.acquireReadBuf()
	for {
		n, err := syscall.Read(int(fd), c.rbuf[c.rend:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			c.releaseBuffers()
			if c.poll != nil && !c.noPark {
				c.rawErr = errWouldBlock
				return true
			}
			return false
		}
		if n < 0 {
			n = 0
		}
		c.drained = n < len(c.rbuf)-c.rend
		c.rawN, c.rawErr = n, err
		return true
	}
}
