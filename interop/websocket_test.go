package interop

// WebSocket servers of two libraries, each through FromHTTP and on
// net/http, driven by the same library's client: the upgrade (gorilla
// writes its 101 itself on the hijacked connection; coder sends it with
// WriteHeader(101) and then hijacks), text and binary messages with
// permessage-deflate negotiated, and the close handshake.

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net/http"
	"strings"
	"testing"

	coder "github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gorilla/handlers"
	"github.com/gorilla/websocket"
)

// wsKey is a fixed Sec-WebSocket-Key, so that the handshakes' answers can
// be compared byte for byte (Sec-WebSocket-Accept is derived from it).
const wsKey = "dGhlIHNhbXBsZSBub25jZQ=="

// wsUpgrade is a raw upgrade request offering permessage-deflate.
func wsUpgrade(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: interop.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + wsKey + "\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
}

// wsMessages are sent, each echoed and checked: text and binary, empty,
// and one large and compressible (several frames' worth, and more than
// either server's buffers).
var wsMessages = []struct {
	text bool
	data []byte
}{
	{true, []byte("hello, websocket")},
	{false, []byte{0, 1, 2, 0xfe, 0xff}},
	{true, []byte{}},
	{true, []byte(strings.Repeat("compressible text; ", 10000))},
	{false, bytes.Repeat([]byte{7, 0, 7}, 50000)},
}

// gorillaEcho echoes every message with compression enabled, and reports
// how the connection ended on closed.
func gorillaEcho(closed chan<- error) http.Handler {
	up := websocket.Upgrader{EnableCompression: true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			closed <- err
			return
		}
		defer c.Close()
		c.EnableWriteCompression(true)
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				closed <- err
				return
			}
			if err := c.WriteMessage(mt, msg); err != nil {
				closed <- err
				return
			}
		}
	})
}

func TestGorillaWebSocket(t *testing.T) {
	closed := make(chan error, 2)
	p := newPair(t, gorillaEcho(closed))

	// The handshake, byte for byte.
	p.diff(t, wsUpgrade("/ws"), compareOptions{})
	for range 2 {
		wait(t, closed, "the handshake's connection to end")
	}
	// A request that is not an upgrade is refused by gorilla itself.
	p.diff(t, get("/ws"), compareOptions{})
	for range 2 {
		wait(t, closed, "the refused upgrade to be reported")
	}

	p.each(t, func(t *testing.T, s *server) {
		d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: failAfter}
		c, resp, err := d.Dial("ws://"+s.addr+"/ws", nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
			t.Errorf("permessage-deflate not negotiated: Sec-WebSocket-Extensions %q", ext)
		}
		c.EnableWriteCompression(true)
		for _, m := range wsMessages {
			mt := websocket.BinaryMessage
			if m.text {
				mt = websocket.TextMessage
			}
			if err := c.WriteMessage(mt, m.data); err != nil {
				t.Fatalf("write: %v", err)
			}
			gt, got, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if gt != mt || !bytes.Equal(got, m.data) {
				t.Errorf("echo of a %d-byte message of type %d: %d bytes of type %d", len(m.data), mt, len(got), gt)
			}
		}
		// The close handshake: the server answers our close frame with its
		// own, and its handler sees the code we sent.
		if err := c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")); err != nil {
			t.Fatalf("close: %v", err)
		}
		_, _, err = c.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Errorf("after our close frame, the client read %v; want the server's close frame (1000)", err)
		}
		var ce *websocket.CloseError
		if err := wait(t, closed, "the server to see the close"); !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure || ce.Text != "bye" {
			t.Errorf("the server's handler ended with %v, want a close 1000 \"bye\"", err)
		}
	})
}

// coderEcho echoes every message with compression (context takeover), and
// reports how the connection ended on closed.
func coderEcho(closed chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, &coder.AcceptOptions{CompressionMode: coder.CompressionContextTakeover})
		if err != nil {
			closed <- err
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		ctx := context.Background()
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				closed <- err
				return
			}
			if err := c.Write(ctx, typ, msg); err != nil {
				closed <- err
				return
			}
		}
	})
}

func TestCoderWebSocket(t *testing.T) {
	closed := make(chan error, 2)
	p := newPair(t, coderEcho(closed))

	p.diff(t, wsUpgrade("/ws"), compareOptions{})
	for range 2 {
		wait(t, closed, "the handshake's connection to end")
	}
	p.diff(t, get("/ws"), compareOptions{})
	for range 2 {
		wait(t, closed, "the refused upgrade to be reported")
	}

	p.each(t, func(t *testing.T, s *server) {
		ctx, cancel := context.WithTimeout(context.Background(), failAfter)
		defer cancel()
		c, resp, err := coder.Dial(ctx, "ws://"+s.addr+"/ws", &coder.DialOptions{CompressionMode: coder.CompressionContextTakeover})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
			t.Errorf("permessage-deflate not negotiated: Sec-WebSocket-Extensions %q", ext)
		}
		for _, m := range wsMessages {
			typ := coder.MessageBinary
			if m.text {
				typ = coder.MessageText
			}
			if err := c.Write(ctx, typ, m.data); err != nil {
				t.Fatalf("write: %v", err)
			}
			gt, got, err := c.Read(ctx)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if gt != typ || !bytes.Equal(got, m.data) {
				t.Errorf("echo of a %d-byte message of type %v: %d bytes of type %v", len(m.data), typ, len(got), gt)
			}
		}
		// Close sends our close frame and waits for the server's.
		if err := c.Close(coder.StatusNormalClosure, "bye"); err != nil {
			t.Errorf("the close handshake: %v", err)
		}
		err = wait(t, closed, "the server to see the close")
		var ce coder.CloseError
		if !errors.As(err, &ce) || ce.Code != coder.StatusNormalClosure || ce.Reason != "bye" {
			t.Errorf("the server's handler ended with %v, want a close 1000 \"bye\"", err)
		}
	})
}

// TestWebSocketBehindMiddleware: an upgrade through the ResponseWriter
// wrappers of chi's request logger and gorilla's logging handler, which
// must keep the Hijacker of the writer they wrap.
func TestWebSocketBehindMiddleware(t *testing.T) {
	closed := make(chan error, 2)
	logs := new(syncBuffer)
	chiStack := chi.NewRouter()
	chiStack.Use(middleware.RequestLogger(&chiLogFormatter{middleware.DefaultLogFormatter{
		Logger: log.New(logs, "", 0), NoColor: true,
	}}), middleware.Recoverer)
	chiStack.Handle("/ws", gorillaEcho(closed))
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"chi", chiStack},
		{"gorilla handlers", handlers.LoggingHandler(logs, gorillaEcho(closed))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.h)
			p.each(t, func(t *testing.T, s *server) {
				d := websocket.Dialer{HandshakeTimeout: failAfter}
				c, _, err := d.Dial("ws://"+s.addr+"/ws", nil)
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				defer c.Close()
				if err := c.WriteMessage(websocket.TextMessage, []byte("through middleware")); err != nil {
					t.Fatal(err)
				}
				if _, msg, err := c.ReadMessage(); err != nil || string(msg) != "through middleware" {
					t.Errorf("echo: %q, %v", msg, err)
				}
				c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				if !websocket.IsCloseError(wait(t, closed, "the server to see the close"), websocket.CloseNormalClosure) {
					t.Errorf("the server's handler did not see a normal close")
				}
			})
		})
	}
}
