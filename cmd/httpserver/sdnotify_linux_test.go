package main

import (
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notifySocket is a service manager's end of systemd's notification
// protocol (sd_notify(3)), for TestCLISystemdNotify: a datagram socket
// whose messages come with the sender's pid (SO_PASSCRED).
type notifySocket struct {
	path string
	c    *net.UnixConn
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
	}); err != nil || serr != nil {
		t.Fatalf("SO_PASSCRED: %v %v", err, serr)
	}
	return &notifySocket{path: path, c: c}
}

// next returns the next message and the pid that sent it. The deadline is
// a hang guard, not a synchronisation: the message is awaited.
func (n *notifySocket) next(t *testing.T) (msg string, pid int) {
	t.Helper()
	n.c.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf, oob := make([]byte, 4096), make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	m, oobn, _, _, err := n.c.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatalf("waiting for a notification: %v", err)
	}
	cmsgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(cmsgs) != 1 {
		t.Fatalf("the notification's credentials: %v (%d messages)", err, len(cmsgs))
	}
	cred, err := syscall.ParseUnixCredentials(&cmsgs[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:m]), int(cred.Pid)
}

// TestCLISystemdNotify runs the command as a systemd service of Type
// notify(-reload) would, with NOTIFY_SOCKET set: it says READY=1 once it
// serves; a SIGHUP restart says RELOADING=1 (with MONOTONIC_USEC), then,
// from the predecessor (the main process, the only one systemd listens
// to by default), MAINPID of the successor with READY=1; the successor,
// stopped, says STOPPING=1. A restart that fails says READY=1 again.
func TestCLISystemdNotify(t *testing.T) {
	t.Run("restart", func(t *testing.T) {
		ns := newNotifySocket(t)
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"f.txt": "notified\n"})
		f := startFamily(t, "", nil, []string{"NOTIFY_SOCKET=" + ns.path}, nil, "-addr", "127.0.0.1:0", "-log", "off", dir)
		first := f.cmd.Process.Pid
		if msg, pid := ns.next(t); msg != "READY=1" || pid != first {
			t.Errorf("at the start: %q from pid %d, want \"READY=1\" from %d", msg, pid, first)
		}
		n := len(f.output())
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		msg, pid := ns.next(t)
		if !regexp.MustCompile(`^RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*$`).MatchString(msg) || pid != first {
			t.Errorf("as the restart begins: %q from pid %d, want RELOADING=1 and MONOTONIC_USEC from %d", msg, pid, first)
		}
		m := f.lineAfter(t, n, restartedRE)
		succ, _ := strconv.Atoi(m[1])
		if msg, pid := ns.next(t); msg != "MAINPID="+m[1]+"\nREADY=1" || pid != first {
			t.Errorf("once the successor serves: %q from pid %d, want MAINPID=%d and READY=1 from %d", msg, pid, succ, first)
		}
		if code := f.waitFirst(t, 90*time.Second); code != 0 {
			t.Errorf("the old process's exit status: %d, want 0", code)
		}
		rc := &rawClient{addr: f.addr}
		if _, err := rc.get("/f.txt", "notified\n"); err != nil {
			t.Errorf("GET from the successor: %v", err)
		}
		if err := syscall.Kill(succ, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if msg, pid := ns.next(t); msg != "STOPPING=1" || pid != succ {
			t.Errorf("as the successor stops: %q from pid %d, want \"STOPPING=1\" from %d (and nothing from the predecessor, which handed over)", msg, pid, succ)
		}
	})
	t.Run("failed restart", func(t *testing.T) {
		ns := newNotifySocket(t)
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"f.txt": "old\n"})
		exe := copyCLI(t)
		f := startFamily(t, exe, nil, []string{"NOTIFY_SOCKET=" + ns.path}, nil, "-addr", "127.0.0.1:0", "-log", "off", dir)
		first := f.cmd.Process.Pid
		if msg, _ := ns.next(t); msg != "READY=1" {
			t.Errorf("at the start: %q, want \"READY=1\"", msg)
		}
		replaceFile(t, exe, "#!/bin/sh\nexit 3\n")
		if err := f.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if msg, _ := ns.next(t); !strings.HasPrefix(msg, "RELOADING=1\n") {
			t.Errorf("as the restart begins: %q, want RELOADING=1", msg)
		}
		if msg, pid := ns.next(t); msg != "READY=1" || pid != first {
			t.Errorf("after the failed restart: %q from pid %d, want \"READY=1\" from %d", msg, pid, first)
		}
		if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if msg, _ := ns.next(t); msg != "STOPPING=1" {
			t.Errorf("as it stops: %q, want \"STOPPING=1\"", msg)
		}
		if code := f.waitFirst(t, 30*time.Second); code != 0 {
			t.Errorf("exit status: %d, want 0", code)
		}
	})
}
