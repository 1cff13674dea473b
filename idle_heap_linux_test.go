package httpserver

import (
	"bytes"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"unsafe"
)

// TestConnSize guards the connection's size class: a parked keep-alive
// connection holds its conn and little else of ours (docs/PERFORMANCE.md,
// "Idle memory and the sweep"). 416 is a size class of Go's allocator.
func TestConnSize(t *testing.T) {
	if got, want := unsafe.Sizeof(conn{}), uintptr(416); got > want {
		t.Errorf("conn is %d bytes, want <= %d: what a parked connection does not need belongs in reqState", got, want)
	}
}

// parkedHeapBudget is the Go heap a parked keep-alive connection may
// hold, in bytes, the net package's share (its netFD and addresses,
// about 300 bytes) included. Measured at 846 when it was set (issue 13,
// from 1,412 before); the margin covers the amortized growth of the
// server's tables, which depends on where the count falls between two
// doublings.
const parkedHeapBudget = 1100

// TestParkedConnHeapAlloc measures the Go heap that parked connections hold,
// after a collection, per connection. The clients are raw sockets, so that
// they allocate nothing in the heap measured; the connections are opened
// one at a time, so that the server keeps no more worker goroutines for
// the measured ones than for the first. Skipped under the race detector,
// which changes what allocates, and with -short.
func TestParkedConnHeapAlloc(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("a heap measurement: not under -race or -short")
	}
	const warm, n = 100, 1000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 2*(warm+n)+200 {
		t.Skipf("needs %d open files (both ends of every connection); the limit is %d", 2*(warm+n)+200, lim.Cur)
	}
	ts := startE2E(t, &Server{
		Handler: HandlerFunc(func(req *Request) *Response {
			return &Response{StatusCode: 200, Message: "ok"}
		}),
		MaxConnsPerIP: warm + n, // above DefaultMaxConnsPerIP, from one address
	})
	ap, err := netip.ParseAddrPort(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	port := int(ap.Port())
	fds := make([]int, 0, warm+n)
	t.Cleanup(func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	})
	buf := make([]byte, 4096)
	open := func(k int) {
		for range k {
			fd, err := rawRoundTrip(port, buf)
			if fd >= 0 {
				fds = append(fds, fd)
			}
			if err != nil {
				t.Fatalf("connection %d: %v", len(fds), err)
			}
		}
		pollUntil(t, "every connection parked", func() bool { return ts.srv.countState(stateParked) == len(fds) })
	}
	heap := func() uint64 {
		// Twice: sync.Pool keeps what it held for one more collection.
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	open(warm)
	before := heap()
	open(n)
	after := heap()
	per := (int64(after) - int64(before)) / n
	t.Logf("%d parked connections: %d bytes of Go heap each", n, per)
	if per > parkedHeapBudget {
		t.Errorf("a parked connection holds %d bytes of heap, want <= %d", per, parkedHeapBudget)
	}
}

// countState is how many of the server's connections are in state st.
func (s *Server) countState(st connState) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.state.load() == st {
			n++
		}
	}
	return n
}

// rawRoundTrip connects a raw socket to 127.0.0.1:port, sends one request
// and reads its response (a 2-byte body, "ok") into buf, and returns the
// socket, open. It returns fd -1 if the socket could not be made.
func rawRoundTrip(port int, buf []byte) (fd int, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fd, err
	}
	if _, err := syscall.Write(fd, []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")); err != nil {
		return fd, err
	}
	got := 0
	for !bytes.HasSuffix(buf[:got], []byte("\r\n\r\nok")) {
		if got == len(buf) {
			return fd, syscall.EMSGSIZE
		}
		m, err := syscall.Read(fd, buf[got:])
		if err != nil {
			return fd, err
		}
		if m == 0 {
			return fd, syscall.ECONNRESET
		}
		got += m
	}
	return fd, nil
}
