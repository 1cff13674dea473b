package httpserver

import (
	"sync"
	"sync/atomic"
	"time"
)

// The hot path needs the time for two things: the Date field, which
// changes once a second, and deadlines, which are timeouts of seconds. On
// the machine we measured, reading the clock and re-arming deadlines was
// 7-9% of the plaintext CPU profile (five clock reads and two timer
// updates per request; docs/PERFORMANCE.md, "What each optimisation
// bought", has the profiles before and after). A coarse clock, advanced by one
// goroutine every clockTick while any server is serving, replaces the
// reads; deadlines are re-armed only when they have drifted (armDeadline).
const clockTick = 10 * time.Millisecond

// clockBase anchors coarse times; it carries a monotonic reading, so
// deadlines derived from it are immune to wall-clock steps.
var clockBase = time.Now()

var clock struct {
	mu      sync.Mutex // guards users, stop, done
	users   int        // servers serving (Serve calls running)
	stop    chan struct{}
	done    chan struct{}
	running atomic.Bool
	mono    atomic.Int64 // time since clockBase, as of the last tick
}

// clockStart registers a user of the coarse clock, starting its goroutine
// for the first one.
func clockStart() {
	clock.mu.Lock()
	defer clock.mu.Unlock()
	clock.users++
	if clock.users > 1 {
		return
	}
	clockUpdate()
	clock.stop = make(chan struct{})
	clock.done = make(chan struct{})
	clock.running.Store(true)
	go clockRun(clock.stop, clock.done)
}

// clockStop unregisters a user; the last one stops the goroutine and waits
// for it to exit.
func clockStop() {
	clock.mu.Lock()
	defer clock.mu.Unlock()
	clock.users--
	if clock.users > 0 {
		return
	}
	clock.running.Store(false)
	close(clock.stop)
	<-clock.done
}

func clockRun(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			clockUpdate()
		case <-stop:
			return
		}
	}
}

func clockUpdate() {
	now := time.Now()
	clock.mono.Store(int64(now.Sub(clockBase)))
	refreshDate(now)
}

// coarseNow returns the time as an offset from clockBase: the coarse
// clock's (at most clockTick old) while it runs, else the exact time.
func coarseNow() time.Duration {
	if clock.running.Load() {
		return time.Duration(clock.mono.Load())
	}
	return time.Since(clockBase)
}

// armDeadline decides whether a deadline d from now needs arming, given
// the deadline armed already (as an offset from clockBase; 0 if none),
// and returns the one to arm. Re-arming costs a system call and a timer
// update, so a deadline armed a little earlier is kept: on a keep-alive
// connection the one set for the previous request is nearly always still
// good. A deadline is armed with slack (d/16, plus clockTick for the coarse
// clock's lag) and kept while it lies at least d ahead, so a timeout never
// fires early: it fires between d and d + d/16 + clockTick after the last
// call. force re-arms regardless (after Shutdown has moved a deadline
// behind our back).
func armDeadline(armed, d time.Duration, force bool) (time.Duration, bool) {
	earliest := coarseNow() + clockTick + d
	if !force && armed >= earliest && armed <= earliest+d/16 {
		return 0, false
	}
	return earliest + d/16, true
}
