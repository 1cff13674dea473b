package httpserver

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fakeEnv is a process environment for listenEnv: vars, with the unset
// calls recorded, and descriptors that "exist" when in open.
type fakeEnv struct {
	vars    map[string]string
	unset   []string
	open    map[int]bool // descriptors passed that are open
	bad     map[int]bool // open, but not listening sockets
	cloexec []int
	closed  []int
	made    []*fakeListener
}

type fakeListener struct {
	net.Listener // nil: only Close is called
	fd           int
	name         string
	closed       bool
}

func (l *fakeListener) Close() error { l.closed = true; return nil }

func (f *fakeEnv) env(pid, ppid int) listenEnv {
	return listenEnv{
		lookup: func(k string) (string, bool) {
			v, ok := f.vars[k]
			return v, ok
		},
		unset: func(k string) error {
			f.unset = append(f.unset, k)
			delete(f.vars, k)
			return nil
		},
		pid:  pid,
		ppid: ppid,
		cloexec: func(fd int) error {
			if !f.open[fd] {
				return errors.New("bad file descriptor")
			}
			f.cloexec = append(f.cloexec, fd)
			return nil
		},
		listener: func(fd int, name string) (net.Listener, error) {
			f.closed = append(f.closed, fd) // closed either way
			if f.bad[fd] {
				return nil, errors.New("not a socket")
			}
			l := &fakeListener{fd: fd, name: name}
			f.made = append(f.made, l)
			return l, nil
		},
		closeFD: func(fd int) { f.closed = append(f.closed, fd) },
	}
}

// TestSystemdListenersEnv runs the reading of socket activation's
// variables (sd_listen_fds(3)) over the cases systemd's own code tells
// apart, with the process id and the descriptors faked.
func TestSystemdListenersEnv(t *testing.T) {
	const pid = 4242
	fds := func(n int) map[int]bool {
		m := map[int]bool{}
		for i := 0; i < n; i++ {
			m[listenFDsStart+i] = true
		}
		return m
	}
	tests := []struct {
		name  string
		vars  map[string]string
		open  map[int]bool
		bad   map[int]bool
		names []string // of the listeners made, in order; nil for none
		err   string   // in the error; "" for none
		// closed are the descriptors closed, by the listener made or after an error.
		closed []int
	}{
		{name: "not activated", vars: map[string]string{}},
		{name: "another process's", vars: map[string]string{"LISTEN_PID": "77", "LISTEN_FDS": "1"}, open: fds(1)},
		{name: "no LISTEN_FDS", vars: map[string]string{"LISTEN_PID": "4242"}},
		{name: "one socket", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "1"}, open: fds(1),
			names: []string{"unknown"}, closed: []int{3}},
		{name: "named sockets", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "web:web:admin"}, open: fds(3),
			names: []string{"web", "web", "admin"}, closed: []int{3, 4, 5}},
		{name: "empty names", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "2", "LISTEN_FDNAMES": ":"}, open: fds(2),
			names: []string{"", ""}, closed: []int{3, 4}},
		{name: "names do not match the count", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "web"}, open: fds(2),
			err: `LISTEN_FDNAMES="web" names 1 descriptors, LISTEN_FDS=2`},
		{name: "malformed pid", vars: map[string]string{"LISTEN_PID": "42x", "LISTEN_FDS": "1"}, open: fds(1), err: `LISTEN_PID="42x"`},
		{name: "signed pid", vars: map[string]string{"LISTEN_PID": "+4242", "LISTEN_FDS": "1"}, open: fds(1), err: `LISTEN_PID="+4242"`},
		{name: "no sockets", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "0"}, err: `LISTEN_FDS="0"`},
		{name: "negative count", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "-1"}, err: `LISTEN_FDS="-1"`},
		{name: "huge count", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "99999999999"}, err: `LISTEN_FDS="99999999999"`},
		{name: "a descriptor that is not open", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "3"}, open: map[int]bool{3: true, 4: true},
			err: `systemd socket "unknown" (descriptor 5): bad file descriptor`, closed: []int{3, 4}},
		{name: "a descriptor that does not listen", vars: map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "a:b:c"}, open: fds(3), bad: map[int]bool{4: true},
			err: `systemd socket "b" (descriptor 4): not a socket`, closed: []int{3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEnv{vars: tt.vars, open: tt.open, bad: tt.bad}
			ls, names, err := f.env(pid, 1).systemdListeners()
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error: got %v, want one with %q", err, tt.err)
			}
			if !reflect.DeepEqual(names, tt.names) {
				t.Errorf("names: got %q, want %q", names, tt.names)
			}
			if len(ls) != len(tt.names) {
				t.Errorf("got %d listeners, want %d", len(ls), len(tt.names))
			}
			for i, l := range ls {
				if fl := l.(*fakeListener); fl.fd != listenFDsStart+i || fl.name != tt.names[i] {
					t.Errorf("listener %d: got descriptor %d %q, want %d %q", i, fl.fd, fl.name, listenFDsStart+i, tt.names[i])
				}
			}
			if err != nil {
				for _, l := range f.made {
					if !l.closed {
						t.Errorf("after the error, the listener of descriptor %d is still open", l.fd)
					}
				}
			}
			// Close-on-exec is set on every descriptor before any is used.
			if tt.names != nil && !slices.Equal(f.cloexec, slices.Sorted(maps.Keys(tt.open))) {
				t.Errorf("close-on-exec set on %v, want every descriptor passed first", f.cloexec)
			}
			slices.Sort(f.closed)
			if !slices.Equal(f.closed, tt.closed) {
				t.Errorf("closed descriptors %v, want %v", f.closed, tt.closed)
			}
			// Whatever happened, the variables are gone, as with
			// sd_listen_fds(1).
			if len(f.vars) != 0 {
				t.Errorf("left in the environment: %v", f.vars)
			}
			if want := []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}; !slices.Equal(f.unset, want) {
				t.Errorf("unset %q, want %q", f.unset, want)
			}
		})
	}
}

