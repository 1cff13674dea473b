package httpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv switches the test binary into TestListenHelperProcess.
const helperEnv = "HTTPSERVER_LISTEN_HELPER"

// helperReport is what TestListenHelperProcess tells its parent on its
// first line of standard output.
type helperReport struct {
	Pid   int
	Names []string          // of the listeners, in order
	Env   map[string]string // the variables of the protocols still set
	// Duplicated counts the sockets open on more than one descriptor: an
	// original descriptor that was not closed after net.FileListener.
	Duplicated int
	Err        string
}

// TestListenHelperProcess is not a test on its own: the tests below run
// the test binary as a child process with it selected and helperEnv set
// ("systemd" or "inherited"), as os/exec's tests do. It takes the
// sockets passed, reports on standard output, answers one connection on
// each listener with the listener's name and its pid, and exits.
func TestListenHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	var r helperReport
	r.Pid = os.Getpid()
	var ls []net.Listener
	var err error
	switch mode {
	case "systemd":
		var m map[string][]net.Listener
		m, err = SystemdListenersByName()
		for name, group := range m {
			for _, l := range group {
				ls = append(ls, l)
				r.Names = append(r.Names, name)
			}
		}
	case "inherited":
		ls, err = InheritedListeners()
		for range ls {
			r.Names = append(r.Names, "inherited")
		}
	}
	if err != nil {
		r.Err = err.Error()
	}
	r.Env = map[string]string{}
	for _, k := range []string{envListenPID, envListenFDs, envListenFDNames, envPassedFDs, envPassedPPID} {
		if v, ok := os.LookupEnv(k); ok {
			r.Env[k] = v
		}
	}
	r.Duplicated = duplicatedSockets()
	json.NewEncoder(os.Stdout).Encode(r)
	done := make(chan struct{})
	for i, l := range ls {
		go func() {
			defer func() { done <- struct{}{} }()
			l.(interface{ SetDeadline(time.Time) error }).SetDeadline(time.Now().Add(time.Minute)) // a hang guard
			c, err := l.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "%s %d\n", r.Names[i], r.Pid)
			c.Close()
		}()
	}
	for range ls {
		<-done
	}
	os.Exit(0)
}

// duplicatedSockets counts the sockets this process has open on more
// than one descriptor, from /proc/self/fd.
func duplicatedSockets() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	seen := map[string]int{}
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			seen[target]++
		}
	}
	n := 0
	for _, c := range seen {
		if c > 1 {
			n++
		}
	}
	return n
}

// startHelper starts the test binary as TestListenHelperProcess in mode,
// and returns its report and a function that waits for it to exit.
func startHelper(t *testing.T, cmd *exec.Cmd, mode string, afterStart func()) (helperReport, func()) {
	t.Helper()
	cmd.Env = append(cmd.Env, helperEnv+"="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if afterStart != nil {
		afterStart()
	}
	exited := make(chan error, 1)
	var r helperReport
	line, err := bufio.NewReader(out).ReadBytes('\n')
	go func() { exited <- cmd.Wait() }()
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("reading the helper's report: %v (exit: %v)", err, <-exited)
	}
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatalf("the helper's report %q: %v", line, err)
	}
	wait := func() {
		t.Helper()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the helper: %v", err)
			}
		case <-time.After(time.Minute): // a hang guard
			cmd.Process.Kill()
			t.Errorf("the helper did not exit")
		}
	}
	return r, wait
}

// readFrom connects to addr and returns the line the helper sends.
func readFrom(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // a hang guard
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading from %s: %v", addr, err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// TestSystemdListenersChild passes two sockets to a child as systemd
// does: descriptors 3 and 4, LISTEN_FDS=2 with their names, and
// LISTEN_PID set to the child's pid by a shell that then executes the
// child (so that $$ is its pid, as systemd sets it between fork and
// exec). The child serves both, has unset the variables, and kept no
// copy of the descriptors passed.
func TestSystemdListenersChild(t *testing.T) {
	var files []*os.File
	var addrs []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		f, err := l.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		l.Close() // the socket lives on in f
		defer f.Close()
		files = append(files, f)
		addrs = append(addrs, l.Addr().String())
	}
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" "$@"`, os.Args[0], "-test.run=^TestListenHelperProcess$")
	cmd.Env = append(os.Environ(), "LISTEN_FDS=2", "LISTEN_FDNAMES=web:admin")
	cmd.ExtraFiles = files
	r, wait := startHelper(t, cmd, "systemd", nil)
	if r.Err != "" {
		t.Fatalf("SystemdListenersByName in the child: %s", r.Err)
	}
	if names := slices.Sorted(slices.Values(r.Names)); !slices.Equal(names, []string{"admin", "web"}) {
		t.Errorf("the child's listeners: %q, want admin and web", r.Names)
	}
	if got, want := readFrom(t, addrs[0]), fmt.Sprintf("web %d", r.Pid); got != want {
		t.Errorf("the first socket answers %q, want %q", got, want)
	}
	if got, want := readFrom(t, addrs[1]), fmt.Sprintf("admin %d", r.Pid); got != want {
		t.Errorf("the second socket answers %q, want %q", got, want)
	}
	if len(r.Env) != 0 {
		t.Errorf("the child still has %v", r.Env)
	}
	if r.Duplicated != 0 {
		t.Errorf("the child has %d sockets open twice (a descriptor passed left open)", r.Duplicated)
	}
	wait()
}

