package httpserver

import "runtime"

// A Server parks its idle connections in several pollers (poll_linux.go),
// one per P (GOMAXPROCS as the first listener is served) up to
// maxPollers, so that dispatching ready connections, its locks and its
// idle workers scale with the cores instead of going through one
// goroutine and one pair of locks.
//
// Each poller is independent: its own epoll descriptor, goroutine,
// descriptor table and lock, idle wheel and sweep, hang-up set and idle
// workers. A connection is assigned to one for its life, as the server
// tracks it (trackConn, under Server.mu, which that takes anyway: the
// assignment costs no lock of its own), round robin: see pickLocked for
// why that rule. It registers, parks, wakes, is swept, hangs up and is
// forgotten (Hijack) in that poller alone, and a worker only ever resumes
// connections of the poller it serves, so nothing of one poller is
// touched on behalf of another's connection.
//
// The set is made with the first listener (trackListener) and stopped,
// every poller, once no listener and no connection is left
// (stopPollerIfUnusedLocked), as the single poller was.
type pollerSet struct {
	ps   []*poller // guarded by Server.mu; empty when no poller runs
	next uint32    // the round robin's next index, guarded by Server.mu
}

// maxPollers bounds the pollers of a Server. One per P is the aim: a
// poller's goroutine can only run on a P, so more pollers than Ps run no
// more dispatch at once. The bound is for machines with hundreds of
// cores, where each poller's fixed costs (an epoll descriptor, a
// goroutine, a sweep every interval, up to its idle workers: see
// idleWorkerBound) would grow with GOMAXPROCS while 64 dispatching
// goroutines are far beyond what a connection needs.
const maxPollers = 64

// pollerCount is how many pollers a Server makes: forced (Server.npoll,
// for tests) if positive, else procs (GOMAXPROCS), within 1..maxPollers.
func pollerCount(forced, procs int) int {
	n := procs
	if forced > 0 {
		n = forced
	}
	return min(max(n, 1), maxPollers)
}

// maxIdleWorkers bounds the idle workers a single poller keeps: enough
// for two bursts of ready connections (an epoll batch, pollBatch), at
// 4-8 KiB of stack each.
const maxIdleWorkers = 256

// pollBatch is how many events a poller takes from its epoll descriptor
// at once.
const pollBatch = 128

// idleWorkerBound is how many idle workers each of n pollers keeps. A
// poller needs at most one epoll batch of workers at once to resume a
// burst without starting goroutines (pollBatch), and a single poller
// keeps maxIdleWorkers as it always has; so the total stays
// maxIdleWorkers up to two pollers and grows by a batch per poller
// beyond (64 pollers: 8,192 workers, held only for workerIdleTimeout
// after the burst that made them).
func idleWorkerBound(n int) int {
	return max(maxIdleWorkers/max(n, 1), pollBatch)
}

// startLocked makes the pollers, if none runs: as many as pollerCount
// says, or as many of them as could be made (none, where parking is not
// available: connections then wait in reads).
func (ps *pollerSet) startLocked(s *Server) {
	if len(ps.ps) > 0 {
		return
	}
	n := pollerCount(s.npoll, runtime.GOMAXPROCS(0))
	for range n {
		p, err := newPoller(s, idleWorkerBound(n))
		if err != nil {
			break
		}
		ps.ps = append(ps.ps, p)
	}
}

// stopLocked stops every poller and forgets them.
func (ps *pollerSet) stopLocked() {
	for i, p := range ps.ps {
		p.stop()
		ps.ps[i] = nil
	}
	ps.ps = ps.ps[:0]
}

// running reports whether any poller runs.
func (ps *pollerSet) running() bool { return len(ps.ps) > 0 }

// pickLocked assigns a poller to a new connection, or returns nil when
// none runs.
//
// Round robin, because it balances the number of connections per poller
// exactly, in the order they arrive, and costs an increment under a lock
// the caller holds already. The alternatives: by descriptor (fd % n)
// needs no state either, but which descriptor a connection gets (the
// lowest free one) depends on whatever else the process opens and closes,
// so its balance is not the server's to keep; by the accepting P is not
// something Go exposes (and one goroutine accepts for each listener, so
// it would mostly be one P); by load (the poller with the fewest
// connections) would read every poller's count for each connection.
// None balances work, only connections: a few busy connections can share
// a poller while others hold idle ones, and a connection does not move
// (that would take two epoll_ctl calls and both pollers' locks).
func (ps *pollerSet) pickLocked() *poller {
	if len(ps.ps) == 0 {
		return nil
	}
	p := ps.ps[ps.next%uint32(len(ps.ps))]
	ps.next++
	return p
}
