package httpserver

// Shared helpers for the end-to-end tests (e2e_test.go, framing_test.go,
// callback_test.go, faults_test.go, shutdown_test.go): the connection modes
// every end-to-end test runs in, a Server on a loopback port with its log
// captured, a raw client that writes exact bytes and reads exact responses,
// and a goroutine-leak check.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// hangGuard bounds every blocking step of a test (socket reads and writes,
// waits for goroutines). It is a guard against hangs, never a
// synchronisation: a passing test never waits for it.
const hangGuard = 10 * time.Second

// A mode is one path a connection can take through the engine. The
// end-to-end tests run in each of them through runModes, as net/http's
// clientserver_test.go runs its tests through run(t, fn, modes): a bug on
// one path (parking, the wait in a read, TLS's own framing) shows up in
// the tests of every feature, not only in the tests written for that path.
type mode string

const (
	// modeParked: the listener's own *net.TCPConn. The engine reads the socket
	// through its RawConn, and an idle keep-alive connection parks in the
	// server's poller with no goroutine (on Linux; elsewhere it waits in a
	// raw read).
	modeParked mode = "parked"

	// modeWaiting: each accepted connection wrapped in a struct that embeds
	// net.Conn, as a PROXY protocol or metrics wrapper does. The engine
	// cannot see the socket (setupRaw takes only the net package's own
	// types), reads through Read, and an idle connection waits in that
	// Read on its goroutine.
	modeWaiting mode = "waiting"

	// modeTLS: crypto/tls over TCP with a certificate made for the test
	// run; the engine sees a *tls.Conn and reads through it.
	modeTLS mode = "tls"
)

// allModes is every mode, in the order runModes runs them.
var allModes = []mode{modeParked, modeWaiting, modeTLS}

// e2ePollers is how many pollers the servers of the end-to-end tests make
// (Server.npoll), 0 for one per P (GOMAXPROCS, which go test -cpu sets):
// the -pollers flag's value, or runPollers' while it runs.
var e2ePollers atomic.Int32

func init() {
	flag.Func("pollers", "pollers per Server in the end-to-end tests (default: one per P)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("pollers: want a count, got %q", v)
		}
		e2ePollers.Store(int32(n))
		return nil
	})
}

// pollerCounts are the poller counts runPollers runs a test with: one
// poller, as at GOMAXPROCS=1, and more than this machine has cores, so
// that connections on different pollers run at once.
var pollerCounts = []int{1, 4}

// runPollers runs fn as a subtest per count of pollerCounts, with the
// end-to-end servers fn starts making that many pollers: the paths where
// connections meet the poller (parking, waking, the sweep, hang-ups,
// Shutdown) are tested with one poller and with several.
func runPollers(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, n := range pollerCounts {
		t.Run(fmt.Sprintf("pollers=%d", n), func(t *testing.T) {
			old := e2ePollers.Swap(int32(n))
			defer e2ePollers.Store(old)
			fn(t)
		})
	}
}

// runModes runs fn as a subtest per mode: every mode, or only the ones
// listed (a test that cannot run in a mode says why where it lists them).
// The subtests run one after the other, so that a goroutine-leak check
// inside fn counts only its own mode's goroutines.
func runModes(t *testing.T, fn func(t *testing.T, m mode), modes ...mode) {
	t.Helper()
	if len(modes) == 0 {
		modes = allModes
	}
	for _, m := range modes {
		t.Run(string(m), func(t *testing.T) { fn(t, m) })
	}
}

// listen returns a fresh 127.0.0.1 listener of mode m, closed at cleanup
// (Serve closes it first, normally).
func (m mode) listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return m.wrapListener(t, l)
}

// wrapListener makes l, a listener of plain TCP connections, accept
// connections of mode m.
func (m mode) wrapListener(t testing.TB, l net.Listener) net.Listener {
	switch m {
	case modeParked:
		return l
	case modeWaiting:
		return waitingListener{l}
	case modeTLS:
		return tls.NewListener(l, testTLSServerConfig(t))
	}
	t.Fatalf("unknown mode %q", m)
	return nil
}

