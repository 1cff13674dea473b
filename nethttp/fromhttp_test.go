package nethttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// TestEarlyHints: WriteHeader(103) sends an interim response at once with
// the fields set so far, which stay for the final response; a Go client
// sees it through httptrace's Got1xxResponse.
func TestEarlyHints(t *testing.T) {
	for _, serve := range []struct {
		name string
		f    func(testing.TB, http.Handler) *testServer
	}{{"net/http", serveNetHTTP}, {"FromHTTP", func(t testing.TB, h http.Handler) *testServer { return serveEngine(t, h) }}} {
		t.Run(serve.name, func(t *testing.T) {
			ts := serve.f(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", "</style.css>; rel=preload; as=style")
				w.WriteHeader(http.StatusEarlyHints)
				w.Header().Set("X-Final", "1")
				io.WriteString(w, "body")
			}))
			var got []string
			trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
				got = append(got, fmt.Sprintf("%d %q", code, h["Link"]))
				return nil
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", ts.url(), nil)
			resp, err := ts.client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := []string{`103 ["</style.css>; rel=preload; as=style"]`}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("interim responses %q, want %q", got, want)
			}
			if resp.StatusCode != 200 || string(body) != "body" || resp.Header.Get("Link") == "" || resp.Header.Get("X-Final") != "1" {
				t.Errorf("final: %d %q, fields %v", resp.StatusCode, body, resp.Header)
			}
		})
	}
}

// TestHijackEcho: a handler takes the connection with Hijack; the bytes
// the client sent right after its request (read by the engine with the
// head) are in the bufio.Reader, and Buffered reports them, as
// WebSocket libraries check. Both ways a handler hijacks: writing its own
// 101 after Hijack, and WriteHeader(101) through ResponseController
// first.
func TestHijackEcho(t *testing.T) {
	const switching = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
	}{
		{"Hijacker, own 101", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			conn, brw, err := w.(http.Hijacker).Hijack()
			if err == nil {
				brw.WriteString(switching)
				err = brw.Flush()
			}
			return conn, brw, err
		}},
		{"ResponseController, WriteHeader(101)", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			w.Header().Set("Connection", "Upgrade")
			w.Header().Set("Upgrade", "echo")
			w.WriteHeader(http.StatusSwitchingProtocols)
			return http.NewResponseController(w).Hijack()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buffered := make(chan int, 1)
			ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, brw, err := tt.handle(w)
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				defer conn.Close()
				buffered <- brw.Reader.Buffered()
				// Echo lines until the client closes.
				for {
					line, err := brw.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := io.WriteString(conn, "echo: "+line); err != nil {
						return
					}
				}
			}))
			c := ts.dial(t)
			// One write: the early line arrives with the head.
			io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly\n")
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 101 {
				t.Fatalf("response %v, %v; want 101", resp, err)
			}
			if n := <-buffered; n != len("early\n") {
				t.Errorf("Buffered() = %d, want %d", n, len("early\n"))
			}
			io.WriteString(c, "later\n")
			for _, want := range []string{"echo: early\n", "echo: later\n"} {
				if got, err := br.ReadString('\n'); got != want {
					t.Errorf("read %q (%v), want %q", got, err, want)
				}
			}
		})
	}
}

// TestHijackAfterWrite: what the handler wrote before Hijack is sent
// first, then the connection is the handler's; the writer then refuses
// with http.ErrHijacked.
func TestHijackAfterWrite(t *testing.T) {
	errs := make(chan error, 2)
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, err = io.WriteString(w, "more")
		errs <- err
		_, _, err = w.(http.Hijacker).Hijack()
		errs <- err
		io.WriteString(conn, "raw")
	}))
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	all, _ := io.ReadAll(c)
	if !strings.HasSuffix(string(all), "\r\n\r\n5\r\nhello\r\nraw") {
		t.Errorf("read %q, want the response's head and first chunk, then \"raw\"", all)
	}
	for range 2 {
		if err := <-errs; err != http.ErrHijacked {
			t.Errorf("after Hijack: %v, want http.ErrHijacked", err)
		}
	}
	if strings.Contains(ts.logs.String(), "level=ERROR") {
		t.Errorf("logged: %s", ts.logs)
	}
}

