//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// family is the command and the successors its restarts start. They
// share one standard error, read into the embedded proc, whose exited
// means that the pipe closed: every process of the family has exited.
// The first process's own exit is firstExited.
type family struct {
	*proc
	firstExited chan struct{} // closed when the process started exits
	firstErr    error         // cmd.Wait's, once firstExited is closed
}

// familyBannerRE is bannerRE with the note that may follow (where the
// socket came from).
var familyBannerRE = regexp.MustCompile(`^Serving (HTTPS?) on (\S+) port (\d+) \((https?)://(\S+)/\) \.\.\.( .*)?$`)

// startFamily runs the built command (exe, or the one buildCLI built if
// exe is ""), through wrap if not empty (as for startWrappedCLI), with
// env added to the environment and extra as descriptors 3 and on, and
// waits for its first banner. Standard error is a pipe of the test's
// own, not exec's: the successors hold it open after the first process
// exits, and exec.Cmd.Wait would wait for them. The family is a process
// group of its own, killed whole when the test ends.
func startFamily(t *testing.T, exe string, wrap, env []string, extra []*os.File, args ...string) *family {
	t.Helper()
	if exe == "" {
		exe = buildCLI(t)
	}
	argv := append(append(wrap[:len(wrap):len(wrap)], exe), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")), env...)
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	f := &family{proc: &proc{cmd: cmd, changed: make(chan struct{})}, firstExited: make(chan struct{})}
	p := f.proc
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
		p.mu.Lock()
		p.exited = true
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}()
	go func() {
		f.firstErr = cmd.Wait()
		close(f.firstExited)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the group: the first and every successor
		p.waitFor(t, 10*time.Second, "the family's standard error to close", func(_ []string, exited bool) bool { return exited })
		for _, l := range p.output() {
			if strings.Contains(l, "WARNING: DATA RACE") {
				t.Error("the race detector found a data race in the command")
				break
			}
		}
		if t.Failed() {
			t.Logf("the family's standard error:\n%s", strings.Join(p.output(), "\n"))
		}
	})
	line := p.waitLine(t, 60*time.Second, familyBannerRE.MatchString)
	m := familyBannerRE.FindStringSubmatch(line)
	p.scheme, p.addr = m[4], m[5]
	p.base = p.scheme + "://" + p.addr
	return f
}

// waitFirst waits, at most timeout, for the first process to exit, and
// returns its exit status.
func (f *family) waitFirst(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-f.firstExited:
	case <-time.After(timeout):
		t.Fatalf("the first process did not exit within %v", timeout)
	}
	var ee *exec.ExitError
	switch {
	case f.firstErr == nil:
		return 0
	case errors.As(f.firstErr, &ee) && ee.Exited():
		return ee.ExitCode()
	}
	t.Fatalf("the first process did not exit by itself: %v", f.firstErr)
	return -1
}

// lineAfter waits for a line that matches re among the lines from the
// n-th on, and returns its submatches.
func (f *family) lineAfter(t *testing.T, n int, re *regexp.Regexp) []string {
	t.Helper()
	var m []string
	f.waitFor(t, 60*time.Second, "a line matching "+re.String(), func(lines []string, _ bool) bool {
		for _, l := range lines[min(n, len(lines)):] {
			if m = re.FindStringSubmatch(l); m != nil {
				return true
			}
		}
		return false
	})
	return m
}

var (
	restartedRE      = regexp.MustCompile(`^Restarted: pid (\d+) serves the sockets now; pid (\d+) stops accepting$`)
	successorBanner  = regexp.MustCompile(`^Serving HTTP on \S+ port \d+ \(http://\S+/\) \.\.\. \(the socket of pid (\d+), restarted as pid (\d+)\)$`)
	restartFailedRE  = regexp.MustCompile(`^Restart failed: (.*); pid (\d+) goes on serving$`)
	restartIgnoredRE = regexp.MustCompile(`^Restart: SIGHUP again while the successor starts: ignored$`)
)

// rawClient makes GET requests over raw connections, so that nothing
// retries a failure out of sight (net/http's Transport retries a GET
// whose reused connection closes under it): keep-alive connections it
// reuses until the server says Connection: close, or a connection per
// request.
type rawClient struct {
	addr      string
	keepAlive bool
	c         net.Conn
	br        *bufio.Reader
}

