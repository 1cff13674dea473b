package websocket

import (
	"bufio"
	"bytes"
	be "encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/gohttpserver/httpserver"
)

// TestEcho: messages of every kind go back as they came, and the client's
// close gets the server's close, the TCP connection closed after it, and
// the serve function the client's code and reason.
func TestEcho(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		out := make(chan ended, 1)
		ts := serveWS(t, m, nil, echo(out))
		c := ts.connect(t)
		large := bytes.Repeat([]byte("0123456789"), 10000) // over smallFrame: header and payload in two buffers
		msgs := []frame{text("hello"), binary([]byte{0, 1, 2, 0xff}), text(""), binary(nil), text("héllo, wörld ✓"), binary(large)}
		for _, f := range msgs {
			c.send(f)
			op, p := c.message()
			if op != f.op || !bytes.Equal(p, f.payload) {
				t.Errorf("echo of %d %d bytes: got %d %d bytes", f.op, len(f.payload), op, len(p))
			}
		}
		c.send(closeFrame(StatusNormalClosure, "bye"))
		if reason := c.expectClose(StatusNormalClosure); reason != "" {
			t.Errorf("the server's close reason %q, want none (the code echoed)", reason)
		}
		c.expectEOF()
		e := wait(t, out, "the serve function to end")
		var ce *CloseError
		if !errors.As(e.err, &ce) || *ce != (CloseError{StatusNormalClosure, "bye"}) {
			t.Errorf("the serve function's read ended with %v, want the client's close 1000 \"bye\"", e.err)
		}
		if len(e.msgs) != len(msgs) {
			t.Errorf("the serve function read %d messages, want %d", len(e.msgs), len(msgs))
		}
	})
}

// TestCloseWithoutCode: a close frame without a code is answered with
// one without a code, and reads as StatusNoStatusReceived.
func TestCloseWithoutCode(t *testing.T) {
	out := make(chan ended, 1)
	ts := serveWS(t, modeTCP, nil, echo(out))
	c := ts.connect(t)
	c.send(frame{op: ws.OpClose})
	if f := c.read(); f.h.OpCode != ws.OpClose || len(f.payload) != 0 {
		t.Errorf("got %+v %q, want an empty close frame", f.h, f.payload)
	}
	c.expectEOF()
	var ce *CloseError
	if e := wait(t, out, "the serve function"); !errors.As(e.err, &ce) || ce.Code != StatusNoStatusReceived {
		t.Errorf("read ended with %v, want a CloseError with StatusNoStatusReceived", e.err)
	}
}

// TestFragments: a message in fragments, with control frames between
// them, is read whole; the pings between them are answered at once,
// before the message is.
func TestFragments(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		out := make(chan ended, 1)
		ts := serveWS(t, m, nil, echo(out))
		c := ts.connect(t)
		e := []byte("é") // split between two fragments
		c.send(
			frame{op: ws.OpText, notFin: true, payload: []byte("hel")},
			frame{op: ws.OpPing, payload: []byte("p1")},
			frame{op: ws.OpContinuation, notFin: true, payload: []byte("lo ")},
			frame{op: ws.OpPong, payload: []byte("unasked")},
			frame{op: ws.OpContinuation, notFin: true, payload: nil},
			frame{op: ws.OpContinuation, notFin: true, payload: e[:1]},
			frame{op: ws.OpPing, payload: nil},
			frame{op: ws.OpContinuation, payload: append(e[1:], '!')},
		)
		for _, want := range []string{"p1", ""} {
			if f := c.read(); f.h.OpCode != ws.OpPong || string(f.payload) != want {
				t.Fatalf("got opcode %d %q, want the pong %q", f.h.OpCode, f.payload, want)
			}
		}
		if op, p := c.message(); op != ws.OpText || string(p) != "hello é!" {
			t.Errorf("got %d %q, want text \"hello é!\"", op, p)
		}
		c.send(frame{op: ws.OpBinary, notFin: true, payload: []byte{1}}, frame{op: ws.OpContinuation, payload: []byte{2, 3}})
		if op, p := c.message(); op != ws.OpBinary || !bytes.Equal(p, []byte{1, 2, 3}) {
			t.Errorf("got %d %v, want binary [1 2 3]", op, p)
		}
		c.send(closeFrame(StatusGoingAway, ""))
		c.expectClose(StatusGoingAway)
		c.expectEOF()
		wait(t, out, "the serve function")
	})
}

