package httpserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// framingWindow is the WriteBufferSize of the framing tests: bodies longer
// than it have a length the server cannot learn by buffering.
const framingWindow = 4096

var (
	framingShort = bodyPattern(12)
	framingLong  = bodyPattern(3*framingWindow + 123)
)

// writeParts writes s to w in parts of at most n bytes, flushing after the
// first part if flush is set.
func writeParts(w *StreamWriter, s string, n int, flush bool) error {
	for first := true; s != ""; first = false {
		k := min(n, len(s))
		if _, err := w.WriteString(s[:k]); err != nil {
			return err
		}
		s = s[k:]
		if first && flush {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// framingKind is one way a handler can give a body.
type framingKind struct {
	name  string
	body  string
	known bool // the server learns the length before sending: Content-Length
	// upfront: the length is known without producing the body, so a
	// HEAD answer (which never produces it) carries it.
	upfront bool
	resp    func() *Response
}

var framingKinds = []framingKind{
	{"Message", framingShort, true, true, func() *Response {
		return &Response{StatusCode: 200, Message: framingShort}
	}},
	{"Message longer than the window", framingLong, true, true, func() *Response {
		return &Response{StatusCode: 200, Message: framingLong}
	}},
	{"Body with Len", framingLong, true, true, func() *Response {
		return &Response{StatusCode: 200, Body: strings.NewReader(framingLong)}
	}},
	{"Body with BodyLength", framingLong, true, true, func() *Response {
		return &Response{StatusCode: 200, Body: lenlessReader{strings.NewReader(framingLong)}, BodyLength: int64(len(framingLong))}
	}},
	{"Body of unknown length, short", framingShort, true, false, func() *Response {
		return &Response{StatusCode: 200, Body: lenlessReader{strings.NewReader(framingShort)}}
	}},
	{"Body of unknown length, long", framingLong, false, false, func() *Response {
		return &Response{StatusCode: 200, Body: lenlessReader{strings.NewReader(framingLong)}}
	}},
	{"Stream returning before Flush", framingShort, true, false, func() *Response {
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingShort, 5, false) }}
	}},
	{"Stream longer than the window, no Flush", framingLong, false, false, func() *Response {
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingLong, 1000, false) }}
	}},
	{"Stream with Flush", framingShort, false, false, func() *Response {
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingShort, 5, true) }}
	}},
	{"Stream with Flush and declared Content-Length", framingLong, true, true, func() *Response {
		r := &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingLong, 1000, true) }}
		r.Headers.Set("Content-Length", strconv.Itoa(len(framingLong)))
		return r
	}},
	{"Endless Stream", framingShort, false, false, func() *Response {
		return &Response{StatusCode: 200, Endless: true, Stream: func(w *StreamWriter) error { return writeParts(w, framingShort, 5, false) }}
	}},
	{"Endless Message", framingShort, false, false, func() *Response {
		// Once sent as a chunked head followed by the raw message.
		return &Response{StatusCode: 200, Endless: true, Message: framingShort}
	}},
	{"Endless Body", framingShort, false, false, func() *Response {
		return &Response{StatusCode: 200, Endless: true, Body: lenlessReader{strings.NewReader(framingShort)}}
	}},
}

// framingClient is how a client asks: its request line and fields, and
// what framing and connection handling the table in DESIGN.md promises it.
type framingClient struct {
	name  string
	req   func(path string) string // the request for path
	proto string                   // status line version
	// want returns the expected framing, Connection field ("" for none)
	// and whether the connection stays open, for a body whose length the
	// server knows or not.
	want func(known bool) (framing, connection string, keep bool)
}