// get fetches path and checks that the answer is 200 with body want. It
// reports whether the server closed the connection after it.
func (rc *rawClient) get(path, want string) (closed bool, err error) {
	if rc.c == nil {
		c, err := net.Dial("tcp", rc.addr)
		if err != nil {
			return false, err
		}
		rc.c, rc.br = c, bufio.NewReader(c)
	}
	rc.c.SetDeadline(time.Now().Add(30 * time.Second)) // a hang guard
	req := "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"
	if !rc.keepAlive {
		req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	}
	defer func() {
		if err != nil || closed || !rc.keepAlive {
			rc.c.Close()
			rc.c = nil
		}
	}()
	if _, err := io.WriteString(rc.c, req); err != nil {
		return false, err
	}
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		return false, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, err
	}
	if resp.StatusCode != 200 || string(body) != want {
		return resp.Close, fmt.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, want)
	}
	return resp.Close, nil
}

// TestCLIRestart restarts the command with SIGHUP while clients hammer
// it, half over keep-alive connections, half with a new connection per
// request: no request fails, the pid serving changes, and the old
// process exits 0 once its connections are done (answered with
// Connection: close under -drain, or the restart's own drain without
// it). The clients go on until 2000 requests have been answered and 300
// more after the old process exited.
func TestCLIRestart(t *testing.T) {
	t.Run("-drain 1m", func(t *testing.T) { testRestart(t, "-drain", "1m") })
	t.Run("no -drain", func(t *testing.T) { testRestart(t) })
}