// TestPeerFaults: each way a client breaks the protocol gets its close
// code, the serve function's read the matching error, and the connection
// closes.
func TestPeerFaults(t *testing.T) {
	tooLong := make([]byte, 126)
	header := func(b0, b1 byte, ext ...byte) frame { return frame{op: 0xff, payload: append([]byte{b0, b1}, ext...)} }
	tests := []struct {
		name   string
		frames []frame
		code   StatusCode
		err    error
	}{
		{"unmasked frame", []frame{{op: ws.OpText, payload: []byte("hi"), unmasked: true}}, StatusProtocolError, ErrProtocol},
		{"reserved opcode", []frame{{op: 3, payload: []byte("hi")}}, StatusProtocolError, ErrProtocol},
		{"reserved control opcode", []frame{{op: 0xb}}, StatusProtocolError, ErrProtocol},
		{"RSV1 without an extension", []frame{{op: ws.OpText, rsv: ws.Rsv(true, false, false), payload: []byte("hi")}}, StatusProtocolError, ErrProtocol},
		{"RSV3", []frame{{op: ws.OpBinary, rsv: ws.Rsv(false, false, true)}}, StatusProtocolError, ErrProtocol},
		{"fragmented ping", []frame{{op: ws.OpPing, notFin: true}}, StatusProtocolError, ErrProtocol},
		{"ping over 125 bytes", []frame{{op: ws.OpPing, payload: tooLong}}, StatusProtocolError, ErrProtocol},
		{"continuation first", []frame{{op: ws.OpContinuation, payload: []byte("x")}}, StatusProtocolError, ErrProtocol},
		{"new message within a fragmented one", []frame{{op: ws.OpText, notFin: true, payload: []byte("a")}, text("b")}, StatusProtocolError, ErrProtocol},
		{"close with 1 byte", []frame{{op: ws.OpClose, payload: []byte{3}}}, StatusProtocolError, ErrProtocol},
		{"close code 1005", []frame{closeFrame(StatusNoStatusReceived, "")}, StatusProtocolError, ErrProtocol},
		{"close code 999", []frame{closeFrame(999, "")}, StatusProtocolError, ErrProtocol},
		{"close code 2000", []frame{closeFrame(2000, "")}, StatusProtocolError, ErrProtocol},
		{"close code 5000", []frame{closeFrame(5000, "")}, StatusProtocolError, ErrProtocol},
		{"close reason not UTF-8", []frame{{op: ws.OpClose, payload: []byte{0x03, 0xe8, 0xff}}}, StatusInvalidPayload, ErrInvalidPayload},
		{"text not UTF-8", []frame{{op: ws.OpText, payload: []byte("a\xffb")}}, StatusInvalidPayload, ErrInvalidPayload},
		{"text with a surrogate", []frame{{op: ws.OpText, payload: []byte("\xed\xa0\x80")}}, StatusInvalidPayload, ErrInvalidPayload},
		{"text ending within a rune", []frame{{op: ws.OpText, payload: []byte("caf\xc3")}}, StatusInvalidPayload, ErrInvalidPayload},
		// Found in the first fragment: the rest is never sent.
		{"fragment not UTF-8", []frame{{op: ws.OpText, notFin: true, payload: []byte("\xc0\xaf")}}, StatusInvalidPayload, ErrInvalidPayload},
		// Refused from the header: the payload is never sent.
		{"frame over the limit", []frame{header(0x82, 0x80|126, 0x03, 0xe9, 1, 2, 3, 4)}, StatusMessageTooBig, ErrMessageTooBig},
		{"fragments over the limit", []frame{
			{op: ws.OpBinary, notFin: true, payload: make([]byte, 600)},
			{op: ws.OpContinuation, payload: make([]byte, 401)},
		}, StatusMessageTooBig, ErrMessageTooBig},
		{"64-bit length with its top bit", []frame{header(0x82, 0x80|127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4)}, StatusProtocolError, ErrProtocol},
	}
	runModes(t, func(t *testing.T, m mode) {
		out := make(chan ended, 1)
		ts := serveWS(t, m, &Options{MaxMessageSize: 1000}, echo(out))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := ts.connect(t)
				for _, f := range tt.frames {
					if f.op == 0xff { // raw bytes
						if _, err := c.nc.Write(f.payload); err != nil {
							t.Fatal(err)
						}
						continue
					}
					c.send(f)
				}
				c.expectClose(tt.code)
				c.expectEOF()
				c.nc.Close() // the server lingers until the client's side closes
				e := wait(t, out, "the serve function")
				if !errors.Is(e.err, tt.err) {
					t.Errorf("the read failed with %v, want %v", e.err, tt.err)
				}
			})
		}
	})
}

