package httpserver

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// clientConns reports how many connections the server counts for ip.
func (s *Server) clientConns(ip string) int {
	key, _ := clientKey(&net.TCPAddr{IP: net.ParseIP(ip)})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perIP[key]
}

// TestHardeningMaxConnsPerIP: connections from one address beyond the
// limit get 503 with "Connection: close" at once and are closed, whether or
// not they sent a request; other addresses are unaffected, and a slot freed
// by a closed connection can be used again. In every mode: over TLS the
// refusal is written after the handshake, which the refused client's dial
// completes.
func TestHardeningMaxConnsPerIP(t *testing.T) {
	runModes(t, testHardeningMaxConnsPerIP)
}

func testHardeningMaxConnsPerIP(t *testing.T, m mode) {
	checkNoGoroutineLeak(t)
	var runs atomic.Int32
	ts := m.start(t, &Server{MaxConnsPerIP: 2, Handler: HandlerFunc(func(req *Request) *Response {
		runs.Add(1)
		return &Response{StatusCode: 200, Message: req.Path}
	})})
	get := func(rc *rawClient, path string) *rawResp {
		t.Helper()
		return rc.roundTrip("GET "+path+" HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	}
	first, second := ts.dialRaw(t), ts.dialRaw(t)
	for _, rc := range []*rawClient{first, second} {
		if r := get(rc, "/in"); r.Status != 200 {
			t.Fatalf("within the limit: got %d, want 200", r.Status)
		}
	}
	const busyBody = "Service Unavailable: too many connections from your address\n"
	checkBusy := func(r *rawResp) {
		t.Helper()
		if c, _ := r.get("Connection"); r.Status != 503 || c != "close" || string(r.Body) != busyBody {
			t.Errorf("over the limit: got %d %q, Connection %q; want 503 %q, close", r.Status, r.Body, c, busyBody)
		}
	}

	t.Run("silent client", func(t *testing.T) {
		rc := ts.dialRaw(t)
		checkBusy(rc.response("GET"))
		rc.expectClosed()
	})
	t.Run("client with a request", func(t *testing.T) {
		before := runs.Load()
		rc := ts.dialRaw(t)
		checkBusy(get(rc, "/refused"))
		rc.expectClosed()
		if runs.Load() != before {
			t.Errorf("the handler ran for a refused connection")
		}
	})
	t.Run("client uploading", func(t *testing.T) {
		// The refusal lingers, so a client still sending reads the 503
		// rather than a reset.
		rc := ts.dialRaw(t)
		go rc.nc.Write([]byte("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000)))
		checkBusy(rc.response("POST"))
	})
	t.Run("another address", func(t *testing.T) {
		// All of 127/8 is loopback on Linux; elsewhere only 127.0.0.1 may be.
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		nc, err := m.dialConn(d, ts.addr)
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			t.Skipf("cannot dial from 127.0.0.2: %v", err)
		}
		if err != nil {
			t.Fatalf("dial from 127.0.0.2: %v", err)
		}
		rc := &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
		t.Cleanup(func() { nc.Close() })
		if r := get(rc, "/other"); r.Status != 200 {
			t.Errorf("another address: got %d, want 200", r.Status)
		}
	})
	t.Run("slot freed", func(t *testing.T) {
		first.nc.Close()
		pollUntil(t, "the server counts one connection from 127.0.0.1", func() bool {
			return ts.srv.clientConns("127.0.0.1") == 1
		})
		rc := ts.dialRaw(t)
		if r := get(rc, "/again"); r.Status != 200 {
			t.Errorf("after a connection closed: got %d, want 200", r.Status)
		}
	})
}

// TestHardeningMaxConnsBacklog: MaxConns is reached before MaxConnsPerIP
// matters: the server stops accepting, so a new connection waits in the
// kernel's backlog unanswered (no 503) and is served when a slot frees.
func TestHardeningMaxConnsBacklog(t *testing.T) {
	// Not over TLS: the waiting client's handshake would wait for the
	// accept that the test checks does not happen (as in TestE2EMaxConns).
	runModes(t, testHardeningMaxConnsBacklog, modeParked, modeWaiting)
}

func testHardeningMaxConnsBacklog(t *testing.T, m mode) {
	checkNoGoroutineLeak(t)
	ts := m.start(t, &Server{MaxConns: 1, MaxConnsPerIP: 1, Handler: HandlerFunc(func(req *Request) *Response {
		return &Response{StatusCode: 200, Message: req.Path}
	})})
	first := ts.dialRaw(t)
	if r := first.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
		t.Fatalf("got %d, want 200", r.Status)
	}
	waiting := ts.dialRaw(t)
	waiting.send("GET /waiting HTTP/1.1\r\nHost: h\r\n\r\n")
	if !waiting.nothingPending() {
		t.Fatalf("the connection over MaxConns was answered; want it left in the backlog")
	}
	first.nc.Close()
	if r := waiting.response("GET"); r.Status != 200 || string(r.Body) != "/waiting" {
		t.Errorf("once a slot freed: got %d %q, want 200 \"/waiting\"", r.Status, r.Body)
	}
}

// TestHardeningMaxConnsAcrossListeners: MaxConns counts the server's
// connections on all its listeners together.
func TestHardeningMaxConnsAcrossListeners(t *testing.T) {
	// Not over TLS, for the reason TestHardeningMaxConnsBacklog gives.
	runModes(t, testHardeningMaxConnsAcrossListeners, modeParked, modeWaiting)
}

func testHardeningMaxConnsAcrossListeners(t *testing.T, m mode) {
	checkNoGoroutineLeak(t)
	srv := &Server{MaxConns: 1, Handler: HandlerFunc(func(req *Request) *Response {
		return &Response{StatusCode: 200, Message: req.Path}
	})}
	a := m.start(t, srv)
	l := m.listen(t)
	b := l.Addr().String()
	go srv.Serve(l)
	first := a.dialRaw(t)
	if r := first.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
		t.Fatalf("got %d, want 200", r.Status)
	}
	other := m.dialRaw(t, b)
	other.send("GET /other HTTP/1.1\r\nHost: h\r\n\r\n")
	if !other.nothingPending() {
		t.Fatalf("a connection on a second listener was served over MaxConns 1; want it left in the backlog")
	}
	first.nc.Close()
	if r := other.response("GET"); r.Status != 200 || string(r.Body) != "/other" {
		t.Errorf("once a slot freed: got %d %q, want 200 \"/other\"", r.Status, r.Body)
	}
}

// TestHardeningMaxConnsPerIPSettings: the default, Unlimited, and what is
// counted as one client.
func TestHardeningMaxConnsPerIPSettings(t *testing.T) {
	if got := (&Server{}).maxConnsPerIP(); got != DefaultMaxConnsPerIP {
		t.Errorf("zero MaxConnsPerIP: got %d, want the default %d", got, DefaultMaxConnsPerIP)
	}
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		ts := m.start(t, &Server{MaxConnsPerIP: Unlimited})
		for i := range 5 {
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 404 {
				t.Errorf("connection %d with Unlimited: got %d, want 404", i, r.Status)
			}
		}
		if n := ts.srv.clientConns("127.0.0.1"); n != 0 {
			t.Errorf("Unlimited: %d connections counted, want none", n)
		}
	})

	key := func(ip string) string {
		k, ok := clientKey(&net.TCPAddr{IP: net.ParseIP(ip), Port: 1234})
		if !ok {
			return "none"
		}
		return k.String()
	}
	for _, tc := range []struct{ a, b string }{
		{"192.0.2.1", "::ffff:192.0.2.1"},         // IPv4-mapped is IPv4
		{"2001:db8::1", "2001:db8::ffff:1"},       // one /64
		{"2001:db8:0:0:1::1", "2001:db8::abcd:1"}, // still one /64
	} {
		if key(tc.a) != key(tc.b) {
			t.Errorf("%s and %s: keys %s and %s, want one client", tc.a, tc.b, key(tc.a), key(tc.b))
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"192.0.2.1", "192.0.2.2"},
		{"2001:db8::1", "2001:db8:0:1::1"},
	} {
		if key(tc.a) == key(tc.b) {
			t.Errorf("%s and %s: both %s, want two clients", tc.a, tc.b, key(tc.a))
		}
	}
	if _, ok := clientKey(&net.UnixAddr{Name: "/tmp/s", Net: "unix"}); ok {
		t.Errorf("a Unix socket peer has a client key")
	}
	if want := netip.MustParsePrefix("2001:db8::/64"); key("2001:db8::1") != want.String() {
		t.Errorf("key of 2001:db8::1: got %s, want %s", key("2001:db8::1"), want)
	}
}

