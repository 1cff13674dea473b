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
	c.r.raw = raw
	c.r.rawFn = c.rawRead
}

// readIdle reads the first bytes of the next request. It tries the read
// at once, into a buffer from the pool, which is all it takes when the
// client has already sent the request (the common keep-alive case, no
// extra system call). Only when the read would block does it give the
// connection's buffers back (waitIdle) and wait for the socket to become
// readable holding none: an idle keep-alive connection costs its
// goroutine and socket, not kilobytes of buffers. The read deadline
// (IdleTimeout, or the one Shutdown sets) applies to the wait. A
// connection that can park (wouldBlock) does not wait: readIdle returns
// errWouldBlock instead, and the caller parks.
//
// The read and the wait are one RawConn.Read: a readiness event that
// arrives between a failed read and a separate wait would be lost (the
// runtime resets readiness when a wait begins).
func (r *reader) readIdle() (int, error) {
	r.rawN, r.rawErr = 0, nil
	if err := r.raw.Read(r.rawFn); err != nil {
		return 0, err
	}
	if r.rawErr != nil {
		return 0, r.rawErr
	}
	if r.rawN == 0 {
		return 0, io.EOF
	}
	return int(r.rawN), nil
}

// rawRead is called by RawConn.Read with the socket's descriptor: true
// means done (data, EOF or an error), false means "wait until readable".
// When it finds no input, before it waits or reports errWouldBlock, the
// connection gives back its buffers (waitIdle).
func (c *conn) rawRead(fd uintptr) bool {
	r := &c.r
	r.acquire()
	for {
		n, err := syscall.Read(int(fd), r.buf[r.end:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			c.waitIdle()
			if r.wouldBlock {
				r.rawErr = errWouldBlock
				return true
			}
			return false
		}
		n = max(n, 0)
		r.drained = n < len(r.buf)-r.end
		r.end += n
		r.rawN, r.rawErr = int32(n), err
		return true
	}
}
