package main

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal: its master side and its slave side,
// not as the controlling terminal of this process. It skips the test
// where there are none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	mfd := master.Fd()
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, mfd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Skipf("unlocking the pseudo-terminal: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, mfd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Skipf("numbering the pseudo-terminal: %v", errno)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal's slave side: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestIsTerminal: a pseudo-terminal is a terminal until its master side
// closes, which hangs it up, as closing a terminal window does; a pipe is
// none.
func TestIsTerminal(t *testing.T) {
	master, slave := openPTY(t)
	sfd := int(slave.Fd())
	if !isTerminal(sfd) {
		t.Fatal("a pseudo-terminal is not a terminal")
	}
	master.Close()
	if isTerminal(sfd) {
		t.Error("a pseudo-terminal whose master closed (hung up) is still a terminal")
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(int(w.Fd())) {
		t.Error("a pipe is a terminal")
	}
}

// TestCLIHangUp: the command with standard error on a terminal that hangs
// up (the window closed) stops on the SIGHUP that follows, as SIGHUP's
// default action would, instead of restarting: it exits 0 and leaves no
// successor behind.
func TestCLIHangUp(t *testing.T) {
	master, slave := openPTY(t)
	dir := t.TempDir()
	cmd := exec.Command(buildCLI(t), "-addr", "127.0.0.1:0", "-log", "off", dir)
	cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	cmd.Stderr = slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	})
	sc := bufio.NewScanner(master)
	for sc.Scan() && !bannerRE.MatchString(strings.TrimSuffix(sc.Text(), "\r")) {
	}
	master.Close() // the terminal hangs up
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("after the hang-up: %v, want exit status 0", waitErr)
		}
	case <-time.After(30 * time.Second): // a hang guard
		t.Fatal("the command did not exit after the terminal hung up")
	}
	// No successor: the process group is empty.
	if err := syscall.Kill(-cmd.Process.Pid, 0); err != syscall.ESRCH {
		t.Errorf("the command's process group after it exited: %v, want ESRCH (a successor was started)", err)
	}
}
