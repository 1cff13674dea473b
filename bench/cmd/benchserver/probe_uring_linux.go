package main

// The io_uring probe (see probe.go): one goroutine locked to its thread
// runs a ring with a multishot accept on the listener, and for each
// connection one operation at a time, a receive or a send. Each turn of
// the loop submits every operation queued since the last and waits for
// at least one completion, in one io_uring_enter; so under load one
// system call carries the receives and sends of many connections, where
// the net package makes one read and one write system call per request
// (plus epoll_wait). The binding is raw syscall and unsafe, no library:
// io_uring_setup (425), io_uring_enter (426) and the three mmaps,
// enough for ACCEPT, RECV, SEND and READ.
//
// probe-uring answers on the loop's own thread, which an engine running
// handlers of any length cannot do. probe-uring-pool is the shape an
// engine would have: the loop hands each connection with complete
// requests to a worker goroutine (a channel), the worker answers and
// hands it back (a queue under a mutex), and wakes the loop through an
// eventfd the ring reads when the loop is waiting in the kernel. The two
// hand-offs per batch of requests are what the engine's design pays; the
// difference between the two probes is their price.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

func init() {
	probes["probe-uring"] = func(l net.Listener) (func() error, func()) {
		return func() error { return serveURingProbe(l, false) }, func() { l.Close() }
	}
	probes["probe-uring-pool"] = func(l net.Listener) (func() error, func()) {
		return func() error { return serveURingProbe(l, true) }, func() { l.Close() }
	}
}

const (
	sysIOURingSetup = 425
	sysIOURingEnter = 426

	setupCoopTaskrun   = 1 << 8
	setupSingleIssuer  = 1 << 12
	setupDeferTaskrun  = 1 << 13
	featSingleMmap     = 1 << 0
	enterGetEvents     = 1 << 0
	offSQRing          = 0
	offCQRing          = 0x8000000
	offSQEs            = 0x10000000
	opRead             = 22
	opAccept           = 13
	opSend             = 26
	opRecv             = 27
	acceptMultishot    = 1 << 0
	cqeFMore           = 1 << 1
	msgNoSignal        = 0x4000
	probeRingEntries   = 4096
	probeAcceptUserTag = ^uint64(0)
	probeWakeUserTag   = ^uint64(1)
)

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

type ringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

type sqe struct {
	opcode      uint8
	flags       uint8
	ioprio      uint16
	fd          int32
	off         uint64
	addr        uint64
	len         uint32
	opFlags     uint32
	userData    uint64
	bufIndex    uint16
	personality uint16
	spliceFdIn  int32
	addr3       uint64
	pad         uint64
}

type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// ring is an io_uring instance used from one thread.
type ring struct {
	fd                      int
	sqHead, sqTail          *uint32
	sqMask                  uint32
	sqes                    []sqe
	cqHead, cqTail          *uint32
	cqMask                  uint32
	cqes                    []cqe
	tail, submitted         uint32 // local SQ tail; what the kernel has been given
	entries                 uint32
	sqMem, cqMem, sqeMemory []byte
}