// TestMessageSizeLimit: a message at the limit passes; one byte more
// does not; Unlimited lets a large one through.
func TestMessageSizeLimit(t *testing.T) {
	for _, tt := range []struct {
		limit int64
		size  int
		ok    bool
	}{
		{1000, 1000, true},
		{1000, 1001, false},
		{0, DefaultMaxMessageSize, true},
		{0, DefaultMaxMessageSize + 1, false},
		{httpserver.Unlimited, DefaultMaxMessageSize + 1, true},
	} {
		t.Run(fmt.Sprintf("%d of %d", tt.size, tt.limit), func(t *testing.T) {
			out := make(chan ended, 1)
			ts := serveWS(t, modeTCP, &Options{MaxMessageSize: tt.limit}, echo(out))
			c := ts.connect(t)
			c.send(binary(make([]byte, tt.size)))
			if tt.ok {
				if _, p := c.message(); len(p) != tt.size {
					t.Errorf("echo of %d bytes: %d", tt.size, len(p))
				}
				return
			}
			c.expectClose(StatusMessageTooBig)
		})
	}
}

// TestServerClose: Close sends the server's close frame, waits for the
// client's, and returns nil once it came; without an answer it gives up
// after CloseTimeout.
func TestServerClose(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		closed := make(chan error, 1)
		ts := serveWS(t, m, nil, func(c *Conn) {
			c.WriteMessage(TextMessage, []byte("bye soon"))
			closed <- c.Close(4000, "done")
		})
		c := ts.connect(t)
		if op, p := c.message(); op != ws.OpText || string(p) != "bye soon" {
			t.Fatalf("got %d %q", op, p)
		}
		if reason := c.expectClose(4000); reason != "done" {
			t.Errorf("close reason %q, want \"done\"", reason)
		}
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v before the client answered", err)
		default:
		}
		c.send(closeFrame(4000, ""))
		c.expectEOF()
		if err := wait(t, closed, "Close"); err != nil {
			t.Errorf("Close = %v, want nil: the handshake completed", err)
		}
	})
}

func TestServerCloseUnanswered(t *testing.T) {
	closed := make(chan error, 1)
	ts := serveWS(t, modeTCP, &Options{CloseTimeout: 50 * time.Millisecond}, func(c *Conn) { closed <- c.Close(StatusNormalClosure, "") })
	c := ts.connect(t)
	c.expectClose(StatusNormalClosure)
	c.expectEOF() // the client never answers
	if err := wait(t, closed, "Close"); err == nil {
		t.Errorf("Close = nil, want an error: the client never answered")
	}
}

