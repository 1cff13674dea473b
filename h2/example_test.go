package h2_test

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
)

// Configure turns HTTP/2 on for a Server: over TLS (ALPN "h2") always,
// and here over cleartext too (H2C), which Go's client speaks with prior
// knowledge when asked to.
func ExampleConfigure() {
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "hello over " + h2.Proto(req) + "\n"}
	})}
	if err := h2.Configure(srv, &h2.Config{H2C: true}); err != nil {
		fmt.Println(err)
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Close()

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + l.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Proto, ": ", string(body))
	// Output: HTTP/2.0: hello over HTTP/2.0
}
