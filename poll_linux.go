package httpserver

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// Parking: a keep-alive connection waiting for its next request gives up
// its goroutine.
//
// In Go's model every waiting connection is a blocked goroutine, whose
// stack (4 KiB for ours, once grown by a request) is most of what an idle
// connection costs, and whose wait costs one read that fails with EAGAIN
// per request. Instead, a connection whose input is drained registers its
// socket with its poller's own epoll instance (edge-triggered, beside the
// runtime's) and its goroutine returns. When input arrives, the poller
// hands the connection to one of its idle worker goroutines (or a new
// one), which resumes it where it stopped; an idle connection then costs
// its socket and its conn value, and a request on a busy keep-alive
// connection costs one read and one write.
//
// A Server has one poller per P (GOMAXPROCS when its first listener is
// served, at most maxPollers; pollset.go), each with its own epoll
// descriptor, goroutine, mu (the descriptor table, the idle wheel, the
// hang-up set) and wmu (its idle workers). A connection is assigned to
// one, round robin, as the server tracks it, and stays with it: every
// poller operation below is on the connection's own poller (pk.poll, or
// pk.reg for a TLS socket registered for hang-ups), and a worker resumes
// only its poller's connections. With one P there is one poller, as
// before.
//
// The price is a hand-off: a wakeup reaches the worker through the
// poller's goroutine instead of directly from the runtime. On one core
// that is cheaper than the failed read it replaces; on two cores shared
// with the client it cost 3-8% more CPU per request (docs/PERFORMANCE.md).
// Connections that are not the net package's own sockets (TLS, wrappers)
// and systems without epoll wait in a read, holding their goroutine, as
// before.
//
// "Drained" needs no extra system call: a read from a stream socket that
// returns less than it asked for has emptied the socket (epoll(7)), and
// everything that arrives later raises an edge. An edge that arrives while
// the connection runs is noted in its state (runningWake), which makes its
// next park read instead.
//
// Ownership is one atomic word per connection (parkState.own), so that parking
// and waking take no lock: running (a goroutine owns the connection),
// runningWake (the same, and input arrived since it last read), parked (no
// goroutine: whoever moves it from parked to running owns it and starts
// its goroutine).
//
// A poller waits in the runtime: its epoll descriptor is itself pollable,
// so it is an os.File whose RawConn.Read parks the poller's goroutine
// until some registered socket is ready. Its read deadline paces the sweep
// that closes connections idle for IdleTimeout, which looks only at the
// connections its idle wheel says are due (wheel.go); each poller sweeps
// its own connections.
type poller struct {
	srv  *Server
	epfd int
	file *os.File
	raw  syscall.RawConn
	done chan struct{}

	// Owned by the poller's goroutine.
	events [pollBatch]syscall.EpollEvent
	nev    int
	ready  []*conn   // connections to resume
	readyW []*worker // and the idle workers to resume them on

	mu sync.Mutex
	// byFD maps a registered socket to its connection; an event is
	// checked against the connection's pid, since a descriptor can be
	// closed and reused while its last event is in flight. Guarded by mu.
	byFD   []*conn
	nextID uint32
	// wheel files the registered connections that can park by idle
	// deadline, for the sweep; hupCheck holds those whose client
	// half-closed while data was pending, for the sweep to decide again
	// (hangup.go). Guarded by mu.
	wheel    idleWheel
	hupCheck map[*conn]struct{}
	interval time.Duration // the sweep's; read-only

	maxIdle int // idle workers kept at most (idleWorkerBound); read-only

	wmu sync.Mutex // guards the rest
	// Idle workers, most recently idle first, and how many.
	idleW  *worker
	nidleW int
	closed bool // stopped: workers exit instead of idling
}

