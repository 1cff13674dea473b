package bench

// Benchmarks that compare our server with net/http and fasthttp on the same
// bytes, without sockets:
//
//   - BenchmarkServe*: a whole request → handler → response cycle over an
//     in-memory connection (memConn) that replays one request b.N times and
//     discards the responses, one request per read (keep-alive) or 16 per
//     read (pipelined). Each server runs its real connection loop.
//   - BenchmarkParse*: the request-head parse step alone, for fasthttp's
//     RequestHeader.Read and net/http's ReadRequest, as reference numbers.
//     Ours is measured inside the library (internal/wire), which another
//     module cannot import: BenchmarkParsePeerBytes there parses the same
//     bytes (browserRequest and minimalRequest below, copied there as
//     peerBrowserRequest and peerMinimalRequest).
//
// Compare with benchstat, e.g.:
//
//	go test -run '^$' -bench 'Serve' -benchmem -count 10 | tee new.txt
//	benchstat -col /server new.txt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
	"github.com/valyala/fasthttp"
)

// browserRequest is what a current desktop browser sends for a page: 12
// header fields, 520 bytes.
const browserRequest = "GET /plaintext?page=2 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Referer: https://example.com/\r\n" +
	"Cookie: session=3f9a1c2e7b; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"\r\n"

// minimalRequest is the least a valid HTTP/1.1 request carries (wrk sends
// little more).
const minimalRequest = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"

func TestRequestShapes(t *testing.T) {
	if n := len(browserRequest); n < 450 || n > 550 {
		t.Errorf("browserRequest is %d bytes, want about 500", n)
	}
	if n := strings.Count(browserRequest, "\r\n") - 2; n != 12 {
		t.Errorf("browserRequest has %d fields, want 12", n)
	}
}

// --- an in-memory connection --------------------------------------------

// memConn is a net.Conn whose reads replay batch, batches times over, and
// whose writes are counted and discarded. A read returns at most what is
// left of the current batch, so a batch larger than the server's buffer
// arrives in several reads, as from a socket. After the last batch reads
// return io.EOF. Deadlines are accepted and ignored.
type memConn struct {
	batch   []byte
	batches int
	cur     []byte // rest of the batch being read

	mu        sync.Mutex
	written   int64
	firstResp []byte // the start of the output, to check the status
	closed    chan struct{}
	closeOnce sync.Once
}

func newMemConn(req string, perBatch, total int) *memConn {
	batch := []byte(strings.Repeat(req, perBatch))
	return &memConn{
		batch:   batch,
		batches: (total + perBatch - 1) / perBatch,
		closed:  make(chan struct{}),
	}
}

func (c *memConn) Read(p []byte) (int, error) {
	if len(c.cur) == 0 {
		if c.batches == 0 {
			return 0, io.EOF
		}
		c.batches--
		c.cur = c.batch
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.firstResp) < 64 {
		c.firstResp = append(c.firstResp, p[:min(len(p), 64)]...)
	}
	c.written += int64(len(p))
	c.mu.Unlock()
	return len(p), nil
}

func (c *memConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

var (
	memLocal  = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	memRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 54321}
)

func (c *memConn) LocalAddr() net.Addr                { return memLocal }
func (c *memConn) RemoteAddr() net.Addr               { return memRemote }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// check fails b unless the server answered 200 and wrote something for
// every request.
func (c *memConn) check(b *testing.B, requests int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !bytes.HasPrefix(c.firstResp, []byte("HTTP/1.1 200 ")) {
		b.Fatalf("server answered %q", c.firstResp)
	}
	if c.written < int64(requests)*int64(len("HTTP/1.1 200 OK\r\n\r\n"+HelloWorld)) {
		b.Fatalf("server wrote %d bytes for %d requests", c.written, requests)
	}
}

// oneConnListener hands out one connection, then blocks in Accept until
// it is closed.
type oneConnListener struct {
	conn   net.Conn
	once   sync.Once
	closed chan struct{}
	cOnce  sync.Once
}

func newOneConnListener(c net.Conn) *oneConnListener {
	return &oneConnListener{conn: c, closed: make(chan struct{})}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.conn })
	if c != nil {
		return c, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.cOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return memLocal }

// --- whole request/response cycle ----------------------------------------

var handlers = &Handlers{} // /file is not benchmarked here

// serveFuncs run one server over one memConn until the connection ends.
var serveFuncs = []struct {
	name  string
	serve func(b *testing.B, c *memConn)
}{
	{"ours", func(b *testing.B, c *memConn) { serveOurs(c, false) }},
	// Ours with Server.ReuseRequests: handlers must not keep the Request,
	// as fasthttp's must not keep theirs.
	{"ours-reuse", func(b *testing.B, c *memConn) { serveOurs(c, true) }},
	{"nethttp", func(b *testing.B, c *memConn) {
		srv := &http.Server{Handler: handlers.NetHTTP()}
		l := newOneConnListener(c)
		go srv.Serve(l)
		<-c.closed
		srv.Close()
	}},
	{"fasthttp", func(b *testing.B, c *memConn) {
		srv := &fasthttp.Server{Handler: handlers.Fasthttp()}
		if err := srv.ServeConn(c); err != nil && !errors.Is(err, io.EOF) {
			b.Fatal(err)
		}
		c.Close()
	}},
}

func serveOurs(c *memConn, reuse bool) {
	srv := &httpserver.Server{
		Handler:            handlers.Ours(),
		MaxRequestsPerConn: httpserver.Unlimited,
		ReuseRequests:      reuse,
		ErrorLog:           slog.New(slog.DiscardHandler),
	}
	l := newOneConnListener(c)
	go srv.Serve(l)
	<-c.closed
	srv.Close()
}

