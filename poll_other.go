//go:build !linux

package httpserver

import "errors"

// poller is Linux only (epoll); elsewhere a connection waits for its next
// request in an ordinary read, holding its goroutine.
type poller struct{}

func newPoller(*Server, int) (*poller, error) {
	return nil, errors.New("httpserver: no poller on this system")
}

func (p *poller) stop() {}

func (c *conn) park() parkResult { return parkNo }

func (c *conn) wakeToClose() bool { return false }

func (c *conn) deregister() {}

func (p *poller) work(*conn) {}

// start begins serving a new connection on a goroutine of its own.
func (c *conn) start() { go c.run() }

// Without a poller no hang-up is noticed (hangup.go): the connection is
// never registered.
func (c *conn) watchHangUps() { c.pk.noPark = true }

func (c *conn) peekSocket() peekResult { return peekNone }
