//go:build unix

package httpserver

import "syscall"

// setReceiveBuffer sets SO_RCVBUF on a socket before it connects.
func setReceiveBuffer(c syscall.RawConn, n int) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
	})
	if err != nil {
		return err
	}
	return serr
}
