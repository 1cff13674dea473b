package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// This file: listening sockets that net.Listen does not make. A port
// shared by several sockets (ListenReusePort); the sockets systemd passes
// by socket activation (SystemdListeners); and the sockets a running
// process hands to the one it starts to replace it (PassListeners in the
// old process, InheritedListeners in the new), for restarts that drop no
// connection. The platform parts are in reuseport_*.go and listen_*.go.

// ListenReusePort listens on the TCP address addr (network "tcp", "tcp4"
// or "tcp6", as for net.Listen) with the socket option SO_REUSEPORT set
// before it binds. Several sockets with that option may then be bound to
// the same address and port, by one process or by several, as long as
// they run as the same user (so no other user can take a share of the
// port); each socket has its own queue of connections waiting to be
// accepted, and the kernel spreads new connections over the sockets by a
// hash of their addresses and ports. That serves one port with several
// processes, say one per core, or runs a new version of a server beside
// the old one.
//
// It is not the way to restart a server in place. The connections the
// kernel has queued on a socket stay with it: closing a listener resets
// those it had not accepted yet, even though the other sockets go on
// serving the port. Handing the listening socket itself to the successor
// (PassListeners, InheritedListeners) loses none: while both processes
// run they accept from the same queue, which lives as long as one of
// them holds the socket.
//
// On systems other than Linux it returns an error wrapping
// errors.ErrUnsupported (macOS's SO_REUSEPORT does not spread
// connections; FreeBSD's option for that has another name).
func ListenReusePort(network, addr string) (net.Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("httpserver: ListenReusePort: network %q: want tcp, tcp4 or tcp6", network)
	}
	if reusePortControl == nil {
		return nil, fmt.Errorf("httpserver: SO_REUSEPORT on %s: %w", runtime.GOOS, errors.ErrUnsupported)
	}
	lc := net.ListenConfig{Control: reusePortControl}
	return lc.Listen(context.Background(), network, addr)
}

// The environment variables of socket activation (systemd's
// sd_listen_fds(3)) and of the hand-over to a successor.
const (
	envListenPID     = "LISTEN_PID"
	envListenFDs     = "LISTEN_FDS"
	envListenFDNames = "LISTEN_FDNAMES"
	envPassedFDs     = "HTTPSERVER_LISTEN_FDS"
	envPassedPPID    = "HTTPSERVER_LISTEN_PPID"

	// listenFDsStart is the first descriptor passed (SD_LISTEN_FDS_START):
	// 0, 1 and 2 are standard input, output and error.
	listenFDsStart = 3
)

// SystemdListeners returns the listening sockets that systemd passed to
// this process by socket activation (a .socket unit, or
// systemd-socket-activate), in the order of the unit's Listen lines:
// LISTEN_FDS descriptors from 3 on, when LISTEN_PID is this process's id.
// Like libsystemd's sd_listen_fds(1), it sets close-on-exec on the
// descriptors and unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES,
// whatever they held, so that the processes this one starts neither
// inherit the sockets nor take the variables for theirs; only the first
// call finds them.
//
// It returns nil and no error when the process was not activated (no
// LISTEN_PID, or another process's). Each listener is a *net.TCPListener
// or a *net.UnixListener on a duplicate of its descriptor; the
// descriptors passed are closed. One that is not a listening stream
// socket (a ListenDatagram= line, say) is an error, and then every one
// passed is closed. Not on Windows and Plan 9 (errors.ErrUnsupported).
//
// Under socket activation the sockets outlive the service: when systemd
// restarts it, the connections that arrive meanwhile wait in the
// sockets' queues for the new process.
func SystemdListeners() ([]net.Listener, error) {
	ls, _, err := processEnv().systemdListeners()
	return ls, err
}

// SystemdListenersByName is SystemdListeners with the listeners grouped
// by the names of LISTEN_FDNAMES (each socket's FileDescriptorName=, by
// default the name of its .socket unit), each group in the order passed.
// Without LISTEN_FDNAMES every one is named "unknown", as
// sd_listen_fds_with_names(3) names them.
func SystemdListenersByName() (map[string][]net.Listener, error) {
	ls, names, err := processEnv().systemdListeners()
	if ls == nil {
		return nil, err
	}
	m := make(map[string][]net.Listener)
	for i, l := range ls {
		m[names[i]] = append(m[names[i]], l)
	}
	return m, nil
}

