//go:build unix

package httpserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// setCloexec sets close-on-exec on fd, a descriptor passed to the
// process, after checking that it is open.
func setCloexec(fd int) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	syscall.CloseOnExec(fd)
	return nil
}

func closeFD(fd int) { syscall.Close(fd) }

// fileListener makes a listener of fd, a descriptor passed to the
// process, and closes fd either way (the listener has a duplicate).
func fileListener(fd int, name string) (net.Listener, error) {
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if err := checkListening(fd); err != nil {
		return nil, err
	}
	return net.FileListener(f)
}

// checkListening reports why fd is not a stream socket that listens, as
// sd_is_socket(3) would check: net.FileListener would take such a socket
// and fail only at Accept.
func checkListening(fd int) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFSOCK {
		return errors.New("not a socket")
	}
	typ, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if typ != syscall.SOCK_STREAM {
		return errors.New("not a stream socket (a datagram socket cannot be served)")
	}
	listening, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if listening == 0 {
		return errors.New("a stream socket that does not listen")
	}
	return nil
}

// listenerFile returns a duplicate of l's descriptor, close-on-exec, for
// another process to inherit. Unlike TCPListener.File it leaves the
// descriptor in non-blocking mode: File's descriptor turns blocking when
// os/exec takes its number (File.Fd), and the mode belongs to the socket,
// which l shares, so l's Accept would then block a thread, deaf to Close.
func listenerFile(l net.Listener) (*os.File, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("a %T has no descriptor to pass", l)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var dupErr error
	err = raw.Control(func(fd uintptr) {
		// Under ForkLock, so that no process started meanwhile inherits
		// the duplicate before it is close-on-exec.
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		nfd, dupErr = syscall.Dup(int(fd))
		if dupErr == nil {
			syscall.CloseOnExec(nfd)
		}
	})
	if err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, os.NewSyscallError("dup", dupErr)
	}
	return os.NewFile(uintptr(nfd), fmt.Sprintf("listener %v", l.Addr())), nil
}
