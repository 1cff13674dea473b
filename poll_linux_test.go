package httpserver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// parkedAfterServing is a park hook that sends each of srv's
// connections to ch once it is parked after serving a request. A new
// connection parks too when its first read finds nothing yet, before
// its first request has arrived, and a test waiting for "parked after the
// first response" must not take that earlier park for it. c.nreq is read
// at parkStepReleased, while c's goroutine still owns c: after the CAS
// to parked another goroutine may be running it.
func parkedAfterServing(srv *Server, ch chan<- *conn) func(c *conn, step int) {
	var served sync.Map // *conn -> nreq at its last parkStepReleased
	return func(c *conn, step int) {
		if c.srv != srv {
			return
		}
		switch step {
		case parkStepReleased:
			served.Store(c, c.nreq)
		case parkStepParked:
			if n, ok := served.Load(c); ok && n.(int) > 0 {
				ch <- c
			}
		}
	}
}

// idleWorkers reports how many idle workers s's pollers keep.
func (s *Server) idleWorkers() int {
	n := 0
	for _, p := range s.pollers() {
		p.wmu.Lock()
		n += p.nidleW
		p.wmu.Unlock()
	}
	return n
}

// parkedConns reports how many connections are parked in s's pollers.
func (s *Server) parkedConns() int {
	n := 0
	for _, p := range s.pollers() {
		n += p.parkedConns()
	}
	return n
}

// parkedConns reports how many connections are parked in p.
func (p *poller) parkedConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.byFD {
		if c != nil && c.pk.own.Load() == parked {
			n++
		}
	}
	return n
}

// pollers returns the pollers s runs (none once they stopped).
func (s *Server) pollers() []*poller {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*poller(nil), s.polls.ps...)
}

// busyGoroutines counts the goroutines other than s's idle workers.
func busyGoroutines(s *Server) int { return runtime.NumGoroutine() - s.idleWorkers() }

// The tests of this file are of parking, which only the parked mode
// does: they run in that mode alone.

// TestParkIdleConnsHoldNoGoroutine: keep-alive connections waiting for
// their next request are parked, without a goroutine each, and are served
// when the request comes.
func TestParkIdleConnsHoldNoGoroutine(t *testing.T) { runPollers(t, testParkIdleConnsHoldNoGoroutine) }

func testParkIdleConnsHoldNoGoroutine(t *testing.T) {
	checkNoGoroutineLeak(t)
	ts := serveE2E(t, pathHandler)
	const n = 64
	// Once the server has served a connection, its poller and clock run.
	warm := dialRaw(t, ts.addr)
	warm.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	warm.nc.Close()
	pollUntil(t, "the warm-up connection closed", func() bool { return ts.srv.activeConns() == 0 })
	base := busyGoroutines(ts.srv)
	clients := make([]*rawClient, n)
	for i := range clients {
		clients[i] = dialRaw(t, ts.addr)
		if r := clients[i].roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Fatalf("client %d: got %d, want 200", i, r.Status)
		}
	}
	pollUntil(t, fmt.Sprintf("%d connections parked and their goroutines gone", n), func() bool {
		return ts.srv.parkedConns() == n && busyGoroutines(ts.srv) <= base
	})
	for round := range 3 {
		for i, rc := range clients {
			r := rc.roundTrip(fmt.Sprintf("GET /r%d HTTP/1.1\r\nHost: h\r\n\r\n", round), "GET")
			if got, want := string(r.Body), fmt.Sprintf("/r%d", round); r.Status != 200 || got != want {
				t.Fatalf("client %d round %d: got %d %q, want 200 %q", i, round, r.Status, got, want)
			}
		}
	}
	pollUntil(t, "the connections parked again", func() bool { return ts.srv.parkedConns() == n })
	if w := ts.srv.idleWorkers(); w > maxIdleWorkers {
		t.Errorf("idle workers: got %d, want at most %d", w, maxIdleWorkers)
	}
}

// TestParkNoLostWakeup sends requests on several connections at once, each
// split at a random point into two writes, in a tight loop: input that
// arrives while the connection is running (before it parks) must not be
// left unread. A lost wakeup hangs a client until hangGuard.
func TestParkNoLostWakeup(t *testing.T) { runPollers(t, testParkNoLostWakeup) }