func testRestart(t *testing.T, flags ...string) {
	dir := t.TempDir()
	const content = "hello, restart\n"
	writeFiles(t, dir, map[string]string{"f.txt": content})
	f := startFamily(t, "", nil, nil, nil, append(append([]string{"-addr", "127.0.0.1:0", "-log", "off"}, flags...), dir)...)
	firstPid := f.cmd.Process.Pid

	var (
		total, afterExit, closes atomic.Int64
		oldGone                  atomic.Bool
		stop                     = make(chan struct{})
		progress                 = make(chan struct{}, 1) // a request was answered
		mu                       sync.Mutex
		failures                 []string
		wg                       sync.WaitGroup
	)
	const workers, minTotal, minAfter = 4, 2000, 300
	for i := range workers {
		wg.Go(func() {
			rc := &rawClient{addr: f.addr, keepAlive: i%2 == 0}
			defer func() {
				if rc.c != nil {
					rc.c.Close()
				}
			}()
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := oldGone.Load()
				closed, err := rc.get("/f.txt", content)
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("keep-alive %v: %v", rc.keepAlive, err))
					mu.Unlock()
				}
				if closed && rc.keepAlive {
					closes.Add(1)
				}
				total.Add(1)
				if after {
					afterExit.Add(1)
				}
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}
	// A hang guard on the whole run.
	deadline := time.AfterFunc(2*time.Minute, func() { close(stop) })
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}

	waitCount := func(c *atomic.Int64, n int64) {
		for c.Load() < n {
			select {
			case <-progress:
			case <-stop:
				return
			}
		}
	}
	waitCount(&total, 500)
	n := len(f.output())
	if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	m := f.lineAfter(t, n, restartedRE)
	succPid, _ := strconv.Atoi(m[1])
	if m[2] != strconv.Itoa(firstPid) || succPid == firstPid {
		t.Errorf("restarted: %q, want a new pid serving in place of %d", m[0], firstPid)
	}
	if b := f.lineAfter(t, n, successorBanner); b[1] != strconv.Itoa(firstPid) || b[2] != m[1] {
		t.Errorf("the successor's banner %q, want the socket of pid %d served by pid %s", b[0], firstPid, m[1])
	}
	if code := f.waitFirst(t, 90*time.Second); code != 0 {
		t.Errorf("the old process's exit status: %d, want 0", code)
	}
	oldGone.Store(true)
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", succPid)); err != nil {
		t.Errorf("the successor: %v", err)
	}
	waitCount(&afterExit, minAfter)
	waitCount(&total, minTotal)
	if !stopped() {
		close(stop)
	}
	deadline.Stop()
	wg.Wait()

	t.Logf("%d requests, %d after the old process exited, %d keep-alive connections closed by the server", total.Load(), afterExit.Load(), closes.Load())
	if len(failures) > 0 {
		t.Errorf("%d requests failed; the first: %q", len(failures), failures[:min(5, len(failures))])
	}
	if afterExit.Load() < minAfter || total.Load() < minTotal {
		t.Errorf("gave up after %d requests (%d after the old process exited)", total.Load(), afterExit.Load())
	}
	if closes.Load() == 0 {
		t.Errorf("no keep-alive connection was closed by the server: the old process's were not drained")
	}
	// The successor still serves, and stops as a first process would:
	// at once without -drain; with it, after its drain (which keeps the
	// listener open: a second SIGTERM cuts it short).
	if err := syscall.Kill(succPid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	want := "Stopped."
	if slices.Contains(flags, "-drain") {
		f.waitFor(t, 30*time.Second, "the successor's drain", func(lines []string, _ bool) bool {
			return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Shutting down: serving for") })
		})
		if err := syscall.Kill(succPid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		want = "httpserver: terminated again: quit at once"
	}
	f.waitFor(t, 30*time.Second, "the successor to exit", func(_ []string, exited bool) bool { return exited })
	if out := f.output(); !strings.HasPrefix(out[len(out)-1], want) {
		t.Errorf("the last line: %q, want the successor's %q", out[len(out)-1], want)
	}
}

// copyCLI copies the built command into a directory of the test's, so
// that the test can replace the file as an upgrade would.
func copyCLI(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(buildCLI(t))
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "httpserver")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// replaceFile replaces the file at path with a new one holding content,
// as installing a new build does (the running executable keeps its own).
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestCLIRestartFails: a successor that fails before it is ready leaves
// the old process serving, which says why.
func TestCLIRestartFails(t *testing.T) {
	t.Run("the directory is gone", func(t *testing.T) {
		dir := t.TempDir()
		site := filepath.Join(dir, "site")
		writeFiles(t, dir, map[string]string{"site/f.txt": "still here\n"})
		f := startFamily(t, "", nil, nil, nil, "-addr", "127.0.0.1:0", "-log", "off", site)
		// The old process serves the directory it opened, wherever it is.
		if err := os.Rename(site, site+".moved"); err != nil {
			t.Fatal(err)
		}
		n := len(f.output())
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		m := f.lineAfter(t, n, restartFailedRE)
		if !strings.Contains(m[1], "exited before it was ready: exit status 1") || m[2] != strconv.Itoa(f.cmd.Process.Pid) {
			t.Errorf("got %q, want the successor's exit status 1 and this pid going on", m[0])
		}
		f.lineAfter(t, n, regexp.MustCompile(`^httpserver: stat .*site: no such file or directory$`))
		rc := &rawClient{addr: f.addr}
		if _, err := rc.get("/f.txt", "still here\n"); err != nil {
			t.Errorf("after the failed restart: %v", err)
		}
		if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := f.waitFirst(t, 30*time.Second); code != 0 {
			t.Errorf("exit status: %d, want 0", code)
		}
	})
	t.Run("the new executable crashes", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"f.txt": "old\n"})
		exe := copyCLI(t)
		f := startFamily(t, exe, nil, nil, nil, "-addr", "127.0.0.1:0", "-log", "off", dir)
		replaceFile(t, exe, "#!/bin/sh\necho 'the new build fails' >&2\nexit 3\n")
		n := len(f.output())
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		m := f.lineAfter(t, n, restartFailedRE)
		if !strings.Contains(m[1], "exited before it was ready: exit status 3") {
			t.Errorf("got %q, want the new executable's exit status 3", m[0])
		}
		f.lineAfter(t, n, regexp.MustCompile(`^the new build fails$`))
		rc := &rawClient{addr: f.addr}
		if _, err := rc.get("/f.txt", "old\n"); err != nil {
			t.Errorf("after the failed restart: %v", err)
		}
	})
	t.Run("SIGHUP again, then SIGTERM, while the successor starts", func(t *testing.T) {
		// The successor never becomes ready: SIGHUP again is ignored, and
		// SIGTERM abandons the restart (killing it) and stops the command.
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"f.txt": "old\n"})
		exe := copyCLI(t)
		f := startFamily(t, exe, nil, nil, nil, "-addr", "127.0.0.1:0", "-log", "off", dir)
		replaceFile(t, exe, "#!/bin/sh\necho 'the new build hangs' >&2\nexec sleep 600\n")
		n := len(f.output())
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		f.lineAfter(t, n, regexp.MustCompile(`^the new build hangs$`))
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		f.lineAfter(t, n, restartIgnoredRE)
		rc := &rawClient{addr: f.addr}
		if _, err := rc.get("/f.txt", "old\n"); err != nil {
			t.Errorf("during the restart: %v", err)
		}
		if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := f.waitFirst(t, 30*time.Second); code != 0 {
			t.Errorf("exit status: %d, want 0", code)
		}
		// The successor was killed: nothing holds standard error any more.
		f.waitFor(t, 30*time.Second, "the successor to be killed", func(_ []string, exited bool) bool { return exited })
	})
}

