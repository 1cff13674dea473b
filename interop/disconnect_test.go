package interop

// A client that goes away while its handler runs: net/http cancels the
// request's context (its background read sees the EOF), and a handler
// waiting on r.Context().Done() returns early. The engine's own
// cancellation on disconnect is being added on another branch; until it
// is on this one the tests below skip, saying so (see
// skipUnlessEngineCancels).

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// probeTimeout bounds the probe of the engine's cancellation: a client
// disconnect is seen at once (the socket becomes readable with EOF), so a
// probe that waits this long has found the feature missing.
const probeTimeout = 5 * time.Second

var (
	probeOnce     sync.Once
	engineCancels bool
)

// skipUnlessEngineCancels skips t unless the engine (without nethttp)
// cancels a request's context when its client disconnects while the
// handler runs. The probe runs once per process.
func skipUnlessEngineCancels(t *testing.T) {
	t.Helper()
	probeOnce.Do(func() { engineCancels = probeEngineCancels(t) })
	if !engineCancels {
		t.Skip("the engine does not cancel a request's context when the client disconnects " +
			"(Request.Context on disconnect: being added on the h-cancel branch); " +
			"this test runs once that is merged")
	}
}

func probeEngineCancels(t *testing.T) bool {
	started, returned := make(chan struct{}), make(chan struct{})
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		close(started)
		<-req.Context().Done()
		close(returned)
		return &httpserver.Response{StatusCode: 200}
	})}
	ln := listen(t)
	go srv.Serve(ln)
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /probe HTTP/1.1\r\nHost: probe\r\n\r\n")
	wait(t, started, "the probe's handler to start")
	c.Close()
	select {
	case <-returned:
		return true
	case <-time.After(probeTimeout):
		return false
	}
}

// TestDisconnectCancels: a handler blocked on its request's context
// returns once the client closes its connection, with context.Canceled.
func TestDisconnectCancels(t *testing.T) {
	started := make(chan struct{}, 1)
	observed := make(chan error, 1)
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-r.Context().Done():
			observed <- r.Context().Err()
		case <-time.After(2 * failAfter):
			observed <- errors.New("the context was not canceled")
		}
	}))
	p.each(t, func(t *testing.T, s *server) {
		if s == p.ours {
			skipUnlessEngineCancels(t)
		}
		c := dial(t, s)
		io.WriteString(c, get("/wait"))
		wait(t, started, "the handler to start")
		c.Close()
		if err := wait(t, observed, "the handler to see its context canceled"); !errors.Is(err, context.Canceled) {
			t.Errorf("the handler's context ended with %v, want context.Canceled", err)
		}
	})
}
