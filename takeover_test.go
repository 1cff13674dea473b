package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestMatchPreface compares every prefix of the HTTP/2 preface, the
// preface itself, the preface with bytes after it, and lookalikes.
func TestMatchPreface(t *testing.T) {
	for i := 1; i < len(h2Preface); i++ {
		if got := matchPreface([]byte(h2Preface[:i])); got != prefacePartial {
			t.Errorf("matchPreface(%q) = %d, want prefacePartial", h2Preface[:i], got)
		}
	}
	tests := []struct {
		in   string
		want prefaceMatch
	}{
		{h2Preface, prefaceWhole},
		{h2Preface + "\x00\x00\x12\x04", prefaceWhole},
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r", prefaceNo},
		{"PRI * HTTP/2.0\r\n\r\n\r\n", prefaceNo},
		{"PRI * HTTP/1.1\r\n\r\n", prefaceNo},
		{"POST / HTTP/1.1\r\n", prefaceNo},
		{"GET / HTTP/1.1\r\n\r\n", prefaceNo},
		{"pri * HTTP/2.0\r\n\r\nSM\r\n\r\n", prefaceNo},
	}
	for _, tt := range tests {
		if got := matchPreface([]byte(tt.in)); got != tt.want {
			t.Errorf("matchPreface(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// takenOver is what a ConnHandler saw.
type takenOver struct {
	first      string // the bytes it read first
	conns      int    // the server's connections while it ran
	state      connState
	ctxLive    bool
	isTLS      bool
	negotiated string
}

// reportingConnHandler reads n bytes, reports what it saw, answers
// "pong" and returns.
func reportingConnHandler(srv *Server, n int, got chan<- takenOver) ConnHandler {
	return func(ctx context.Context, nc net.Conn) {
		var r takenOver
		buf := make([]byte, n)
		_, err := io.ReadFull(nc, buf)
		r.first = string(buf)
		if err != nil {
			r.first += " (" + err.Error() + ")"
		}
		// The server still counts it, taken over. (A connection of an
		// earlier subtest may not have left the table yet: it is closed,
		// and not counted here.)
		srv.mu.Lock()
		for c := range srv.conns {
			if st := c.state.load(); st != stateClosed {
				r.conns++
				r.state = st
			}
		}
		srv.mu.Unlock()
		r.ctxLive = ctx.Err() == nil
		if tc, ok := nc.(*tls.Conn); ok {
			r.isTLS = true
			r.negotiated = tc.ConnectionState().NegotiatedProtocol
		}
		io.WriteString(nc, "pong")
		got <- r
	}
}

// TestH2CPreface: a cleartext connection that opens with the HTTP/2
// preface goes to Server.H2C with the bytes read so far, however the
// preface is split; the server still counts it while H2C runs, and
// closes it when H2C returns. HTTP/1 requests are served as before, and
// the preface anywhere but at the start is HTTP/1 (505).
func TestH2CPreface(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		got := make(chan takenOver, 1)
		srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
			return &Response{StatusCode: 200, Message: "h1"}
		})}
		const after = "\x00\x00\x00\x04\x00\x00\x00\x00\x00" // an empty SETTINGS frame
		srv.H2C = reportingConnHandler(srv, len(h2Preface)+len(after), got)
		ts := m.start(t, srv)

		for _, split := range []int{1, 3, 14, 18, 23, 24, 26} {
			t.Run(fmt.Sprintf("split at %d", split), func(t *testing.T) {
				rc := ts.dialRaw(t)
				msg := h2Preface + after
				rc.send(msg[:split])
				rc.send(msg[split:])
				var r takenOver
				select {
				case r = <-got:
				case <-time.After(hangGuard):
					t.Fatal("H2C was not called")
				}
				want := takenOver{first: msg, conns: 1, state: stateTakenOver, ctxLive: true}
				if r != want {
					t.Errorf("H2C saw %+v, want %+v", r, want)
				}
				b, err := io.ReadAll(rc.br)
				if string(b) != "pong" || err != nil {
					t.Errorf("client read %q (%v), want \"pong\", then the connection closed", b, err)
				}
			})
		}

		t.Run("HTTP/1 request", func(t *testing.T) {
			rc := ts.dialRaw(t)
			r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			if r.Status != 200 || string(r.Body) != "h1" {
				t.Errorf("got %d %q, want 200 \"h1\"", r.Status, r.Body)
			}
			t.Run("then the preface", func(t *testing.T) {
				r := rc.roundTrip(h2Preface, "PRI")
				if r.Status != 505 {
					t.Errorf("got %d, want 505: the preface after a request is not HTTP/2", r.Status)
				}
			})
		})
	}, modeParked, modeWaiting) // over TLS, HTTP/2 comes by ALPN: see TestTLSNextProto
}

