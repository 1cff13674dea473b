package httpserver_test

import (
	"net"

	"github.com/gohttpserver/httpserver"
)

// serveOnLoopback serves srv on a fresh 127.0.0.1 port in the background
// and returns the listener and its address.
func serveOnLoopback(srv *httpserver.Server) (net.Listener, string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	return l, l.Addr().String()
}