// start serves srv on a fresh listener of mode m until the test ends: see
// startE2E.
func (m mode) start(t testing.TB, srv *Server) *e2eServer {
	t.Helper()
	return startE2EMode(t, m, srv, m.listen(t))
}

// startOn serves srv on l, a listener of plain TCP connections (one that
// sets socket options, say), wrapped for mode m.
func (m mode) startOn(t testing.TB, srv *Server, l net.Listener) *e2eServer {
	t.Helper()
	return startE2EMode(t, m, srv, m.wrapListener(t, l))
}

// serve serves h with an otherwise zero Server in mode m.
func (m mode) serve(t testing.TB, h HandlerFunc) *e2eServer {
	t.Helper()
	return m.start(t, &Server{Handler: h})
}

// dial connects to addr, a server of mode m, with hangGuard as the
// deadline for everything; the connection is closed when the test ends.
// In modeTLS the handshake is done before dial returns, so a test's
// first write is request bytes, as it is on TCP; the server must
// therefore be accepting.
func (m mode) dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	return m.dialWith(t, &net.Dialer{}, addr)
}

// dialWith is dial through d (one that sets socket options, say).
func (m mode) dialWith(t testing.TB, d *net.Dialer, addr string) net.Conn {
	t.Helper()
	nc, err := m.dialConn(d, addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// dialConn is dialWith for goroutines other than the test's: it returns
// the error, and the caller closes the connection.
func (m mode) dialConn(d *net.Dialer, addr string) (net.Conn, error) {
	tc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	tc.SetDeadline(time.Now().Add(hangGuard))
	if m != modeTLS {
		return tc, nil
	}
	cfg, err := tlsClientConfig()
	if err != nil {
		tc.Close()
		return nil, err
	}
	c := tls.Client(tc, cfg)
	if err := c.Handshake(); err != nil {
		tc.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return c, nil
}

// dialRaw connects a raw client to addr, a server of mode m: see dial.
func (m mode) dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc := m.dial(t, addr)
	return &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// closeWrite half-closes nc: FIN on TCP, close_notify on TLS.
func closeWrite(nc net.Conn) error {
	cw, ok := nc.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("%T cannot half-close", nc)
	}
	return cw.CloseWrite()
}

// waitingConn hides the socket of the connection it embeds: it has only
// net.Conn's methods, and CloseWrite, so that the engine half-closes it
// before a lingering close as it does a TCP connection (wrappers
// commonly forward it; without it, the only difference between the
// modes would not be the read path).
type waitingConn struct{ net.Conn }

func (c waitingConn) CloseWrite() error { return closeWrite(c.Conn) }

// waitingListener wraps every connection it accepts in a waitingConn.
type waitingListener struct{ net.Listener }

func (l waitingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return waitingConn{c}, nil
}

// testCert is a self-signed ECDSA certificate for 127.0.0.1, made once per
// test binary.
var testCert = sync.OnceValues(func() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"httpserver test"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
})

func mustTestCert(t testing.TB) tls.Certificate {
	t.Helper()
	cert, err := testCert()
	if err != nil {
		t.Fatalf("making the test certificate: %v", err)
	}
	return cert
}

// testTLSServerConfig serves the test certificate.
func testTLSServerConfig(t testing.TB) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{mustTestCert(t)}}
}

// testTLSClientConfig trusts only the test certificate, and verifies it.
func testTLSClientConfig(t testing.TB) *tls.Config {
	t.Helper()
	cfg, err := tlsClientConfig()
	if err != nil {
		t.Fatalf("making the test certificate: %v", err)
	}
	return cfg
}

func tlsClientConfig() (*tls.Config, error) {
	cert, err := testCert()
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, nil
}

// logSink is a concurrency-safe buffer for a Server's ErrorLog.
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

// errorCount counts the records logged at level ERROR.
func (s *logSink) errorCount() int {
	return strings.Count(s.String(), "level=ERROR")
}

// e2eServer is a Server serving on a 127.0.0.1 port for one test.
type e2eServer struct {
	t    testing.TB
	mode mode // how its connections are made; clients dial accordingly
	srv  *Server
	addr string
	logs *logSink

	done     chan struct{} // closed when Serve has returned
	serveErr error         // what Serve returned; read after done
}