// TestInheritedListenersEnv runs the reading of PassListeners' variables:
// the sockets are taken only by the child of the process that wrote them.
func TestInheritedListenersEnv(t *testing.T) {
	const ppid = 1000
	tests := []struct {
		name string
		vars map[string]string
		n    int    // listeners made
		err  string // in the error; "" for none
	}{
		{name: "nothing passed", vars: map[string]string{}},
		{name: "one socket", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "1", "HTTPSERVER_LISTEN_PPID": "1000"}, n: 1},
		{name: "two sockets", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "2", "HTTPSERVER_LISTEN_PPID": "1000"}, n: 2},
		{name: "written for another process", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "1", "HTTPSERVER_LISTEN_PPID": "999"}},
		{name: "no parent named", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "1"}, err: "HTTPSERVER_LISTEN_FDS without HTTPSERVER_LISTEN_PPID"},
		{name: "a parent but no count", vars: map[string]string{"HTTPSERVER_LISTEN_PPID": "1000"}},
		{name: "malformed parent", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "1", "HTTPSERVER_LISTEN_PPID": "x"}, err: `HTTPSERVER_LISTEN_PPID="x"`},
		{name: "malformed count", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "one", "HTTPSERVER_LISTEN_PPID": "1000"}, err: `HTTPSERVER_LISTEN_FDS="one"`},
		{name: "no sockets", vars: map[string]string{"HTTPSERVER_LISTEN_FDS": "0", "HTTPSERVER_LISTEN_PPID": "1000"}, err: `HTTPSERVER_LISTEN_FDS="0"`},
		// systemd's variables are not PassListeners': they are left to
		// SystemdListeners.
		{name: "systemd's variables", vars: map[string]string{"LISTEN_FDS": "1", "LISTEN_PID": "1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEnv{vars: tt.vars, open: map[int]bool{3: true, 4: true}}
			_, systemd := tt.vars["LISTEN_FDS"]
			ls, err := f.env(1, ppid).inheritedListeners()
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error: got %v, want one with %q", err, tt.err)
			}
			if len(ls) != tt.n {
				t.Errorf("got %d listeners, want %d", len(ls), tt.n)
			}
			for i, l := range ls {
				if fl := l.(*fakeListener); fl.fd != listenFDsStart+i {
					t.Errorf("listener %d: got descriptor %d, want %d", i, fl.fd, listenFDsStart+i)
				}
			}
			if _, left := f.vars["HTTPSERVER_LISTEN_FDS"]; left {
				t.Errorf("HTTPSERVER_LISTEN_FDS left in the environment")
			}
			if _, left := f.vars["HTTPSERVER_LISTEN_PPID"]; left {
				t.Errorf("HTTPSERVER_LISTEN_PPID left in the environment")
			}
			if _, left := f.vars["LISTEN_FDS"]; systemd && !left {
				t.Errorf("systemd's LISTEN_FDS was unset")
			}
		})
	}
}

// TestPassListenersEnv: PassListeners writes its variables in place of
// any inherited, takes systemd's out, keeps the rest, and wants
// ExtraFiles to itself.
func TestPassListenersEnv(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command("true")
	cmd.Env = []string{"A=1", "LISTEN_PID=5", "LISTEN_FDS=1", "LISTEN_FDNAMES=x", "HTTPSERVER_LISTEN_FDS=9", "HTTPSERVER_LISTEN_PPID=5", "B=2"}
	closeFiles, err := PassListeners(cmd, l)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	defer closeFiles()
	want := []string{"A=1", "B=2", "HTTPSERVER_LISTEN_FDS=1", fmt.Sprintf("HTTPSERVER_LISTEN_PPID=%d", os.Getpid())}
	if !slices.Equal(cmd.Env, want) {
		t.Errorf("Env: got %q, want %q", cmd.Env, want)
	}
	if len(cmd.ExtraFiles) != 1 {
		t.Errorf("ExtraFiles: got %d files, want 1", len(cmd.ExtraFiles))
	}
	if _, err := PassListeners(cmd, l); err == nil || !strings.Contains(err.Error(), "ExtraFiles is not empty") {
		t.Errorf("a second PassListeners on the same command: got %v, want an error about ExtraFiles", err)
	}
	if _, err := PassListeners(exec.Command("true")); err == nil {
		t.Errorf("PassListeners without listeners: got no error")
	}
}

// TestListenReusePortErrors: only TCP, and only where SO_REUSEPORT
// spreads connections.
func TestListenReusePortErrors(t *testing.T) {
	if _, err := ListenReusePort("unix", "/tmp/x.sock"); err == nil || !strings.Contains(err.Error(), `network "unix"`) {
		t.Errorf(`ListenReusePort("unix"): got %v, want an error naming the network`, err)
	}
	saved := reusePortControl
	reusePortControl = nil // as on other systems than Linux
	defer func() { reusePortControl = saved }()
	if _, err := ListenReusePort("tcp", "127.0.0.1:0"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ListenReusePort without SO_REUSEPORT: got %v, want errors.ErrUnsupported", err)
	}
}
