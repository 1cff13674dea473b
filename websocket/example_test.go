package websocket_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
	"github.com/gohttpserver/httpserver/websocket"
)

// An echo server on a Mux route, and a client (gobwas/ws's) talking to
// it.
func Example() {
	mux := httpserver.NewMux()
	mux.Route("GET /echo", websocket.Handler(func(c *websocket.Conn) {
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil {
				return // the client closed (a *websocket.CloseError), or the connection failed
			}
			if err := c.WriteMessage(typ, msg); err != nil {
				return
			}
		}
	}, nil))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &httpserver.Server{Handler: mux}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background()) // says going away to open connections, and waits for them

	conn, _, _, err := ws.Dial(context.Background(), "ws://"+l.Addr().String()+"/echo")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if err := wsutil.WriteClientText(conn, []byte("hello")); err != nil {
		log.Fatal(err)
	}
	msg, err := wsutil.ReadServerText(conn)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", msg)
	// Output:
	// hello
}

// A handler that checks a token before it accepts the handshake, and
// chooses a subprotocol and compression.
func ExampleAccept() {
	opts := &websocket.Options{
		Subprotocols: []string{"chat.v2", "chat.v1"},
		Compression:  websocket.CompressionNoContext,
	}
	chat := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		if req.QueryDict.Get("token") != "secret" {
			return &httpserver.Response{StatusCode: 401, Message: "who are you?\n"}
		}
		return websocket.Accept(req, opts, func(c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte("welcome, speaking "+c.Subprotocol()))
			c.Close(websocket.StatusNormalClosure, "that was all")
		})
	})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &httpserver.Server{Handler: chat}
	go srv.Serve(l)
	defer srv.Close()
	url := "ws://" + l.Addr().String() + "/chat"

	// Without the token: the handler's own refusal.
	if _, _, _, err := ws.Dial(context.Background(), url); err != nil {
		fmt.Println("refused:", err)
	}

	d := ws.Dialer{Protocols: []string{"chat.v1", "chat.v2"}}
	conn, br, hs, err := d.Dial(context.Background(), url+"?token=secret")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	// The frames the server sent at once may have come with the
	// handshake's answer, into the dialer's buffer: read them from there.
	var rw io.ReadWriter = conn
	if br != nil {
		rw = struct {
			io.Reader
			io.Writer
		}{br, conn}
	}
	msg, err := wsutil.ReadServerText(rw)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (handshake: %s)\n", msg, hs.Protocol)
	_, err = wsutil.ReadServerText(rw) // the server's close frame; the client answers it
	fmt.Println(err)
	// Output:
	// refused: unexpected HTTP response status: 401
	// welcome, speaking chat.v1 (handshake: chat.v1)
	// ws closed: 1000 that was all
}

// OriginAllowed is the default origin check: the request's own host,
// and the patterns given. A CheckOrigin of one's own can build on it.
func ExampleOriginAllowed() {
	for _, origin := range []string{"https://example.com", "https://app.example.com", "https://evil.test", ""} {
		req := httpservertest.NewRequest("GET", "/ws", nil) // Host: example.com
		if origin != "" {
			req.Headers.Set("Origin", origin)
		}
		fmt.Printf("%q: %v\n", origin, websocket.OriginAllowed(req, "*.example.com"))
	}
	// Output:
	// "https://example.com": true
	// "https://app.example.com": true
	// "https://evil.test": false
	// "": true
}