// TestH2CPrefaceOff: without H2C, the preface is an HTTP/1 request of an
// unsupported version, as before.
func TestH2CPrefaceOff(t *testing.T) {
	ts := serveE2E(t, func(req *Request) *Response { return &Response{StatusCode: 200} })
	rc := ts.dialRaw(t)
	if r := rc.roundTrip(h2Preface, "PRI"); r.Status != 505 {
		t.Errorf("got %d, want 505", r.Status)
	}
}

// TestH2CPrefaceOverTLS: over TLS the preface is not looked for, even
// with H2C set (RFC 9113 §3.2: HTTP/2 over TLS is chosen by ALPN).
func TestH2CPrefaceOverTLS(t *testing.T) {
	srv := &Server{H2C: func(ctx context.Context, nc net.Conn) { t.Error("H2C called over TLS") }}
	ts := modeTLS.start(t, srv)
	rc := ts.dialRaw(t)
	if r := rc.roundTrip(h2Preface, "PRI"); r.Status != 505 {
		t.Errorf("got %d, want 505", r.Status)
	}
}

// TestTLSNextProto: a TLS connection that negotiates a protocol of
// TLSNextProto goes to its ConnHandler, as a *tls.Conn; ServeTLS offers
// the protocol in ALPN; a client that offers only HTTP/1.1 gets HTTP/1.1.
func TestTLSNextProto(t *testing.T) {
	got := make(chan takenOver, 1)
	srv := &Server{
		Handler:   HandlerFunc(func(req *Request) *Response { return &Response{StatusCode: 200, Message: "h1"} }),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{mustTestCert(t)}},
	}
	srv.TLSNextProto = map[string]ConnHandler{"x-test": reportingConnHandler(srv, 4, got)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("ServeTLS returned %v", err)
		}
	})

	dial := func(protos ...string) *tls.Conn {
		cfg := testTLSClientConfig(t)
		cfg.NextProtos = protos
		tc, err := tls.DialWithDialer(&net.Dialer{Timeout: hangGuard}, "tcp", l.Addr().String(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		tc.SetDeadline(time.Now().Add(hangGuard))
		t.Cleanup(func() { tc.Close() })
		return tc
	}

	t.Run("negotiated", func(t *testing.T) {
		tc := dial("x-test", "http/1.1")
		if p := tc.ConnectionState().NegotiatedProtocol; p != "x-test" {
			t.Fatalf("negotiated %q, want x-test", p)
		}
		io.WriteString(tc, "ping")
		r := <-got
		want := takenOver{first: "ping", conns: 1, state: stateTakenOver, ctxLive: true, isTLS: true, negotiated: "x-test"}
		if r != want {
			t.Errorf("ConnHandler saw %+v, want %+v", r, want)
		}
		if b, err := io.ReadAll(tc); string(b) != "pong" || err != nil {
			t.Errorf("client read %q (%v), want \"pong\" and the end", b, err)
		}
	})
	t.Run("HTTP/1.1 only", func(t *testing.T) {
		tc := dial("http/1.1")
		io.WriteString(tc, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		b, _ := io.ReadAll(tc)
		if !strings.HasPrefix(string(b), "HTTP/1.1 200 ") || !strings.HasSuffix(string(b), "h1") {
			t.Errorf("got %q, want a 200 with \"h1\"", b)
		}
	})
}

// TestConnHandlerShutdown: Shutdown waits for a ConnHandler, which learns
// of it through RegisterOnShutdown; a Shutdown whose context ends first
// closes the connection under it and cancels its context.
func TestConnHandlerShutdown(t *testing.T) {
	type outcome struct {
		readErr error
		ctxErr  error
	}
	for _, graceful := range []bool{true, false} {
		t.Run(fmt.Sprintf("graceful=%v", graceful), func(t *testing.T) {
			entered := make(chan struct{})
			stop := make(chan struct{})
			out := make(chan outcome, 1)
			srv := &Server{}
			srv.H2C = func(ctx context.Context, nc net.Conn) {
				io.ReadFull(nc, make([]byte, len(h2Preface)))
				close(entered)
				var o outcome
				if graceful {
					<-stop
				} else {
					// Wait for the connection to be closed under us.
					_, o.readErr = nc.Read(make([]byte, 1))
					<-ctx.Done()
				}
				o.ctxErr = ctx.Err()
				out <- o
			}
			if graceful {
				srv.RegisterOnShutdown(func() { close(stop) })
			}
			ts := startE2E(t, srv)
			rc := ts.dialRaw(t)
			rc.send(h2Preface)
			<-entered

			ctx := context.Background()
			if !graceful {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			err := srv.Shutdown(ctx)
			if graceful {
				// Shutdown returned, so the handler must have: it
				// reported before returning.
				select {
				case o := <-out:
					if err != nil || o.ctxErr != nil {
						t.Errorf("Shutdown = %v, handler's ctx %v; want nil, nil", err, o.ctxErr)
					}
				default:
					t.Errorf("Shutdown returned %v before the ConnHandler returned", err)
				}
				return
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Shutdown = %v, want context.Canceled: it must wait for the ConnHandler", err)
			}
			o := <-out
			if o.readErr == nil || o.ctxErr == nil {
				t.Errorf("handler read %v, ctx %v; want the connection closed and the context canceled", o.readErr, o.ctxErr)
			}
		})
	}
}

// TestStreamHandOff: a Stream answers 101 and hands the connection to a
// function, with the bytes the client pipelined; the server counts the
// connection until the function returns, then closes it.
func TestStreamHandOff(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		type seen struct {
			conns     int
			state     connState
			writeErr  error
			secondErr error
		}
		report := make(chan seen, 1)
		var srv *Server
		srv = &Server{Handler: HandlerFunc(func(req *Request) *Response {
			resp := &Response{StatusCode: 101, Stream: func(w *StreamWriter) error {
				err := w.HandOff(func(nc net.Conn) {
					var s seen
					srv.mu.Lock()
					s.conns = len(srv.conns)
					for c := range srv.conns {
						s.state = c.state.load()
					}
					srv.mu.Unlock()
					_, s.writeErr = w.Write([]byte("x"))
					s.secondErr = w.HandOff(func(net.Conn) { t.Error("second HandOff ran") })
					report <- s
					nc.SetDeadline(time.Now().Add(hangGuard))
					echoHijacked(nc, nil)
				})
				if err != nil {
					return err
				}
				return nil
			}}
			resp.Headers.Set("Upgrade", "echo")
			resp.Headers.Set("Connection", "Upgrade")
			return resp
		})}
		ts := m.start(t, srv)
		rc := ts.dialRaw(t)
		rc.send(upgradeRequest)
		r, err := readRawHead(rc.br)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != 101 {
			t.Fatalf("status %d, want 101", r.Status)
		}
		s := <-report
		if s.conns != 1 || s.state != stateTakenOver || !errors.Is(s.writeErr, ErrHijacked) || !errors.Is(s.secondErr, ErrHijacked) {
			t.Errorf("during HandOff: %d conns, state %v, Write %v, second HandOff %v; want 1, taken over, ErrHijacked twice", s.conns, s.state, s.writeErr, s.secondErr)
		}
		// The bytes pipelined behind the head come first.
		if line, err := rc.br.ReadString('\n'); err != nil || line != "rest=\n" {
			t.Fatalf("first line %q (%v)", line, err)
		}
		buf := make([]byte, len("early"))
		if _, err := io.ReadFull(rc.br, buf); err != nil || string(buf) != "early" {
			t.Fatalf("echo of the pipelined bytes: %q (%v), want \"early\"", buf, err)
		}
		rc.send("ping\n")
		if line, err := rc.br.ReadString('\n'); err != nil || line != "ping\n" {
			t.Fatalf("echo: got %q (%v)", line, err)
		}
		closeWrite(rc.nc)
		rc.expectClosed()
	})
}
