package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of this file check that a request's context is canceled when
// its client goes away while it is served (hangup.go). That takes the
// poller, which sees the sockets of modeParked's connections and the TCP
// sockets under modeTLS's, never a wrapped connection's: modeWaiting is
// left out of them all. A half-close is a FIN on TCP but close_notify
// over TLS, which stays inside the TLS stream where the poller cannot see
// it: the half-close tests run in modeParked alone.

// errNotCanceled is what a handler reports when its context was not
// canceled within hangGuard (a failure, never a synchronisation).
var errNotCanceled = errors.New("the context was not canceled")

// awaitCancel waits for ctx to end, for at most hangGuard, and returns
// its error or errNotCanceled.
func awaitCancel(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(hangGuard):
		return errNotCanceled
	}
}

// hangUpHook reports the hang-up events the poller handled for srv's
// connections on the returned channel: whether each canceled.
func hangUpHook(t *testing.T, srv *Server) <-chan bool {
	ch := make(chan bool, 64)
	setHooks(t, &hooks{hangUp: func(c *conn, canceled bool) {
		if c.srv == srv {
			select {
			case ch <- canceled:
			default:
			}
		}
	}})
	return ch
}

// tcpOf returns the TCP connection under nc (itself, or under TLS).
func tcpOf(t *testing.T, nc net.Conn) *net.TCPConn {
	t.Helper()
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	tcp, ok := nc.(*net.TCPConn)
	if !ok {
		t.Fatalf("%T is not a TCP connection", nc)
	}
	return tcp
}

// TestHangUpCancelsHandler: a client that closes its connection, or
// resets it, while its handler waits on the request's context cancels
// that context (context.Canceled). Over TLS the client's Close sends
// close_notify and then the FIN; the reset skips the TLS close.
func TestHangUpCancelsHandler(t *testing.T) { runPollers(t, testHangUpCancelsHandler) }

func testHangUpCancelsHandler(t *testing.T) {
	for _, how := range []string{"close", "reset"} {
		t.Run(how, func(t *testing.T) {
			runModes(t, func(t *testing.T, m mode) {
				started := make(chan struct{}, 1)
				verdict := make(chan error, 1)
				ts := m.serve(t, func(req *Request) *Response {
					started <- struct{}{}
					verdict <- awaitCancel(req.Context())
					return &Response{StatusCode: 200}
				})
				nc := ts.dial(t)
				if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
					t.Fatalf("sending the request: %v", err)
				}
				recvWithin(t, started, "the handler to start")
				if how == "reset" {
					tcp := tcpOf(t, nc)
					tcp.SetLinger(0)
					tcp.Close()
				} else {
					nc.Close()
				}
				if err := recvWithin(t, verdict, "the handler's context"); err != context.Canceled {
					t.Errorf("the handler's context: got %v, want %v", err, context.Canceled)
				}
			}, modeParked, modeTLS)
		})
	}
}

// TestHangUpCancelsHandlerUnix: the same over a Unix socket, which the
// poller sees as it sees TCP ones.
func TestHangUpCancelsHandlerUnix(t *testing.T) {
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "s"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	started := make(chan struct{}, 1)
	verdict := make(chan error, 1)
	ts := startE2EOn(t, &Server{Handler: HandlerFunc(func(req *Request) *Response {
		started <- struct{}{}
		verdict <- awaitCancel(req.Context())
		return &Response{StatusCode: 200}
	})}, l)
	nc, err := net.DialTimeout("unix", ts.addr, hangGuard)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer nc.Close()
	if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
		t.Fatalf("sending the request: %v", err)
	}
	recvWithin(t, started, "the handler to start")
	nc.Close()
	if err := recvWithin(t, verdict, "the handler's context"); err != context.Canceled {
		t.Errorf("the handler's context: got %v, want %v", err, context.Canceled)
	}
}

