package httpserver

// Slow and stalled peers. Where the scenario is a pace (a head dribbled
// over seconds, a body sent in steps), the pace only ever makes things
// take longer than a timeout, never shorter: a loaded machine, which
// delays every step, cannot turn a pass into a failure. Where a test needs
// the server to see progress in time, the timeout is generous
// (generousTimeout), the test waits for the server to report each step
// before taking the next, and what it checks does not depend on how long
// anything took. A timeout that must fire is short (slowTimeout) and
// waited for with hangGuard: firing late is not a failure.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// slowTimeout is a timeout that must fire: a stalled peer waits for it.
const slowTimeout = 200 * time.Millisecond

// generousTimeout is a progress timeout that must not fire: no scheduling
// stall of a loaded machine comes near it.
const generousTimeout = 2 * time.Second

// armSlack is how late a progress timeout may fire (armDeadline: d/16
// plus the coarse clock's tick); it never fires early.
const armSlack = generousTimeout/16 + clockTick

// dribble writes p to nc one step of at most n bytes per tick until p is
// written, a write fails, or stop is closed. It reports how many bytes it
// wrote. Ticks are a pace, not a synchronisation: a stalled tick only
// slows the dribble down.
func dribble(nc net.Conn, p string, n int, tick time.Duration, stop <-chan struct{}) int {
	t := time.NewTicker(tick)
	defer t.Stop()
	sent := 0
	for sent < len(p) {
		select {
		case <-stop:
			return sent
		case <-t.C:
		}
		k := min(n, len(p)-sent)
		if _, err := io.WriteString(nc, p[sent:sent+k]); err != nil {
			return sent
		}
		sent += k
	}
	return sent
}

// TestHardeningSlowloris: heads dribbled one byte per 20ms take at least
// 4s to arrive, twice ReadHeaderTimeout: each gets 408 and is closed, the
// handler never runs, and a normal client is served meanwhile. The
// timeout is generous so that the normal client, whose head goes out in
// one write (after a TLS handshake, in mode tls), is never cut off by a
// stall between its dial and its write.
func TestHardeningSlowloris(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		var runs atomic.Int32
		ts := m.start(t, &Server{
			ReadHeaderTimeout: generousTimeout,
			Handler: HandlerFunc(func(req *Request) *Response {
				if req.Path != "/normal" {
					runs.Add(1)
				}
				return &Response{StatusCode: 200, Message: "ok"}
			}),
		})
		const attackers, tick = 20, 20 * time.Millisecond
		head := "GET /slow HTTP/1.1\r\nHost: h\r\nUser-Agent: " + strings.Repeat("s", 180) + "\r\n\r\n"
		// Ticks never come early: the head cannot arrive before
		// len(head) ticks have passed.
		if time.Duration(len(head))*tick < 2*generousTimeout {
			t.Fatalf("a %d-byte head is too short to outlast the timeout twice", len(head))
		}
		type result struct {
			r    *rawResp
			err  error
			sent int
		}
		results := make(chan result, attackers)
		for range attackers {
			nc := ts.dial(t)
			go func() {
				stop := make(chan struct{})
				sent := make(chan int, 1)
				go func() { sent <- dribble(nc, head, 1, tick, stop) }()
				br := bufio.NewReader(nc)
				r, err := readRawResponse(br, "GET", nil)
				if err == nil {
					// Nothing may follow: the connection is closed.
					if rest, rerr := io.ReadAll(br); len(rest) > 0 || (rerr != nil && !errors.Is(rerr, syscall.ECONNRESET)) {
						err = fmt.Errorf("after the response: %q, %v", rest, rerr)
					}
				}
				close(stop)
				results <- result{r, err, <-sent}
			}()
		}

		// The attackers hold their connections; a normal client is served.
		rc := ts.dialRaw(t)
		if r := rc.roundTrip("GET /normal HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Errorf("a normal client during the attack: got %d, want 200", r.Status)
		}

		for range attackers {
			res := recvWithin(t, results, "a slowloris connection to end")
			if res.err != nil {
				t.Errorf("slowloris: %v", res.err)
				continue
			}
			if c, _ := res.r.get("Connection"); res.r.Status != 408 || c != "close" {
				t.Errorf("slowloris: got %d, Connection %q; want 408, close", res.r.Status, c)
			}
			if res.sent >= len(head) {
				t.Errorf("slowloris: the whole head (%d bytes) went out before the 408", res.sent)
			}
		}
		if n := runs.Load(); n != 0 {
			t.Errorf("the handler ran %d times for slowloris heads", n)
		}
	})
}

