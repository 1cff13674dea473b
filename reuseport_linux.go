package httpserver

import (
	"os"
	"runtime"
	"syscall"
)

// soReusePort is SO_REUSEPORT, which package syscall lacks on 386, amd64
// and arm: 15 in asm-generic/socket.h, 0x200 on MIPS.
var soReusePort = func() int {
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le":
		return 0x200
	}
	return 0xf
}()

// reusePortControl sets SO_REUSEPORT on a socket before it binds
// (net.ListenConfig.Control). A variable, nil on other systems.
var reusePortControl = func(network, address string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
	}); err != nil {
		return err
	}
	return os.NewSyscallError("setsockopt SO_REUSEPORT", serr)
}
