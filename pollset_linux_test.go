package httpserver

import (
	"fmt"
	"runtime"
	"testing"
)

// TestPollersLifecycle: a Server makes its pollers as it starts serving,
// one per P unless told otherwise; its connections are spread over them
// in turn, each registered with and parked in its own poller alone; and
// every poller stops once no listener and no connection is left.
func TestPollersLifecycle(t *testing.T) {
	for _, npoll := range []int{0, 1, 4} {
		t.Run(fmt.Sprintf("npoll=%d", npoll), func(t *testing.T) {
			checkNoGoroutineLeak(t)
			srv := &Server{Handler: HandlerFunc(pathHandler), npoll: npoll}
			if n := len(srv.pollers()); n != 0 {
				t.Fatalf("before Serve: got %d pollers, want none", n)
			}
			ts := startE2E(t, srv)
			// (-pollers sets npoll where the test leaves it 0.)
			want := pollerCount(srv.npoll, runtime.GOMAXPROCS(0))
			// The first connection is served once Serve has made the
			// pollers; it takes the first turn.
			warm := dialRaw(t, ts.addr)
			warm.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			ps := srv.pollers()
			if len(ps) != want {
				t.Fatalf("while serving: got %d pollers, want %d", len(ps), want)
			}
			for i, p := range ps {
				if p.maxIdle != idleWorkerBound(want) {
					t.Errorf("poller %d keeps up to %d idle workers, want %d", i, p.maxIdle, idleWorkerBound(want))
				}
			}
			warm.nc.Close()
			pollUntil(t, "the warm-up connection closed", func() bool { return srv.activeConns() == 0 })

			// The next want*2 connections go round, from the second
			// poller: two to each.
			n := 2 * want
			for range n {
				dialRaw(t, ts.addr).roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			}
			pollUntil(t, fmt.Sprintf("%d connections parked", n), func() bool { return srv.parkedConns() == n })
			for i, p := range ps {
				p.mu.Lock()
				for _, c := range p.byFD {
					if c != nil && (c.pk.poll != p || c.pk.reg != p) {
						t.Errorf("poller %d holds a connection of another poller", i)
					}
				}
				p.mu.Unlock()
				if got := p.parkedConns(); got != 2 {
					t.Errorf("poller %d: got %d parked connections, want 2", i, got)
				}
			}

			srv.Close()
			ts.wait()
			pollUntil(t, "every poller stopped", func() bool {
				return srv.activeConns() == 0 && len(srv.pollers()) == 0
			})
			for i, p := range ps {
				select {
				case <-p.done:
				default:
					t.Errorf("poller %d: its goroutine still runs", i)
				}
			}
		})
	}
}