// slowBodyCase is what one subtest's handler reports: the number of body
// bytes read so far after each Read that returned some, then the outcome.
type slowBodyCase struct {
	progress chan int
	outcome  chan slowBodyOutcome
}

type slowBodyOutcome struct {
	body []byte
	err  error
}

// slowBodyServer serves POSTs whose handler reads the body and reports to
// the slowBodyCase registered under the request's X-Case; it answers 200
// for a whole body, 400 for a failed one.
type slowBodyServer struct {
	*e2eServer
	cases sync.Map // of string to *slowBodyCase
}

func startSlowBodyServer(t *testing.T, m mode, readTimeout time.Duration) *slowBodyServer {
	s := &slowBodyServer{}
	s.e2eServer = m.start(t, &Server{
		ReadTimeout: readTimeout,
		// These cases are about ReadTimeout, a progress timeout; the
		// minimum data rate has its own test (TestBodyBelowMinimumRate).
		MinBodyRate: Unlimited,
		Handler: HandlerFunc(func(req *Request) *Response {
			v, _ := s.cases.Load(req.Headers.Get("X-Case"))
			sc := v.(*slowBodyCase)
			var body []byte
			buf := make([]byte, 4096)
			for {
				n, err := req.Body.Read(buf)
				body = append(body, buf[:n]...)
				if n > 0 {
					sc.progress <- len(body)
				}
				if err != nil {
					if err == io.EOF {
						err = nil
					}
					sc.outcome <- slowBodyOutcome{body, err}
					if err != nil {
						return &Response{StatusCode: 400, Message: "incomplete body"}
					}
					return &Response{StatusCode: 200, Message: fmt.Sprintf("got %d bytes", len(body))}
				}
			}
		}),
	})
	return s
}

// begin registers t's case and returns the head of its POST, ending in
// fields.
func (s *slowBodyServer) begin(t *testing.T, fields string, bodyLen int) (*slowBodyCase, string) {
	// Every Read the handler reports returns at least one byte.
	sc := &slowBodyCase{progress: make(chan int, bodyLen+1), outcome: make(chan slowBodyOutcome, 1)}
	s.cases.Store(t.Name(), sc)
	return sc, "POST / HTTP/1.1\r\nHost: h\r\nX-Case: " + t.Name() + "\r\n" + fields
}

// waitRead waits until the handler has read n body bytes.
func (sc *slowBodyCase) waitRead(t *testing.T, n int) {
	t.Helper()
	for {
		got := recvWithin(t, sc.progress, fmt.Sprintf("the handler to read %d body bytes", n))
		if got > n {
			t.Fatalf("the handler read %d body bytes, more than the %d sent", got, n)
		}
		if got == n {
			return
		}
	}
}

// chunkedBody frames s as chunks of size bytes and the last chunk.
func chunkedBody(s string, size int) string {
	var b strings.Builder
	for ; s != ""; s = s[min(size, len(s)):] {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", min(size, len(s)), s[:min(size, len(s))])
	}
	return b.String() + "0\r\n\r\n"
}

