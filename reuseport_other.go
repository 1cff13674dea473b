//go:build !linux

package httpserver

import "syscall"

// reusePortControl is nil: ListenReusePort is Linux only.
var reusePortControl func(network, address string, c syscall.RawConn) error
