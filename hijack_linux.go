package httpserver

import "syscall"

// forgetSocket takes a connection being hijacked out of the poller's
// epoll set, so that its input no longer wakes the poller: the socket is
// the new owner's.
func (c *conn) forgetSocket() {
	p := c.pk.poll
	if p == nil || c.pk.id == 0 {
		return
	}
	fd := int(c.pk.fd)
	c.deregister()
	syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
}
