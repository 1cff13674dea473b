package httpserver

import "syscall"

// forgetSocket takes a connection being hijacked out of the epoll set it
// is registered with, so that its input no longer wakes the poller and its
// hang-ups no longer reach the connection: the socket is the new owner's.
// That is its own poller's for a socket that can park, and the one that
// watches hang-ups for a TLS connection's TCP socket (pk.reg either way;
// pk.poll is nil for the second).
func (c *conn) forgetSocket() {
	p := c.pk.reg
	if p == nil || c.pk.id == 0 {
		return
	}
	fd := int(c.pk.fd)
	c.deregister()
	syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
}