// TestCloseWhileReading: Close on one goroutine while another reads: the
// reader gets the messages that arrive before the client's close, then
// the client's close; Close returns nil.
func TestCloseWhileReading(t *testing.T) {
	type result struct {
		msgs     []string
		readErr  error
		closeErr error
	}
	out := make(chan result, 1)
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		var res result
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			for {
				_, msg, err := c.ReadMessage()
				if err != nil {
					res.readErr = err
					return
				}
				res.msgs = append(res.msgs, string(msg))
			}
		}()
		for !c.reading.Load() { // the reader is in its read
			runtime.Gosched()
		}
		res.closeErr = c.Close(StatusNormalClosure, "")
		<-readerDone
		out <- res
	})
	c := ts.connect(t)
	c.expectClose(StatusNormalClosure)
	c.send(text("late"), closeFrame(StatusNormalClosure, ""))
	c.expectEOF()
	res := wait(t, out, "the serve function")
	var ce *CloseError
	if !slices.Equal(res.msgs, []string{"late"}) || !errors.As(res.readErr, &ce) || res.closeErr != nil {
		t.Errorf("reader got %q then %v; Close %v; want [late], the client's close, nil", res.msgs, res.readErr, res.closeErr)
	}
}

// TestCloseArguments: a code that may not be sent, or a reason too long
// or not UTF-8, is refused without closing anything.
func TestCloseArguments(t *testing.T) {
	for _, tt := range []struct {
		code   StatusCode
		reason string
		ok     bool
	}{
		{1000, "", true}, {1003, "", true}, {1011, "", true}, {1014, "", true}, {3000, "", true}, {4999, strings.Repeat("x", 123), true},
		{0, "", false}, {999, "", false}, {1004, "", false}, {1005, "", false}, {1006, "", false}, {1015, "", false}, {2999, "", false}, {5000, "", false},
		{1000, strings.Repeat("x", 124), false}, {1000, "\xff", false},
	} {
		if err := checkClose(tt.code, tt.reason); (err == nil) != tt.ok {
			t.Errorf("checkClose(%d, %d bytes) = %v, want ok %v", tt.code, len(tt.reason), err, tt.ok)
		}
	}
}