// flakyListener fails its first fails Accepts with err, then accepts.
type flakyListener struct {
	net.Listener
	err error

	mu    sync.Mutex
	fails int
	calls int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	l.calls++
	if l.fails > 0 {
		l.fails--
		l.mu.Unlock()
		return nil, l.err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// TestHardeningAcceptBackoff: running out of descriptors (EMFILE, ENFILE)
// makes Serve log and retry after a pause that doubles, without exiting;
// once Accept works again, connections are served. A permanent error ends
// Serve with that error. Single-mode: the errors come from the listener
// before there is a connection, so the mode of the connections is not
// involved (tls.NewListener returns its inner listener's errors as they are).
func TestHardeningAcceptBackoff(t *testing.T) {
	checkNoGoroutineLeak(t)
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE} {
		t.Run(errno.Error(), func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			const fails = 6
			fl := &flakyListener{Listener: l, fails: fails,
				err: &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: os.NewSyscallError("accept4", errno)}}
			ts := startE2EOn(t, &Server{}, fl)
			rc := dialRaw(t, ts.addr)
			if r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 404 {
				t.Fatalf("after the accept errors: got %d, want 404", r.Status)
			}
			select {
			case <-ts.done:
				t.Fatalf("Serve returned %v", ts.serveErr)
			default:
			}
			fl.mu.Lock()
			calls := fl.calls
			fl.mu.Unlock()
			if calls < fails+1 {
				t.Errorf("Accept called %d times, want at least %d", calls, fails+1)
			}
			logs := ts.logs.String()
			if n := strings.Count(logs, "accept error; retrying"); n != fails {
				t.Errorf("logged %d accept errors, want %d:\n%s", n, fails, logs)
			}
			// The pause doubles from 5ms: the loop does not spin.
			for _, d := range []string{"delay=5ms", "delay=10ms", "delay=20ms", "delay=40ms", "delay=80ms", "delay=160ms"} {
				if !strings.Contains(logs, d) {
					t.Errorf("no retry logged with %s:\n%s", d, logs)
				}
			}
		})
	}
	t.Run("permanent error", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("listener broken")
		fl := &flakyListener{Listener: l, fails: 1, err: boom}
		srv := &Server{ErrorLog: slog.New(slog.DiscardHandler)}
		if err := srv.Serve(fl); !errors.Is(err, boom) {
			t.Errorf("Serve: got %v, want %v", err, boom)
		}
	})
}
