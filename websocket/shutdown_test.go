package websocket

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
)

// TestShutdownGoesAway: Shutdown makes each connection send its close
// frame with StatusGoingAway at once; the serve function's read ends
// with the client's answer; Shutdown returns once the connection has
// closed, and not before.
func TestShutdownGoesAway(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		out := make(chan ended, 1)
		ts := serveWS(t, m, nil, echo(out))
		c := ts.connect(t)
		c.send(text("before"))
		if _, p := c.message(); string(p) != "before" {
			t.Fatalf("echo %q", p)
		}
		done := shutdown(ts.srv)
		if reason := c.expectClose(StatusGoingAway); reason != "server shutting down" {
			t.Errorf("close reason %q", reason)
		}
		select {
		case err := <-done:
			t.Fatalf("Shutdown returned %v while the connection was open", err)
		default:
		}
		c.send(closeFrame(StatusGoingAway, ""))
		c.expectEOF()
		if err := wait(t, done, "Shutdown"); err != nil {
			t.Errorf("Shutdown = %v, want nil", err)
		}
		e := wait(t, out, "the serve function") // it had returned: Shutdown waited for it
		var ce *CloseError
		if !errors.As(e.err, &ce) || ce.Code != StatusGoingAway || len(e.msgs) != 1 {
			t.Errorf("the serve function read %q, then %v; want the client's close", e.msgs, e.err)
		}
	})
}

// TestShutdownWriter: a serve function that only writes learns of the
// shutdown from its failing writes, and the client's answer to the
// going-away is read for it.
func TestShutdownWriter(t *testing.T) {
	writeErr := make(chan error, 1)
	started := make(chan struct{})
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		close(started)
		<-c.Context().Done() // the closing handshake done, for it
		writeErr <- c.WriteMessage(TextMessage, []byte("too late"))
	})
	c := ts.connect(t)
	<-started
	done := shutdown(ts.srv)
	c.expectClose(StatusGoingAway)
	c.send(closeFrame(StatusGoingAway, ""))
	c.expectEOF()
	if err := wait(t, done, "Shutdown"); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := wait(t, writeErr, "the write"); !errors.Is(err, ErrClosed) {
		t.Errorf("the write after the going-away = %v, want ErrClosed", err)
	}
}

// TestConnsCounted: a WebSocket stays the server's to count while it is
// open (the engine's HandOff): with MaxConnsPerIP 1, a second connection
// from the same address is refused until it closes.
func TestConnsCounted(t *testing.T) {
	out := make(chan ended, 2)
	ts := start(t, modeTCP, &httpserver.Server{Handler: Handler(echo(out), nil), MaxConnsPerIP: 1})
	c := ts.connect(t)
	second := ts.dial(t)
	io.WriteString(second, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(second), nil)
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("a second connection: %v %v, want 503", resp, err)
	}
	c.send(closeFrame(StatusNormalClosure, ""))
	c.expectClose(StatusNormalClosure)
	c.expectEOF()
	wait(t, out, "the serve function")
	ts.connect(t) // a slot again
}

// TestUnderNetHTTP: the same handler under net/http's server, through
// nethttp.ToHTTP, which hijacks the connection for it.
func TestUnderNetHTTP(t *testing.T) {
	out := make(chan ended, 1)
	hs := httptest.NewServer(nethttp.ToHTTP(Handler(echo(out), nil)))
	defer hs.Close()
	ts := &testServer{mode: modeTCP, addr: strings.TrimPrefix(hs.URL, "http://")}
	c := ts.connect(t)
	c.send(text("via net/http"))
	if _, p := c.message(); string(p) != "via net/http" {
		t.Errorf("echo %q", p)
	}
	c.send(closeFrame(StatusNormalClosure, ""))
	c.expectClose(StatusNormalClosure)
	c.expectEOF()
	wait(t, out, "the serve function")
}