// InheritedListeners returns the listening sockets that this process's
// parent handed to it with PassListeners: HTTPSERVER_LISTEN_FDS
// descriptors from 3 on, when HTTPSERVER_LISTEN_PPID is the parent's
// process id. Like SystemdListeners it sets close-on-exec on them, unsets
// both variables (whatever they held), and returns nil and no error when
// nothing was passed to this process.
//
// The protocol is systemd's with one change. LISTEN_PID names the process
// the sockets are for, which systemd writes into the environment after it
// forks and before it executes the service; a Go program cannot run code
// there (os/exec forks and executes in one step), so the only process id
// the parent knows in time is its own. The child checks that its parent
// is that process: a process that finds the variables without being the
// child they were written for (one that inherited the environment from
// it, or a child whose parent died and that another process adopted)
// leaves the descriptors alone.
func InheritedListeners() ([]net.Listener, error) {
	return processEnv().inheritedListeners()
}

// PassListeners makes cmd, not started yet, inherit the listening sockets
// ls, for InheritedListeners in the new process: a new instance of the
// same program, typically, that takes the sockets over without a pause
// (a restart in place). It puts a duplicate of each socket's descriptor
// in cmd.ExtraFiles, which must be empty (they become descriptors 3, 4,
// ... of the child; other files may be appended after them), sets
// HTTPSERVER_LISTEN_FDS and HTTPSERVER_LISTEN_PPID in cmd.Env (which is
// os.Environ() if nil) and removes systemd's LISTEN_ variables from it.
//
// The listeners go on working here: until one process closes its
// listener, both accept from the socket's one queue, and the queue lives
// as long as either holds the socket, so no connection is lost between
// the two. (The duplicates stay in non-blocking mode, which
// TCPListener.File would have turned off for this process's descriptor
// too, since they share it.) A *net.UnixListener is set not to remove
// its socket's name when closed here, since the child serves it.
//
// The function returned closes this process's duplicates; call it once
// cmd.Start has returned, whether it succeeded or not.
func PassListeners(cmd *exec.Cmd, ls ...net.Listener) (closeFiles func(), err error) {
	if len(cmd.ExtraFiles) > 0 {
		return nil, errors.New("httpserver: PassListeners: cmd.ExtraFiles is not empty (the sockets must come first, from descriptor 3)")
	}
	if len(ls) == 0 {
		return nil, errors.New("httpserver: PassListeners: no listener")
	}
	files := make([]*os.File, 0, len(ls))
	closeFiles = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, l := range ls {
		f, err := listenerFile(l)
		if err != nil {
			closeFiles()
			return nil, fmt.Errorf("httpserver: PassListeners: %v: %w", l.Addr(), err)
		}
		files = append(files, f)
	}
	for _, l := range ls {
		if ul, ok := l.(*net.UnixListener); ok {
			ul.SetUnlinkOnClose(false)
		}
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	env = withoutEnv(env, envListenPID, envListenFDs, envListenFDNames, envPassedFDs, envPassedPPID)
	cmd.Env = append(env,
		envPassedFDs+"="+strconv.Itoa(len(files)),
		envPassedPPID+"="+strconv.Itoa(os.Getpid()))
	cmd.ExtraFiles = files
	return closeFiles, nil
}

// withoutEnv returns env (a copy) without the variables named.
func withoutEnv(env []string, names ...string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			if name == n {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// listenEnv is what the functions above read of the process: its
// environment and its ids. Tests give fakes.
type listenEnv struct {
	lookup    func(string) (string, bool)
	unset     func(string) error
	pid, ppid int
	// cloexec sets close-on-exec on a descriptor passed, or says why it
	// cannot (not open); listener turns it into a listener, closing it
	// either way (fileListener); closeFD closes it after an error.
	cloexec  func(fd int) error
	listener func(fd int, name string) (net.Listener, error)
	closeFD  func(fd int)
}

func processEnv() listenEnv {
	return listenEnv{
		lookup:   os.LookupEnv,
		unset:    os.Unsetenv,
		pid:      os.Getpid(),
		ppid:     os.Getppid(),
		cloexec:  setCloexec,
		listener: fileListener,
		closeFD:  closeFD,
	}
}

// systemdFDs reads and unsets the variables of socket activation. It
// returns a name for each descriptor passed to this process (from
// listenFDsStart on), none when nothing was, and an error when the
// variables are malformed (for this process), as sd_listen_fds does.
func (e listenEnv) systemdFDs() (names []string, err error) {
	pidStr, havePID := e.lookup(envListenPID)
	fdsStr, haveFDs := e.lookup(envListenFDs)
	namesStr, haveNames := e.lookup(envListenFDNames)
	for _, v := range []string{envListenPID, envListenFDs, envListenFDNames} {
		e.unset(v)
	}
	if !havePID {
		return nil, nil
	}
	pid, err := parsePositive(pidStr)
	if err != nil {
		return nil, fmt.Errorf("httpserver: %s=%q: %v", envListenPID, pidStr, err)
	}
	if pid != e.pid || !haveFDs {
		return nil, nil // for another process
	}
	n, err := parsePositive(fdsStr)
	if err != nil {
		return nil, fmt.Errorf("httpserver: %s=%q: %v", envListenFDs, fdsStr, err)
	}
	names = make([]string, n)
	if !haveNames {
		for i := range names {
			names[i] = "unknown"
		}
		return names, nil
	}
	given := strings.Split(namesStr, ":")
	if len(given) != n {
		return nil, fmt.Errorf("httpserver: %s=%q names %d descriptors, %s=%d", envListenFDNames, namesStr, len(given), envListenFDs, n)
	}
	copy(names, given)
	return names, nil
}

// passedFDs reads and unsets the variables of PassListeners. It returns
// how many descriptors were passed to this process, 0 when none were,
// and an error when the variables are malformed.
func (e listenEnv) passedFDs() (int, error) {
	fdsStr, haveFDs := e.lookup(envPassedFDs)
	ppidStr, havePPID := e.lookup(envPassedPPID)
	e.unset(envPassedFDs)
	e.unset(envPassedPPID)
	if !haveFDs {
		return 0, nil
	}
	if !havePPID {
		return 0, fmt.Errorf("httpserver: %s without %s", envPassedFDs, envPassedPPID)
	}
	ppid, err := parsePositive(ppidStr)
	if err != nil {
		return 0, fmt.Errorf("httpserver: %s=%q: %v", envPassedPPID, ppidStr, err)
	}
	if ppid != e.ppid {
		return 0, nil // written for another process
	}
	n, err := parsePositive(fdsStr)
	if err != nil {
		return 0, fmt.Errorf("httpserver: %s=%q: %v", envPassedFDs, fdsStr, err)
	}
	return n, nil
}

// parsePositive parses a decimal number from 1 up, without a sign, as
// the pids and counts of the variables above are written.
func parsePositive(s string) (int, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, errors.New("want a decimal number from 1 up")
	}
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil || n == 0 {
		return 0, errors.New("want a decimal number from 1 up")
	}
	return int(n), nil
}

func (e listenEnv) systemdListeners() ([]net.Listener, []string, error) {
	names, err := e.systemdFDs()
	if err != nil || names == nil {
		return nil, nil, err
	}
	ls, err := e.listeners(names, "systemd socket")
	if err != nil {
		return nil, nil, err
	}
	return ls, names, nil
}

func (e listenEnv) inheritedListeners() ([]net.Listener, error) {
	n, err := e.passedFDs()
	if err != nil || n == 0 {
		return nil, err
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "inherited"
	}
	return e.listeners(names, "inherited socket")
}

// listeners makes a listener of each descriptor passed (one per name,
// from listenFDsStart on), having first set close-on-exec on all of them
// (so that none leaks into a process started meanwhile). On an error it
// closes every one of them, and the listeners made.
func (e listenEnv) listeners(names []string, what string) ([]net.Listener, error) {
	for i, name := range names {
		if err := e.cloexec(listenFDsStart + i); err != nil {
			for j := 0; j < i; j++ {
				e.closeFD(listenFDsStart + j)
			}
			return nil, fmt.Errorf("httpserver: %s %q (descriptor %d): %w", what, name, listenFDsStart+i, err)
		}
	}
	ls := make([]net.Listener, 0, len(names))
	for i, name := range names {
		fd := listenFDsStart + i
		l, err := e.listener(fd, name)
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			for j := i + 1; j < len(names); j++ {
				e.closeFD(listenFDsStart + j)
			}
			return nil, fmt.Errorf("httpserver: %s %q (descriptor %d): %w", what, name, fd, err)
		}
		ls = append(ls, l)
	}
	return ls, nil
}