// startE2E serves srv on a fresh loopback port until the test ends, in
// modeParked. Unless srv has an ErrorLog, its log goes to a logSink
// (ts.logs). At cleanup the server is closed and Serve must have returned
// ErrServerClosed. Tests that run in every mode use m.start instead.
func startE2E(t testing.TB, srv *Server) *e2eServer {
	t.Helper()
	return modeParked.start(t, srv)
}

// startE2EOn is startE2E on a listener of the caller's, served as it is
// (modeParked unless l wraps its connections).
func startE2EOn(t testing.TB, srv *Server, l net.Listener) *e2eServer {
	t.Helper()
	return startE2EMode(t, modeParked, srv, l)
}

// startE2EMode serves srv on l, which already makes connections of mode m.
// A Server that does not say how many pollers to make (npoll) gets
// e2ePollers' count, if set.
func startE2EMode(t testing.TB, m mode, srv *Server, l net.Listener) *e2eServer {
	t.Helper()
	if srv.npoll == 0 {
		srv.npoll = int(e2ePollers.Load())
	}
	ts := &e2eServer{t: t, mode: m, srv: srv, logs: &logSink{}, done: make(chan struct{})}
	if srv.ErrorLog == nil {
		srv.ErrorLog = slog.New(slog.NewTextHandler(ts.logs, nil))
	}
	ts.addr = l.Addr().String()
	go func() {
		defer close(ts.done)
		ts.serveErr = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// serveE2E serves h with an otherwise zero Server.
func serveE2E(t testing.TB, h HandlerFunc) *e2eServer {
	t.Helper()
	return startE2E(t, &Server{Handler: h})
}

// wait waits for Serve to return and returns its error.
func (ts *e2eServer) wait() error {
	select {
	case <-ts.done:
		return ts.serveErr
	case <-time.After(hangGuard):
		return errors.New("Serve did not return")
	}
}

// url returns the URL of path on the server: https:// in modeTLS, else
// http://.
func (ts *e2eServer) url(path string) string {
	if ts.mode == modeTLS {
		return "https://" + ts.addr + path
	}
	return "http://" + ts.addr + path
}

// newHTTPClient returns a net/http client with its own transport, whose
// idle connections are closed when the test ends. It trusts the test
// certificate, so it can reach servers of every mode (see ts.url).
func newHTTPClient(t testing.TB) *http.Client {
	tr := &http.Transport{ExpectContinueTimeout: hangGuard, TLSClientConfig: testTLSClientConfig(t)}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hangGuard}
}

// dialRaw connects a raw client to the server, in the server's mode.
func (ts *e2eServer) dialRaw(t testing.TB) *rawClient {
	t.Helper()
	return ts.mode.dialRaw(t, ts.addr)
}

// dial connects to the server in the server's mode: see mode.dial.
func (ts *e2eServer) dial(t testing.TB) net.Conn {
	t.Helper()
	return ts.mode.dial(t, ts.addr)
}

// rawClient is a client connection that writes exact bytes and reads exact
// responses. Its methods must be called from the test's goroutine (they
// call t.Fatal).
type rawClient struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

// dialRaw connects to addr over plain TCP with hangGuard as the deadline
// for everything. Servers of a mode are dialled with ts.dialRaw.
func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	return modeParked.dialRaw(t, addr)
}

// send writes s whole.
func (rc *rawClient) send(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.nc, s); err != nil {
		rc.t.Fatalf("write %q: %v", abbrev(s), err)
	}
}

// response reads one response to a request with the given method.
func (rc *rawClient) response(method string) *rawResp {
	rc.t.Helper()
	r, err := readRawResponse(rc.br, method, nil)
	if err != nil {
		rc.t.Fatalf("reading response to %s: %v", method, err)
	}
	return r
}

// roundTrip sends req and reads its response.
func (rc *rawClient) roundTrip(req, method string) *rawResp {
	rc.t.Helper()
	rc.send(req)
	return rc.response(method)
}

