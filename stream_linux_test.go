//go:build linux

package httpserver

import (
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestStreamHijackLeavesPoller: a parked connection that is then
// hijacked leaves the poller's epoll set and table, so that what the
// client sends on it can no longer wake the poller, and the server's
// hooks see nothing more of it (no wake, no state after hijacked). Parked
// mode only (Linux): the other modes have no poller.
func TestStreamHijackLeavesPoller(t *testing.T) { runPollers(t, testStreamHijackLeavesPoller) }

func testStreamHijackLeavesPoller(t *testing.T) {
	type report struct {
		registered bool  // in the epoll set when the Stream ran
		modErr     error // changing its registration after Hijack
		inTable    bool  // the poller's table still maps the socket to it
	}
	reports := make(chan report, 1)
	streamDone := make(chan struct{})
	parked := make(chan *conn, 4)
	var mu sync.Mutex
	var hijacked *conn
	var afterHijack []string // what the hooks saw of it after Hijack
	srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
		if req.Path != "/echo" {
			return &Response{StatusCode: 200, Message: req.Path}
		}
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
			c := w.c
			rep := report{registered: c.pk.id != 0}
			fd, epfd := int(c.pk.fd), c.pk.poll.epfd
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: int32(fd), Pad: int32(c.pk.id)}
			w.Header().Set("Upgrade", "echo")
			w.Header().Set("Connection", "Upgrade")
			w.WriteHeader(101)
			nc, rest, err := w.Hijack()
			if err != nil {
				return err
			}
			mu.Lock()
			hijacked = c
			mu.Unlock()
			// MOD, not DEL: a socket still registered stays so, for the
			// wake check below.
			rep.modErr = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, fd, &ev)
			p := c.pk.poll
			p.mu.Lock()
			rep.inTable = fd < len(p.byFD) && p.byFD[fd] == c
			p.mu.Unlock()
			reports <- rep
			defer close(streamDone)
			return echoHijacked(nc, rest)
		}}
	})}
	note := func(c *conn, what string) {
		mu.Lock()
		defer mu.Unlock()
		if c == hijacked {
			afterHijack = append(afterHijack, what)
		}
	}
	setHooks(t, &hooks{
		state: func(c *conn, from, to connState) {
			if c.srv == srv {
				note(c, "state "+from.String()+" -> "+to.String())
			}
		},
		wake: func(c *conn, took bool) {
			if c.srv == srv {
				note(c, "wake")
			}
		},
		park: parkedAfterServing(srv, parked),
	})
	ts := startE2E(t, srv)

	// A first request, after which the connection parks: its socket is
	// then in the epoll set.
	rc := ts.dialRaw(t)
	rc.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	recvWithin(t, parked, "the connection to park")
	rc.send(strings.TrimSuffix(upgradeRequest, "early"))
	if r, err := readRawHead(rc.br); err != nil || r.Status != 101 {
		t.Fatalf("head: got %v (%v), want 101", r, err)
	}
	rep := recvWithin(t, reports, "the Stream")
	if !rep.registered {
		t.Fatalf("the connection was not in the epoll set before Hijack; the test proves nothing")
	}
	if !errors.Is(rep.modErr, syscall.ENOENT) {
		t.Errorf("the hijacked socket's epoll registration: got %v from EPOLL_CTL_MOD, want ENOENT (Hijack removed it)", rep.modErr)
	}
	if rep.inTable {
		t.Errorf("the poller's table still maps the hijacked socket to its connection; want it forgotten")
	}
	// Input on the hijacked connection: the Stream reads it. The wake
	// hook below is a second guard, not a proof: when the kernel reports
	// the socket to the poller is not ordered with anything the test can
	// see, so the epoll set and the poller's table are checked directly
	// above.
	if line, err := rc.br.ReadString('\n'); err != nil || line != "rest=\n" {
		t.Fatalf("first tunnel line: got %q (%v), want \"rest=\\n\"", line, err)
	}
	rc.send("ping\n")
	if line, err := rc.br.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo: got %q (%v), want \"ping\\n\"", line, err)
	}
	closeWrite(rc.nc)
	rc.expectClosed()
	recvWithin(t, streamDone, "the Stream to return")
	mu.Lock()
	defer mu.Unlock()
	if len(afterHijack) != 0 {
		t.Errorf("after Hijack the server saw %q of the connection, want nothing", afterHijack)
	}
}

// TestStreamHijackTLSLeavesHangUpWatch: a TLS connection's TCP socket,
// registered with a poller for hang-ups only while its handler runs, is
// taken out of that epoll set and the poller's table by Hijack, as a
// parked connection's socket is (TestStreamHijackLeavesPoller): the
// socket is the new owner's, and the poller keeps no reference to the
// hijacked connection.
func TestStreamHijackTLSLeavesHangUpWatch(t *testing.T) {
	runPollers(t, testStreamHijackTLSLeavesHangUpWatch)
}

func testStreamHijackTLSLeavesHangUpWatch(t *testing.T) {
	type report struct {
		registered bool  // registered for hang-ups when the Stream ran
		modErr     error // changing that registration after Hijack
		inTable    bool  // the poller's table still maps the socket to it
	}
	reports := make(chan report, 1)
	ts := modeTLS.serve(t, func(req *Request) *Response {
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
			c := w.c
			p := c.pk.reg
			rep := report{registered: p != nil && c.pk.id != 0 && c.pk.opaque}
			if !rep.registered {
				reports <- rep
				return nil
			}
			fd := int(c.pk.fd)
			ev := syscall.EpollEvent{Events: syscall.EPOLLRDHUP | epollET, Fd: int32(fd), Pad: int32(c.pk.id)}
			w.Header().Set("Upgrade", "echo")
			w.Header().Set("Connection", "Upgrade")
			w.WriteHeader(101)
			nc, rest, err := w.Hijack()
			if err != nil {
				return err
			}
			rep.modErr = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, fd, &ev)
			p.mu.Lock()
			rep.inTable = fd < len(p.byFD) && p.byFD[fd] == c
			p.mu.Unlock()
			reports <- rep
			return echoHijacked(nc, rest)
		}}
	})
	rc := ts.dialRaw(t)
	rc.send(upgradeRequest)
	rep := recvWithin(t, reports, "the Stream")
	if !rep.registered {
		t.Fatalf("the TLS connection was not registered for hang-ups when its handler ran; the test proves nothing")
	}
	if r, err := readRawHead(rc.br); err != nil || r.Status != 101 {
		t.Fatalf("head: got %v (%v), want 101", r, err)
	}
	if !errors.Is(rep.modErr, syscall.ENOENT) {
		t.Errorf("the hijacked TLS socket's epoll registration: got %v from EPOLL_CTL_MOD, want ENOENT (Hijack removed it)", rep.modErr)
	}
	if rep.inTable {
		t.Errorf("the poller's table still maps the hijacked TLS socket to its connection; want it forgotten")
	}
	checkEcho(t, rc, "early")
}