// TestPassListenersChild hands a listening socket to a child with
// PassListeners while a connection waits in its queue: the child takes
// it with InheritedListeners and answers the connection that was queued
// before it started.
func TestPassListenersChild(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	queued, err := net.Dial("tcp", l.Addr().String()) // accepted by nobody yet
	if err != nil {
		t.Fatal(err)
	}
	defer queued.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestListenHelperProcess$")
	closeFiles, err := PassListeners(cmd, l)
	if err != nil {
		t.Fatal(err)
	}
	r, wait := startHelper(t, cmd, "inherited", closeFiles)
	if r.Err != "" || len(r.Names) != 1 {
		t.Fatalf("InheritedListeners in the child: %d listeners, error %q; want 1", len(r.Names), r.Err)
	}
	if r.Pid == os.Getpid() {
		t.Fatalf("the child reports this process's pid")
	}
	queued.SetDeadline(time.Now().Add(time.Minute)) // a hang guard
	b, err := io.ReadAll(queued)
	if got, want := strings.TrimSuffix(string(b), "\n"), fmt.Sprintf("inherited %d", r.Pid); err != nil || got != want {
		t.Errorf("the connection queued before the hand-over got %q (%v), want %q", got, err, want)
	}
	if len(r.Env) != 0 {
		t.Errorf("the child still has %v", r.Env)
	}
	if r.Duplicated != 0 {
		t.Errorf("the child has %d sockets open twice (a descriptor passed left open)", r.Duplicated)
	}
	wait()
}

// TestPassListenersNonBlocking: handing a listener to a child leaves
// this process's descriptor in non-blocking mode (the mode is the
// socket's, shared by every descriptor of it; TCPListener.File's turns
// blocking when os/exec takes it). The child is true(1), which leaves
// the socket as it finds it.
func TestPassListenersNonBlocking(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command("true")
	closeFiles, err := PassListeners(cmd, l)
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Run()
	closeFiles()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := l.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags uintptr
	raw.Control(func(fd uintptr) {
		flags, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	})
	if flags&syscall.O_NONBLOCK == 0 {
		t.Errorf("after PassListeners this process's listener is in blocking mode")
	}
}

// TestListenReusePort: two listeners on one port, both accept; a
// listener without SO_REUSEPORT cannot join them.
func TestListenReusePort(t *testing.T) {
	l1, err := ListenReusePort("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Close()
	l2, err := ListenReusePort("tcp", l1.Addr().String())
	if err != nil {
		t.Fatalf("a second listener on %v: %v", l1.Addr(), err)
	}
	defer l2.Close()
	if l3, err := net.Listen("tcp", l1.Addr().String()); err == nil {
		l3.Close()
		t.Errorf("net.Listen on the port shared with SO_REUSEPORT succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	accepted := make(chan int, 64)
	for i, l := range []net.Listener{l1, l2} {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
				accepted <- i
			}
		}()
	}
	// The kernel picks a socket by a hash of each connection's ports: a
	// few connections from different ports reach both (the chance that
	// 100 all reach one is 2^-99).
	var got [2]int
	for n := 0; n < 100 && (got[0] == 0 || got[1] == 0); n++ {
		c, err := net.Dial("tcp", l1.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		select {
		case i := <-accepted:
			got[i]++
		case <-ctx.Done():
			t.Fatal("no listener accepted a connection")
		}
		c.Close()
	}
	if got[0] == 0 || got[1] == 0 {
		t.Errorf("connections accepted by each listener: %v, want some on both", got)
	}
}