// TestServePanics: a serve function that panics closes its connection
// with StatusInternalError; the server logs the panic and goes on.
func TestServePanics(t *testing.T) {
	var log syncBuffer
	srv := &httpserver.Server{
		Handler:  Handler(func(c *Conn) { panic("boom") }, nil),
		ErrorLog: slog.New(slog.NewTextHandler(&log, nil)),
	}
	ts := start(t, modeTCP, srv)
	for range 2 {
		c := ts.connect(t)
		c.expectClose(StatusInternalError)
		c.expectEOF()
	}
	if !strings.Contains(log.String(), "boom") {
		t.Errorf("the log has no panic: %q", log.String())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestIdleTimeout: a silent peer is pinged while the server reads; its
// pong keeps the connection; a peer that does not answer is closed with
// StatusGoingAway and the read fails with a deadline error.
//
// The client has half of IdleTimeout to answer each ping: at 600 ms a
// CI machine running every package under -race once took longer (CI at
// ae9a4aa), so the timeout is 3 s, which leaves the test client 1.5 s per
// pong; the test takes about 4.5 s.
func TestIdleTimeout(t *testing.T) {
	out := make(chan ended, 1)
	ts := serveWS(t, modeTCP, &Options{IdleTimeout: 3 * time.Second}, echo(out))
	c := ts.connect(t)
	for range 2 {
		f := c.read()
		if f.h.OpCode != ws.OpPing {
			t.Fatalf("got opcode %d, want a ping", f.h.OpCode)
		}
		c.send(frame{op: ws.OpPong, payload: f.payload})
	}
	// Now silent: the next ping goes unanswered.
	if reason := c.expectClose(StatusGoingAway); reason != "timeout" {
		t.Errorf("close reason %q, want \"timeout\"", reason)
	}
	c.expectEOF()
	c.nc.Close()
	if e := wait(t, out, "the serve function"); !errors.Is(e.err, os.ErrDeadlineExceeded) {
		t.Errorf("the read failed with %v, want a deadline error", e.err)
	}
}

// TestWriteTimeout: a peer that stops reading fails the server's writes
// after WriteTimeout.
func TestWriteTimeout(t *testing.T) {
	failed := make(chan error, 1)
	ts := serveWS(t, modeTCP, &Options{WriteTimeout: 100 * time.Millisecond}, func(c *Conn) {
		msg := make([]byte, 1<<20)
		for {
			if err := c.WriteMessage(BinaryMessage, msg); err != nil {
				failed <- err
				return
			}
		}
	})
	ts.connect(t) // and never read
	if err := wait(t, failed, "a write to fail"); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the write failed with %v, want a deadline error", err)
	}
}

// TestNextReader: a message read in small parts across its fragments; a
// reader left unfinished is discarded by the next NextReader, and then
// fails.
func TestNextReader(t *testing.T) {
	type result struct {
		parts []string
		stale error
	}
	out := make(chan result, 1)
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		var res result
		defer func() { out <- res }()
		_, r, err := c.NextReader()
		if err != nil {
			return
		}
		buf := make([]byte, 2)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				res.parts = append(res.parts, string(buf[:n]))
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
		}
		_, r, _ = c.NextReader()
		r.Read(buf) // and leave the rest
		typ, msg, err := c.ReadMessage()
		res.parts = append(res.parts, fmt.Sprint(typ, ":", string(msg), err))
		_, res.stale = r.Read(buf)
	})
	c := ts.connect(t)
	c.send(
		frame{op: ws.OpText, notFin: true, payload: []byte("abc")},
		frame{op: ws.OpContinuation, payload: []byte("de")},
		text("left unread"),
		binary([]byte("next")),
	)
	res := wait(t, out, "the serve function")
	if want := []string{"ab", "c", "de", "binary:next<nil>"}; !slices.Equal(res.parts, want) {
		t.Errorf("read %q, want %q", res.parts, want)
	}
	if !errors.Is(res.stale, errStaleReader) {
		t.Errorf("the stale reader read %v, want errStaleReader", res.stale)
	}
}

// TestConcurrentWrites: writers on several goroutines, and the reader's
// pongs, never interleave their frames.
func TestConcurrentWrites(t *testing.T) {
	const writers, each = 4, 50
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					msg := bytes.Repeat([]byte{byte('a' + w)}, 100+i*97)
					be.BigEndian.PutUint16(msg, uint16(i))
					if c.WriteMessage(BinaryMessage, msg) != nil {
						return
					}
				}
			})
		}
		c.ReadMessage() // answers pings until the client closes
		wg.Wait()
	})
	c := ts.connect(t)
	next := make([]int, writers)
	for n := 0; n < writers*each; {
		c.send(frame{op: ws.OpPing, payload: []byte{byte(n)}})
		f := c.read()
		if f.h.OpCode == ws.OpPong {
			continue
		}
		n++
		w := int(f.payload[len(f.payload)-1] - 'a')
		i := int(be.BigEndian.Uint16(f.payload))
		if w < 0 || w >= writers || i != next[w] || len(f.payload) != 100+i*97 || bytes.Count(f.payload[2:], f.payload[2:3]) != len(f.payload)-2 {
			t.Fatalf("message %d: writer %d's %d, %d bytes: torn or out of order", n, w, i, len(f.payload))
		}
		next[w]++
	}
	c.send(closeFrame(StatusNormalClosure, ""))
	for {
		f := c.read()
		if f.h.OpCode == ws.OpClose {
			break
		}
	}
}