// A worker is a goroutine that resumes parked connections. Workers are
// kept for reuse because a fresh goroutine's stack is smaller than serving
// a request needs, and growing it (a copy) cost more than the rest of the
// request (22% of the plaintext profile, measured).
type worker struct {
	ch    chan *conn // the next connection; nil means exit
	next  *worker
	since time.Duration // idle since, as coarseNow
}

// workerIdleTimeout is how long an idle worker waits for work before it
// exits. Under steady load workers never wait that long; after a burst
// the surplus goes within seconds (the sweep checks, at the latest, every
// second).
const workerIdleTimeout = 2 * time.Second

// epollET is EPOLLET as the unsigned value EpollEvent.Events holds (the
// syscall package declares it negative).
const epollET = 0x80000000

// Ownership states (parkState.own).
const (
	running     = iota // a goroutine owns the connection
	runningWake        // the same, and input arrived since its last read
	parked             // no goroutine; the poller owns it
)

// newPoller makes a poller for s that keeps up to maxIdle idle workers,
// and starts its goroutine.
func newPoller(s *Server, maxIdle int) (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, err
	}
	f := os.NewFile(uintptr(epfd), "httpserver-poll")
	raw, err := f.SyscallConn()
	if err == nil {
		// Only a descriptor in the runtime's poller takes a deadline;
		// without one the poller could neither wait nor sweep.
		err = f.SetReadDeadline(time.Time{})
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &poller{srv: s, epfd: epfd, file: f, raw: raw, done: make(chan struct{}), maxIdle: maxIdle}
	p.initSweep()
	go p.run()
	return p, nil
}

// stop closes the poller and waits for its goroutine to exit. It is called
// when no connection is left to park or wake.
func (p *poller) stop() {
	p.file.Close()
	<-p.done
	p.wmu.Lock()
	p.closed = true
	for w := p.idleW; w != nil; w = w.next {
		w.ch <- nil
	}
	p.idleW, p.nidleW = nil, 0
	p.wmu.Unlock()
}

// work runs a worker: it resumes c (if not nil), then waits, idle, for the
// next connection to resume, until p has maxIdle idle workers, it
// has idled for workerIdleTimeout or the poller stops. The loop runs
// above a reserve of stack (see idleStackReserve).
func (p *poller) work(c *conn) {
	var reserve [idleStackReserve]byte
	holdFrame(&reserve)
	p.workLoop(c)
}

// idleStackReserve is stack a worker holds below everything it runs, so
// that the garbage collector does not shrink the stack serving grew while
// the worker waits: it halves a waiting goroutine's stack whenever the
// goroutine uses less than a quarter of it, and the next request grows it
// again, copying it. With the allocation rate of a net/http handler behind
// a router (a collection every few milliseconds), that copying was 14% of
// the CPU profile of nethttp.FromHTTP with chi (docs/PERFORMANCE.md).
// Held at the bottom of the worker's stack, the reserve is zeroed once per
// worker, not once per wait (which cost 1.8% of the plaintext profile); a
// worker's stack then stays at up to four times the reserve, 16 KiB, and
// one that grew larger gives the excess back.
const idleStackReserve = 4 << 10

// holdFrame keeps work's reserve in its frame: a pointer passed to a
// function that is not inlined makes the compiler keep the array on the
// stack.
//
//go:noinline
func holdFrame(*[idleStackReserve]byte) {}

//go:noinline
func (p *poller) workLoop(c *conn) {
	var w *worker
	for {
		if c != nil {
			c.resume()
		}
		if w == nil {
			w = &worker{ch: make(chan *conn, 1)}
		}
		p.wmu.Lock()
		if p.closed || p.nidleW >= p.maxIdle {
			p.wmu.Unlock()
			return
		}
		w.since = coarseNow()
		w.next = p.idleW
		p.idleW = w
		p.nidleW++
		p.wmu.Unlock()
		if c = <-w.ch; c == nil {
			return
		}
	}
}

