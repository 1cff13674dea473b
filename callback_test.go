package httpserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// registerLoopback registers cb on 127.0.0.1 with a free port and stops it
// when the test ends (unless the test stopped it).
func registerLoopback(t *testing.T, cb func(*Request) *Response) (ListenerID, string) {
	t.Helper()
	id, err := RegisterCallback("127.0.0.1", 0, cb)
	if err != nil {
		t.Fatalf("RegisterCallback: %v", err)
	}
	t.Cleanup(func() {
		if err := StopCallback(id); err != nil && !errors.Is(err, ErrUnknownListener) {
			t.Errorf("StopCallback(%d): %v", id, err)
		}
	})
	addr, err := ListenerAddr(id)
	if err != nil {
		t.Fatalf("ListenerAddr(%d): %v", id, err)
	}
	return id, addr.String()
}

// callbackServerOf returns the Server behind id, for tests that must see
// its state.
func callbackServerOf(t *testing.T, id ListenerID) *Server {
	t.Helper()
	registry.mu.Lock()
	defer registry.mu.Unlock()
	cs, ok := registry.servers[id]
	if !ok {
		t.Fatalf("no server for id %d", id)
	}
	return cs.srv
}

func TestCallbackRegisterErrors(t *testing.T) {
	cb := func(*Request) *Response { return &Response{StatusCode: 200} }
	tests := []struct {
		name    string
		host    string
		port    int
		cb      func(*Request) *Response
		errHas  string // the error must say this
		errWrap error  // and wrap this, if not nil
	}{
		{"nil callback", "127.0.0.1", 0, nil, "nil callback", nil},
		{"port -1", "127.0.0.1", -1, cb, "port -1", nil},
		{"port 65536", "127.0.0.1", 65536, cb, "port 65536", nil},
		{"host with a space", "bad host!", 0, cb, "invalid host", nil},
		{"host with a slash", "a/b", 0, cb, "invalid host", nil},
		{"unclosed bracket", "[::1", 0, cb, "invalid host", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := RegisterCallback(tt.host, tt.port, tt.cb)
			if err == nil {
				StopCallback(id)
				t.Fatalf("got id %d and no error, want an error saying %q", id, tt.errHas)
			}
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("got %q, want it to say %q", err, tt.errHas)
			}
			if n := strings.Count(err.Error(), "httpserver: "); n != 1 {
				t.Errorf("got %q with the prefix \"httpserver: \" %d times, want once", err, n)
			}
		})
	}
	t.Run("address in use", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		id, err := RegisterCallback("127.0.0.1", port, cb)
		if err == nil {
			StopCallback(id)
			t.Fatalf("got id %d and no error for port %d in use", id, port)
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("got %v, want an error wrapping EADDRINUSE", err)
		}
	})
}

