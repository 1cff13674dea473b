package prom

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
	"github.com/gohttpserver/httpserver/metrics"
)

// TestCollectorHTTP2Errors: with CountHTTP2Error as h2.Config.CountError,
// a connection that breaks the protocol is counted by x/net/http2's name
// for the error, and no request is.
func TestCollectorHTTP2Errors(t *testing.T) {
	// x/net/http2 logs each connection error too: not here.
	srv := &httpserver.Server{Handler: testHandler(nil, nil), ErrorLog: slog.New(slog.DiscardHandler)}
	c := NewCollector(srv)
	metrics.Instrument(srv, c)
	if err := h2.Configure(srv, &h2.Config{H2C: true, CountError: c.CountHTTP2Error}); err != nil {
		t.Fatal(err)
	}
	addr := serve(t, srv)
	maddr := metricsServer(t, c)
	checkSeries(t, scrape(t, maddr), "httpserver_http2_errors_total")

	for range 2 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, http2.ClientPreface)
		fr := http2.NewFramer(nc, nc)
		fr.WriteSettings()
		fr.WriteData(1, true, []byte("x")) // on a stream never opened
		// The count is made before the GOAWAY is sent.
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatalf("no GOAWAY: %v", err)
			}
			if _, ok := f.(*http2.GoAwayFrame); ok {
				break
			}
		}
		nc.Close()
	}
	fams := scrape(t, maddr)
	checkSeries(t, fams, "httpserver_http2_errors_total", `{type="conn_PROTOCOL_ERROR_data_on_idle"} 2`)
	checkSeries(t, fams, "httpserver_requests_total")
}