func benchServe(b *testing.B, req string, depth int) {
	for _, s := range serveFuncs {
		b.Run("server="+s.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(req)))
			c := newMemConn(req, depth, b.N)
			b.ResetTimer()
			s.serve(b, c)
			b.StopTimer()
			c.check(b, b.N)
		})
	}
}

// BenchmarkServeKeepAlive: one request per read, each answered before the
// next is read; the per-request cost of a keep-alive connection.
func BenchmarkServeKeepAlive(b *testing.B) {
	b.Run("req=minimal", func(b *testing.B) { benchServe(b, minimalRequest, 1) })
	b.Run("req=browser", func(b *testing.B) { benchServe(b, browserRequest, 1) })
}

// BenchmarkServePipelined16: 16 requests arrive in one read; a server that
// batches its answers writes them with one call.
func BenchmarkServePipelined16(b *testing.B) {
	b.Run("req=minimal", func(b *testing.B) { benchServe(b, minimalRequest, 16) })
	b.Run("req=browser", func(b *testing.B) { benchServe(b, browserRequest, 16) })
}

// --- the parse step alone (reference numbers) ----------------------------

func benchParse(b *testing.B, parse func(b *testing.B, br *bufio.Reader)) {
	for _, r := range []struct{ name, req string }{
		{"minimal", minimalRequest},
		{"browser", browserRequest},
	} {
		b.Run("req="+r.name, func(b *testing.B) {
			src := strings.NewReader(r.req)
			br := bufio.NewReaderSize(src, 4096)
			b.ReportAllocs()
			b.SetBytes(int64(len(r.req)))
			for b.Loop() {
				src.Reset(r.req)
				br.Reset(src)
				parse(b, br)
			}
		})
	}
}

// BenchmarkParseFasthttp: fasthttp's RequestHeader.Read, reusing one
// header as fasthttp's server does.
func BenchmarkParseFasthttp(b *testing.B) {
	var h fasthttp.RequestHeader
	benchParse(b, func(b *testing.B, br *bufio.Reader) {
		h.Reset()
		if err := h.Read(br); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkParseNetHTTP: net/http's ReadRequest, which builds a new
// *http.Request (with its URL and Header map) each time, as net/http's
// server does.
func BenchmarkParseNetHTTP(b *testing.B) {
	benchParse(b, func(b *testing.B, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	})
}

// --- net/http handlers: FromHTTP against net/http's server ---------------

// The request wrk sends in the load test (bench/load.sh), for /plaintext
// and /json.
const (
	wrkPlaintextRequest = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
	wrkJSONRequest      = "GET /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
)

// netHTTPFuncs serve the same net/http handler (NetHTTP's, or Chi's) on
// net/http's own server and through nethttp.FromHTTP on ours: the
// in-memory counterpart of load.sh's impls nethttp, fromhttp,
// chi-nethttp and chi-fromhttp, without the system calls, so that what
// differs is the servers' and the adapter's own work.
var netHTTPFuncs = []struct {
	name  string
	serve func(c *memConn)
}{
	{"nethttp", func(c *memConn) { serveNetHTTP(c, handlers.NetHTTP()) }},
	{"fromhttp", func(c *memConn) { serveFromHTTP(c, handlers.NetHTTP()) }},
	{"chi-nethttp", func(c *memConn) { serveNetHTTP(c, handlers.Chi()) }},
	{"chi-fromhttp", func(c *memConn) { serveFromHTTP(c, handlers.Chi()) }},
}

func serveNetHTTP(c *memConn, h http.Handler) {
	srv := &http.Server{Handler: h}
	go srv.Serve(newOneConnListener(c))
	<-c.closed
	srv.Close()
}

func serveFromHTTP(c *memConn, h http.Handler) {
	srv := &httpserver.Server{
		Handler:            nethttp.FromHTTP(h),
		MaxRequestsPerConn: httpserver.Unlimited,
		ErrorLog:           slog.New(slog.DiscardHandler),
	}
	go srv.Serve(newOneConnListener(c))
	<-c.closed
	srv.Close()
}

// BenchmarkNetHTTPHandlers: keep-alive requests to the same net/http
// handler on each server, plain text and JSON. Besides ns/op it reports
// cpu-ns/op, the process's CPU time (user and system, GC workers
// included) per request, which other load on the machine disturbs less
// than elapsed time, as load.sh's "server CPU per request". On one core,
// as load.sh pins the servers:
//
//	go test -run '^$' -bench NetHTTPHandlers -benchmem -cpu 1 -count 10 | tee new.txt
//	benchstat -col /server new.txt
func BenchmarkNetHTTPHandlers(b *testing.B) {
	for _, w := range []struct{ name, req string }{
		{"plaintext", wrkPlaintextRequest},
		{"json", wrkJSONRequest},
	} {
		b.Run("load="+w.name, func(b *testing.B) {
			for _, s := range netHTTPFuncs {
				b.Run("server="+s.name, func(b *testing.B) {
					b.ReportAllocs()
					c := newMemConn(w.req, 1, b.N)
					b.ResetTimer()
					cpu0 := processCPU()
					s.serve(c)
					cpu1 := processCPU()
					b.StopTimer()
					c.check(b, b.N)
					if cpu0 >= 0 && cpu1 >= 0 {
						b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
					}
				})
			}
		})
	}
}