var framingClients = []framingClient{
	{"HTTP/1.1", func(p string) string { return "GET " + p + " HTTP/1.1\r\nHost: test\r\n\r\n" }, "HTTP/1.1",
		func(known bool) (string, string, bool) {
			if known {
				return "length", "", true
			}
			return "chunked", "", true
		}},
	{"HTTP/1.1 Connection: close", func(p string) string { return "GET " + p + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n" }, "HTTP/1.1",
		func(known bool) (string, string, bool) {
			if known {
				return "length", "close", false
			}
			return "chunked", "close", false
		}},
	{"HTTP/1.0", func(p string) string { return "GET " + p + " HTTP/1.0\r\n\r\n" }, "HTTP/1.0",
		func(known bool) (string, string, bool) {
			if known {
				return "length", "close", false
			}
			return "close", "close", false
		}},
	{"HTTP/1.0 keep-alive", func(p string) string { return "GET " + p + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" }, "HTTP/1.0",
		func(known bool) (string, string, bool) {
			if known {
				return "length", "keep-alive", true
			}
			return "close", "close", false
		}},
}

// framingServer serves framingKinds[i] at /k/i and "pong" at /ping.
func framingServer(t *testing.T, m mode) *e2eServer {
	return m.start(t, &Server{WriteBufferSize: framingWindow, Handler: HandlerFunc(func(req *Request) *Response {
		if req.Path == "/ping" {
			return &Response{StatusCode: 200, Message: "pong"}
		}
		i, err := strconv.Atoi(strings.TrimPrefix(req.Path, "/k/"))
		if err != nil || i < 0 || i >= len(framingKinds) {
			return &Response{StatusCode: 404}
		}
		return framingKinds[i].resp()
	})})
}

// checkFraming checks a response's version, framing headers and body.
func checkFraming(t *testing.T, r *rawResp, proto, framing, connection string, body string) {
	t.Helper()
	if r.Proto != proto || r.Status != 200 {
		t.Errorf("status line: got %s %d, want %s 200", r.Proto, r.Status, proto)
	}
	if r.Framing != framing {
		t.Errorf("framing: got %s, want %s (headers %s)", r.Framing, framing, fieldsDump(&r.Headers))
	}
	if framing == "length" {
		if cl, _ := r.get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length: got %q, want %d", cl, len(body))
		}
	}
	if got, _ := r.get("Connection"); got != connection {
		t.Errorf("Connection: got %q, want %q", got, connection)
	}
	if r.Body != nil && string(r.Body) != body {
		t.Errorf("body: got %d bytes %q, want %d bytes %q", len(r.Body), abbrev(string(r.Body)), len(body), abbrev(body))
	}
}

// TestFramingTable walks the framing table of DESIGN.md: every client
// version against every way of giving a body.
func TestFramingTable(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := framingServer(t, m)
		for _, cl := range framingClients {
			for i, k := range framingKinds {
				t.Run(cl.name+"/"+k.name, func(t *testing.T) {
					rc := ts.dialRaw(t)
					r := rc.roundTrip(cl.req(fmt.Sprintf("/k/%d", i)), "GET")
					framing, connection, keep := cl.want(k.known)
					checkFraming(t, r, cl.proto, framing, connection, k.body)
					if !keep {
						rc.expectClosed()
						return
					}
					// The connection must still be in step.
					r = rc.roundTrip(cl.req("/ping"), "GET")
					if r.Status != 200 || string(r.Body) != "pong" {
						t.Errorf("next request on the connection: got %d %q, want 200 \"pong\"", r.Status, r.Body)
					}
				})
			}
		}
		for i, k := range framingKinds {
			t.Run("HTTP/0.9/"+k.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				rc.send(fmt.Sprintf("GET /k/%d\r\n", i))
				// HTTP/0.9: the body alone, no head, then close.
				if got := string(rc.readAll()); got != k.body {
					t.Errorf("got %q, want the body alone %q", abbrev(got), abbrev(k.body))
				}
			})
		}
	})
}

