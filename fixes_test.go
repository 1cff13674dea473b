package httpserver

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHandlerDate: a handler's Date replaces the automatic one, and an
// empty one suppresses it; otherwise there is exactly one.
func TestHandlerDate(t *testing.T) {
	runModes(t, testHandlerDate)
}

func testHandlerDate(t *testing.T, m mode) {
	const own = "Tue, 01 Dec 2026 00:00:00 GMT"
	ts := m.serve(t, func(req *Request) *Response {
		r := &Response{StatusCode: 200, Message: "x"}
		switch req.Path {
		case "/own":
			r.Headers.Set("Date", own)
		case "/none":
			r.Headers.Set("Date", "")
		}
		return r
	})
	tests := []struct {
		path string
		want []string // the Date values on the wire; "*" any one
	}{
		{"/auto", []string{"*"}},
		{"/own", []string{own}},
		{"/none", nil},
	}
	for _, tt := range tests {
		rc := ts.dialRaw(t)
		r := rc.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		got := r.Headers.Values("Date")
		if len(got) != len(tt.want) || (len(got) == 1 && tt.want[0] != "*" && got[0] != tt.want[0]) {
			t.Errorf("%s: Date fields got %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestHEADRunsNoStream: HEAD is answered at once, without running a
// Stream or reading a Body; the connection stays usable.
func TestHEADRunsNoStream(t *testing.T) {
	runModes(t, testHEADRunsNoStream)
}

func testHEADRunsNoStream(t *testing.T, m mode) {
	var ran atomic.Int32
	ts := m.serve(t, func(req *Request) *Response {
		if req.Path == "/body" {
			return &Response{StatusCode: 200, Body: readerFunc(func([]byte) (int, error) {
				ran.Add(1)
				return 0, io.EOF
			})}
		}
		return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
			ran.Add(1)
			_, err := w.WriteString("never")
			return err
		}}
	})
	rc := ts.dialRaw(t)
	for _, path := range []string{"/stream", "/body"} {
		r := rc.roundTrip("HEAD "+path+" HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD")
		if r.Status != 200 || r.Headers.Get("Content-Length") != "" || r.Headers.Get("Transfer-Encoding") != "" {
			t.Errorf("HEAD %s: got %d, Content-Length %q, Transfer-Encoding %q; want 200 and neither",
				path, r.Status, r.Headers.Get("Content-Length"), r.Headers.Get("Transfer-Encoding"))
		}
	}
	if n := ran.Load(); n != 0 {
		t.Errorf("the body source ran %d times for HEAD, want never", n)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestBodyRateTimeout is the minimum data rate's arithmetic.
func TestBodyRateTimeout(t *testing.T) {
	const progress = 30 * time.Second
	r := bodyRate{min: 240, grace: 5 * time.Second}
	tests := []struct {
		name   string
		rate   bodyRate
		waited time.Duration
		got    int64
		want   time.Duration
		wantOK bool
	}{
		{"no minimum", bodyRate{}, time.Hour, 0, progress, true},
		{"start: the grace and one byte's time", r, 0, 0, 5*time.Second + time.Second/240, true},
		{"one byte in 29 s: too slow", r, 29 * time.Second, 1, 0, false},
		{"fast upload: the progress timeout", r, time.Second, 1 << 20, progress, true},
		{"exactly on the rate", r, 6 * time.Second, 240, 5*time.Second + 241*time.Second/240 - 6*time.Second, true},
		{"at the edge of the rate", r, 10 * time.Second, 1200, time.Second / 240, true},
		{"just below it", r, 10 * time.Second, 1199, 0, false},
		{"below it", r, 10 * time.Second, 1000, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.rate.timeout(progress, tt.waited, tt.got)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: got %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestBodyBelowMinimumRate: a body that stalls after the grace period is
// cut off with 408 even though ReadTimeout has not expired.
func TestBodyBelowMinimumRate(t *testing.T) {
	runModes(t, testBodyBelowMinimumRate)
}

func testBodyBelowMinimumRate(t *testing.T, m mode) {
	got := make(chan error, 1)
	srv := &Server{ReadTimeout: time.Hour, BodyRateGrace: time.Millisecond, Handler: HandlerFunc(func(req *Request) *Response {
		_, err := io.ReadAll(req.Body)
		got <- err
		return &Response{StatusCode: 200, Message: "read it all"}
	})}
	ts := m.start(t, srv)
	rc := ts.dialRaw(t)
	rc.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\nabc")
	r := rc.response("POST")
	if r.Status != 408 {
		t.Errorf("status: got %d, want 408", r.Status)
	}
	if err := recvWithin(t, got, "the handler's read"); err != ErrBodyTooSlow {
		t.Errorf("Body read: got %v, want ErrBodyTooSlow", err)
	}
	rc.expectClosed()
}

// TestArmDeadlineNeverEarly: a deadline is never armed sooner than asked,
// and a re-arm is skipped only while the armed one is not too late.
func TestArmDeadlineNeverEarly(t *testing.T) {
	for _, d := range []time.Duration{time.Millisecond, time.Second, 60 * time.Second} {
		now := coarseNow()
		t1, ok := armDeadline(0, d, false)
		if !ok || t1 < now+d {
			t.Errorf("d=%v: armed %v from %v (ok %v), want at least %v", d, t1-now, now, ok, d)
		}
		if t1 > coarseNow()+clockTick+d+d/16 {
			t.Errorf("d=%v: armed %v ahead, more than d/16 late", d, t1-now)
		}
		if _, again := armDeadline(t1, d, false); again && d >= time.Second {
			t.Errorf("d=%v: re-armed at once", d)
		}
		if _, forced := armDeadline(t1, d, true); !forced {
			t.Errorf("d=%v: force did not re-arm", d)
		}
		if _, shorter := armDeadline(t1, d/4, false); !shorter {
			t.Errorf("d=%v: a shorter timeout did not re-arm", d)
		}
	}
}

// TestArmDeadlineKeepsNoEarlyDeadline: a deadline armed earlier is kept
// only if it still lies at least d (plus the coarse clock's lag) ahead;
// one that would fire early is re-armed. The old rule kept a deadline up
// to d/16 short of now+d, and armed at coarse now+d, up to clockTick early.
func TestArmDeadlineKeepsNoEarlyDeadline(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		off  func(d time.Duration) time.Duration // armed = now + d + off
	}{
		{"1s, d/16 short", time.Second, func(d time.Duration) time.Duration { return -d / 16 }},
		{"1s, d/32 short", time.Second, func(d time.Duration) time.Duration { return -d / 32 }},
		{"1s, exactly d", time.Second, func(time.Duration) time.Duration { return 0 }},
		{"1s, d plus half a tick", time.Second, func(time.Duration) time.Duration { return clockTick / 2 }},
		{"60s, d/16 short", time.Minute, func(d time.Duration) time.Duration { return -d / 16 }},
		{"60s, d/32 short", time.Minute, func(d time.Duration) time.Duration { return -d / 32 }},
		{"60s, exactly d", time.Minute, func(time.Duration) time.Duration { return 0 }},
		{"60s, d plus half a tick", time.Minute, func(time.Duration) time.Duration { return clockTick / 2 }},
	}
	for _, tt := range tests {
		now := coarseNow()
		armed := now + tt.d + tt.off(tt.d)
		// The real time is at most clockTick past the coarse clock's, and
		// the coarse clock at the call is no earlier than now.
		earliest := now + clockTick + tt.d
		got, rearm := armDeadline(armed, tt.d, false)
		if !rearm {
			t.Errorf("%s: kept %v from now, want a re-arm (at least %v ahead)", tt.name, armed-now, earliest-now)
			continue
		}
		if got < earliest {
			t.Errorf("%s: re-armed %v from now, want at least %v", tt.name, got-now, earliest-now)
		}
	}
	// A fresh arm is at least d and the coarse clock's lag ahead.
	for _, d := range []time.Duration{time.Millisecond, time.Second, time.Minute} {
		now := coarseNow()
		got, ok := armDeadline(0, d, false)
		if !ok || got < now+clockTick+d {
			t.Errorf("d=%v: armed %v from now (ok %v), want at least %v", d, got-now, ok, clockTick+d)
		}
	}
}

// TestRefusalInAccessLog: a request refused before its handler runs
// reaches the access log with the reason as its error.
func TestRefusalInAccessLog(t *testing.T) {
	runModes(t, testRefusalInAccessLog)
}

func testRefusalInAccessLog(t *testing.T, m mode) {
	entries := make(chan AccessEntry, 1)
	ts := m.start(t, &Server{AccessLog: func(e AccessEntry) { entries <- e }})
	rc := ts.dialRaw(t)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n")
	rc.response("GET")
	e := recvWithin(t, entries, "the access log entry")
	if e.Request != nil || e.Status != 400 || e.Err == nil ||
		!strings.HasPrefix(e.Err.Error(), "httpserver: refused with Bad Request: ") {
		t.Errorf("got Request %v, Status %d, Err %v; want nil, 400, the refusal's reason", e.Request, e.Status, e.Err)
	}
}

// TestPlainHTTPToTLSPort: plain HTTP sent to a TLS listener gets a 400
// saying so, as net/http answers, instead of a silent close. Single-mode
// by nature: a plain TCP client against a TLS listener.
func TestPlainHTTPToTLSPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := startE2EOn(t, &Server{}, tls.NewListener(l, testTLSServerConfig(t)))
	rc := dialRaw(t, ts.addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	r := rc.response("GET")
	if r.Status != 400 || !strings.Contains(string(r.Body), "HTTP request to an HTTPS server") {
		t.Errorf("got %d %q, want 400 saying HTTP went to HTTPS", r.Status, r.Body)
	}
}

// TestJoinAddr: Request.RemoteAddr's "host:port" and RemoteIP, made in
// one allocation per connection, read as net/http's RemoteAddr and the
// old RemoteIP did.
func TestJoinAddr(t *testing.T) {
	tests := []struct {
		name     string
		addr     *net.TCPAddr
		wantAddr string
		wantIP   string
	}{
		{"IPv4", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}, "192.0.2.1:1234", "192.0.2.1"},
		{"IPv4 in 4 bytes", &net.TCPAddr{IP: net.IP{127, 0, 0, 1}, Port: 80}, "127.0.0.1:80", "127.0.0.1"},
		{"IPv6", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "[2001:db8::1]:443", "2001:db8::1"},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 8000}, "[::1]:8000", "::1"},
	}
	for _, tt := range tests {
		addr, ip := joinAddr(tt.addr)
		if addr != tt.wantAddr || ip != tt.wantIP {
			t.Errorf("%s: got %q, %q; want %q, %q", tt.name, addr, ip, tt.wantAddr, tt.wantIP)
		}
		if want := tt.addr.String(); addr != want {
			t.Errorf("%s: got %q, want net's %q", tt.name, addr, want)
		}
		if want := tt.addr.IP.String(); ip != want {
			t.Errorf("%s: got IP %q, want net's %q", tt.name, ip, want)
		}
	}
	req := &Request{RemoteIP: "2001:db8::2", RemotePort: 9}
	if got, want := req.RemoteAddr(), "[2001:db8::2]:9"; got != want {
		t.Errorf("RemoteAddr of a Request without a connection: got %q, want %q", got, want)
	}
}

// noQueryHandler is a Handler that says it never reads QueryDict, as
// nethttp.FromHTTP's adapter does.
type noQueryHandler struct{ got chan Query }

func (h noQueryHandler) NoQueryDict() {}
func (h noQueryHandler) Handle(req *Request) *Response {
	h.got <- req.QueryDict
	return &Response{StatusCode: 200, Message: req.QueryStr}
}

// TestNoQueryDict: a Server whose Handler never reads QueryDict
// (bridge.NoQueryDict) leaves it unparsed, unless an AccessLog may read
// it; QueryStr is there either way.
func TestNoQueryDict(t *testing.T) {
	for _, tt := range []struct {
		name      string
		accessLog bool
		wantDict  bool
	}{
		{"without AccessLog", false, false},
		{"with AccessLog", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := noQueryHandler{got: make(chan Query, 1)}
			srv := &Server{Handler: h}
			if tt.accessLog {
				srv.AccessLog = func(AccessEntry) {}
			}
			ts := modeParked.start(t, srv)
			r := ts.dialRaw(t).roundTrip("GET /?a=1 HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			if r.Status != 200 || string(r.Body) != "a=1" {
				t.Errorf("got %d %q, want 200 \"a=1\"", r.Status, r.Body)
			}
			if q := <-h.got; (q != nil) != tt.wantDict {
				t.Errorf("QueryDict: got %v, want parsed: %v", q, tt.wantDict)
			}
		})
	}
}

// TestResponseKnownLength: the length the server frames a response by
// when it is known without producing the body.
func TestResponseKnownLength(t *testing.T) {
	declared := func(r *Response, v string) *Response { r.Headers.Set("Content-Length", v); return r }
	tests := []struct {
		name string
		resp *Response
		want int64
	}{
		{"Message", &Response{Message: "hello"}, 5},
		{"empty Message", &Response{}, 0},
		{"sized Body", &Response{Body: strings.NewReader("abc")}, 3},
		{"BodyLength", &Response{Body: io.MultiReader(), BodyLength: 7}, 7},
		{"reader of unknown size", &Response{Body: io.MultiReader()}, -1},
		{"declared for a reader", declared(&Response{Body: io.MultiReader()}, "9"), 9},
		{"Stream", &Response{Stream: func(*StreamWriter) error { return nil }}, -1},
		{"declared for a Stream", declared(&Response{Stream: func(*StreamWriter) error { return nil }}, "4"), 4},
		{"Endless sized Body", &Response{Body: strings.NewReader("abc"), Endless: true}, -1},
		{"invalid declared length", declared(&Response{Stream: func(*StreamWriter) error { return nil }}, "x"), -1},
	}
	for _, tt := range tests {
		if got := tt.resp.KnownLength(); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}
