package main

import (
	"os"
	"syscall"
	"unsafe"
)

// terminalHungUp returns a function that reports whether the terminal
// that standard error was on when the command started has hung up since
// (closed window, lost ssh session). The kernel then sends SIGHUP, whose
// default action ends a program; the command, which takes SIGHUP for a
// restart, stops instead in that case, rather than leave a successor
// behind with no terminal. Without a terminal at the start (a service, a
// file, a pipe, nohup's nohup.out) every SIGHUP is a restart.
func terminalHungUp() func() bool {
	fd := int(os.Stderr.Fd())
	if !isTerminal(fd) {
		return func() bool { return false }
	}
	// A terminal that hung up fails every request but TIOCSPGRP with EIO.
	return func() bool { return !isTerminal(fd) }
}

// isTerminal reports whether fd is a terminal that answers TCGETS.
func isTerminal(fd int) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