func newRing(entries uint32) (*ring, error) {
	var p ringParams
	p.flags = setupSingleIssuer | setupDeferTaskrun
	fd, _, errno := syscall.Syscall(sysIOURingSetup, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if errno == syscall.EINVAL { // an older kernel: no DEFER_TASKRUN
		p = ringParams{flags: setupCoopTaskrun}
		fd, _, errno = syscall.Syscall(sysIOURingSetup, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	}
	if errno != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", errno)
	}
	r := &ring{fd: int(fd), entries: p.sqEntries}
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*uint32(unsafe.Sizeof(cqe{})))
	prot, flags := syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE
	single := p.features&featSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	if r.sqMem, err = syscall.Mmap(r.fd, offSQRing, sqSize, prot, flags); err != nil {
		return nil, fmt.Errorf("mmap SQ ring: %w", err)
	}
	r.cqMem = r.sqMem
	if !single {
		if r.cqMem, err = syscall.Mmap(r.fd, offCQRing, cqSize, prot, flags); err != nil {
			return nil, fmt.Errorf("mmap CQ ring: %w", err)
		}
	}
	if r.sqeMemory, err = syscall.Mmap(r.fd, offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})), prot, flags); err != nil {
		return nil, fmt.Errorf("mmap SQEs: %w", err)
	}
	u32 := func(b []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&b[off])) }
	r.sqHead, r.sqTail = u32(r.sqMem, p.sqOff.head), u32(r.sqMem, p.sqOff.tail)
	r.sqMask = *u32(r.sqMem, p.sqOff.ringMask)
	r.cqHead, r.cqTail = u32(r.cqMem, p.cqOff.head), u32(r.cqMem, p.cqOff.tail)
	r.cqMask = *u32(r.cqMem, p.cqOff.ringMask)
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&r.sqeMemory[0])), p.sqEntries)
	r.cqes = unsafe.Slice((*cqe)(unsafe.Pointer(&r.cqMem[p.cqOff.cqes])), p.cqEntries)
	// The SQ array maps ring slots to SQEs: the identity, once.
	array := unsafe.Slice((*uint32)(unsafe.Pointer(&r.sqMem[p.sqOff.array])), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.tail = atomic.LoadUint32(r.sqTail)
	r.submitted = r.tail
	return r, nil
}

// next returns a cleared SQE to fill, submitting what is queued first if
// the ring is full.
func (r *ring) next() *sqe {
	for r.tail-atomic.LoadUint32(r.sqHead) >= r.entries {
		if err := r.enter(0); err != nil {
			panic(err)
		}
	}
	s := &r.sqes[r.tail&r.sqMask]
	*s = sqe{}
	r.tail++
	return s
}

// enter submits the queued SQEs and waits for at least wait completions.
func (r *ring) enter(wait uint32) error {
	atomic.StoreUint32(r.sqTail, r.tail)
	n := r.tail - r.submitted
	flags := uintptr(0)
	if wait > 0 {
		flags = enterGetEvents
	}
	for {
		_, _, errno := syscall.Syscall6(sysIOURingEnter, uintptr(r.fd), uintptr(n), uintptr(wait), flags, 0, 0)
		switch errno {
		case 0:
			r.submitted = r.tail
			return nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN, syscall.EBUSY:
			// The CQ is full: the caller reaps, then enters again.
			return nil
		}
		return fmt.Errorf("io_uring_enter: %w", errno)
	}
}

// uconn is a connection of the io_uring probe: one operation in flight
// at a time, a receive into in or a send of out.
type uconn struct {
	fd      int32
	in, out []byte
	sent    int
	closing bool
}

// probePool is probe-uring-pool's hand-off: connections with complete
// requests go to the workers on work; answered ones come back on back,
// and the loop is woken through wakeFD when it sleeps in the kernel.
type probePool struct {
	work     chan *uconn
	mu       sync.Mutex
	back     []*uconn
	sleeping atomic.Bool // the loop waits, or is about to, in io_uring_enter
	wakeFD   int
}

func (p *probePool) worker() {
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	for c := range p.work {
		var used int
		c.out, used, c.closing = appendAnswers(c.out[:0], c.in)
		c.in = c.in[:copy(c.in, c.in[used:])]
		p.mu.Lock()
		p.back = append(p.back, c)
		p.mu.Unlock()
		if p.sleeping.CompareAndSwap(true, false) {
			syscall.Write(p.wakeFD, one)
		}
	}
}