// TestHalfCloseAfterRequestCancels: a client that sends one request and
// half-closes (shutdown(SHUT_WR)) is taken as gone, as net/http takes it:
// nothing is pending after its request. It can still read the response.
func TestHalfCloseAfterRequestCancels(t *testing.T) { runPollers(t, testHalfCloseAfterRequestCancels) }

func testHalfCloseAfterRequestCancels(t *testing.T) {
	verdict := make(chan error, 1)
	ts := serveE2E(t, func(req *Request) *Response {
		verdict <- awaitCancel(req.Context())
		return &Response{StatusCode: 200, Message: "late"}
	})
	rc := dialRaw(t, ts.addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if err := closeWrite(rc.nc); err != nil {
		t.Fatalf("half-closing: %v", err)
	}
	if err := recvWithin(t, verdict, "the handler's context"); err != context.Canceled {
		t.Errorf("the handler's context: got %v, want %v", err, context.Canceled)
	}
	if r := rc.response("GET"); r.Status != 200 || string(r.Body) != "late" {
		t.Errorf("the response after the half-close: got %d %q, want 200 \"late\"", r.Status, r.Body)
	}
}

// TestHalfClosePipelinedNotCanceled: a client that pipelines two requests
// and half-closes is not gone while the second is pending: the first
// handler, which waits until the poller has handled the hang-up, finds
// its context alive. The second, after which nothing is pending, finds it
// canceled as it starts (as net/http would). Both responses arrive.
func TestHalfClosePipelinedNotCanceled(t *testing.T) {
	runPollers(t, testHalfClosePipelinedNotCanceled)
}

func testHalfClosePipelinedNotCanceled(t *testing.T) {
	srv := &Server{}
	hung := hangUpHook(t, srv)
	errs := make(chan error, 2)
	srv.Handler = HandlerFunc(func(req *Request) *Response {
		if req.Path == "/first" {
			select {
			case canceled := <-hung:
				if canceled {
					errs <- errors.New("the poller canceled on the hang-up")
				} else {
					errs <- req.Context().Err()
				}
			case <-time.After(hangGuard):
				errs <- errors.New("the poller handled no hang-up")
			}
		} else {
			errs <- req.Context().Err()
		}
		return &Response{StatusCode: 200, Message: req.Path}
	})
	ts := startE2E(t, srv)
	rc := dialRaw(t, ts.addr)
	rc.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n")
	if err := closeWrite(rc.nc); err != nil {
		t.Fatalf("half-closing: %v", err)
	}
	if err := recvWithin(t, errs, "the first handler"); err != nil {
		t.Errorf("the first handler, the second request pending: got %v, want its context alive", err)
	}
	if err := recvWithin(t, errs, "the second handler"); err != context.Canceled {
		t.Errorf("the second handler, nothing pending: got %v, want %v", err, context.Canceled)
	}
	for _, path := range []string{"/first", "/second"} {
		if r := rc.response("GET"); r.Status != 200 || string(r.Body) != path {
			t.Errorf("response: got %d %q, want 200 %q", r.Status, r.Body, path)
		}
	}
}

// TestHangUpBeforeHandlerStarts: a hang-up the poller handles while the
// next request is still being read (the owner stopped, by the state
// hook, as the request's first bytes arrive, until the poller has handled
// it) is decided as that request's handler starts: the handler finds its
// context canceled at once. This is the window where the edge comes
// before there is a handler to cancel.
func TestHangUpBeforeHandlerStarts(t *testing.T) { runPollers(t, testHangUpBeforeHandlerStarts) }

func testHangUpBeforeHandlerStarts(t *testing.T) {
	srv := &Server{}
	hung := make(chan bool, 64)
	setHooks(t, &hooks{
		hangUp: func(c *conn, canceled bool) {
			if c.srv == srv {
				select {
				case hung <- canceled:
				default:
				}
			}
		},
		state: func(c *conn, from, to connState) {
			if c.srv != srv || to != stateHead || c.nreq == 0 {
				return // the first request: not stopped
			}
			select {
			case canceled := <-hung:
				if canceled {
					t.Error("the poller canceled with no handler running")
				}
			case <-time.After(hangGuard):
				t.Error("the poller handled no hang-up")
			}
		},
	})
	errs := make(chan error, 2)
	srv.Handler = HandlerFunc(func(req *Request) *Response {
		errs <- req.Context().Err()
		return &Response{StatusCode: 200, Message: req.Path}
	})
	ts := startE2E(t, srv)
	rc := dialRaw(t, ts.addr)
	if r := rc.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
		t.Fatalf("the first request: got %d, want 200", r.Status)
	}
	if err := recvWithin(t, errs, "the first handler"); err != nil {
		t.Fatalf("the first handler: got %v, want its context alive", err)
	}
	rc.send("GET /second HTTP/1.1\r\nHost: h\r\n\r\n")
	if err := closeWrite(rc.nc); err != nil {
		t.Fatalf("half-closing: %v", err)
	}
	if err := recvWithin(t, errs, "the second handler"); err != context.Canceled {
		t.Errorf("the second handler: got %v, want %v as it starts", err, context.Canceled)
	}
	if r := rc.response("GET"); r.Status != 200 || string(r.Body) != "/second" {
		t.Errorf("the second response: got %d %q, want 200 \"/second\"", r.Status, r.Body)
	}
}

