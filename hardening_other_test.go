//go:build !unix

package httpserver

import "syscall"

// setReceiveBuffer leaves the receive buffer as it is: the slow-read tests
// only take longer with a larger one.
func setReceiveBuffer(syscall.RawConn, int) error { return nil }
