//go:build !linux

package main

// terminalHungUp: without a way to tell here, every SIGHUP is a restart
// (terminal_linux.go says why it matters).
func terminalHungUp() func() bool { return func() bool { return false } }
