package websocket

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"

	"github.com/gohttpserver/httpserver"
)

// hangGuard bounds every wait of a test: it fails the test rather than
// hangs it. Nothing waits for it to pass.
const hangGuard = 20 * time.Second

// A mode is a way a connection reaches the server; the socket tests run
// in each (runModes), as the engine's own do.
type mode string

const (
	modeTCP     mode = "tcp"     // the listener's own *net.TCPConn
	modeWrapped mode = "wrapped" // each connection in a struct embedding net.Conn (a PROXY-protocol or metrics wrapper)
	modeTLS     mode = "tls"     // crypto/tls over TCP
)

var allModes = []mode{modeTCP, modeWrapped, modeTLS}

func runModes(t *testing.T, fn func(t *testing.T, m mode)) {
	t.Helper()
	for _, m := range allModes {
		t.Run(string(m), func(t *testing.T) { fn(t, m) })
	}
}

// wrappedConn hides the connection's type, and its CloseWrite, from the
// engine and from this package.
type wrappedConn struct{ net.Conn }

type wrappedListener struct{ net.Listener }

func (l wrappedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wrappedConn{c}, nil
}

var testCert = sync.OnceValues(func() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "websocket test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
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

func mustCert(t testing.TB) tls.Certificate {
	t.Helper()
	cert, err := testCert()
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// testServer is a Server running in a mode until the test ends.
type testServer struct {
	srv    *httpserver.Server
	mode   mode
	addr   string
	served chan error
}

// start serves srv in mode m on 127.0.0.1 until the test ends (then
// Close), with its log going to the test's.
func start(t *testing.T, m mode, srv *httpserver.Server) *testServer {
	t.Helper()
	if srv.ErrorLog == nil {
		srv.ErrorLog = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, mode: m, addr: l.Addr().String(), served: make(chan error, 1)}
	switch m {
	case modeWrapped:
		l = wrappedListener{l}
	case modeTLS:
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{mustCert(t)}})
	}
	go func() { ts.served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-ts.served; !errors.Is(err, httpserver.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ts
}

// serve starts a server of serve behind Handler(serve, opts).
func serveWS(t *testing.T, m mode, opts *Options, serve func(*Conn)) *testServer {
	t.Helper()
	return start(t, m, &httpserver.Server{Handler: Handler(serve, opts)})
}

// testWriter sends a log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// dial connects to the server, through TLS in modeTLS; the connection is
// closed when the test ends.
func (ts *testServer) dial(t *testing.T) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", ts.addr, hangGuard)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(hangGuard))
	if ts.mode == modeTLS {
		pool := x509.NewCertPool()
		pool.AddCert(mustCert(t).Leaf)
		tc := tls.Client(nc, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		nc = tc
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// testKey is the Sec-WebSocket-Key of RFC 6455 §1.3's example.
const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

// upgradeRequest is a handshake for path with extra fields ("Name: value").
func upgradeRequest(path string, fields ...string) string {
	var b strings.Builder
	b.WriteString("GET " + path + " HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + testKey + "\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// client is a raw WebSocket client: it writes frames as the test says,
// masked or not, and reads the server's frames as they come.
type client struct {
	t    *testing.T
	nc   net.Conn
	br   *bufio.Reader
	resp *http.Response
}

// handshake dials the server, sends req, and reads the answer's head.
func (ts *testServer) handshake(t *testing.T, req string) *client {
	t.Helper()
	nc := ts.dial(t)
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the handshake's answer: %v", err)
	}
	return &client{t: t, nc: nc, br: br, resp: resp}
}

// connect makes a handshake for "/" with fields, which must succeed.
func (ts *testServer) connect(t *testing.T, fields ...string) *client {
	t.Helper()
	c := ts.handshake(t, upgradeRequest("/", fields...))
	if c.resp.StatusCode != 101 {
		body, _ := io.ReadAll(c.resp.Body)
		t.Fatalf("handshake: %s %q, want 101", c.resp.Status, body)
	}
	return c
}

// frame is a frame for the client to send.
type frame struct {
	op       ws.OpCode
	notFin   bool
	rsv      byte // RSV bits as ws.Rsv makes them
	payload  []byte
	unmasked bool
}

// send writes the frames, masked unless they say not to be, in one write.
func (c *client) send(frames ...frame) {
	c.t.Helper()
	var out []byte
	for _, f := range frames {
		h := ws.Header{Fin: !f.notFin, Rsv: f.rsv, OpCode: f.op, Length: int64(len(f.payload))}
		p := append([]byte(nil), f.payload...)
		if !f.unmasked {
			h.Masked, h.Mask = true, ws.NewMask()
			ws.Cipher(p, h.Mask, 0)
		}
		w := &appender{b: out}
		if err := ws.WriteHeader(w, h); err != nil {
			c.t.Fatal(err)
		}
		out = append(w.b, p...)
	}
	if _, err := c.nc.Write(out); err != nil {
		c.t.Fatalf("sending frames: %v", err)
	}
}

// text and binary are whole unfragmented messages.
func text(s string) frame   { return frame{op: ws.OpText, payload: []byte(s)} }
func binary(b []byte) frame { return frame{op: ws.OpBinary, payload: b} }
func closeFrame(code StatusCode, reason string) frame {
	return frame{op: ws.OpClose, payload: ws.NewCloseFrameBody(ws.StatusCode(code), reason)}
}

// got is a frame the server sent.
type got struct {
	h       ws.Header
	payload []byte
}

// read reads the server's next frame, failing the test if there is none.
func (c *client) read() got {
	c.t.Helper()
	f, err := c.readErr()
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return f
}

func (c *client) readErr() (got, error) {
	h, err := ws.ReadHeader(c.br)
	if err != nil {
		return got{}, err
	}
	if h.Masked {
		return got{}, fmt.Errorf("the server sent a masked frame")
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, p); err != nil {
		return got{}, err
	}
	return got{h, p}, nil
}

// message reads the server's next frame as a data message, inflating it
// if it is compressed.
func (c *client) message() (ws.OpCode, []byte) {
	c.t.Helper()
	f := c.read()
	if !f.h.Fin || f.h.OpCode.IsControl() {
		c.t.Fatalf("got a frame %+v, want a whole data message", f.h)
	}
	if f.h.Rsv1() {
		b, err := wsflate.DefaultHelper.Decompress(f.payload)
		if err != nil {
			c.t.Fatalf("inflating the server's message: %v", err)
		}
		return f.h.OpCode, b
	}
	return f.h.OpCode, f.payload
}

// closeOf returns the code and reason of a close frame.
func closeOf(f got) (StatusCode, string) {
	if f.h.OpCode != ws.OpClose {
		return 0, fmt.Sprintf("(not a close frame: opcode %d, %q)", f.h.OpCode, f.payload)
	}
	if len(f.payload) == 0 {
		return StatusNoStatusReceived, ""
	}
	code, reason := ws.ParseCloseFrameData(f.payload)
	return StatusCode(code), reason
}

// expectClose reads frames up to the server's close frame, skipping pings
// and pongs, and checks its code.
func (c *client) expectClose(want StatusCode) string {
	c.t.Helper()
	for {
		f := c.read()
		if f.h.OpCode == ws.OpPing || f.h.OpCode == ws.OpPong {
			continue
		}
		code, reason := closeOf(f)
		if code != want {
			c.t.Fatalf("got close %v %q, want close %v", code, reason, want)
		}
		return reason
	}
}

// expectEOF checks that the server closes the connection, with nothing
// more sent.
func (c *client) expectEOF() {
	c.t.Helper()
	b, err := io.ReadAll(c.br)
	if len(b) > 0 || err != nil {
		c.t.Fatalf("after the close: read %q (%v), want the connection closed", b, err)
	}
}

// ended is what a serve function reports when it returns.
type ended struct {
	msgs []string // what it read: "text:..." or "binary:..." (hex-free: the tests send printable bytes)
	err  error    // the read error that ended it
}

// echo returns a serve function that echoes messages until a read fails,
// and then reports to out what it read and how it ended.
func echo(out chan<- ended) func(*Conn) {
	return func(c *Conn) {
		var e ended
		defer func() { out <- e }()
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil {
				e.err = err
				return
			}
			e.msgs = append(e.msgs, typ.String()+":"+string(msg))
			if err := c.WriteMessage(typ, msg); err != nil {
				e.err = err
				return
			}
		}
	}
}

// wait receives from ch, failing the test after hangGuard.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

// shutdown runs srv.Shutdown in the background; its result arrives on the
// channel.
func shutdown(srv *httpserver.Server) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	return done
}