// idleWorkerLocked takes an idle worker off the list, or returns nil.
func (p *poller) idleWorkerLocked() *worker {
	w := p.idleW
	if w != nil {
		p.idleW = w.next
		p.nidleW--
		w.next = nil
	}
	return w
}

// start begins serving a new connection: one that can park on an idle
// worker, if there is one, else on a goroutine of its own (run). A
// worker's stack has grown to what serving takes already, and while
// connections arrive faster than they close, the workers that the new
// ones leave behind as they park are what serves the next: without
// that, each new connection's goroutine stayed on as an idle worker up
// to the bound (256 of them, 3 MB of stacks, after 10,000
// connections opened 64 at a time, docs/PERFORMANCE.md).
func (c *conn) start() {
	if p := c.pk.poll; p != nil {
		p.wmu.Lock()
		w := p.idleWorkerLocked()
		p.wmu.Unlock()
		if w != nil {
			w.ch <- c // resume serves it: it is running, and not to close
			return
		}
	}
	go c.run()
}

// start resumes c, which the caller has just moved from parked to
// running, on an idle worker or a new goroutine.
func (p *poller) start(c *conn, w *worker) {
	if w != nil {
		w.ch <- c // never blocks: the idle worker's buffer is empty
	} else {
		go p.work(c)
	}
}

// sweepInterval is how often parked connections are checked against
// IdleTimeout: a timeout fires up to this late.
func (p *poller) sweepInterval() time.Duration {
	d := p.srv.idleTimeout() / 16
	return min(max(d, clockTick), time.Second)
}

// initSweep sets up the sweep's interval and its idle wheel, whose slots
// span one interval each.
func (p *poller) initSweep() {
	p.interval = p.sweepInterval()
	p.wheel.init(p.interval, p.srv.idleTimeout(), coarseNow())
}

func (p *poller) run() {
	defer close(p.done)
	wait := p.wait
	interval := p.interval
	p.file.SetReadDeadline(time.Now().Add(interval))
	for {
		err := p.raw.Read(wait)
		switch {
		case err == nil:
			p.dispatch()
		case errors.Is(err, os.ErrDeadlineExceeded):
			p.sweep()
			p.file.SetReadDeadline(time.Now().Add(interval))
		default:
			return // closed by stop
		}
	}
}

// wait is called by RawConn.Read: it collects the ready events without
// blocking, and returns false (wait until readable) when there are none.
func (p *poller) wait(fd uintptr) bool {
	for {
		n, err := syscall.EpollWait(int(fd), p.events[:], 0)
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 {
			p.nev = 0
			return err != nil && err != syscall.EAGAIN
		}
		p.nev = n
		return true
	}
}

// dispatch resumes the parked connections that have input (or a hang-up,
// which the resumed read reports) and notes it for the running ones. A
// hang-up is also recorded and decided first: a running connection's
// client may have gone (hangup.go).
func (p *poller) dispatch() {
	p.mu.Lock()
	for i := range p.events[:p.nev] {
		ev := &p.events[i]
		if int(ev.Fd) >= len(p.byFD) {
			continue
		}
		c := p.byFD[ev.Fd]
		if c == nil || c.pk.id != uint32(ev.Pad) {
			continue // stale: the connection is gone
		}
		if ev.Events&(syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) != 0 {
			c.hungUp(ev.Events&(syscall.EPOLLHUP|syscall.EPOLLERR) != 0)
			if c.pk.hup.Load()&(hupHalf|hupCanceled) == hupHalf {
				p.checkLaterLocked(c)
			}
		}
		if c.pk.opaque {
			continue // registered for hang-ups only: it never parks
		}
		took := c.wake()
		if h := testHooks.Load(); h != nil && h.wake != nil {
			h.wake(c, took)
		}
		if took {
			c.r.drained = false
			p.ready = append(p.ready, c)
		}
	}
	p.mu.Unlock()
	p.resumeReady()
}