// TestConnAccessors: what the Conn tells about its handshake.
func TestConnAccessors(t *testing.T) {
	type seen struct {
		path, sub, remote string
		compressed        bool
		ctxLive           bool
	}
	out := make(chan seen, 1)
	ctxDone := make(chan struct{})
	ts := serveWS(t, modeTCP, &Options{Subprotocols: []string{"v1", "v2"}}, func(c *Conn) {
		out <- seen{c.Request().Path, c.Subprotocol(), c.RemoteAddr().String(), c.Compressed(), c.Context().Err() == nil}
		c.ReadMessage()
		<-c.Context().Done()
		close(ctxDone)
	})
	c := ts.handshake(t, upgradeRequest("/room/7", "Sec-WebSocket-Protocol: v2, v1"))
	if got := c.resp.Header.Get("Sec-WebSocket-Protocol"); got != "v2" {
		t.Errorf("Sec-WebSocket-Protocol %q, want v2", got)
	}
	s := wait(t, out, "the serve function")
	if s.path != "/room/7" || s.sub != "v2" || s.remote != c.nc.LocalAddr().String() || s.compressed || !s.ctxLive {
		t.Errorf("the Conn says %+v", s)
	}
	c.send(closeFrame(StatusNormalClosure, ""))
	wait(t, ctxDone, "the Conn's context to be canceled")
}

// TestFramesWithHandshake: frames the client sends right behind its
// handshake, in the same write, reach the Conn (the engine hands them
// over with the connection).
func TestFramesWithHandshake(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		out := make(chan ended, 1)
		ts := serveWS(t, m, nil, echo(out))
		nc := ts.dial(t)
		c := &client{t: t, nc: nc}
		var frames appender
		w := &client{t: t, nc: writerConn{nc, &frames}}
		w.send(text("early"), closeFrame(StatusNormalClosure, ""))
		if _, err := nc.Write(append([]byte(upgradeRequest("/")), frames.b...)); err != nil {
			t.Fatal(err)
		}
		c.br = bufio.NewReader(nc)
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil || resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
			t.Fatalf("handshake: %v %v", resp, err)
		}
		if op, p := c.message(); op != ws.OpText || string(p) != "early" {
			t.Errorf("echo %d %q, want text \"early\"", op, p)
		}
		c.expectClose(StatusNormalClosure)
		c.expectEOF()
		if e := wait(t, out, "the serve function"); len(e.msgs) != 1 {
			t.Errorf("the serve function read %q", e.msgs)
		}
	})
}

// writerConn is a net.Conn whose writes go to a buffer.
type writerConn struct {
	net.Conn
	w io.Writer
}

func (c writerConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// TestReadDeadline: a read past the Conn's own deadline fails, and the
// connection closes with StatusGoingAway.
func TestReadDeadline(t *testing.T) {
	out := make(chan error, 1)
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, _, err := c.ReadMessage()
		out <- err
	})
	c := ts.connect(t)
	c.expectClose(StatusGoingAway)
	c.expectEOF()
	c.nc.Close()
	if err := wait(t, out, "the read"); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the read failed with %v, want a deadline error", err)
	}
}

// TestWriteArguments: what WriteMessage and Ping refuse, sending nothing;
// and a ping that goes.
func TestWriteArguments(t *testing.T) {
	out := make(chan []error, 1)
	ts := serveWS(t, modeTCP, nil, func(c *Conn) {
		out <- []error{
			c.WriteMessage(TextMessage, []byte("\xff")),
			c.WriteMessage(MessageType(9), nil),
			c.Ping(make([]byte, 126)),
			c.Ping([]byte("are you there")),
		}
		c.ReadMessage()
	})
	c := ts.connect(t)
	errs := wait(t, out, "the serve function")
	for i, want := range []error{errNotUTF8, errMessageType, errPingSize, nil} {
		if errs[i] != want {
			t.Errorf("call %d: %v, want %v", i, errs[i], want)
		}
	}
	if f := c.read(); f.h.OpCode != ws.OpPing || string(f.payload) != "are you there" {
		t.Errorf("got opcode %d %q, want the ping", f.h.OpCode, f.payload)
	}
	c.send(closeFrame(StatusNormalClosure, ""))
	c.expectClose(StatusNormalClosure)
}
