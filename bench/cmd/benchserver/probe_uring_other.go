//go:build !linux

package main

// The io_uring probe exists on Linux only (probe_uring_linux.go).
