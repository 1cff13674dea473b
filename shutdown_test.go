package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
)

// blockingServer serves "/block" by signalling entered (with the request's
// context) and waiting for release; everything else gets 200 "ok".
func blockingServer(t *testing.T, m mode) (ts *e2eServer, entered chan context.Context, release chan struct{}) {
	t.Helper()
	entered = make(chan context.Context, 1)
	release = make(chan struct{})
	ts = m.serve(t, func(req *Request) *Response {
		if req.Path == "/block" {
			entered <- req.Context()
			<-release
			return &Response{StatusCode: 200, Message: "finished"}
		}
		return &Response{StatusCode: 200, Message: "ok"}
	})
	return ts, entered, release
}

// TestShutdownGraceful: Shutdown closes idle connections at once, refuses
// new ones, lets the request in flight finish with "Connection: close",
// and makes Serve return ErrServerClosed.
func TestShutdownGraceful(t *testing.T) { runPollers(t, testShutdownGraceful) }

func testShutdownGraceful(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		ts, entered, release := blockingServer(t, m)

		idle := ts.dialRaw(t)
		if r := idle.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Fatalf("got %d, want 200", r.Status)
		}
		busy := ts.dialRaw(t)
		busy.send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n")
		recvWithin(t, entered, "the handler")

		shutdown := make(chan error, 1)
		go func() { shutdown <- ts.srv.Shutdown(context.Background()) }()

		// The idle connection is closed long before its IdleTimeout (60s).
		idle.expectClosed()
		if c, err := net.Dial("tcp", ts.addr); err == nil {
			c.Close()
			t.Errorf("dial after Shutdown: connected, want refused")
		}
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: got %v, want ErrServerClosed", err)
		}
		select {
		case err := <-shutdown:
			t.Fatalf("Shutdown returned %v with a request in flight", err)
		default:
		}

		close(release)
		r := busy.response("GET")
		if c, _ := r.get("Connection"); r.Status != 200 || string(r.Body) != "finished" || c != "close" {
			t.Errorf("in-flight request: got %d %q, Connection %q; want 200 \"finished\", close", r.Status, r.Body, c)
		}
		busy.expectClosed()
		if err := recvWithin(t, shutdown, "Shutdown"); err != nil {
			t.Errorf("Shutdown: got %v, want nil", err)
		}

		// Once shut down, the server stays down.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.srv.Serve(l); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve after Shutdown: got %v, want ErrServerClosed", err)
		}
		if _, err := l.Accept(); err == nil {
			t.Errorf("Serve after Shutdown left its listener open")
		}
		if err := ts.srv.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("ListenAndServe after Shutdown: got %v, want ErrServerClosed", err)
		}
	})
}

// TestShutdownExpiredContext: when Shutdown's context ends first, it
// closes every connection and returns ctx.Err() without waiting for a
// handler that ignores its context; that context is canceled.
func TestShutdownExpiredContext(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		ts, entered, release := blockingServer(t, m)
		defer close(release) // the handler ignores its context; free it at the end

		busy := ts.dialRaw(t)
		busy.send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n")
		reqCtx := recvWithin(t, entered, "the handler")

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		shutdown := make(chan error, 1)
		go func() { shutdown <- ts.srv.Shutdown(ctx) }()
		if err := recvWithin(t, shutdown, "Shutdown"); !errors.Is(err, context.Canceled) {
			t.Errorf("Shutdown: got %v, want context.Canceled", err)
		}
		busy.expectClosed()
		recvWithin(t, reqCtx.Done(), "the request's context to be canceled")
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: got %v, want ErrServerClosed", err)
		}
	})
}

// TestShutdownClose: Close interrupts a request in flight and cancels its
// context.
func TestShutdownClose(t *testing.T) { runPollers(t, testShutdownClose) }

func testShutdownClose(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		entered := make(chan struct{})
		ts := m.serve(t, func(req *Request) *Response {
			close(entered)
			<-req.Context().Done()
			return &Response{StatusCode: 200, Message: "too late"}
		})
		busy := ts.dialRaw(t)
		busy.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		recvWithin(t, entered, "the handler")
		if err := ts.srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		// Close cancels the contexts before it closes the connections, so the
		// handler's answer may or may not get out; the connection must end.
		if _, err := io.ReadAll(busy.br); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("reading until the connection ends: %v", err)
		}
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: got %v, want ErrServerClosed", err)
		}
	})
}

// TestShutdownUnused: Shutdown and Close work on a server that never
// served, and Serve refuses to start afterwards.
func TestShutdownUnused(t *testing.T) {
	var srv Server
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: got %v, want ErrServerClosed", err)
	}
}