// wake records that input arrived for c. It reports true if c was parked:
// the caller owns it now and must resume it.
func (c *conn) wake() bool {
	for {
		switch c.pk.own.Load() {
		case parked:
			if c.pk.own.CompareAndSwap(parked, running) {
				return true
			}
		case running:
			if c.pk.own.CompareAndSwap(running, runningWake) {
				return false
			}
		default:
			return false // runningWake already
		}
	}
}

// checkLaterLocked has the sweep decide c's hang-up again (hangup.go),
// until it cancels or c deregisters.
func (p *poller) checkLaterLocked(c *conn) {
	if p.hupCheck == nil {
		p.hupCheck = make(map[*conn]struct{})
	}
	p.hupCheck[c] = struct{}{}
}

// sweep closes the connections parked for IdleTimeout and retires the
// workers idle for workerIdleTimeout. It looks at the connections the
// idle wheel has due (see lookIdle), and decides again the hang-ups that
// found more data coming (hangup.go).
func (p *poller) sweep() {
	now := coarseNow()
	p.mu.Lock()
	for c := range p.hupCheck {
		if c.pk.hup.Load()&hupCanceled != 0 || c.checkHangUp() {
			delete(p.hupCheck, c)
		}
	}
	h := testHooks.Load()
	p.wheel.due(now, func(c *conn) (time.Duration, bool) { return p.lookIdleLocked(c, now, h) })
	p.mu.Unlock()
	p.wmu.Lock()
	p.retireWorkersLocked(now)
	p.wmu.Unlock()
	p.resumeReady()
}

// lookIdleLocked is the sweep's look at c, which the idle wheel had due:
// if c is parked past its deadline, it takes c to close it (into
// p.ready); otherwise it says when to look again (see idleWheel). A
// connection parked before its deadline is due at its deadline. One that
// is running parks next with a deadline at least IdleTimeout from now,
// unless it read the clock for it before this sweep did and has not
// handed itself over yet: so it is due one interval earlier, which covers
// such a park made up to an interval ago (one delayed longer than that
// between its two steps closes late by the excess).
func (p *poller) lookIdleLocked(c *conn, now time.Duration, h *hooks) (again time.Duration, keep bool) {
	if c.pk.own.Load() == parked {
		if d := time.Duration(c.pk.deadline.Load()); d > now {
			return d, true
		}
		if h != nil && h.sweep != nil {
			h.sweep(c) // under p.mu
		}
		if c.pk.own.CompareAndSwap(parked, running) {
			c.pk.close = true
			p.ready = append(p.ready, c)
			return 0, false // it closes, and deregisters
		}
	}
	return now + p.srv.idleTimeout() - p.interval, true
}

// retireWorkersLocked makes the workers idle for workerIdleTimeout as of
// now exit. The list is in order of idleness, so they are a tail of it.
func (p *poller) retireWorkersLocked(now time.Duration) {
	var old *worker
	for pw := &p.idleW; *pw != nil; pw = &(*pw).next {
		if now-(*pw).since >= workerIdleTimeout {
			old, *pw = *pw, nil
			break
		}
	}
	for w := old; w != nil; w = w.next {
		p.nidleW--
		w.ch <- nil
	}
}

// resumeReady starts the connections in p.ready, on idle workers first.
func (p *poller) resumeReady() {
	if len(p.ready) == 0 {
		return
	}
	p.wmu.Lock()
	for range p.ready {
		p.readyW = append(p.readyW, p.idleWorkerLocked())
	}
	p.wmu.Unlock()
	for i, c := range p.ready {
		p.start(c, p.readyW[i])
		p.ready[i], p.readyW[i] = nil, nil
	}
	p.ready, p.readyW = p.ready[:0], p.readyW[:0]
}

// register adds the connection's socket to the epoll set, to park. An
// edge for input already present is raised at once.
func (c *conn) register() bool {
	return c.registerWith(c.pk.poll, c.r.raw, syscall.EPOLLIN|syscall.EPOLLRDHUP|epollET, false)
}

