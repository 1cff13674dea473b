package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/gohttpserver/httpserver"
)

// envReadyFD names the descriptor on which a successor started by a
// restart tells its predecessor that it serves (see restart.go). It is
// read only with the sockets of HTTPSERVER_LISTEN_FDS, which
// httpserver.InheritedListeners checks were passed by this process's
// parent.
const envReadyFD = "HTTPSERVER_READY_FD"

// listeners are the sockets the command serves, and where they come from.
type listeners struct {
	ls []net.Listener
	// from says where the sockets come from when they were not opened
	// here: "systemd", or "pid N" for the predecessor of a restart.
	from string
	// ready, for a successor, is the pipe to tell its predecessor on
	// once it serves; nil otherwise.
	ready *os.File
}

// openListeners returns the sockets to serve: those a predecessor handed
// over in a restart, else those systemd passed by socket activation,
// else a socket on cfg.addr (with SO_REUSEPORT for -reuseport). The first
// two ignore -addr and -reuseport.
func openListeners(cfg *config) (*listeners, error) {
	readyFD, haveReady := os.LookupEnv(envReadyFD)
	os.Unsetenv(envReadyFD) // a successor's own successors get their own
	ls, err := httpserver.InheritedListeners()
	if err != nil {
		return nil, err
	}
	if ls != nil {
		out := &listeners{ls: ls, from: fmt.Sprintf("pid %d", os.Getppid())}
		if haveReady {
			fd, err := strconv.Atoi(readyFD)
			if err != nil || fd < 3 {
				return nil, fmt.Errorf("%s=%q: want a descriptor number from 3 up", envReadyFD, readyFD)
			}
			out.ready = os.NewFile(uintptr(fd), "restart readiness pipe")
		}
		return out, nil
	}
	ls, err = httpserver.SystemdListeners()
	if err != nil {
		return nil, err
	}
	if ls != nil {
		return &listeners{ls: ls, from: "systemd"}, nil
	}
	var l net.Listener
	if cfg.reusePort {
		l, err = httpserver.ListenReusePort("tcp", cfg.addr)
	} else {
		l, err = net.Listen("tcp", cfg.addr)
	}
	if err != nil {
		return nil, err
	}
	return &listeners{ls: []net.Listener{l}}, nil
}

// banners are the lines that say where the command serves, one per
// socket: banner's, and after it, for a socket not opened here, where it
// comes from (and, after a restart, the pid that serves it now).
func (s *listeners) banners(addr string, isTLS bool) []string {
	var lines []string
	for _, l := range s.ls {
		line := banner(addr, l.Addr(), isTLS)
		if ua, ok := l.Addr().(*net.UnixAddr); ok {
			proto := "HTTP"
			if isTLS {
				proto = "HTTPS"
			}
			line = fmt.Sprintf("Serving %s on unix socket %s ...", proto, ua.Name)
		}
		switch {
		case s.from == "systemd":
			line += " (a socket from systemd)"
		case s.from != "":
			line += fmt.Sprintf(" (the socket of %s, restarted as pid %d)", s.from, os.Getpid())
		}
		lines = append(lines, line)
	}
	return lines
}
