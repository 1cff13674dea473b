//go:build !linux

package main

// sdNotify: systemd is Linux's (sdnotify_linux.go).
func sdNotify(string) error { return nil }

func monotonicUsec() string { return "0" }
