//go:build unix

package nethttp

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// dialSmallBuffer connects to addr with a receive buffer of size bytes,
// set before the connection is made: shrinking it afterwards leaves the
// window the handshake advertised, and loopback TCP then stalls (net/http's
// server as well as the engine).
func dialSmallBuffer(t *testing.T, addr string, size int) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(network, address string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(hangGuard))
	t.Cleanup(func() { c.Close() })
	return c
}
