package main

import (
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// sdNotify tells the service manager about the command's state, by
// systemd's notification protocol (sd_notify(3)): one datagram with
// state, "KEY=value" lines, to the Unix socket NOTIFY_SOCKET names. It
// does nothing when NOTIFY_SOCKET is unset (not a systemd service, or
// one whose Type does not listen). What the command says, and when:
//
//	READY=1                     serving every listener (not a successor of a restart)
//	RELOADING=1, MONOTONIC_USEC a SIGHUP restart begins
//	MAINPID=N, READY=1          the successor, pid N, serves: it is the main process now
//	READY=1                     the restart failed; this process goes on
//	STOPPING=1                  shutting down (not after handing over)
//
// So a unit with Type=notify-reload (systemd 253; ExecReload then sends
// SIGHUP) or Type=notify with ExecReload=kill -HUP $MAINPID restarts in
// place on "systemctl reload", and systemd follows the main process to
// the successor instead of stopping the service when the predecessor
// exits. With NotifyAccess=main (Type=notify's default) only the main
// process may send: that is why the predecessor, not the successor,
// names the successor. systemd's vsock addresses are not supported.
func sdNotify(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] != '/' && name[0] != '@' {
		return errors.New("NOTIFY_SOCKET " + strconv.Quote(name) + ": not a Unix socket (only those are supported)")
	}
	// A leading '@' is the abstract namespace, which the net package
	// maps itself.
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, as systemd wants it
// beside RELOADING=1.
func monotonicUsec() string {
	var ts syscall.Timespec
	const clockMonotonic = 1
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return "0"
	}
	return strconv.FormatInt(ts.Sec*1_000_000+ts.Nsec/1000, 10)
}
