package metrics_test

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/metrics"
)

// printer is an Observer that prints what it is told, as the start and
// end of a span would record it.
type printer struct{ done chan struct{} }

func (p printer) Start(s metrics.Start) {
	fmt.Println("start:", s.Method, s.Request.Path, s.Proto)
}

func (p printer) Done(d metrics.Done) {
	fmt.Println("done:", d.Method, d.Entry.Request.Path, d.Proto, d.Entry.Status, d.Class, d.Entry.Bytes, "bytes")
	close(p.done)
}

// Instrument tells an Observer of each request: as its handler starts,
// and once its response has ended, with the labels a metric may carry
// reduced to bounded sets.
func ExampleInstrument() {
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "hello\n"}
	})}
	p := printer{done: make(chan struct{})}
	metrics.Instrument(srv, p) // before Serve (and h2.Configure)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Close()

	resp, err := http.Get("http://" + l.Addr().String() + "/greeting")
	if err != nil {
		fmt.Println(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	<-p.done // Done comes once the response has ended, which the client may see first
	// Output:
	// start: GET /greeting HTTP/1.1
	// done: GET /greeting HTTP/1.1 200 2xx 6 bytes
}
