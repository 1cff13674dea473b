package httpserver

import (
	"testing"
	"time"
)

// fakeParked returns a poller holding n parked connections that have no
// socket, as registerWith would record them, each with an idle deadline
// of deadline (a coarseNow value). Only the sweep may be run on it: its
// epoll descriptor is not made.
func fakeParked(n int, deadline time.Duration) *poller {
	p := &poller{srv: &Server{}}
	p.initSweep()
	for fd := range n {
		c := &conn{srv: p.srv}
		c.pk.deadline.Store(int64(deadline))
		c.pk.own.Store(parked)
		p.fakeRegister(c, fd)
	}
	return p
}

// fakeRegister records c under descriptor fd as registerWith does, without
// the epoll system call.
func (p *poller) fakeRegister(c *conn, fd int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for fd >= len(p.byFD) {
		p.byFD = append(p.byFD, nil)
	}
	p.nextID++
	c.pk.id, c.pk.fd, c.pk.reg, c.pk.poll = p.nextID, int32(fd), p, p
	p.byFD[fd] = c
	p.wheel.add(c, coarseNow()+p.srv.idleTimeout()-p.interval)
}

// BenchmarkSweepParked100k is one idle sweep over 100,000 parked
// connections of which none is due: what the poller pays every
// sweepInterval (at most a second) for holding them.
func BenchmarkSweepParked100k(b *testing.B) {
	p := fakeParked(100_000, coarseNow()+time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		p.sweep()
	}
}

// TestSweepLook: what the sweep does with a connection the idle wheel has
// due, by its ownership and deadline.
func TestSweepLook(t *testing.T) {
	const now = time.Hour
	p := &poller{srv: &Server{IdleTimeout: 32 * time.Second}}
	p.initSweep() // an interval of 1s
	tests := []struct {
		name      string
		own       uint32
		deadline  time.Duration
		wantAgain time.Duration
		wantKeep  bool
		wantTaken bool
	}{
		{"parked, before its deadline", parked, now + 5*time.Second, now + 5*time.Second, true, false},
		{"parked, at its deadline", parked, now, 0, false, true},
		{"parked, past its deadline", parked, now - time.Second, 0, false, true},
		{"running", running, now - time.Minute, now + 31*time.Second, true, false},
		{"running, input pending", runningWake, now + 5*time.Second, now + 31*time.Second, true, false},
	}
	for _, tt := range tests {
		c := &conn{srv: p.srv}
		c.pk.own.Store(tt.own)
		c.pk.deadline.Store(int64(tt.deadline))
		again, keep := p.lookIdleLocked(c, now, nil)
		taken := len(p.ready) == 1 && p.ready[0] == c && c.pk.close && c.pk.own.Load() == running
		p.ready = p.ready[:0]
		if keep != tt.wantKeep || keep && again != tt.wantAgain || taken != tt.wantTaken {
			t.Errorf("%s: got again %v keep %v taken %v, want %v %v %v", tt.name, again, keep, taken, tt.wantAgain, tt.wantKeep, tt.wantTaken)
		}
	}
}

// TestSweepLooksOnlyAtDue: connections filed in the wheel are looked at
// once their span comes, not before; a parked one is filed again at its
// deadline, and taken once past it.
func TestSweepLooksOnlyAtDue(t *testing.T) {
	p := &poller{srv: &Server{IdleTimeout: 32 * time.Second}}
	p.initSweep()
	const start = time.Hour
	p.wheel.init(p.interval, p.srv.idleTimeout(), start)
	c := &conn{srv: p.srv}
	c.pk.own.Store(parked)
	c.pk.deadline.Store(int64(start + 40*time.Second))
	p.wheel.add(c, start+p.srv.idleTimeout()-p.interval) // as registering at start files it
	looks := 0
	sweep := func(now time.Duration) {
		p.mu.Lock()
		p.wheel.due(now, func(c *conn) (time.Duration, bool) { looks++; return p.lookIdleLocked(c, now, nil) })
		p.mu.Unlock()
	}
	for _, step := range []struct {
		now       time.Duration
		wantLooks int
		wantTaken bool
	}{
		{start + 30*time.Second, 0, false},
		{start + 31*time.Second, 1, false}, // filed again at its deadline
		{start + 39*time.Second, 1, false},
		{start + 40*time.Second, 2, true},
		{start + 80*time.Second, 2, true}, // taken out of the wheel
	} {
		sweep(step.now)
		taken := len(p.ready) == 1
		if looks != step.wantLooks || taken != step.wantTaken {
			t.Errorf("at +%v: got %d looks, taken %v; want %d, %v", step.now-start, looks, taken, step.wantLooks, step.wantTaken)
		}
	}
}
