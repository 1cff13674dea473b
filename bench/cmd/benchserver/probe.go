package main

// The transport probes (issue 13): two minimal HTTP/1.1 responders that
// answer every request with a fixed body ("/json" a fixed JSON text,
// anything else "Hello, World!"), and parse no more than where each
// request ends and whether it asks to close. One runs on Go's net
// package (a goroutine per connection, the runtime's netpoller: the
// transport the engine and fasthttp use), the other on io_uring (one
// thread, every connection's receives and sends batched into one
// submission per loop; probe_uring_linux.go). They are not servers to
// use: they handle GET without a body only, check nothing, and have no
// timeouts. What they are for is the difference between them, the same
// HTTP work over two transports, which bounds what an io_uring transport
// could save the engine per request.

import (
	"bytes"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// probes are the -impl values beyond the real servers: a probe returns
// the functions that serve l and stop serving.
var probes = map[string]func(l net.Listener) (serve func() error, stop func()){
	"probe-net": func(l net.Listener) (func() error, func()) {
		return func() error { return serveNetProbe(l) }, func() { l.Close() }
	},
}

// probeMaxHead bounds the bytes a probe holds for requests not yet
// complete; a connection that sends more is closed.
const probeMaxHead = 64 << 10

// probeDate is the Date field's value, refreshed every second by
// startProbeClock.
var probeDate atomic.Pointer[[]byte]

func startProbeClock() {
	set := func() {
		b := []byte(time.Now().UTC().Format(http.TimeFormat))
		probeDate.Store(&b)
	}
	set()
	go func() {
		for range time.Tick(time.Second) {
			set()
		}
	}()
}

var (
	probePlain = []byte("Hello, World!")
	probeJSON  = []byte(`{"message":"Hello, World!"}`)
	crlfcrlf   = []byte("\r\n\r\n")
	closeField = []byte("\r\nConnection: close\r\n")
)

// appendAnswers answers the complete requests at the start of in,
// appending the answers to out. It returns out, how many bytes of in
// those requests took, and whether one of them asked to close the
// connection (the requests after it are left unanswered).
func appendAnswers(out, in []byte) ([]byte, int, bool) {
	used := 0
	for {
		end := bytes.Index(in[used:], crlfcrlf)
		if end < 0 {
			return out, used, false
		}
		head := in[used : used+end+4]
		used += end + 4
		body, ctype := probePlain, "text/plain"
		if sp := bytes.IndexByte(head, ' '); sp >= 0 && bytes.HasPrefix(head[sp+1:], []byte("/json ")) {
			body, ctype = probeJSON, "application/json"
		}
		out = append(out, "HTTP/1.1 200 OK\r\nServer: probe\r\nContent-Type: "...)
		out = append(out, ctype...)
		out = append(out, "\r\nContent-Length: "...)
		out = appendInt(out, len(body))
		out = append(out, "\r\nDate: "...)
		out = append(out, *probeDate.Load()...)
		out = append(out, "\r\n\r\n"...)
		out = append(out, body...)
		if bytes.Contains(head, closeField) {
			return out, used, true
		}
	}
}

func appendInt(b []byte, n int) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}

// serveNetProbe is the probe on the net package: a goroutine per
// connection that reads, answers what is complete in one write, and
// reads again.
func serveNetProbe(l net.Listener) error {
	startProbeClock()
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go probeConn(c)
	}
}

func probeConn(c net.Conn) {
	defer c.Close()
	in := make([]byte, 0, 16<<10)
	out := make([]byte, 0, 16<<10)
	for {
		if len(in) == cap(in) {
			if cap(in) >= probeMaxHead {
				return
			}
			in = append(in, 0)[:len(in)]
		}
		n, err := c.Read(in[len(in):cap(in)])
		in = in[:len(in)+n]
		var used int
		var closing bool
		out, used, closing = appendAnswers(out[:0], in)
		in = in[:copy(in, in[used:])]
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
		if closing || err != nil {
			return
		}
	}
}
