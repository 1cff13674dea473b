package interop

// This module's own websocket package as the server, and the clients of
// gorilla/websocket and coder/websocket: the handshake, text and binary
// messages with permessage-deflate negotiated (in both of the server's
// modes, and with each client's own), the close handshake begun by either
// side.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"

	"github.com/gohttpserver/httpserver"
	ourws "github.com/gohttpserver/httpserver/websocket"
)

// ourEcho echoes every message; on "close please" it closes the
// connection itself, with 4001. It reports how the connection ended.
func ourEcho(ended chan<- error) func(*ourws.Conn) {
	return func(c *ourws.Conn) {
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil {
				ended <- err
				return
			}
			if string(msg) == "close please" {
				ended <- c.Close(4001, "as asked")
				return
			}
			if err := c.WriteMessage(typ, msg); err != nil {
				ended <- err
				return
			}
		}
	}
}

// serveOurs serves h on a fresh port until the test ends.
func serveOurs(t *testing.T, h httpserver.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpserver.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

func TestOurWebSocketServer(t *testing.T) {
	for _, mode := range []struct {
		name string
		c    ourws.Compression
	}{
		{"no context", ourws.CompressionNoContext},
		{"context takeover", ourws.CompressionContextTakeover},
	} {
		t.Run(mode.name, func(t *testing.T) {
			ended := make(chan error, 1)
			addr := serveOurs(t, ourws.Handler(ourEcho(ended), &ourws.Options{Compression: mode.c}))
			url := "ws://" + addr + "/echo"

			t.Run("gorilla", func(t *testing.T) {
				for _, serverCloses := range []bool{false, true} {
					t.Run(fmt.Sprintf("server closes=%v", serverCloses), func(t *testing.T) {
						d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: failAfter}
						c, resp, err := d.Dial(url, nil)
						if err != nil {
							t.Fatalf("dial: %v", err)
						}
						defer c.Close()
						if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
							t.Errorf("permessage-deflate not negotiated: %q", ext)
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
						if serverCloses {
							c.WriteMessage(websocket.TextMessage, []byte("close please"))
							_, _, err := c.ReadMessage() // gorilla answers the close frame itself
							if !websocket.IsCloseError(err, 4001) {
								t.Errorf("the client read %v, want the server's close 4001", err)
							}
							if err := wait(t, ended, "the server's Close"); err != nil {
								t.Errorf("the server's Close = %v, want nil: the handshake completed", err)
							}
							return
						}
						c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
						if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
							t.Errorf("after our close frame, the client read %v; want the server's close (1000)", err)
						}
						var ce *ourws.CloseError
						if err := wait(t, ended, "the server to see the close"); !errors.As(err, &ce) || ce.Code != ourws.StatusNormalClosure || ce.Reason != "bye" {
							t.Errorf("the server's read ended with %v, want a close 1000 \"bye\"", err)
						}
					})
				}
			})

			t.Run("coder", func(t *testing.T) {
				for _, cc := range []struct {
					mode coder.CompressionMode
					name string
				}{
					{coder.CompressionNoContextTakeover, "no context"},
					{coder.CompressionContextTakeover, "context takeover"},
				} {
					cm, name := cc.mode, cc.name
					for _, serverCloses := range []bool{false, true} {
						t.Run(fmt.Sprintf("client %s, server closes=%v", name, serverCloses), func(t *testing.T) {
							ctx, cancel := context.WithTimeout(context.Background(), failAfter)
							defer cancel()
							c, resp, err := coder.Dial(ctx, url, &coder.DialOptions{CompressionMode: cm})
							if err != nil {
								t.Fatalf("dial: %v", err)
							}
							defer c.CloseNow()
							c.SetReadLimit(1 << 20)
							if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
								t.Errorf("permessage-deflate not negotiated: %q", ext)
							}
							// Twice over: with context takeover, the
							// second round is compressed against the
							// first on both sides.
							for range 2 {
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
							}
							if serverCloses {
								c.Write(ctx, coder.MessageText, []byte("close please"))
								_, _, err := c.Read(ctx)
								if coder.CloseStatus(err) != 4001 {
									t.Errorf("the client read %v, want the server's close 4001", err)
								}
								if err := wait(t, ended, "the server's Close"); err != nil {
									t.Errorf("the server's Close = %v, want nil: the handshake completed", err)
								}
								return
							}
							if err := c.Close(coder.StatusNormalClosure, "bye"); err != nil {
								t.Errorf("the close handshake: %v", err)
							}
							var ce *ourws.CloseError
							if err := wait(t, ended, "the server to see the close"); !errors.As(err, &ce) || ce.Code != ourws.StatusNormalClosure || ce.Reason != "bye" {
								t.Errorf("the server's read ended with %v, want a close 1000 \"bye\"", err)
							}
						})
					}
				}
			})
		})
	}
}