func serveURingProbe(l net.Listener, pooled bool) error {
	tl, ok := l.(*net.TCPListener)
	if !ok {
		return errors.New("probe-uring: not a TCP listener")
	}
	f, err := tl.File() // a descriptor of our own, for the ring
	if err != nil {
		return err
	}
	lfd := int(f.Fd())
	if err := syscall.SetNonblock(lfd, true); err != nil {
		return err
	}
	startProbeClock()
	runtime.LockOSThread()
	r, err := newRing(probeRingEntries)
	if err != nil {
		return err
	}
	conns := map[int32]*uconn{}
	accept := func() {
		s := r.next()
		s.opcode, s.fd, s.ioprio = opAccept, int32(lfd), acceptMultishot
		s.opFlags = syscall.SOCK_NONBLOCK | syscall.SOCK_CLOEXEC
		s.userData = probeAcceptUserTag
	}
	recv := func(c *uconn) {
		if len(c.in) == cap(c.in) {
			c.in = append(c.in, 0)[:len(c.in)]
		}
		free := c.in[len(c.in):cap(c.in)]
		s := r.next()
		s.opcode, s.fd = opRecv, c.fd
		s.addr, s.len = uint64(uintptr(unsafe.Pointer(&free[0]))), uint32(len(free))
		s.userData = uint64(c.fd)
	}
	send := func(c *uconn) {
		rest := c.out[c.sent:]
		s := r.next()
		s.opcode, s.fd = opSend, c.fd
		s.addr, s.len = uint64(uintptr(unsafe.Pointer(&rest[0]))), uint32(len(rest))
		s.opFlags = msgNoSignal
		s.userData = uint64(c.fd)
	}
	drop := func(c *uconn) {
		syscall.Close(int(c.fd))
		delete(conns, c.fd)
	}
	// answered sends what the requests of c got, or reads on.
	answered := func(c *uconn) {
		switch {
		case len(c.out) > 0:
			send(c)
		case len(c.in) >= probeMaxHead:
			drop(c)
		default:
			recv(c) // the request is not complete yet
		}
	}
	var pool *probePool
	var wakeBuf [8]byte
	wakeRead := func() {
		s := r.next()
		s.opcode, s.fd = opRead, int32(pool.wakeFD)
		s.addr, s.len = uint64(uintptr(unsafe.Pointer(&wakeBuf[0]))), 8
		s.userData = probeWakeUserTag
	}
	if pooled {
		efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if errno != 0 {
			return fmt.Errorf("eventfd2: %w", errno)
		}
		pool = &probePool{work: make(chan *uconn, 1024), wakeFD: int(efd)}
		for range runtime.GOMAXPROCS(0) {
			go pool.worker()
		}
		wakeRead()
	}
	var back []*uconn
	accept()
	for {
		wait := uint32(1)
		if pool != nil {
			// Take what the workers answered; sleep in the kernel only
			// if there is nothing, telling them to wake us.
			pool.sleeping.Store(true)
			pool.mu.Lock()
			back, pool.back = pool.back, back[:0]
			pool.mu.Unlock()
			if len(back) > 0 {
				pool.sleeping.Store(false)
				for _, c := range back {
					answered(c)
				}
				wait = 0
			}
		}
		if err := r.enter(wait); err != nil {
			return err
		}
		if pool != nil {
			pool.sleeping.Store(false)
		}
		head := *r.cqHead
		for tail := atomic.LoadUint32(r.cqTail); head != tail; head++ {
			e := r.cqes[head&r.cqMask]
			if e.userData == probeAcceptUserTag {
				if e.res >= 0 {
					c := &uconn{fd: e.res, in: make([]byte, 0, 16<<10), out: make([]byte, 0, 16<<10)}
					conns[c.fd] = c
					recv(c)
				}
				if e.flags&cqeFMore == 0 {
					accept() // the multishot accept ended: arm it again
				}
				continue
			}
			if e.userData == probeWakeUserTag {
				wakeRead()
				continue
			}
			c := conns[int32(e.userData)]
			if c == nil {
				continue
			}
			if len(c.out) > 0 { // a send completed
				if e.res < 0 {
					drop(c)
					continue
				}
				if c.sent += int(e.res); c.sent < len(c.out) {
					send(c)
					continue
				}
				c.out, c.sent = c.out[:0], 0
				if c.closing {
					drop(c)
					continue
				}
				recv(c)
				continue
			}
			if e.res <= 0 { // the peer closed, or failed
				drop(c)
				continue
			}
			c.in = c.in[:len(c.in)+int(e.res)]
			if pool != nil && bytes.Contains(c.in, crlfcrlf) {
				pool.work <- c // a complete request: a worker answers it
				continue
			}
			var used int
			c.out, used, c.closing = appendAnswers(c.out[:0], c.in)
			c.in = c.in[:copy(c.in, c.in[used:])]
			answered(c)
		}
		atomic.StoreUint32(r.cqHead, head)
	}
}
