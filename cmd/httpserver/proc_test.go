package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the command built for the end-to-end tests; TestMain
// creates and removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "httpserver-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildCLI builds this command once per test binary, with the race
// detector when the tests have it, and returns the executable's path.
func buildCLI(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("the end-to-end tests stop the command with SIGINT")
	}
	buildOnce.Do(func() {
		// go test puts the toolchain that runs it first in PATH.
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("finding the go command: %w", err)
			return
		}
		binPath = filepath.Join(binDir, "httpserver")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command(goTool, append(args, ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running httpserver command.
type proc struct {
	cmd    *exec.Cmd
	scheme string // "http" or "https", from the banner
	addr   string // host:port bound, from the banner
	base   string // scheme://addr

	mu      sync.Mutex
	lines   []string      // standard error so far, line by line
	changed chan struct{} // closed and replaced when lines grow or the process exits
	exited  bool
	waitErr error // from cmd.Wait, once exited
}

var bannerRE = regexp.MustCompile(`^Serving (HTTPS?) on (\S+) port (\d+) \((https?)://(\S+)/\) \.\.\.$`)

// startCLI runs the built command with args (flags, then the directory),
// waits for its banner and learns from it the address it bound. The
// command is killed when the test ends if it is still running, and its
// standard error is shown if the test failed.
func startCLI(t *testing.T, args ...string) *proc {
	t.Helper()
	return startWrappedCLI(t, nil, args...)
}

// startWrappedCLI is startCLI with the command run by wrap, if not empty:
// the program and arguments that come before the command's path, such as
// a shell that execs "$0" "$@", so that signals sent to the process reach
// the command.
func startWrappedCLI(t *testing.T, wrap []string, args ...string) *proc {
	t.Helper()
	argv := append(append(wrap[:len(wrap):len(wrap)], buildCLI(t)), args...)
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), changed: make(chan struct{})}
	// A race-enabled command would otherwise pause a second as it exits.
	p.cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
		err := p.cmd.Wait()
		p.mu.Lock()
		p.exited, p.waitErr = true, err
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		if !p.hasExited() {
			p.cmd.Process.Kill()
			p.waitFor(t, 10*time.Second, "the killed command to exit", func(_ []string, exited bool) bool { return exited })
		}
		for _, l := range p.output() {
			if strings.Contains(l, "WARNING: DATA RACE") {
				t.Error("the race detector found a data race in the command")
				break
			}
		}
		if t.Failed() {
			t.Logf("the command's standard error:\n%s", strings.Join(p.output(), "\n"))
		}
	})

	line := p.waitLine(t, 60*time.Second, bannerRE.MatchString)
	m := bannerRE.FindStringSubmatch(line)
	p.scheme, p.addr = m[4], m[5]
	p.base = p.scheme + "://" + p.addr
	return p
}

func (p *proc) hasExited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// output returns standard error so far, line by line.
func (p *proc) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// waitFor waits, at most timeout, until cond holds for the lines written
// so far and whether the process has exited. what names the wait in the
// failure message.
func (p *proc) waitFor(t *testing.T, timeout time.Duration, what string, cond func(lines []string, exited bool) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		ok := cond(p.lines, p.exited)
		exited, changed := p.exited, p.changed
		p.mu.Unlock()
		if ok {
			return
		}
		if exited {
			t.Fatalf("the command exited (%v) while waiting for %s", p.waitErr, what)
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("gave up after %v waiting for %s", timeout, what)
		}
	}
}

// waitLine waits, at most timeout, for a line of standard error that
// match accepts, and returns the first.
func (p *proc) waitLine(t *testing.T, timeout time.Duration, match func(string) bool) string {
	t.Helper()
	var found string
	p.waitFor(t, timeout, "a matching line", func(lines []string, _ bool) bool {
		for _, l := range lines {
			if match(l) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// stop sends sig and waits, at most timeout, for the command to exit; it
// returns the exit status.
func (p *proc) stop(t *testing.T, sig os.Signal, timeout time.Duration) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	return p.wait(t, timeout)
}

// wait waits, at most timeout, for the command to exit by itself, and
// returns its exit status.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	p.waitFor(t, timeout, "the command to exit", func(_ []string, exited bool) bool { return exited })
	p.mu.Lock()
	defer p.mu.Unlock()
	var ee *exec.ExitError
	switch {
	case p.waitErr == nil:
		return 0
	case errors.As(p.waitErr, &ee) && ee.Exited():
		return ee.ExitCode()
	}
	t.Fatalf("the command did not exit by itself: %v", p.waitErr)
	return -1
}

// lookTool returns the path of the program name on PATH, for tests that
// run clients nobody here wrote (h2spec, curl, h2load). Without it the
// test is skipped, except under CI (the CI variable set), where it fails:
// .ci/run installs every such tool, so there a missing one is a broken
// install step. install says how to get it.
func lookTool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not on PATH; .ci/run should have installed it (%s)", name, install)
	}
	t.Skipf("%s is not on PATH (%s)", name, install)
	return ""
}