// TestMaxBytesReader: http.MaxBytesReader over the body stops the handler
// with an *http.MaxBytesError, which it answers with 413; the engine's own
// body limit (Server.MaxBodyBytes) gives the handler an error that is
// both httpserver.ErrBodyTooLarge and an *http.MaxBytesError.
func TestMaxBytesReader(t *testing.T) {
	answer := func(w http.ResponseWriter, err error) {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		case err != nil:
			http.Error(w, err.Error(), 500)
		}
	}
	t.Run("http.MaxBytesReader", func(t *testing.T) {
		ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 10)
			_, err := io.ReadAll(r.Body)
			answer(w, err)
		}))
		resp, err := ts.client(t).Post(ts.url(), "text/plain", strings.NewReader(strings.Repeat("x", 100)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
	})
	// The engine's limit, as the *http.MaxBytesError's Limit: the
	// server's, or the one BodyLimit set for the route.
	for _, tc := range []struct {
		name      string
		maxBody   int64
		routeMax  int64 // BodyLimit around the handler; 0 for none
		body      int
		chunked   bool
		wantLimit int64
	}{
		{"Server.MaxBodyBytes, Content-Length", 10, 0, 100, false, 10},
		{"Server.MaxBodyBytes, chunked", 10, 0, 100, true, 10},
		{"BodyLimit lowers it", 100, 20, 50, false, 20},
		{"BodyLimit raises it, still exceeded", 10, 30, 100, true, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type got struct {
				isEngine bool
				limit    int64
			}
			gots := make(chan got, 1)
			var h httpserver.Handler = FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, err := io.ReadAll(r.Body)
				var mbe *http.MaxBytesError
				g := got{isEngine: errors.Is(err, httpserver.ErrBodyTooLarge), limit: -2}
				if errors.As(err, &mbe) {
					g.limit = mbe.Limit
				}
				gots <- g
				answer(w, err)
			}))
			if tc.routeMax != 0 {
				h = httpserver.BodyLimit(tc.routeMax, h)
			}
			ts := serveEngine(t, nil, func(s *httpserver.Server) {
				s.MaxBodyBytes = tc.maxBody
				s.Handler = h
			})
			var body io.Reader = strings.NewReader(strings.Repeat("x", tc.body))
			if tc.chunked {
				body = struct{ io.Reader }{body} // no length: the client sends it chunked
			}
			resp, err := ts.client(t).Post(ts.url(), "text/plain", body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			g := <-gots
			if resp.StatusCode != 413 || !g.isEngine {
				t.Errorf("status %d, engine's error %v; want 413 from an error that is also httpserver.ErrBodyTooLarge", resp.StatusCode, g.isEngine)
			}
			if g.limit != tc.wantLimit {
				t.Errorf("MaxBytesError.Limit = %d, want %d", g.limit, tc.wantLimit)
			}
		})
	}
	t.Run("BodyLimit raises it", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err := io.Copy(io.Discard, r.Body)
			answer(w, err)
			fmt.Fprint(w, n)
		})
		ts := serveEngine(t, nil, func(s *httpserver.Server) {
			s.MaxBodyBytes = 10
			s.Handler = httpserver.BodyLimit(1000, FromHTTP(h))
		})
		resp, err := ts.client(t).Post(ts.url(), "text/plain", strings.NewReader(strings.Repeat("x", 100)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "100" {
			t.Errorf("got %d %q, want 200 \"100\"", resp.StatusCode, body)
		}
	})
}

// TestFlushEvents: each Flush delivers what was written: the client
// reads each event while the handler waits for it to ask for the next
// (server-sent events, paced by the client).
func TestFlushEvents(t *testing.T) {
	next := make(chan struct{})
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			if err := rc.Flush(); err != nil {
				t.Errorf("flush: %v", err)
				return
			}
			<-next
		}
	}))
	resp, err := ts.client(t).Get(ts.url())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.TransferEncoding == nil {
		t.Errorf("Content-Type %q, Transfer-Encoding %q", ct, resp.TransferEncoding)
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if want := fmt.Sprintf("data: %d\n", i); line != want {
			t.Fatalf("read %q (%v), want %q", line, err, want)
		}
		br.ReadString('\n')
		next <- struct{}{}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after the events: %q", rest)
	}
}

// bufferListener sets small socket buffers on the connections it
// accepts, so that a test can bound the bytes in flight.
type bufferListener struct {
	net.Listener
	size int
}