// TestFramingHEAD: a HEAD response has the framing headers a GET would
// have had where they are known (Content-Length), no body bytes, and
// leaves the connection usable.
func TestFramingHEAD(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := framingServer(t, m)
		for i, k := range framingKinds {
			t.Run(k.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip(fmt.Sprintf("HEAD /k/%d HTTP/1.1\r\nHost: test\r\n\r\n", i), "HEAD")
				if r.Status != 200 {
					t.Errorf("status: got %d, want 200", r.Status)
				}
				cl, _ := r.get("Content-Length")
				switch {
				case k.upfront && cl != strconv.Itoa(len(k.body)):
					t.Errorf("Content-Length: got %q, want %d, as for GET", cl, len(k.body))
				case !k.upfront && cl != "":
					t.Errorf("Content-Length: got %q for a body whose length only producing it would tell", cl)
				}
				if te, _ := r.get("Transfer-Encoding"); te != "" {
					t.Errorf("Transfer-Encoding: got %q, want none on HEAD", te)
				}
				if c, _ := r.get("Connection"); c != "" {
					t.Errorf("Connection: got %q, want none", c)
				}
				// Had any body byte been sent, this response would not parse.
				r = rc.roundTrip("GET /ping HTTP/1.1\r\nHost: test\r\n\r\n", "GET")
				if r.Status != 200 || string(r.Body) != "pong" {
					t.Errorf("next request on the connection: got %d %q, want 200 \"pong\"", r.Status, r.Body)
				}
			})
		}
	})
}

// TestFramingNoBody covers the other responses without a body: 204, 304,
// and HEAD answers that state a length.
func TestFramingNoBody(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		tests := []struct {
			name   string
			method string
			req    string
			resp   func() *Response
			status int
			cl     string // expected Content-Length field; "" for none
			header string // a field that must survive, "Name: value"
		}{
			{"204", "GET", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response { return &Response{StatusCode: 204} }, 204, "", ""},
			{"204 with a Message", "GET", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response { return &Response{StatusCode: 204, Message: "ignored"} }, 204, "", ""},
			{"204 with a Stream", "GET", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response {
					return &Response{StatusCode: 204, Stream: func(w *StreamWriter) error { return writeParts(w, framingLong, 1000, false) }}
				}, 204, "", ""},
			{"304 with ETag", "GET", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response {
					r := &Response{StatusCode: 304}
					r.Headers.Set("ETag", `"v1"`)
					return r
				}, 304, "", `ETag: "v1"`},
			{"304 stating the length of the representation", "GET", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response {
					r := &Response{StatusCode: 304}
					r.Headers.Set("Content-Length", "42")
					return r
				}, 304, "42", ""},
			{"HEAD stating the GET length without a body", "HEAD", "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response {
					r := &Response{StatusCode: 200}
					r.Headers.Set("Content-Length", "1234")
					return r
				}, 200, "1234", ""},
			{"HEAD from an HTTP/1.0 keep-alive client", "HEAD", "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
				func() *Response { return &Response{StatusCode: 200, Message: "hello"} }, 200, "5", "Connection: keep-alive"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts := m.serve(t, func(req *Request) *Response {
					if req.Path == "/ping" {
						return &Response{StatusCode: 200, Message: "pong"}
					}
					return tt.resp()
				})
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, tt.method)
				if r.Status != tt.status {
					t.Errorf("status: got %d, want %d", r.Status, tt.status)
				}
				if got, _ := r.get("Content-Length"); got != tt.cl {
					t.Errorf("Content-Length: got %q, want %q", got, tt.cl)
				}
				if te, _ := r.get("Transfer-Encoding"); te != "" {
					t.Errorf("Transfer-Encoding: got %q, want none", te)
				}
				if tt.header != "" {
					name, value, _ := strings.Cut(tt.header, ": ")
					if got, _ := r.get(name); got != value {
						t.Errorf("%s: got %q, want %q", name, got, value)
					}
				}
				r = rc.roundTrip("GET /ping HTTP/1.1\r\nHost: t\r\n\r\n", "GET")
				if r.Status != 200 || string(r.Body) != "pong" {
					t.Errorf("next request on the connection: got %d %q, want 200 \"pong\"", r.Status, r.Body)
				}
			})
		}
	})
}

