package httpserver

// Slow and stalled peers against a Server with 200ms timeouts. Clients are
// paced with time.Ticker: the pace is the scenario. No assertion depends on
// how long anything took; each scenario is built so that the outcome
// follows from the pace (a head dribbled over far longer than
// ReadHeaderTimeout, a body that stops, a reader that stops, or steady
// progress well inside every progress timeout).

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

// slowTimeout is every timeout of the slow-peer servers.
const slowTimeout = 200 * time.Millisecond

// dribble writes p to nc one step of at most n bytes per tick until p is
// written, a write fails, or stop is closed. It reports how many bytes it
// wrote.
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
// 2.4s to arrive, far past ReadHeaderTimeout (200ms): each gets 408 and is
// closed, the handler never runs, and a normal client is served meanwhile.
func TestHardeningSlowloris(t *testing.T) {
	checkNoGoroutineLeak(t)
	var runs atomic.Int32
	ts := startE2E(t, &Server{
		ReadHeaderTimeout: slowTimeout,
		Handler: HandlerFunc(func(req *Request) *Response {
			if req.Path != "/normal" {
				runs.Add(1)
			}
			return &Response{StatusCode: 200, Message: "ok"}
		}),
	})
	const attackers = 20
	head := "GET /slow HTTP/1.1\r\nHost: h\r\nUser-Agent: " + strings.Repeat("s", 80) + "\r\n\r\n"
	if time.Duration(len(head))*20*time.Millisecond < 10*slowTimeout {
		t.Fatalf("a %d-byte head is too short to outlast the timeout tenfold", len(head))
	}
	type result struct {
		r    *rawResp
		err  error
		sent int
	}
	results := make(chan result, attackers)
	for range attackers {
		nc, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(hangGuard))
		t.Cleanup(func() { nc.Close() })
		go func() {
			stop := make(chan struct{})
			sent := make(chan int, 1)
			go func() { sent <- dribble(nc, head, 1, 20*time.Millisecond, stop) }()
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
	rc := dialRaw(t, ts.addr)
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
}

// TestHardeningSlowBody: a body that stalls makes the handler's Body.Read
// fail once ReadTimeout passes without progress; the response closes the
// connection. A body that moves is read in full however long it takes.
func TestHardeningSlowBody(t *testing.T) {
	checkNoGoroutineLeak(t)
	type outcome struct {
		body []byte
		err  error
	}
	// Each subtest's handler reports on the channel named by X-Case.
	var outcomes sync.Map // of string to chan outcome
	outcomeOf := func(t *testing.T) chan outcome {
		ch := make(chan outcome, 1)
		outcomes.Store(t.Name(), ch)
		return ch
	}
	ts := startE2E(t, &Server{
		ReadTimeout: slowTimeout,
		Handler: HandlerFunc(func(req *Request) *Response {
			b, err := io.ReadAll(req.Body)
			ch, _ := outcomes.Load(req.Headers.Get("X-Case"))
			ch.(chan outcome) <- outcome{b, err}
			if err != nil {
				return &Response{StatusCode: 400, Message: "incomplete body"}
			}
			return &Response{StatusCode: 200, Message: fmt.Sprintf("got %d bytes", len(b))}
		}),
	})
	payload := bodyPattern(2000)
	chunked := func(s string, size int) string {
		var b strings.Builder
		for ; s != ""; s = s[min(size, len(s)):] {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", min(size, len(s)), s[:min(size, len(s))])
		}
		return b.String() + "0\r\n\r\n"
	}
	clHead := "Content-Length: 2000\r\n\r\n"
	teHead := "Transfer-Encoding: chunked\r\n\r\n"
	// send sends the head of a POST whose handler reports to t.
	send := func(t *testing.T, rc *rawClient, fields string) {
		rc.send("POST / HTTP/1.1\r\nHost: h\r\nX-Case: " + t.Name() + "\r\n" + fields)
	}

	t.Run("stalls", func(t *testing.T) {
		for name, tc := range map[string]struct{ head, body string }{
			"Content-Length":      {clHead, payload[:100]},
			"chunked, mid-data":   {teHead, "7d0\r\n" + payload[:100]},
			"chunked, mid-size":   {teHead, chunked(payload[:100], 100)[:106] + "6"},
			"chunked, at the end": {teHead, chunked(payload[:100], 100)[:110]},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				outcomes := outcomeOf(t)
				rc := dialRaw(t, ts.addr)
				send(t, rc, tc.head)
				// Some progress, then none: the stall, not the pace, is
				// what is cut off.
				if n := dribble(rc.nc, tc.body, 10, 20*time.Millisecond, nil); n != len(tc.body) {
					t.Fatalf("sent %d of %d bytes", n, len(tc.body))
				}
				o := recvWithin(t, outcomes, "the handler")
				if !errors.Is(o.err, errBodyTimeout) {
					t.Errorf("Body.Read: got %v, want the body timeout", o.err)
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
		// 100 bytes every 20ms: 20 steps, at least 400ms in all, twice
		// ReadTimeout, but never 200ms without progress.
		for name, tc := range map[string]struct {
			head, body string
			step       int
		}{
			"Content-Length": {clHead, payload, 100},
			"chunked":        {teHead, chunked(payload, 100), 105},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				outcomes := outcomeOf(t)
				rc := dialRaw(t, ts.addr)
				send(t, rc, tc.head)
				go dribble(rc.nc, tc.body, tc.step, 20*time.Millisecond, nil)
				o := recvWithin(t, outcomes, "the handler")
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
}

// TestHardeningSlowRead: a client that stops reading a large response is
// disconnected once a write makes no progress for WriteTimeout; one that
// reads slowly but steadily gets every byte.
func TestHardeningSlowRead(t *testing.T) {
	checkNoGoroutineLeak(t)
	const total = 2 << 20
	part := bodyPattern(16 << 10)
	streamErr := make(chan error, 1)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := startE2EOn(t, &Server{
		WriteTimeout:    slowTimeout,
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

	t.Run("stops reading", func(t *testing.T) {
		nc := dialSmallReceiveBuffer(t, ts.addr)
		io.WriteString(nc, "GET /large HTTP/1.1\r\nHost: h\r\n\r\n")
		// Read nothing: the kernel buffers fill, the server's write
		// stalls, and WriteTimeout ends the connection.
		err := recvWithin(t, streamErr, "the stream to fail")
		if !isTimeout(err) {
			t.Errorf("the stream's Write: got %v, want a timeout", err)
		}
		// The server is still serving others.
		rc := dialRaw(t, ts.addr)
		if r := rc.roundTrip("GET /normal HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 {
			t.Errorf("a normal client: got %d, want 200", r.Status)
		}
		// What the kernel had buffered arrives, then the end: the
		// response is truncated, never completed.
		r, err := readRawResponse(bufio.NewReader(nc), "GET", io.Discard)
		if err == nil || (!errors.Is(err, errTruncated) && !errors.Is(err, syscall.ECONNRESET)) {
			t.Errorf("reading the response after the timeout: got %v, want it truncated", err)
		}
		if r != nil && r.Status != 200 {
			t.Errorf("got status %d, want 200", r.Status)
		}
	})

	t.Run("reads slowly", func(t *testing.T) {
		nc := dialSmallReceiveBuffer(t, ts.addr)
		io.WriteString(nc, "GET /large HTTP/1.1\r\nHost: h\r\n\r\n")
		// At most 16 KiB per 2ms tick: 128 ticks, at least 256ms for the
		// whole body, longer than WriteTimeout; each of the server's 4 KiB
		// writes waits a tick or so.
		pr := &pacedReader{r: nc, n: 16 << 10, tick: time.NewTicker(2 * time.Millisecond)}
		defer pr.tick.Stop()
		v := &patternChecker{want: part, bad: -1}
		r, err := readRawResponse(bufio.NewReaderSize(pr, 16<<10), "GET", v)
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
}

// pacedReader reads at most n bytes from r per tick.
type pacedReader struct {
	r    io.Reader
	n    int
	tick *time.Ticker
}

func (p *pacedReader) Read(b []byte) (int, error) {
	<-p.tick.C
	return p.r.Read(b[:min(len(b), p.n)])
}

// dialSmallReceiveBuffer connects to addr with a 32 KiB receive buffer set
// before the handshake (so the window the kernel advertises stays small),
// with hangGuard as the deadline for everything.
func dialSmallReceiveBuffer(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		return setReceiveBuffer(c, 32<<10)
	}}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(hangGuard))
	t.Cleanup(func() { nc.Close() })
	return nc
}
