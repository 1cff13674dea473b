//go:build !unix

package nethttp

import (
	"net"
	"testing"
)

func dialSmallBuffer(t *testing.T, addr string, size int) net.Conn {
	t.Skip("sets the socket's receive buffer before connecting: unix only")
	return nil
}