// readAll reads until the server closes the connection.
func (rc *rawClient) readAll() []byte {
	rc.t.Helper()
	b, err := io.ReadAll(rc.br)
	if err != nil {
		rc.t.Fatalf("reading to EOF: %v (after %q)", err, abbrev(string(b)))
	}
	return b
}

// expectClosed checks that the server closed the connection without
// sending anything more. A reset counts as closed: the server may close
// with unread input, which makes the kernel answer with RST.
func (rc *rawClient) expectClosed() {
	rc.t.Helper()
	b, err := io.ReadAll(rc.br)
	if len(b) > 0 {
		rc.t.Fatalf("got %d more bytes %q, want the connection closed", len(b), abbrev(string(b)))
	}
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		rc.t.Fatalf("got %v, want EOF", err)
	}
}

// abbrev shortens s for failure messages.
func abbrev(s string) string {
	if len(s) > 200 {
		return s[:200] + "..." + strconv.Itoa(len(s)-200) + " more bytes"
	}
	return s
}

// rawResp is a response as it was on the wire.
type rawResp struct {
	Proto   string // "HTTP/1.1" or "HTTP/1.0"
	Status  int
	Reason  string
	Headers Header // in wire order and case
	Body    []byte // decoded; nil when it went to a sink
	// Framing is how the body was delimited: "none" (HEAD, 1xx, 204,
	// 304), "length", "chunked" or "close".
	Framing string
	Chunks  int // data chunks of a chunked body
}

// errTruncated reports a body that ended before its framing said.
var errTruncated = errors.New("response body truncated")

// readRawResponse reads one response from br: the head, then the body
// according to its framing. method is the request's method (a HEAD
// response has no body). The body goes to sink if it is not nil, else to
// Body. A body cut short returns the response so far with errTruncated.
func readRawResponse(br *bufio.Reader, method string, sink io.Writer) (*rawResp, error) {
	r, err := readRawHead(br)
	if err != nil {
		return nil, err
	}
	return r, readRawBody(br, r, method, sink)
}

