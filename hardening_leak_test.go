package httpserver

// Faults leak nothing: each scenario runs several times against one
// server, and afterwards the process has no more goroutines and no more
// open file descriptors than before it (once the closing connections have
// finished, which the check waits for, within a bound).

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// resources is what a fault could leak.
type resources struct {
	goroutines int // not counting s's idle workers, which are bounded
	fds        int // -1 where /proc/self/fd does not exist
}

func countResources(s *Server) resources {
	r := resources{goroutines: runtime.NumGoroutine() - s.idleWorkers(), fds: -1}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		r.fds = len(ents) - 1 // the descriptor ReadDir itself had open
	}
	return r
}

// checkSettles waits, within hangGuard, until the goroutines and open
// descriptors are back to at most before, and fails the test if they are
// not.
func checkSettles(t *testing.T, s *Server, before resources) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		now := countResources(s)
		if now.goroutines <= before.goroutines && now.fds <= before.fds {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("leak: %d goroutines and %d fds, want at most %d and %d\nfds: %s\n%s",
				now.goroutines, now.fds, before.goroutines, before.fds, openFDs(), buf)
		}
		time.Sleep(time.Millisecond) // a poll interval, not a synchronisation
	}
}

// openFDs lists what the open descriptors point to, for failure messages.
func openFDs() string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fmt.Fprintf(&b, "%s->%s ", e.Name(), target)
	}
	return b.String()
}

// TestHardeningFaultsLeakNothing runs each fault 10 times and checks that
// no goroutine or descriptor outlives it. The server's idle workers are
// not counted (at most maxIdleWorkers, retired after workerIdleTimeout);
// once the server has stopped, checkNoGoroutineLeak counts everything.
// In every mode.
func TestHardeningFaultsLeakNothing(t *testing.T) {
	runModes(t, testHardeningFaultsLeakNothing)
}

func testHardeningFaultsLeakNothing(t *testing.T, m mode) {
	checkNoGoroutineLeak(t)
	const window = 4096
	entered := make(chan struct{})
	release := make(chan struct{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: smallSendBufferListener{l.(*net.TCPListener)}}
	ts := m.startOn(t, &Server{
		WriteBufferSize: window,
		Handler: HandlerFunc(func(req *Request) *Response {
			switch req.Path {
			case "/body":
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return &Response{StatusCode: 400, Message: err.Error()}
				}
				return &Response{StatusCode: 200, Message: fmt.Sprint(len(b))}
			case "/stream":
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					part := []byte(bodyPattern(window))
					for {
						if _, err := w.Write(part); err != nil {
							return err
						}
					}
				}}
			case "/panic":
				panic("handler bug")
			case "/stream-panic":
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("partial")
					w.Flush()
					panic("stream bug")
				}}
			case "/block":
				entered <- struct{}{}
				<-release
				return &Response{StatusCode: 200, Message: "late"}
			case "/failing-body":
				return &Response{StatusCode: 200, Body: &failAfterReader{n: 3 * window, err: errBoom}}
			case "/garbage":
				return &Response{StatusCode: 200, StatusMsg: "OK\r\nX-Injected: 1"}
			}
			return &Response{StatusCode: 200, Message: "ok"}
		}),
	}, cl)

	dial := func(t *testing.T) net.Conn {
		t.Helper()
		nc, err := m.dialConn(&net.Dialer{}, ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		return nc
	}
	scenarios := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"client leaves mid-head", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\nX-Hal")
			nc.Close()
		}},
		{"client leaves mid-body", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "POST /body HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 5000))
			nc.Close()
		}},
		{"client leaves mid-chunked-body", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "POST /body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n"+strings.Repeat("x", 100))
			nc.Close()
		}},
		{"client leaves mid-response", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n")
			// Read part of the endless body, then leave.
			if _, err := io.ReadFull(nc, make([]byte, 3*window)); err != nil {
				t.Fatalf("reading the start of the stream: %v", err)
			}
			nc.Close()
		}},
		{"handler panics", func(t *testing.T) {
			nc := dial(t)
			defer nc.Close()
			io.WriteString(nc, "GET /panic HTTP/1.1\r\nHost: h\r\n\r\n")
			if r, err := readRawResponse(bufio.NewReader(nc), "GET", nil); err != nil || r.Status != 500 {
				t.Fatalf("got %v, %v; want 500", r, err)
			}
		}},
		{"stream panics after the head", func(t *testing.T) {
			nc := dial(t)
			defer nc.Close()
			io.WriteString(nc, "GET /stream-panic HTTP/1.1\r\nHost: h\r\n\r\n")
			io.Copy(io.Discard, nc)
		}},
		{"handler blocks, client leaves", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "GET /block HTTP/1.1\r\nHost: h\r\n\r\n")
			recvWithin(t, entered, "the handler")
			nc.Close()
			release <- struct{}{}
		}},
		{"body reader fails halfway", func(t *testing.T) {
			nc := dial(t)
			defer nc.Close()
			io.WriteString(nc, "GET /failing-body HTTP/1.1\r\nHost: h\r\n\r\n")
			io.Copy(io.Discard, nc)
		}},
		{"handler returns garbage", func(t *testing.T) {
			nc := dial(t)
			defer nc.Close()
			io.WriteString(nc, "GET /garbage HTTP/1.1\r\nHost: h\r\n\r\n")
			io.Copy(io.Discard, nc)
		}},
		{"client resets mid-request", func(t *testing.T) {
			nc := dial(t)
			io.WriteString(nc, "POST /body HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
			tcpConn(nc).SetLinger(0) // close with RST (after close_notify, over TLS)
			nc.Close()
		}},
	}

	// Warm up: pools, the date cache and the runtime's own helpers.
	warm := ts.dialRaw(t)
	warm.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	warm.nc.Close()

	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := countResources(ts.srv)
			want := cl.accepted.Load() + 10
			for range 10 {
				sc.run(t)
			}
			// The server has taken every connection and finished with it;
			// only then can the count show what was left behind.
			pollUntil(t, "the server has served and closed every connection", func() bool {
				return cl.accepted.Load() >= want && ts.srv.activeConns() == 0
			})
			checkSettles(t, ts.srv, before)
			if n := strings.Count(ts.logs.String(), "handler panic"); sc.name == "handler panics" && n == 0 {
				t.Errorf("the panic was not logged")
			}
		})
	}
	// The server still serves.
	rc := ts.dialRaw(t)
	if r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
		t.Errorf("after the faults: got %d, want 200", r.Status)
	}
}

// tcpConn returns the TCP connection under nc, a client connection of
// any mode.
func tcpConn(nc net.Conn) *net.TCPConn {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	return nc.(*net.TCPConn)
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// activeConns reports how many connections the server is serving.
func (s *Server) activeConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