// TestFramingResponseVersion: Response.Version lowers the version of the
// answer, never raises it.
func TestFramingResponseVersion(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		tests := []struct {
			name       string
			req        string
			resp       func() *Response
			proto      string
			framing    string
			connection string
			keep       bool
		}{
			{"1.0 answer to a 1.1 client, Message", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response { return &Response{Version: "1.0", StatusCode: 200, Message: framingShort} },
				"HTTP/1.0", "length", "keep-alive", true},
			{"1.0 answer to a 1.1 client, Stream with Flush", "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
				func() *Response {
					return &Response{Version: "1.0", StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingShort, 5, true) }}
				},
				"HTTP/1.0", "close", "close", false},
			{"1.0 answer to a 1.1 client that asked to close", "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
				func() *Response { return &Response{Version: "1.0", StatusCode: 200, Message: framingShort} },
				"HTTP/1.0", "length", "close", false},
			{"1.1 answer to a 1.0 client is lowered", "GET / HTTP/1.0\r\n\r\n",
				func() *Response { return &Response{Version: "1.1", StatusCode: 200, Message: framingShort} },
				"HTTP/1.0", "length", "close", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts := m.serve(t, func(req *Request) *Response {
					if req.Path == "/ping" {
						return &Response{StatusCode: 200, Message: "pong"}
					}
					return tt.resp()
				})
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "GET")
				checkFraming(t, r, tt.proto, tt.framing, tt.connection, framingShort)
				if !tt.keep {
					rc.expectClosed()
					return
				}
				r = rc.roundTrip("GET /ping HTTP/1.1\r\nHost: t\r\n\r\n", "GET")
				if r.Status != 200 || string(r.Body) != "pong" {
					t.Errorf("next request on the connection: got %d %q, want 200 \"pong\"", r.Status, r.Body)
				}
			})
		}
	})
}

// TestFramingStreamDelivery: what a Stream flushes reaches the client
// while the Stream is still running, and an Endless response's head goes
// out before its first part.
func TestFramingStreamDelivery(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		t.Run("Flush", func(t *testing.T) {
			proceed := make(chan struct{})
			ts := m.serve(t, func(*Request) *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("first")
					if err := w.Flush(); err != nil {
						return err
					}
					<-proceed
					_, err := w.WriteString("second")
					return err
				}}
			})
			rc := ts.dialRaw(t)
			rc.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
			r, err := readRawHead(rc.br)
			if err != nil {
				t.Fatal(err)
			}
			if te, _ := r.get("Transfer-Encoding"); te != "chunked" {
				t.Fatalf("Transfer-Encoding: got %q, want chunked", te)
			}
			var got bytes.Buffer
			if _, _, err := readRawChunk(rc.br, &got); err != nil || got.String() != "first" {
				t.Fatalf("first chunk: got %q, %v; want \"first\" while the Stream waits", got.String(), err)
			}
			close(proceed)
			got.Reset()
			if err := readRawBody(rc.br, r, "GET", &got); err != nil || got.String() != "second" {
				t.Fatalf("rest of the body: got %q, %v; want \"second\"", got.String(), err)
			}
		})
		t.Run("Endless head first", func(t *testing.T) {
			proceed := make(chan struct{})
			ts := m.serve(t, func(*Request) *Response {
				return &Response{StatusCode: 200, Endless: true, Stream: func(w *StreamWriter) error {
					<-proceed
					for i := range 3 {
						if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
							return err
						}
						if err := w.Flush(); err != nil {
							return err
						}
					}
					return nil
				}}
			})
			rc := ts.dialRaw(t)
			rc.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
			r, err := readRawHead(rc.br) // the Stream has not written yet
			if err != nil {
				t.Fatal(err)
			}
			close(proceed)
			if err := readRawBody(rc.br, r, "GET", nil); err != nil {
				t.Fatal(err)
			}
			if want := "data: 0\n\ndata: 1\n\ndata: 2\n\n"; r.Framing != "chunked" || string(r.Body) != want {
				t.Errorf("got %s %q, want chunked %q", r.Framing, r.Body, want)
			}
		})
	})
}

