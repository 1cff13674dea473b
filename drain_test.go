package httpserver

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// drainingServer serves "ok" (and the readiness probe at /ready) with a
// Drain whose end the test decides: started is closed when Shutdown
// begins its Drain, and closing end ends it.
func drainingServer(t *testing.T, m mode) (ts *e2eServer, started <-chan struct{}, end chan struct{}) {
	return drainingServerOn(t, m, nil)
}

// drainingServerOn is drainingServer on l, a plain TCP listener (nil: a
// fresh one).
func drainingServerOn(t *testing.T, m mode, l net.Listener) (ts *e2eServer, started <-chan struct{}, end chan struct{}) {
	st := make(chan struct{})
	end = make(chan struct{})
	srv := &Server{Drain: time.Hour}
	srv.drainTimer = func(d time.Duration) <-chan time.Time {
		if d != time.Hour {
			t.Errorf("drain of %v, want Drain (1h)", d)
		}
		close(st)
		ch := make(chan time.Time)
		go func() {
			<-end
			close(ch)
		}()
		return ch
	}
	t.Cleanup(func() {
		select {
		case <-end:
		default:
			close(end) // the timer goroutine ends with the test
		}
	})
	mux := NewMux()
	mux.Route("/ready", srv.ReadyHandler())
	mux.RouteFunc("/", func(req *Request) *Response { return &Response{StatusCode: 200, Message: "ok"} })
	srv.Handler = mux
	if l != nil {
		return m.startOn(t, srv, l), st, end
	}
	return m.start(t, srv), st, end
}

// shutdownAsync runs srv.Shutdown on a goroutine of its own: the channel
// has its result.
func shutdownAsync(srv *Server) <-chan error {
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	return shut
}

// waitShutdown waits for the Shutdown of shut to return nil; failing
// says what.
func waitShutdown(t *testing.T, shut <-chan error, failing string) {
	t.Helper()
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown = %v, want nil", err)
		}
	case <-time.After(hangGuard):
		t.Fatal(failing)
	}
}

// TestShutdownDrain: during Drain, a request that arrives on a connection
// opened before Shutdown is answered, with "Connection: close", and the
// connection then closes; so is one on a connection opened during the
// Drain (the listener still accepts); an idle connection stays open
// until the Drain ends, and is closed then; the readiness probe says
// 503; Shutdown returns nil once every connection is gone, and Serve
// returns ErrServerClosed then (not before), the listener closed.
func TestShutdownDrain(t *testing.T) { runPollers(t, testShutdownDrain) }

func testShutdownDrain(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts, started, end := drainingServer(t, m)
		busy := ts.dialRaw(t)
		if r := busy.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 || r.Headers.Get("Connection") == "close" {
			t.Fatalf("before Shutdown: %d, Connection %q; want 200, kept alive", r.Status, r.Headers.Get("Connection"))
		}
		probe := ts.dialRaw(t)
		if r := probe.roundTrip("GET /ready HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Fatalf("readiness before Shutdown: %d, want 200", r.Status)
		}
		idle := ts.dialRaw(t)
		if r := idle.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Fatalf("idle connection's first request: %d", r.Status)
		}

		shut := shutdownAsync(ts.srv)
		<-started
		if ts.srv.Ready() {
			t.Error("Ready during the drain, want false")
		}

		r := busy.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		if r.Status != 200 || string(r.Body) != "ok" || r.Headers.Get("Connection") != "close" {
			t.Errorf("during the drain: %d %q, Connection %q; want 200 \"ok\", close", r.Status, r.Body, r.Headers.Get("Connection"))
		}
		busy.expectClosed()
		if r := probe.roundTrip("GET /ready HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 503 {
			t.Errorf("readiness during the drain: %d, want 503", r.Status)
		}
		probe.expectClosed()
		fresh := ts.dialRaw(t)
		r = fresh.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		if r.Status != 200 || string(r.Body) != "ok" || r.Headers.Get("Connection") != "close" {
			t.Errorf("new connection during the drain: %d %q, Connection %q; want 200 \"ok\", close", r.Status, r.Body, r.Headers.Get("Connection"))
		}
		fresh.expectClosed()
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned %v during the drain, with a connection open", err)
		case <-ts.done:
			t.Fatalf("Serve returned %v during the drain", ts.serveErr)
		default:
		}

		close(end)
		idle.expectClosed()
		waitShutdown(t, shut, "Shutdown did not return after the drain")
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
		if c, err := net.Dial("tcp", ts.addr); err == nil {
			c.Close()
			t.Error("a connection was accepted after the drain")
		}
	})
}

// TestShutdownDrainEndsEarly: a drain ends without waiting for Drain
// once no listener and no connection is left: here the listener's owner
// closes it during the drain (as a restart in place does once its
// successor accepts), and the last connection closes.
func TestShutdownDrainEndsEarly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts, started, _ := drainingServerOn(t, modeParked, l)
	rc := ts.dialRaw(t)
	rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	shut := shutdownAsync(ts.srv)
	<-started
	l.Close()
	if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve on a listener closed during the drain = %v, want ErrServerClosed", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a connection open", err)
	default:
	}
	// The server may not have seen the close yet: the drain ends when it
	// has (the timer never fires here).
	rc.nc.Close()
	waitShutdown(t, shut, "Shutdown waited for the drain with no listener and no connection left")
}

// TestShutdownDrainNothingToDrain: a Shutdown with a Drain on a server
// that serves nothing returns at once.
func TestShutdownDrainNothingToDrain(t *testing.T) {
	srv := &Server{Drain: time.Hour}
	srv.drainTimer = func(time.Duration) <-chan time.Time { return nil } // never
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

// TestShutdownDrainClose: Close during the drain ends it: every
// connection closes, and the Shutdown waiting for the drain returns.
func TestShutdownDrainClose(t *testing.T) {
	ts, started, _ := drainingServer(t, modeParked)
	idle := ts.dialRaw(t)
	idle.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	shut := shutdownAsync(ts.srv)
	<-started
	ts.srv.Close()
	idle.expectClosed()
	waitShutdown(t, shut, "Shutdown went on draining after Close")
}

// TestShutdownDrainContext: a Shutdown whose context ends during the
// drain closes every connection and returns the context's error.
func TestShutdownDrainContext(t *testing.T) {
	ts, started, _ := drainingServer(t, modeParked)
	idle := ts.dialRaw(t)
	idle.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- ts.srv.Shutdown(ctx) }()
	<-started
	cancel()
	if err := <-shut; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	idle.expectClosed()
}

// TestShutdownWithoutDrain: without Drain, idle connections are closed
// at once, as before, and no new connection is accepted.
func TestShutdownWithoutDrain(t *testing.T) {
	ts := serveE2E(t, func(req *Request) *Response { return &Response{StatusCode: 200} })
	idle := ts.dialRaw(t)
	idle.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	idle.expectClosed()
	if c, err := net.Dial("tcp", ts.addr); err == nil {
		c.Close()
		t.Error("a connection was accepted after Shutdown")
	}
}
