package httpserver

import (
	"context"
	"net"
	"testing"
)

// TestStats counts a parked connection, one in its handler, and one
// handed over (TakenOver), while they are so.
func TestStats(t *testing.T) { runPollers(t, testStats) }

func testStats(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	parked := make(chan *conn, 4)
	srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
		if req.Path == "/block" {
			close(entered)
			<-release
		}
		return &Response{StatusCode: 200}
	})}
	handedOver := make(chan struct{})
	srv.H2C = func(ctx context.Context, c net.Conn) {
		close(handedOver)
		<-release
	}
	setHooks(t, &hooks{park: parkedAfterServing(srv, parked)})
	ts := startE2E(t, srv)
	idle := ts.dialRaw(t)
	idle.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	recvWithin(t, parked, "the connection to park")
	busy := ts.dialRaw(t)
	busy.send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n")
	<-entered
	h2 := ts.dialRaw(t)
	h2.send(h2Preface)
	<-handedOver
	got := srv.Stats()
	want := Stats{Conns: 3, Parked: 1, Active: 1, TakenOver: 1, Listeners: 1, Ready: true}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	close(release)
	busy.response("GET")
}