func testParkNoLostWakeup(t *testing.T) {
	checkNoGoroutineLeak(t)
	ts := serveE2E(t, pathHandler)
	const conns, reqs = 8, 300
	errs := make(chan error, conns)
	for i := range conns {
		rc := dialRaw(t, ts.addr)
		go func() {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for j := range reqs {
				req := fmt.Sprintf("GET /c%d/%d HTTP/1.1\r\nHost: h\r\n\r\n", i, j)
				cut := rng.IntN(len(req) + 1)
				if _, err := rc.nc.Write([]byte(req[:cut])); err != nil {
					errs <- err
					return
				}
				if cut < len(req) {
					if _, err := rc.nc.Write([]byte(req[cut:])); err != nil {
						errs <- err
						return
					}
				}
				r, err := readRawResponse(rc.br, "GET", nil)
				if err != nil {
					errs <- fmt.Errorf("conn %d request %d: %v", i, j, err)
					return
				}
				if want := fmt.Sprintf("/c%d/%d", i, j); r.Status != 200 || string(r.Body) != want {
					errs <- fmt.Errorf("conn %d request %d: got %d %q, want 200 %q", i, j, r.Status, r.Body, want)
					return
				}
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := recvWithin(t, errs, "a client"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestParkedClosedByShutdownAndClose: parked connections have no goroutine
// to notice a deadline; Shutdown and Close must wake them to close.
func TestParkedClosedByShutdownAndClose(t *testing.T) {
	runPollers(t, testParkedClosedByShutdownAndClose)
}

func testParkedClosedByShutdownAndClose(t *testing.T) {
	for _, how := range []string{"Shutdown", "Close"} {
		t.Run(how, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			ts := serveE2E(t, pathHandler)
			const n = 8
			clients := make([]*rawClient, n)
			for i := range clients {
				clients[i] = dialRaw(t, ts.addr)
				clients[i].roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			}
			pollUntil(t, "the connections parked", func() bool { return ts.srv.parkedConns() == n })
			if how == "Shutdown" {
				ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
				defer cancel()
				if err := ts.srv.Shutdown(ctx); err != nil {
					t.Fatalf("Shutdown: %v", err)
				}
			} else {
				ts.srv.Close()
			}
			for _, rc := range clients {
				rc.expectClosed()
			}
			ts.wait()
			pollUntil(t, "the poller stopped, with no listener and no connection left", func() bool {
				return ts.srv.activeConns() == 0 && len(ts.srv.pollers()) == 0
			})
		})
	}
}

// TestParkedIdleTimeout: the sweep closes a parked connection after
// IdleTimeout, and a new connection that sends nothing. IdleTimeout also
// bounds the wait for the first request, so it is generous: the request
// arrives in time however busy the machine, and the test waits for the
// closes, not for the time.
func TestParkedIdleTimeout(t *testing.T) { runPollers(t, testParkedIdleTimeout) }

func testParkedIdleTimeout(t *testing.T) {
	checkNoGoroutineLeak(t)
	ts := startE2E(t, &Server{IdleTimeout: generousTimeout, Handler: HandlerFunc(pathHandler)})
	used := dialRaw(t, ts.addr)
	used.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	silent := dialRaw(t, ts.addr)
	used.expectClosed()
	silent.expectClosed()
}

// TestRetireIdleWorkers: workers idle for workerIdleTimeout exit, the
// most recently idle ones stay.
func TestRetireIdleWorkers(t *testing.T) {
	p := &poller{}
	var ws []*worker
	for i := range 4 {
		w := &worker{ch: make(chan *conn, 1), since: time.Duration(i) * time.Second}
		w.next, p.idleW = p.idleW, w // pushed in order: the list is newest first
		p.nidleW++
		ws = append(ws, w)
	}
	p.wmu.Lock()
	p.retireWorkersLocked(workerIdleTimeout + 1500*time.Millisecond)
	p.wmu.Unlock()
	if p.nidleW != 2 {
		t.Errorf("idle workers after retiring: got %d, want 2", p.nidleW)
	}
	for i, w := range ws {
		retired := len(w.ch) == 1
		if want := i < 2; retired != want {
			t.Errorf("worker idle since %ds: retired %v, want %v", i, retired, want)
		}
	}
	if p.idleW != ws[3] || ws[3].next != ws[2] || ws[2].next != nil {
		t.Errorf("the list does not hold exactly the two newest workers")
	}
}