// TestHardeningSlowBody: a body that stalls makes the handler's Body.Read
// fail once ReadTimeout passes without progress; the response closes the
// connection. A body that moves is read in full however long it takes:
// ReadTimeout bounds the wait for progress, not the whole body.
func TestHardeningSlowBody(t *testing.T) {
	payload := bodyPattern(2000)
	clHead := "Content-Length: 2000\r\n\r\n"
	teHead := "Transfer-Encoding: chunked\r\n\r\n"

	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		t.Run("stalls", func(t *testing.T) {
			ts := startSlowBodyServer(t, m, slowTimeout)
			// Each case sends 100 bytes of body, then nothing.
			for name, tc := range map[string]struct{ head, body string }{
				"Content-Length":      {clHead, payload[:100]},
				"chunked, mid-data":   {teHead, "7d0\r\n" + payload[:100]},
				"chunked, mid-size":   {teHead, chunkedBody(payload[:100], 100)[:106] + "6"},
				"chunked, at the end": {teHead, chunkedBody(payload[:100], 100)[:110]},
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					rc := ts.dialRaw(t)
					sc, head := ts.begin(t, tc.head, 100)
					// In one write, so that the body cannot arrive late.
					rc.send(head + tc.body)
					// Some progress, then none: the stall, not the
					// absence of a body, is what is cut off.
					sc.waitRead(t, 100)
					o := recvWithin(t, sc.outcome, "the handler")
					if !errors.Is(o.err, errBodyTimeout) || string(o.body) != payload[:100] {
						t.Errorf("Body.Read: got %d bytes, %v; want the 100 bytes sent, then the body timeout", len(o.body), o.err)
					}
					r := rc.response("POST")
					if c, _ := r.get("Connection"); r.Status != 400 || c != "close" {
						t.Errorf("got %d, Connection %q; want the handler's 400, close", r.Status, c)
					}
					rc.expectClosed()
				})
			}
		})

		t.Run("moves slowly", func(t *testing.T) {
			// 20 steps of 100 bytes, the next sent only once the handler
			// has read the last, and paced: the body takes longer than
			// ReadTimeout (plus the slack by which it may fire early), so
			// a deadline on the whole body would cut it; each wait for
			// progress is a pace far below ReadTimeout.
			const steps, size, pace = 20, 100, 125 * time.Millisecond
			if steps*pace <= generousTimeout+armSlack {
				t.Fatalf("%d steps of %v do not outlast ReadTimeout", steps, pace)
			}
			ts := startSlowBodyServer(t, m, generousTimeout)
			for name, tc := range map[string]struct {
				head  string
				frame func(step string, last bool) string
			}{
				"Content-Length": {clHead, func(step string, _ bool) string { return step }},
				"chunked": {teHead, func(step string, last bool) string {
					s := fmt.Sprintf("%x\r\n%s\r\n", len(step), step)
					if last {
						s += "0\r\n\r\n"
					}
					return s
				}},
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					rc := ts.dialRaw(t)
					sc, head := ts.begin(t, tc.head, len(payload))
					rc.send(head)
					for i := range steps {
						if i > 0 {
							// The pace: any delay only makes the body slower.
							time.Sleep(pace)
						}
						rc.send(tc.frame(payload[i*size:(i+1)*size], i == steps-1))
						sc.waitRead(t, (i+1)*size)
					}
					o := recvWithin(t, sc.outcome, "the handler")
					if o.err != nil || string(o.body) != payload {
						t.Errorf("Body: got %d bytes, %v; want the whole %d-byte body", len(o.body), o.err, len(payload))
					}
					r := rc.response("POST")
					if c, _ := r.get("Connection"); r.Status != 200 || c != "" {
						t.Errorf("got %d %q, Connection %q; want 200 and keep-alive", r.Status, r.Body, c)
					}
				})
			}
		})
	})
}