// TestCallbackTwoListeners: two callbacks serve at once, each request
// tells which listener it came from, and stopping one leaves the other.
// Parked only: RegisterCallback opens its own TCP listener.
func TestCallbackTwoListeners(t *testing.T) {
	checkNoGoroutineLeak(t)
	cb := func(req *Request) *Response {
		return &Response{StatusCode: 200, Message: strconv.FormatUint(uint64(req.ListenerID), 10)}
	}
	id1, addr1 := registerLoopback(t, cb)
	id2, addr2 := registerLoopback(t, cb)
	if id1 == id2 || addr1 == addr2 {
		t.Fatalf("got ids %d, %d at %s, %s; want two of each", id1, id2, addr1, addr2)
	}
	client := newHTTPClient(t)
	get := func(addr string) (string, error) {
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for _, l := range []struct {
		id   ListenerID
		addr string
	}{{id1, addr1}, {id2, addr2}} {
		got, err := get(l.addr)
		if want := strconv.FormatUint(uint64(l.id), 10); err != nil || got != want {
			t.Errorf("request to %s: got ListenerID %q, %v; want %s", l.addr, got, err, want)
		}
	}

	if err := StopCallback(id1); err != nil {
		t.Fatalf("StopCallback(%d): %v", id1, err)
	}
	if c, err := net.Dial("tcp", addr1); err == nil {
		c.Close()
		t.Errorf("dial %s after StopCallback: connected, want refused", addr1)
	}
	if got, err := get(addr2); err != nil || got != strconv.FormatUint(uint64(id2), 10) {
		t.Errorf("the other listener after StopCallback: got %q, %v", got, err)
	}
	if err := StopCallback(id1); !errors.Is(err, ErrUnknownListener) {
		t.Errorf("second StopCallback(%d): got %v, want ErrUnknownListener", id1, err)
	}
	if _, err := ListenerAddr(id1); !errors.Is(err, ErrUnknownListener) {
		t.Errorf("ListenerAddr(%d) after StopCallback: got %v, want ErrUnknownListener", id1, err)
	}
	if err := StopCallback(0); !errors.Is(err, ErrUnknownListener) {
		t.Errorf("StopCallback(0): got %v, want ErrUnknownListener", err)
	}
	client.CloseIdleConnections()
	if err := StopCallback(id2); err != nil {
		t.Errorf("StopCallback(%d): %v", id2, err)
	}
}

// TestCallbackStopInFlight: StopCallback lets a request being served
// finish with a whole response, then returns. Parked only:
// RegisterCallback opens its own TCP listener.
func TestCallbackStopInFlight(t *testing.T) {
	checkNoGoroutineLeak(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	id, addr := registerLoopback(t, func(req *Request) *Response {
		close(entered)
		<-release
		return &Response{StatusCode: 200, Message: "finished"}
	})
	srv := callbackServerOf(t, id)
	rc := dialRaw(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	recvWithin(t, entered, "the handler")

	stopped := make(chan error, 1)
	go func() { stopped <- StopCallback(id) }()
	pollUntil(t, "StopCallback begins the shutdown", srv.shutting.Load)
	select {
	case err := <-stopped:
		t.Fatalf("StopCallback returned %v while a request was in flight", err)
	default:
	}
	close(release)
	r := rc.response("GET")
	if c, _ := r.get("Connection"); r.Status != 200 || string(r.Body) != "finished" || c != "close" {
		t.Errorf("got %d %q, Connection %q; want 200 \"finished\", close", r.Status, r.Body, c)
	}
	rc.expectClosed()
	if err := recvWithin(t, stopped, "StopCallback"); err != nil {
		t.Errorf("StopCallback: %v", err)
	}
}

// TestCallbackErrorText: an error wrapping one of ours says "httpserver: "
// once, names the call, and still matches the sentinel with errors.Is.
func TestCallbackErrorText(t *testing.T) {
	_, addrErr := ListenerAddr(0)
	tests := []struct {
		name string
		err  error
		want string
		is   error
	}{
		{"StopCallback(0)", StopCallback(0), "httpserver: StopCallback(0): unknown listener id", ErrUnknownListener},
		{"ListenerAddr(0)", addrErr, "httpserver: ListenerAddr(0): unknown listener id", ErrUnknownListener},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.is) {
				t.Errorf("got %v, for which errors.Is(err, %v) is false", tt.err, tt.is)
			}
		})
	}
}

// TestCallbackHosts: the hosts RegisterCallback accepts bind where they
// say, IPv6 with or without brackets; malformed brackets and bracketed
// names are refused as an invalid host before anything is bound.
func TestCallbackHosts(t *testing.T) {
	cb := func(*Request) *Response { return &Response{StatusCode: 200} }
	ipv6 := true
	if l, err := net.Listen("tcp", "[::1]:0"); err != nil {
		ipv6 = false
	} else {
		l.Close()
	}
	tests := []struct {
		host   string
		wantIP string // the address bound; "" when host must be refused
		needs6 bool
	}{
		{"127.0.0.1", "127.0.0.1", false},
		{"::1", "::1", true},
		{"[::1]", "::1", true},
		{"[::ffff:127.0.0.1]", "127.0.0.1", true},
		{"[::1", "", false},
		{"::1]", "", false},
		{"[]", "", false},
		{"[[::1]]", "", false},
		{"[localhost]", "", false},
		{"[127.0.0.1]", "", false},
		{"[::1]:80", "", false},
		{"local host", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if tt.needs6 && !ipv6 {
				t.Skip("no IPv6 loopback")
			}
			id, err := RegisterCallback(tt.host, 0, cb)
			if tt.wantIP == "" {
				if err == nil {
					StopCallback(id)
					t.Fatalf("got id %d and no error, want an invalid host error", id)
				}
				if want := fmt.Sprintf("invalid host %q", tt.host); !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to say %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want it bound to %s", err, tt.wantIP)
			}
			defer StopCallback(id)
			addr, err := ListenerAddr(id)
			if err != nil {
				t.Fatalf("ListenerAddr(%d): %v", id, err)
			}
			if got := addr.(*net.TCPAddr).IP.String(); got != tt.wantIP {
				t.Errorf("got it bound to %s (%s), want %s", got, addr, tt.wantIP)
			}
		})
	}
}
