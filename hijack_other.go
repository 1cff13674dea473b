//go:build !linux

package httpserver

// forgetSocket: without a poller there is nothing to forget.
func (c *conn) forgetSocket() {}