// TestHardeningSlowRead: a client that stops reading a large response is
// disconnected once a write makes no progress for WriteTimeout; one that
// reads slowly but steadily gets every byte.
func TestHardeningSlowRead(t *testing.T) {
	// Far more than the kernel buffers of the connection hold (a 64 KiB
	// send and a 32 KiB receive buffer), so that a client that stops
	// reading stalls the server's writes.
	const total = 1 << 20
	part := bodyPattern(16 << 10)
	// slowReadServer streams total bytes of part's pattern to /large and
	// reports how the stream ended on streamErr.
	slowReadServer := func(t *testing.T, m mode, writeTimeout time.Duration) (*e2eServer, chan error) {
		streamErr := make(chan error, 1)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ts := m.startOn(t, &Server{
			WriteTimeout:    writeTimeout,
			WriteBufferSize: 4096,
			Handler: HandlerFunc(func(req *Request) *Response {
				if req.Path == "/normal" {
					return &Response{StatusCode: 200, Message: "ok"}
				}
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					var err error
					for n := 0; n < total && err == nil; n += len(part) {
						_, err = w.WriteString(part)
					}
					streamErr <- err
					return err
				}}
			}),
		}, smallSendBufferListener{l.(*net.TCPListener)})
		return ts, streamErr
	}

	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		t.Run("stops reading", func(t *testing.T) {
			ts, streamErr := slowReadServer(t, m, slowTimeout)
			nc := dialSmallReceiveBuffer(t, m, ts.addr)
			io.WriteString(nc, "GET /large HTTP/1.1\r\nHost: h\r\n\r\n")
			// Read nothing: the kernel buffers fill, the server's write
			// stalls, and WriteTimeout ends the connection.
			err := recvWithin(t, streamErr, "the stream to fail")
			if !isTimeout(err) {
				t.Errorf("the stream's Write: got %v, want a timeout", err)
			}
			// The server is still serving others.
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("GET /normal HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
				t.Errorf("a normal client: got %d, want 200", r.Status)
			}
			// What the kernel had buffered arrives, then the end: the
			// response is truncated, never completed, or the reset the
			// server closes with cuts it first. Over TLS the reset (or
			// the end of the socket) can also leave half a record: the
			// server does not send close_notify after a timed-out write.
			r, err := readRawResponse(bufio.NewReader(nc), "GET", io.Discard)
			if err == nil || (!errors.Is(err, errTruncated) && !errors.Is(err, syscall.ECONNRESET) &&
				!(m == modeTLS && errors.Is(err, io.ErrUnexpectedEOF))) {
				t.Errorf("reading the response after the timeout: got %v, want it truncated", err)
			}
			if r != nil && r.Status != 200 {
				t.Errorf("got status %d, want 200", r.Status)
			}
		})

		t.Run("reads slowly", func(t *testing.T) {
			// At most 16 KiB per 40ms tick: 64 ticks, at least 2.52s for
			// the whole body (ticks never come early), longer than
			// WriteTimeout and the slack by which it may fire early, so
			// a deadline on the whole response would cut it. Each of the
			// server's 4 KiB writes waits a tick or so, far below
			// WriteTimeout, however late the ticks come on a busy machine.
			// The pace makes the read take seconds even when all is well,
			// and many more on a loaded machine: the hang guard is four
			// times the usual.
			const tick = 40 * time.Millisecond
			if time.Duration(total/len(part)-1)*tick <= generousTimeout+armSlack {
				t.Fatalf("%d reads of %v do not outlast WriteTimeout", total/len(part), tick)
			}
			ts, streamErr := slowReadServer(t, m, generousTimeout)
			nc := dialSmallReceiveBuffer(t, m, ts.addr)
			nc.SetDeadline(time.Now().Add(4 * hangGuard))
			io.WriteString(nc, "GET /large HTTP/1.1\r\nHost: h\r\n\r\n")
			pr := &pacedReader{r: nc, n: len(part), tick: time.NewTicker(tick)}
			defer pr.tick.Stop()
			v := &patternChecker{want: part, bad: -1}
			r, err := readRawResponse(bufio.NewReaderSize(pr, len(part)), "GET", v)
			if err != nil {
				t.Fatalf("reading slowly: %v after %d bytes", err, v.n)
			}
			if r.Status != 200 || v.n != total || v.bad >= 0 {
				t.Errorf("got %d with %d bytes (first wrong at %d), want 200 with %d bytes of pattern", r.Status, v.n, v.bad, total)
			}
			if err := recvWithin(t, streamErr, "the stream"); err != nil {
				t.Errorf("the stream: %v", err)
			}
		})
	})
}

// pacedReader reads at most n bytes from r per tick, in as many Reads as
// it takes (a TLS connection returns one record per Read).
type pacedReader struct {
	r      io.Reader
	n      int
	tick   *time.Ticker
	budget int // bytes left to read in this tick
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.budget == 0 {
		<-p.tick.C
		p.budget = p.n
	}
	n, err := p.r.Read(b[:min(len(b), p.budget)])
	p.budget -= n
	return n, err
}

// dialSmallReceiveBuffer connects to addr, a server of mode m, with a
// 32 KiB receive buffer set before the handshake (so the window the kernel
// advertises stays small), with hangGuard as the deadline for everything.
func dialSmallReceiveBuffer(t *testing.T, m mode, addr string) net.Conn {
	t.Helper()
	d := &net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		return setReceiveBuffer(c, 32<<10)
	}}
	return m.dialWith(t, d, addr)
}
