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
	c.pk.id, c.pk.fd, c.pk.reg, c.pk.poll = p.nextID, fd, p, p
	p.byFD[fd] = c
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