func (l bufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// TestSlowClientPacesHandler: the handler's writes block while the client
// does not read: at every point the handler has written at most what the
// client read plus what the window and the socket buffers hold. Nothing
// is buffered beyond the engine's write window.
func TestSlowClientPacesHandler(t *testing.T) {
	const (
		total  = 16 << 20
		chunk  = 4 << 10
		window = 4 << 10
		socket = 8 << 10
		// bound: the window, both socket buffers (which the kernel may
		// double and pad), one chunk in the handler's hand: well under
		// 1 MiB. A writer that buffered would run megabytes ahead.
		bound = 1 << 20
	)
	var written atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := serveEngineOn(t, bufferListener{l, socket}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, chunk)
		for written.Load() < total {
			if _, err := w.Write(buf); err != nil {
				t.Errorf("write: %v", err)
				return
			}
			written.Add(chunk)
		}
	}), func(s *httpserver.Server) { s.WriteBufferSize = window })
	c := dialSmallBuffer(t, ts.addr, socket)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	// read counts the head and the chunks' framing as well, so it runs
	// ahead of the body the handler wrote: that only tightens the check.
	var read int64
	buf := make([]byte, 1<<10)
	for {
		n, err := c.Read(buf)
		read += int64(n)
		if ahead := written.Load() - read; ahead > bound {
			t.Fatalf("the handler is %d bytes ahead of the client, more than %d", ahead, bound)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read after %d bytes: %v", read, err)
		}
	}
	if read < total {
		t.Errorf("read %d bytes, want at least the body's %d", read, total)
	}
}

// TestPanics: a panic is logged as net/http logs it, but for
// http.ErrAbortHandler; before the head the client gets a 500, after it
// a truncated body.
func TestPanics(t *testing.T) {
	tests := []struct {
		name      string
		value     any
		afterHead bool
		logged    bool
	}{
		{"before the head", "boom", false, true},
		{"ErrAbortHandler before the head", http.ErrAbortHandler, false, false},
		{"after the head", "boom", true, true},
		{"ErrAbortHandler after the head", http.ErrAbortHandler, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "partial")
				if tt.afterHead {
					w.(http.Flusher).Flush()
				}
				panic(tt.value)
			}))
			r, c := ts.roundTrip(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if tt.afterHead {
				if r.resp.StatusCode != 200 || r.err == nil {
					t.Errorf("status %d, body %q (err %v): want 200 and a truncated body", r.resp.StatusCode, r.body, r.err)
				}
			} else if r.resp.StatusCode != 500 || strings.Contains(r.body, "partial") {
				t.Errorf("status %d, body %q: want 500 without the partial body", r.resp.StatusCode, r.body)
			}
			// The connection closes either way: the log is complete once
			// the server has closed it.
			io.ReadAll(c)
			logs := ts.logs.String()
			wantLine := fmt.Sprintf("http: panic serving %s: boom", c.LocalAddr())
			if got := strings.Contains(logs, wantLine) && strings.Contains(logs, "goroutine "); got != tt.logged {
				t.Errorf("logged %v, want %v (%q with a stack); log:\n%s", got, tt.logged, wantLine, logs)
			}
			if !tt.logged && logs != "" {
				t.Errorf("logged: %s", logs)
			}
		})
	}
}

// TestResponseController: every ResponseController method works on
// FromHTTP's writer.
func TestResponseController(t *testing.T) {
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		deadline := time.Now().Add(hangGuard)
		for name, err := range map[string]error{
			"EnableFullDuplex": rc.EnableFullDuplex(),
			"SetReadDeadline":  rc.SetReadDeadline(deadline),
			"SetWriteDeadline": rc.SetWriteDeadline(deadline),
			"Flush":            rc.Flush(),
		} {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		io.WriteString(w, "ok")
	}))
	resp, err := ts.client(t).Get(ts.url())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("body %q", body)
	}
}

