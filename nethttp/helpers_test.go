package nethttp

// Helpers for the tests: an engine serving a net/http handler through
// FromHTTP on a loopback port, net/http's own server for the same
// handler, raw clients that send exact bytes, and a log sink.

import (
	"bufio"
	"bytes"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// hangGuard bounds every blocking step of a test (socket reads and
// writes). It is a guard against hangs, never a synchronisation: a
// passing test never waits for it.
const hangGuard = 10 * time.Second

// logSink is a concurrency-safe buffer for logs.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *logSink) logger() *slog.Logger { return slog.New(slog.NewTextHandler(s, nil)) }

// testServer is a server on a 127.0.0.1 port for one test: the engine
// with FromHTTP, or net/http's.
type testServer struct {
	addr string
	logs *logSink // the engine's log and the adapter's, or net/http's
	// engine is the engine's Server (nil for net/http's), which tests
	// may configure through serveEngine's options.
	engine *httpserver.Server
}

// serveEngine serves h through FromHTTP (with its log going to the
// server's logs) on the engine until the test ends. opts configure the
// Server before it starts.
func serveEngine(t testing.TB, h http.Handler, opts ...func(*httpserver.Server)) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serveEngineOn(t, l, h, opts...)
}

func serveEngineOn(t testing.TB, l net.Listener, h http.Handler, opts ...func(*httpserver.Server)) *testServer {
	t.Helper()
	ts := &testServer{addr: l.Addr().String(), logs: &logSink{}}
	a := &adapter{h: h, srv: &http.Server{}, log: ts.logs.logger()}
	srv := &httpserver.Server{Handler: a, ErrorLog: ts.logs.logger()}
	for _, o := range opts {
		o(srv)
	}
	ts.engine = srv
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != httpserver.ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// serveNetHTTP serves h on net/http's own server until the test ends.
func serveNetHTTP(t testing.TB, h http.Handler) *testServer {
	t.Helper()
	ts := &testServer{logs: &logSink{}}
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(ts.logs, "", 0)
	s.Start()
	t.Cleanup(s.Close)
	ts.addr = s.Listener.Addr().String()
	return ts
}

// url is the server's base URL.
func (ts *testServer) url() string { return "http://" + ts.addr }

// client returns an HTTP client of its own for the test, whose idle
// connections are closed at the end.
func (ts *testServer) client(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport: tr,
		Timeout:   hangGuard,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// dial opens a raw connection to the server, closed when the test ends.
func (ts *testServer) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(hangGuard))
	t.Cleanup(func() { c.Close() })
	return c
}

// rawResponse is what a raw client read for one request.
type rawResponse struct {
	resp *http.Response
	body string
	err  error // reading the body
}

// roundTrip sends raw, exactly, on a new connection and reads one
// response (to a HEAD request when method says so).
func (ts *testServer) roundTrip(t testing.TB, raw string) (rawResponse, net.Conn) {
	t.Helper()
	c := ts.dial(t)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatalf("write: %v", err)
	}
	method, _, _ := strings.Cut(raw, " ")
	return readResponse(t, bufio.NewReader(c), method), c
}

// readResponse reads one response to a request of method from br.
func readResponse(t testing.TB, br *bufio.Reader, method string) rawResponse {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	return rawResponse{resp: resp, body: string(b), err: err}
}
