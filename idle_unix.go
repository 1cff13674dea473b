//go:build unix

package httpserver

import (
	"io"
	"syscall"
)

// setupRaw prepares readIdle for connections that expose their socket.
func (c *conn) setupRaw() {
	sc, ok := c.rwc.(syscall.Conn)
	if !ok {
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
// one Shutdown sets) applies to the wait.
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
			return false
		}
		if n < 0 {
			n = 0
		}
		c.rawN, c.rawErr = n, err
		return true
	}
}