// TestUnreadBodyDiscarded: as net/http, when the head goes while the
// request body is unread (a body past 2 KiB, or a Flush), up to 256 KiB
// of it is discarded, so the handler reads nothing more, and a longer
// body closes the connection; EnableFullDuplex keeps the body for the
// handler. Compared with net/http's server.
func TestUnreadBodyDiscarded(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		duplex bool
		flush  bool
	}{
		{"short body, long answer", 10 << 10, false, false},
		{"short body, flush", 10 << 10, false, true},
		{"short body, full duplex", 10 << 10, true, false},
		{"long body, long answer", 300 << 10, false, false},
		{"long body, full duplex", 300 << 10, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.duplex {
					http.NewResponseController(w).EnableFullDuplex()
				}
				w.Write(make([]byte, 3<<10))
				if tt.flush {
					w.(http.Flusher).Flush()
				}
				n, _ := io.Copy(io.Discard, r.Body)
				w.Header().Set(http.TrailerPrefix+"X-Read", fmt.Sprint(n))
			})
			summary := func(ts *testServer) string {
				req, _ := http.NewRequest("POST", ts.url(), strings.NewReader(strings.Repeat("b", tt.size)))
				resp, err := ts.client(t).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return fmt.Sprintf("status %d, close %v, handler read %s", resp.StatusCode, resp.Close, resp.Trailer.Get("X-Read"))
			}
			want := summary(serveNetHTTP(t, h))
			got := summary(serveEngine(t, h))
			if got != want {
				t.Errorf("FromHTTP: %s; net/http: %s", got, want)
			}
		})
	}
}

// TestServerContextKey: the request's context holds the adapter's stub
// *http.Server, the same for every request.
func TestServerContextKey(t *testing.T) {
	servers := make(chan any, 2)
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		servers <- r.Context().Value(http.ServerContextKey)
	}))
	for range 2 {
		resp, err := ts.client(t).Get(ts.url())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	a, b := <-servers, <-servers
	if _, ok := a.(*http.Server); !ok || a != b {
		t.Errorf("ServerContextKey gave %v and %v, want one *http.Server", a, b)
	}
}

// TestLocalAddrContextKey: the context holds the connection's local
// address under http.LocalAddrContextKey, as net/http's does.
func TestLocalAddrContextKey(t *testing.T) {
	got := make(chan any, 1)
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Context().Value(http.LocalAddrContextKey)
	}))
	resp, err := ts.client(t).Get(ts.url())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if a, ok := (<-got).(net.Addr); !ok || a.String() != ts.addr {
		t.Errorf("LocalAddrContextKey gave %v, want %s", a, ts.addr)
	}
}

// TestRequestTLS: a request over TLS has r.TLS set.
func TestRequestTLS(t *testing.T) {
	// httptest's TLS server lends its certificate and a client trusting it.
	lender := httptest.NewUnstartedServer(nil)
	lender.StartTLS()
	defer lender.Close()
	cfg := lender.TLS.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan bool, 1)
	ts := serveEngineOn(t, tls.NewListener(l, cfg), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.TLS != nil && r.TLS.HandshakeComplete
	}))
	resp, err := lender.Client().Get("https://" + ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !<-got {
		t.Error("r.TLS is not set")
	}
}

// TestHEADRunsHandler: a HEAD request runs the handler, whose fields go
// out with the head; its writes are counted and dropped, and the interim
// responses and Hijack it cannot have are refused quietly.
func TestHEADRunsHandler(t *testing.T) {
	hijack := make(chan error, 1)
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Method", r.Method)
		w.WriteHeader(http.StatusEarlyHints)
		_, _, err := w.(http.Hijacker).Hijack()
		hijack <- err
		io.WriteString(w, "twelve bytes")
	}))
	r, _ := ts.roundTrip(t, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	if r.resp.StatusCode != 200 || r.resp.Header.Get("X-Method") != "HEAD" || r.resp.ContentLength != 12 || r.body != "" {
		t.Errorf("status %d, fields %v, length %d, body %q", r.resp.StatusCode, r.resp.Header, r.resp.ContentLength, r.body)
	}
	if err := <-hijack; !errors.Is(err, http.ErrNotSupported) {
		t.Errorf("Hijack for HEAD: %v, want http.ErrNotSupported", err)
	}
}

// TestConnect: a CONNECT handler decides its answer: a refusal goes as an
// ordinary response, a 200 opens a tunnel the handler takes with Hijack.
func TestConnect(t *testing.T) {
	ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "allowed:443" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		w.WriteHeader(200)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		line, _ := brw.ReadString('\n')
		io.WriteString(conn, "tunnel: "+line)
	}))
	r, _ := ts.roundTrip(t, "CONNECT denied:443 HTTP/1.1\r\nHost: denied:443\r\n\r\n")
	if r.resp.StatusCode != 403 || r.body != "no\n" {
		t.Errorf("refused CONNECT: %d %q", r.resp.StatusCode, r.body)
	}
	c := ts.dial(t)
	io.WriteString(c, "CONNECT allowed:443 HTTP/1.1\r\nHost: allowed:443\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	io.WriteString(c, "ping\n")
	if got, _ := br.ReadString('\n'); got != "tunnel: ping\n" {
		t.Errorf("through the tunnel: %q", got)
	}
}

