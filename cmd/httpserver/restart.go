package main

// Restarts in place (SIGHUP). The running process starts its successor:
// the same executable (as installed now: a new build replaces the old
// this way), with the same arguments, environment, working directory and
// standard files, and the listening sockets passed as descriptors 3 and
// on (httpserver.PassListeners), plus a pipe after them on which the
// successor says "READY=1" once it serves them. The successor is a new
// process like any other: it reads its flags, the directory and the
// certificates anew, and fails as a new process would (a bad flag, a
// directory gone), in which case the pipe closes without a word and the
// predecessor, still serving, says why and goes on. Once the successor is
// ready, the predecessor stops accepting and shuts down with its -drain
// and grace, answering the requests on its open connections with
// "Connection: close", so that their clients reconnect to the successor.
// Both processes accept from the one queue of each socket while they
// overlap, so no connection is refused or reset.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver"
)

// defaultRestartTimeout bounds the wait for a successor to be ready:
// one that is not by then is killed, and the predecessor goes on.
const defaultRestartTimeout = 30 * time.Second

// defaultRestartDrain is the drain of a restart without -drain: a
// client that sends a request on a kept-alive connection just as the old
// process would close it (a new connection accepted just before the
// hand-over, whose request has not been read yet, is one) gets an answer
// with "Connection: close" instead of losing the request. The drain ends
// as soon as no connection is left, so it costs nothing to the common
// case.
const defaultRestartDrain = 5 * time.Second

// readyMessage is what a successor writes on its readiness pipe.
const readyMessage = "READY=1\n"

// restarts is what serveUntilSignal needs for restarts in place.
type restarts struct {
	hups    <-chan os.Signal // SIGHUP
	args    []string         // the command line, without the program name
	timeout time.Duration    // for a successor to be ready
	// stderr is the standard error the successor shares with this process.
	stderr *os.File
	// hungUp reports whether a SIGHUP means that the terminal hung up
	// (see terminal_linux.go): then it stops the command, as SIGHUP's
	// default action would, instead of restarting it.
	hungUp func() bool
}

// restartResult is how a restart ended: the successor, ready, or why
// not.
type restartResult struct {
	succ *os.Process
	err  error
}

// startSuccessor starts this command again on the sockets ls and waits
// until the successor is ready. It returns the successor's process, or
// an error saying why there is none: the successor could not start,
// exited (or closed its pipe) before it was ready, was not ready within
// timeout, or ctx ended first; in the last two cases it is killed.
func startSuccessor(ctx context.Context, ls []net.Listener, args []string, timeout time.Duration, stderr *os.File) (*os.Process, error) {
	exe, err := os.Executable() // the path, also when the file was replaced
	if err != nil {
		return nil, fmt.Errorf("finding the executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, stderr
	closeFiles, err := httpserver.PassListeners(cmd, ls...)
	if err != nil {
		w.Close()
		return nil, err
	}
	cmd.Env = append(cmd.Env, envReadyFD+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
	cmd.ExtraFiles = append(cmd.ExtraFiles, w)
	err = cmd.Start()
	closeFiles()
	w.Close() // the successor has its own; EOF on r once it closes it
	if err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // also reaps a successor that exits later
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(io.LimitReader(r, 64)).ReadString('\n')
		ready <- line == readyMessage
	}()
	pid := cmd.Process.Pid
	kill := func() {
		cmd.Process.Kill()
		<-exited
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case ok := <-ready:
		if ok {
			return cmd.Process, nil
		}
		// The pipe closed without a word: the successor failed, and is
		// exiting (or it is not this command, and not ready at all).
		select {
		case err := <-exited:
			return nil, fmt.Errorf("the successor (pid %d) exited before it was ready: %v", pid, exitDescription(err))
		case <-timer.C:
			kill()
			return nil, fmt.Errorf("the successor (pid %d) closed its readiness pipe without being ready: killed", pid)
		case <-ctx.Done():
			kill()
			return nil, ctx.Err()
		}
	case err := <-exited:
		return nil, fmt.Errorf("the successor (pid %d) exited before it was ready: %v", pid, exitDescription(err))
	case <-timer.C:
		kill()
		return nil, fmt.Errorf("the successor (pid %d) was not ready after %v: killed", pid, timeout)
	case <-ctx.Done():
		kill()
		return nil, ctx.Err()
	}
}

// exitDescription says how a process ended, from exec.Cmd.Wait's error.
func exitDescription(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.ProcessState.String() // "exit status 2", "signal: killed"
	}
	return err.Error()
}

// notifyReady tells the predecessor, if there is one, that this process
// serves: the predecessor stops accepting once it reads this.
func (s *listeners) notifyReady() {
	if s.ready == nil {
		return
	}
	io.WriteString(s.ready, readyMessage)
	s.ready.Close()
	s.ready = nil
}

// gateListener is a listener whose accepting can be stopped apart from
// the server's Shutdown, without losing a connection: stop closes this
// process's descriptor (the successor has the socket, and the
// connections waiting in its queue are the successor's to accept), and
// returns once the server has taken every connection the kernel handed
// this process. (Shutdown alone would not do: a connection accepted just
// as it begins is closed unserved.) Until Close, Accept then blocks, so
// that Serve goes on as if nothing happened.
type gateListener struct {
	net.Listener
	stopped   chan struct{} // closed by stop
	parked    chan struct{} // closed when Accept, after stop, has nothing left to hand over
	closed    chan struct{} // closed by Close
	stopOnce  sync.Once
	parkOnce  sync.Once
	closeOnce sync.Once
}

func newGateListener(l net.Listener) *gateListener {
	return &gateListener{
		Listener: l,
		stopped:  make(chan struct{}),
		parked:   make(chan struct{}),
		closed:   make(chan struct{}),
	}
}

// Accept returns the next connection. A connection accepted is always
// returned, even after stop: it is this process's to serve.
func (g *gateListener) Accept() (net.Conn, error) {
	c, err := g.Listener.Accept()
	if err == nil {
		return c, nil
	}
	select {
	case <-g.stopped:
		g.parkOnce.Do(func() { close(g.parked) })
		<-g.closed
		return nil, net.ErrClosed
	default:
		return nil, err
	}
}

func (g *gateListener) Close() error {
	g.closeOnce.Do(func() { close(g.closed) })
	return g.Listener.Close()
}

// stop stops accepting and waits, at most wait, until the server has
// taken the connections already accepted (Serve has come back to Accept
// and found the listener closed).
func (g *gateListener) stop(wait time.Duration) {
	g.stopOnce.Do(func() { close(g.stopped) })
	g.Listener.Close()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-g.parked:
	case <-g.closed:
	case <-t.C: // Serve is stuck (MaxConns reached): Shutdown will do
	}
}