// TestHalfCloseDuringBodyCanceledBySweep: a client that sends a request
// with a body and half-closes while most of the body is still in the
// socket is not gone then (the poller's peek finds data); once the
// handler has read the body, the sweep finds nothing but the FIN and
// cancels. IdleTimeout is small only to make the sweep frequent.
func TestHalfCloseDuringBodyCanceledBySweep(t *testing.T) {
	runPollers(t, testHalfCloseDuringBodyCanceledBySweep)
}

func testHalfCloseDuringBodyCanceledBySweep(t *testing.T) {
	const size = 16 << 10 // far beyond what the head's read takes in
	srv := &Server{IdleTimeout: 160 * time.Millisecond}
	hung := hangUpHook(t, srv)
	errs := make(chan error, 1)
	srv.Handler = HandlerFunc(func(req *Request) *Response {
		errs <- func() error {
			select {
			case canceled := <-hung:
				if canceled {
					return errors.New("canceled with the body still coming")
				}
			case <-time.After(hangGuard):
				return errors.New("the poller handled no hang-up")
			}
			if err := req.Context().Err(); err != nil {
				return err
			}
			if n, err := io.Copy(io.Discard, req.Body); n != size || err != nil {
				return errors.New("reading the body: short or failed")
			}
			return awaitCancel(req.Context())
		}()
		return &Response{StatusCode: 200}
	})
	ts := startE2E(t, srv)
	rc := dialRaw(t, ts.addr)
	rc.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 16384\r\n\r\n" + strings.Repeat("x", size))
	if err := closeWrite(rc.nc); err != nil {
		t.Fatalf("half-closing: %v", err)
	}
	if err := recvWithin(t, errs, "the handler"); err != context.Canceled {
		t.Errorf("the handler: got %v, want %v once the body was read", err, context.Canceled)
	}
}

// TestClassifyPeek names what a MSG_PEEK recv can return.
func TestClassifyPeek(t *testing.T) {
	for _, tc := range []struct {
		n    int
		err  error
		want peekResult
	}{
		{1, nil, peekData},
		{0, nil, peekEOF},
		{-1, syscall.EAGAIN, peekEmpty},
		{-1, syscall.ECONNRESET, peekBroken},
		{-1, syscall.ETIMEDOUT, peekBroken},
		{-1, syscall.EBADF, peekFailed},
		{-1, syscall.ENOTCONN, peekFailed},
	} {
		if got := classifyPeek(tc.n, tc.err); got != tc.want {
			t.Errorf("classifyPeek(%d, %v) = %d, want %d", tc.n, tc.err, got, tc.want)
		}
	}
}