// TestKeptRequest: a handler may keep its *http.Request after it
// returns. Its fields stay as they were while the connection serves the
// next requests (the engine reuses its own Request for them: see
// bridge.ReleasesRequests), and its Body, read after the handler has
// returned, fails with http.ErrBodyReadAfterClose, as on net/http,
// instead of reaching the next request's body.
func TestKeptRequest(t *testing.T) {
	type kept struct {
		r   *http.Request
		was string
	}
	summary := func(r *http.Request) string {
		return fmt.Sprintf("%s %s %q host %s len %d header %v remote %v", r.Method, r.URL, r.RequestURI, r.Host, r.ContentLength, r.Header, r.RemoteAddr != "")
	}
	run := func(serve func(testing.TB, http.Handler) *testServer) string {
		first := make(chan kept, 1)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/first" {
				first <- kept{r: r, was: summary(r)}
				io.WriteString(w, "first, body unread")
				return
			}
			b, err := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s read %q %v", r.URL.Path, b, err)
		})
		ts := serve(t, h)
		c := ts.dial(t)
		br := bufio.NewReader(c)
		var out []string
		for _, raw := range []string{
			"POST /first?a=1 HTTP/1.1\r\nHost: one\r\nX-N: 1\r\nContent-Length: 5\r\n\r\nfirst",
			"POST /second?b=2 HTTP/1.1\r\nHost: two\r\nX-N: 2\r\nX-Other: 2\r\nContent-Length: 6\r\n\r\nsecond",
			"POST /third HTTP/1.1\r\nHost: three\r\nContent-Length: 5\r\n\r\nthird",
		} {
			io.WriteString(c, raw)
			out = append(out, readResponse(t, br, "POST").body)
			if len(out) == 2 {
				// The second answer has come: the first request's handler
				// returned before its connection went on.
				k := <-first
				if now := summary(k.r); now != k.was {
					t.Errorf("the kept request changed:\nwas %s\nnow %s", k.was, now)
				}
				n, err := k.r.Body.Read(make([]byte, 16))
				out = append(out, fmt.Sprintf("kept body: %d, %v", n, err))
				out = append(out, k.was)
			}
		}
		return strings.Join(out, "\n")
	}
	want := run(serveNetHTTP)
	got := run(func(t testing.TB, h http.Handler) *testServer { return serveEngine(t, h) })
	// The remote ports differ.
	if got != want {
		t.Errorf("FromHTTP:\n%s\nnet/http:\n%s", got, want)
	}
}

// TestReverseProxy: httputil.ReverseProxy through FromHTTP, on one
// keep-alive connection. Its transport sends the request body upstream
// from a goroutine of its own, which may still be reading it when the
// handler returns, when the upstream answers without reading it (/early):
// the next request on the connection still gets its own body upstream,
// whole (with -race: and the late read does not race the next request).
func TestReverseProxy(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/early" {
			io.WriteString(w, "early")
			return
		}
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s: %d bytes, %q..., %v", r.URL.Path, len(b), b[:min(len(b), 8)], err)
	}))
	t.Cleanup(upstream.Close)
	target, err := url.Parse(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	proxy.Transport = tr
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	ts := serveEngine(t, proxy)
	c := ts.dial(t)
	br := bufio.NewReader(c)
	send := func(path string, body string) string {
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: front\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
		r := readResponse(t, br, "POST")
		return fmt.Sprintf("%d %s", r.resp.StatusCode, r.body)
	}
	for i := range 3 {
		if got, want := send("/early", strings.Repeat("e", 64<<10)), "200 early"; got != want {
			t.Errorf("round %d, /early: %q, want %q", i, got, want)
		}
		second := fmt.Sprintf("second-%d-", i) + strings.Repeat("s", 1000)
		want := fmt.Sprintf("200 /echo: %d bytes, %q..., <nil>", len(second), second[:8])
		if got := send("/echo", second); got != want {
			t.Errorf("round %d, /echo: %q, want %q", i, got, want)
		}
	}
}