// readRawHead reads a status line and header section, strictly: CRLF line
// ends, "HTTP/1.x", a three-digit status, "Name: value" fields.
func readRawHead(br *bufio.Reader) (*rawResp, error) {
	line, err := readCRLF(br)
	if err != nil {
		return nil, fmt.Errorf("status line: %w", err)
	}
	proto, rest, ok1 := strings.Cut(line, " ")
	code, reason, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || (proto != "HTTP/1.1" && proto != "HTTP/1.0") || len(code) != 3 {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	r := &rawResp{Proto: proto, Reason: reason}
	if r.Status, err = strconv.Atoi(code); err != nil {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	for {
		line, err := readCRLF(br)
		if err != nil {
			return nil, fmt.Errorf("header section: %w", err)
		}
		if line == "" {
			return r, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !validHeaderName(name) || !validHeaderValue(value) {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		r.Headers.Add(name, strings.Trim(value, " \t"))
	}
}

// readCRLF reads a line that must end in CRLF and hold no other CR or LF.
func readCRLF(br *bufio.Reader) (string, error) {
	s, err := br.ReadString('\n')
	if err != nil {
		if err == io.EOF && s != "" {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if !strings.HasSuffix(s, "\r\n") || strings.ContainsAny(s[:len(s)-2], "\r\n") {
		return "", fmt.Errorf("line %q not terminated by CRLF", s)
	}
	return s[:len(s)-2], nil
}

// readRawBody reads r's body as its head frames it.
func readRawBody(br *bufio.Reader, r *rawResp, method string, sink io.Writer) error {
	var buf *bytes.Buffer
	if sink == nil {
		buf = new(bytes.Buffer)
		sink = buf
		defer func() { r.Body = buf.Bytes() }()
	}
	te := r.Headers.Values("Transfer-Encoding")
	cl := r.Headers.Values("Content-Length")
	switch {
	case r.Status < 200 || r.Status == 204 || r.Status == 304 || method == "HEAD":
		r.Framing = "none"
		return nil
	case len(te) > 0 && len(cl) > 0:
		return errors.New("both Transfer-Encoding and Content-Length")
	case len(te) > 0:
		if len(te) != 1 || te[0] != "chunked" {
			return fmt.Errorf("Transfer-Encoding %q", te)
		}
		r.Framing = "chunked"
		for {
			data, last, err := readRawChunk(br, sink)
			if err != nil {
				return err
			}
			if last {
				return nil
			}
			if data > 0 {
				r.Chunks++
			}
		}
	case len(cl) > 0:
		if len(cl) != 1 {
			return fmt.Errorf("Content-Length %q", cl)
		}
		n, err := strconv.ParseInt(cl[0], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("Content-Length %q", cl[0])
		}
		r.Framing = "length"
		got, err := io.CopyN(sink, br, n)
		if err != nil {
			return fmt.Errorf("%w: %d of %d bytes: %v", errTruncated, got, n, err)
		}
		return nil
	default:
		r.Framing = "close"
		_, err := io.Copy(sink, br)
		return err
	}
}

// readRawChunk reads one chunk into sink; last reports the last chunk (and
// its empty trailer section).
func readRawChunk(br *bufio.Reader, sink io.Writer) (n int64, last bool, err error) {
	line, err := readCRLF(br)
	if err != nil {
		return 0, false, fmt.Errorf("%w: chunk size line: %v", errTruncated, err)
	}
	n, err = strconv.ParseInt(line, 16, 64)
	if err != nil || n < 0 || line == "" || line[0] == '+' {
		return 0, false, fmt.Errorf("malformed chunk size line %q", line)
	}
	if n == 0 {
		line, err := readCRLF(br)
		if err != nil {
			return 0, false, fmt.Errorf("%w: after the last chunk: %v", errTruncated, err)
		}
		if line != "" {
			return 0, false, fmt.Errorf("unexpected trailer %q", line)
		}
		return 0, true, nil
	}
	if got, err := io.CopyN(sink, br, n); err != nil {
		return got, false, fmt.Errorf("%w: chunk of %d bytes: got %d: %v", errTruncated, n, got, err)
	}
	if line, err := readCRLF(br); err != nil || line != "" {
		return n, false, fmt.Errorf("chunk data not followed by CRLF (%q, %v)", line, err)
	}
	return n, false, nil
}

// get returns the value of the response field name and whether there is
// exactly one such field.
func (r *rawResp) get(name string) (string, bool) {
	vs := r.Headers.Values(name)
	if len(vs) != 1 {
		return strings.Join(vs, ", "), false
	}
	return vs[0], true
}

// fieldsDump renders h as "Name: value" lines joined by "|".
func fieldsDump(h *Header) string {
	var b strings.Builder
	for name, value := range h.All() {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(name + ": " + value)
	}
	return b.String()
}

// checkNoGoroutineLeak records the number of goroutines now and, when the
// test ends, checks that it has come back down. Call it before starting
// servers and clients, so that its check runs after their cleanups.
func checkNoGoroutineLeak(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		// Goroutines of closed connections end a moment after the close
		// that ends them; give them that moment, bounded.
		deadline := time.Now().Add(hangGuard)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines: got %d, want at most %d, the number before the test\n%s", n, before, buf)
				return
			}
			runtime.Gosched()
		}
	})
}

// pollUntil polls cond until it holds, failing the test after hangGuard.
func pollUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		runtime.Gosched()
	}
}

// recvWithin receives from ch, failing the test after hangGuard.
func recvWithin[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// bodyPattern returns n bytes of a repeating, position-dependent pattern, so a
// body that lost or duplicated bytes does not compare equal.
func bodyPattern(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(i+i/36)%36]
	}
	return string(b)
}

// lenlessReader hides everything of a reader but Read, so the server cannot
// learn its length.
type lenlessReader struct{ r io.Reader }

func (o lenlessReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// failAfterReader yields n bytes of "x" and then err.
type failAfterReader struct {
	n   int
	err error
}

func (f *failAfterReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

// pathHandler answers with the request's path.
func pathHandler(req *Request) *Response { return &Response{StatusCode: 200, Message: req.Path} }
