package interop

// The examples are named Example_chi and Example_webSocket rather than
// ExampleChi and ExampleWebSocket: go vet requires the part after
// "Example" to name an identifier of the package, and this package (tests
// only) has none; a lower-case suffix is the form for a package's own
// examples.

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gorilla/websocket"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
)

// A chi router, with its middleware, served by the engine.
func Example_chi() {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Get("/hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", chi.URLParam(r, "name"))
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &httpserver.Server{Handler: nethttp.FromHTTP(r)}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/hello/gopher")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status)
	fmt.Print(string(body))
	// Output:
	// 200 OK
	// hello, gopher
}

// A gorilla/websocket echo server served by the engine, and gorilla's
// client talking to it.
func Example_webSocket() {
	var upgrader websocket.Upgrader
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil) // hijacks the engine's connection
		if err != nil {
			return // Upgrade has answered the client
		}
		defer c.Close()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return // the client closed, or went away
			}
			if err := c.WriteMessage(mt, msg); err != nil {
				return
			}
		}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &httpserver.Server{Handler: nethttp.FromHTTP(echo)}
	go srv.Serve(ln)
	defer srv.Close()

	c, resp, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/echo", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(resp.Status)
	if err := c.WriteMessage(websocket.TextMessage, []byte("hello, websocket")); err != nil {
		log.Fatal(err)
	}
	_, msg, err := c.ReadMessage()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(msg))
	c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_, _, err = c.ReadMessage()
	fmt.Println(websocket.IsCloseError(err, websocket.CloseNormalClosure))
	// Output:
	// 101 Switching Protocols
	// hello, websocket
	// true
}
