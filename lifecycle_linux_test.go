package httpserver

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests of this file stop a connection inside park or the idle sweep,
// which only the parked mode reaches: they run in that mode alone.

// TestParkInputWhileParking stops a connection in park after it gave up
// its buffers and before it hands itself to the poller, sends the next
// request then, and lets it go on only once the poller has seen that
// input and found the connection still running: park must notice
// (runningWake) and read instead of parking. Deterministic: each step
// waits for the event before it.
func TestParkInputWhileParking(t *testing.T) { runPollers(t, testParkInputWhileParking) }

func testParkInputWhileParking(t *testing.T) {
	var client atomic.Pointer[net.Conn]
	var once sync.Once
	woke := make(chan bool, 16)
	var log stateLog
	srv := &Server{Handler: HandlerFunc(pathHandler)}
	setHooks(t, &hooks{
		state: func(c *conn, from, to connState) {
			if c.srv == srv {
				log.record(c, from, to)
			}
		},
		park: func(c *conn, step int) {
			if c.srv != srv || step != parkStepReleased || c.nreq == 0 {
				return // the wait for the first request
			}
			once.Do(func() {
				io.WriteString(*client.Load(), "GET /second HTTP/1.1\r\nHost: h\r\n\r\n")
				for <-woke {
				} // until the poller saw the input while c was running
				if got := c.pk.own.Load(); got != runningWake {
					t.Errorf("ownership word after input while running: got %d, want runningWake", got)
				}
			})
		},
		wake: func(c *conn, took bool) {
			if c.srv != srv {
				return
			}
			select {
			case woke <- took:
			default:
			}
		},
	})
	ts := startE2E(t, srv)
	rc := dialRaw(t, ts.addr)
	client.Store(&rc.nc)
	rc.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	if r := rc.response("GET"); r.Status != 200 || string(r.Body) != "/second" {
		t.Fatalf("the request sent while parking: got %d %q, want 200 \"/second\"", r.Status, r.Body)
	}
	log.check(t)
	if got := log.pathString(t); !strings.Contains(got, "idle parked idle head") {
		t.Errorf("lifecycle %q: want the park taken back (idle parked idle head)", got)
	}
}

// TestParkShutdownInterleavings stops a connection right after it handed
// itself to the poller, before it checks for a shutdown, and starts a
// shutdown there: either Shutdown's wake takes the connection (it finds it
// parked), or park's own check does (Shutdown found it running). Both must
// close the connection exactly once, and Shutdown must return. In the
// first case park's check also sees the shutdown and loses the race for
// the connection: what this guards is the single close, not that
// closeIfIdle wakes parked connections (TestParkedClosedByShutdownAndClose
// does that).
func TestParkShutdownInterleavings(t *testing.T) { runPollers(t, testParkShutdownInterleavings) }

func testParkShutdownInterleavings(t *testing.T) {
	for _, who := range []string{"Shutdown wakes it", "park sees the shutdown"} {
		t.Run(who, func(t *testing.T) {
			var once sync.Once
			var served sync.Map // conns that had served a request when they released their state
			closes := make(chan struct{}, 4)
			srv := &Server{Handler: HandlerFunc(pathHandler)}
			setHooks(t, &hooks{
				state: func(c *conn, from, to connState) {
					if c.srv == srv && to == stateClosed {
						closes <- struct{}{}
					}
				},
				park: func(c *conn, step int) {
					if c.srv != srv {
						return
					}
					if step == parkStepReleased {
						// c is still this goroutine's: after the CAS to
						// parked (parkStepParked) another may run it, and
						// reading c.nreq then is a race.
						if c.nreq > 0 {
							served.Store(c, true)
						}
						return
					}
					if _, ok := served.Load(c); step != parkStepParked || !ok {
						return
					}
					once.Do(func() {
						c.srv.shutting.Store(true)
						if who == "Shutdown wakes it" {
							c.closeIfIdle() // what Shutdown does next
						}
					})
				},
			})
			ts := startE2E(t, srv)
			rc := dialRaw(t, ts.addr)
			rc.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			rc.expectClosed()
			recvWithin(t, closes, "the connection to close")
			if err := ts.srv.Shutdown(context.Background()); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			select {
			case <-closes:
				t.Fatal("the connection closed twice")
			default:
			}
		})
	}
}

// TestSweepRacesShutdown stops the idle sweep after it found a connection
// parked past its IdleTimeout and before it takes it, and lets Shutdown
// take it there: the sweep must then leave it alone, and the connection
// must close exactly once.
func TestSweepRacesShutdown(t *testing.T) {
	var once sync.Once
	closes := make(chan struct{}, 4)
	swept := make(chan struct{})
	srv := &Server{Handler: HandlerFunc(pathHandler), IdleTimeout: 20 * time.Millisecond}
	setHooks(t, &hooks{
		state: func(c *conn, from, to connState) {
			if c.srv == srv && to == stateClosed {
				closes <- struct{}{}
			}
		},
		sweep: func(c *conn) {
			if c.srv != srv || c.nreq == 0 {
				return
			}
			once.Do(func() {
				c.srv.shutting.Store(true)
				if !c.wakeToClose() { // what Shutdown does to a parked connection
					t.Error("Shutdown could not take the parked connection")
				}
				close(swept)
			})
		},
	})
	ts := startE2E(t, srv)
	rc := dialRaw(t, ts.addr)
	rc.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	recvWithin(t, swept, "the sweep to find the connection")
	rc.expectClosed()
	recvWithin(t, closes, "the connection to close")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case <-closes:
		t.Fatal("the connection closed twice")
	default:
	}
}