// registerWith adds the socket raw reaches to p's epoll set for events;
// opaque: for hang-ups only (see parkState). The descriptor is used
// inside raw.Control, which keeps it from being closed (by Server.Close)
// and reused meanwhile.
func (c *conn) registerWith(p *poller, raw syscall.RawConn, events uint32, opaque bool) bool {
	ok := false
	err := raw.Control(func(s uintptr) {
		fd := int(s)
		p.mu.Lock()
		for fd >= len(p.byFD) {
			p.byFD = append(p.byFD, nil)
		}
		p.nextID++
		if p.nextID == 0 {
			p.nextID = 1
		}
		c.pk.id, c.pk.fd, c.pk.opaque, c.pk.reg = p.nextID, int32(fd), opaque, p
		p.byFD[fd] = c
		if !opaque {
			// The earliest its first idle deadline can be (lookIdleLocked).
			p.wheel.add(c, coarseNow()+p.srv.idleTimeout()-p.interval)
		}
		p.mu.Unlock()
		ev := syscall.EpollEvent{Events: events, Fd: int32(fd), Pad: int32(c.pk.id)}
		ok = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev) == nil
	})
	if err != nil || !ok {
		c.deregister()
		return false
	}
	return true
}

// deregister forgets the connection's socket; it must run before the
// socket is closed, since the descriptor can be reused at once.
func (c *conn) deregister() {
	p := c.pk.reg
	if p == nil || c.pk.id == 0 {
		return
	}
	p.mu.Lock()
	if int(c.pk.fd) < len(p.byFD) && p.byFD[c.pk.fd] == c {
		p.byFD[c.pk.fd] = nil
	}
	c.pk.id = 0
	p.wheel.remove(c)
	if c.pk.hup.Load()&hupHalf != 0 {
		delete(p.hupCheck, c)
	}
	p.mu.Unlock()
}

// park hands a connection whose input is drained to the poller. It
// returns parkOK when the goroutine must return at once, without touching
// c again: another goroutine may already be running it.
func (c *conn) park() parkResult {
	p := c.pk.poll
	if p == nil || c.pk.noPark {
		return parkNo
	}
	if c.pk.id == 0 && !c.register() {
		c.pk.noPark = true // read and wait the ordinary way from now on
		c.r.wouldBlock = false
		return parkNo
	}
	if c.srv.closingIdle() {
		return parkClose
	}
	c.releaseBuffers()
	c.releaseState()
	c.pk.deadline.Store(int64(coarseNow() + c.srv.idleTimeout()))
	c.setState(stateParked) // before the CAS: after it, c is not ours
	if h := testHooks.Load(); h != nil && h.park != nil {
		h.park(c, parkStepReleased)
	}
	if !c.pk.own.CompareAndSwap(running, parked) {
		c.pk.own.Store(running) // runningWake: input arrived meanwhile
		c.setState(stateIdle)
		c.acquireState()
		return parkRead
	}
	if h := testHooks.Load(); h != nil && h.park != nil {
		h.park(c, parkStepParked)
	}
	// Shutdown and Close set shutting (and end the Drain) before they
	// wake the parked connections: either they find this one parked, or
	// it sees closingIdle here. Taking it back can fail only because
	// someone else took it.
	if c.srv.closingIdle() && c.pk.own.CompareAndSwap(parked, running) {
		return parkClose
	}
	return parkOK
}

// wakeToClose resumes a parked connection so that it closes. It reports
// false if the connection is not parked (a goroutine owns it).
func (c *conn) wakeToClose() bool {
	p := c.pk.poll
	if p == nil || !c.pk.own.CompareAndSwap(parked, running) {
		return false
	}
	c.pk.close = true
	p.wmu.Lock()
	w := p.idleWorkerLocked()
	p.wmu.Unlock()
	p.start(c, w)
	return true
}