// TestCLIReusePort: two commands with -reuseport on one port both serve
// it; a third without cannot bind it.
func TestCLIReusePort(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f.txt": "shared\n"})
	a := startCLI(t, "-addr", "127.0.0.1:0", "-reuseport", dir)
	b := startCLI(t, "-addr", a.addr, "-reuseport", dir)
	if b.addr != a.addr {
		t.Fatalf("the second command serves %s, want %s", b.addr, a.addr)
	}
	// The kernel picks a socket by a hash of each connection's ports: a
	// few connections reach both (the chance that 100 reach one is 2^-99).
	served := func(p *proc) int {
		n := 0
		for _, l := range p.output() {
			if strings.Contains(l, `"GET /f.txt HTTP/1.1" 200`) {
				n++
			}
		}
		return n
	}
	for i := 0; i < 100 && (served(a) == 0 || served(b) == 0); i++ {
		rc := &rawClient{addr: a.addr}
		if _, err := rc.get("/f.txt", "shared\n"); err != nil {
			t.Fatal(err)
		}
		// The access log line is written after the response: wait for it.
		waitEither(t, a, b, func() bool { return served(a)+served(b) >= i+1 })
	}
	if served(a) == 0 || served(b) == 0 {
		t.Errorf("requests served: %d by the first, %d by the second; want some by each", served(a), served(b))
	}
	cmd := exec.Command(buildCLI(t), "-addr", a.addr, dir)
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 || !strings.Contains(string(out), "address already in use") {
		t.Errorf("without -reuseport on the same port: exit status %d, output %q; want 1 and \"address already in use\"", code, out)
	}
}

// waitEither waits, at most a minute, until cond holds, checking it each
// time a or b writes a line.
func waitEither(t *testing.T, a, b *proc, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(time.Minute) // a hang guard
	defer deadline.Stop()
	for {
		a.mu.Lock()
		ca := a.changed
		a.mu.Unlock()
		b.mu.Lock()
		cb := b.changed
		b.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ca:
		case <-cb:
		case <-deadline.C:
			t.Fatal("gave up waiting for the access log")
		}
	}
}

// TestCLISystemd passes two listening sockets as systemd's socket
// activation does (descriptors 3 and 4, LISTEN_FDS=2, and LISTEN_PID set
// to the command's pid by a shell that then executes it, as systemd sets
// it between fork and exec): the command serves both, in place of -addr,
// and says so.
func TestCLISystemd(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f.txt": "activated\n"})
	var files []*os.File
	var addrs []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lf, err := l.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		l.Close() // the socket lives on in lf
		defer lf.Close()
		files = append(files, lf)
		addrs = append(addrs, l.Addr().String())
	}
	f := startFamily(t, "", []string{"/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" "$@"`},
		[]string{"LISTEN_FDS=2", "LISTEN_FDNAMES=web:web"}, files, "-addr", "127.0.0.1:1", "-log", "off", dir)
	for _, lf := range files {
		lf.Close() // the command has them now
	}
	for _, addr := range addrs {
		want := fmt.Sprintf("Serving HTTP on 127.0.0.1 port %s (http://%s/) ... (a socket from systemd)", addr[strings.LastIndex(addr, ":")+1:], addr)
		f.waitLine(t, 30*time.Second, func(s string) bool { return s == want })
		rc := &rawClient{addr: addr}
		if _, err := rc.get("/f.txt", "activated\n"); err != nil {
			t.Errorf("GET on the socket %s: %v", addr, err)
		}
	}
	if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := f.waitFirst(t, 30*time.Second); code != 0 {
		t.Errorf("exit status: %d, want 0", code)
	}
}