// TestStreamBackpressure: a Stream producing faster than the client reads
// blocks in Write; the server holds no more than its write window beyond
// what the kernel's socket buffers hold. Once the client reads, every byte
// arrives.
func TestStreamBackpressure(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		const (
			total = 64 << 20
			part  = 64 << 10
			bound = 16 << 20 // WriteBufferSize + generous kernel buffers
		)
		var written atomic.Int64
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		// The kernel's send buffer autotunes up to net.ipv4.tcp_wmem (4 MiB
		// by default, more on tuned hosts); a fixed small one keeps the bound
		// meaningful everywhere. Shrinking a send buffer after the handshake
		// is safe, unlike a receive buffer, whose advertised window the
		// kernel cannot take back.
		l = smallSendBufferListener{l.(*net.TCPListener)}
		ts := m.startOn(t, &Server{Handler: HandlerFunc(func(*Request) *Response {
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
				buf := []byte(bodyPattern(part))
				if err := w.Flush(); err != nil {
					return err
				}
				for written.Load() < total {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					written.Add(part)
				}
				return nil
			}}
		})}, l)
		nc := ts.dial(t)
		nc.SetDeadline(time.Now().Add(4 * hangGuard))
		if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"); err != nil {
			t.Fatal(err)
		}

		// Read nothing until the Stream's goroutine is parked in a socket
		// write: the runtime then reports it as "IO wait" in writeSocket.
		pollUntil(t, "the stream blocks in a socket write", func() bool {
			return streamBlockedInWrite("TestStreamBackpressure")
		})
		got := written.Load()
		if got >= bound {
			t.Fatalf("the stream wrote %d bytes before blocking, want < %d", got, bound)
		}
		if got >= total {
			t.Fatalf("the stream never blocked")
		}
		t.Logf("the stream blocked after %d bytes", got)
		if again := written.Load(); again != got || !streamBlockedInWrite("TestStreamBackpressure") {
			t.Fatalf("the stream moved on (%d -> %d bytes) while the client read nothing", got, again)
		}

		// Now read it all.
		v := &patternChecker{want: bodyPattern(part), bad: -1}
		r, err := readRawResponse(bufio.NewReaderSize(nc, 64<<10), "GET", v)
		if err != nil {
			t.Fatalf("reading the body: %v after %d bytes", err, v.n)
		}
		if r.Framing != "chunked" || v.n != total || v.bad >= 0 {
			t.Errorf("got %s body of %d bytes (first wrong byte at %d), want chunked %d bytes of pattern",
				r.Framing, v.n, v.bad, total)
		}
	})
}

// smallSendBufferListener gives every accepted connection a 64 KiB send
// buffer.
type smallSendBufferListener struct{ *net.TCPListener }

func (l smallSendBufferListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.AcceptTCP()
	if err != nil {
		return nil, err
	}
	if err := c.SetWriteBuffer(64 << 10); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// streamBlockedInWrite reports whether a goroutine whose stack mentions
// test is parked on the network poller in conn.writeSocket.
func streamBlockedInWrite(test string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("[IO wait")) &&
			bytes.Contains(g, []byte("(*writer).writeSocket")) &&
			bytes.Contains(g, []byte(test)) {
			return true
		}
	}
	return false
}

// patternChecker is a sink that checks a body repeats want.
type patternChecker struct {
	want string
	n    int64
	bad  int64 // offset of the first wrong run of bytes, or -1
}

func (p *patternChecker) Write(b []byte) (int, error) {
	for rest := b; len(rest) > 0; {
		off := int(p.n % int64(len(p.want)))
		k := min(len(rest), len(p.want)-off)
		if p.bad < 0 && string(rest[:k]) != p.want[off:off+k] {
			p.bad = p.n
		}
		p.n += int64(k)
		rest = rest[k:]
	}
	return len(b), nil
}
