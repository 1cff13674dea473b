package httpserver

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// TestSendFile serves *os.File bodies, whole and from an offset, to each
// client version and to HEAD, and checks the bytes and framing, in every
// mode. The file takes a different path in each: in modeParked the
// connection is a *net.TCPConn, whose ReadFrom is sendfile(2), so the
// bytes go from the page cache to the socket; in modeWaiting the wrapper
// has only net.Conn's methods, and in modeTLS a *tls.Conn has no ReadFrom
// (the bytes must be encrypted), so in both the file is copied through
// the connection's write buffer like any other Body. The test checks that
// each mode takes the path it says.
func TestSendFile(t *testing.T) {
	runModes(t, testSendFile)
}

func testSendFile(t *testing.T, m mode) {
	data := []byte(bodyPattern(3*sendFilePiece + 12345)) // several pieces
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	conns := &recordingListener{Listener: m.listen(t)}
	ts := startE2EMode(t, m, &Server{Handler: HandlerFunc(func(req *Request) *Response {
		f, err := os.Open(path)
		if err != nil {
			return &Response{StatusCode: 500}
		}
		off, _ := strconv.ParseInt(req.QueryDict.Get("off"), 10, 64)
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return &Response{StatusCode: 500}
		}
		resp := &Response{StatusCode: 200, Body: f}
		if n := req.QueryDict.Get("n"); n != "" {
			resp.BodyLength, _ = strconv.ParseInt(n, 10, 64)
		}
		return resp
	})}, conns)
	for _, tc := range []struct {
		name, req, method string
		want              []byte
	}{
		{"1.1 whole", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET", data},
		{"1.1 from an offset", "GET /?off=1000 HTTP/1.1\r\nHost: h\r\n\r\n", "GET", data[1000:]},
		{"1.1 a declared range", "GET /?off=7&n=300000 HTTP/1.1\r\nHost: h\r\n\r\n", "GET", data[7 : 7+300000]},
		{"1.0 whole", "GET / HTTP/1.0\r\n\r\n", "GET", data},
		{"HEAD", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := ts.dialRaw(t)
			r := rc.roundTrip(tc.req, tc.method)
			cl, _ := r.get("Content-Length")
			wantLen := len(tc.want)
			if tc.method == "HEAD" {
				wantLen = len(data)
			}
			if cl != strconv.Itoa(wantLen) {
				t.Errorf("%q: Content-Length %q, want %d", tc.req, cl, wantLen)
			}
			if !bytes.Equal(r.Body, tc.want) {
				t.Errorf("%q: got %d body bytes, want %d (equal: false)", tc.req, len(r.Body), len(tc.want))
			}
		})
	}
	t.Run("0.9", func(t *testing.T) {
		rc := ts.dialRaw(t)
		rc.send("GET /?off=5\r\n")
		if got := rc.readAll(); !bytes.Equal(got, data[5:]) {
			t.Errorf("GET /?off=5 (0.9): got %d bytes, want %d", len(got), len(data)-5)
		}
	})
	wantSendfile := m == modeParked
	accepted := conns.all()
	if len(accepted) != 6 {
		t.Errorf("the server accepted %d connections, want 6, one per subtest", len(accepted))
	}
	for i, c := range accepted {
		if _, ok := c.(io.ReaderFrom); ok != wantSendfile {
			t.Errorf("connection %d (%T): zero-copy path %v, want %v in mode %s", i, c, ok, wantSendfile, m)
		}
	}
}

// recordingListener keeps every connection it accepts, unchanged, so a
// test can see what the server was given.
type recordingListener struct {
	net.Listener

	mu    sync.Mutex
	conns []net.Conn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *recordingListener) all() []net.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]net.Conn(nil), l.conns...)
}

// TestAccessLog checks the entries Server.AccessLog receives: one per
// request, for answered, refused and failed requests alike, in every mode.
func TestAccessLog(t *testing.T) {
	runModes(t, testAccessLog)
}

func testAccessLog(t *testing.T, m mode) {
	var mu sync.Mutex
	var entries []AccessEntry
	ts := m.start(t, &Server{
		Handler: HandlerFunc(func(req *Request) *Response {
			switch req.Path {
			case "/fail":
				return &Response{StatusCode: 200, Body: &failAfterReader{n: 10, err: errors.New("disk on fire")}}
			case "/spin":
				return &Response{StatusCode: 200, Body: &failAfterReader{n: 10}} // then 0, nil forever
			case "/none":
				return &Response{StatusCode: 204}
			}
			return &Response{StatusCode: 200, Message: "hello"}
		}),
		AccessLog: func(e AccessEntry) {
			mu.Lock()
			entries = append(entries, e)
			mu.Unlock()
		},
	})
	rc := ts.dialRaw(t)
	rc.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	rc.roundTrip("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD")
	rc.roundTrip("GET /none HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	rc.roundTrip("GET /fail HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	rc.expectClosed()
	spin := ts.dialRaw(t)
	spin.roundTrip("GET /spin HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	spin.expectClosed()
	bad := ts.dialRaw(t)
	bad.roundTrip("GET /x HTTP/1.1\r\nHost: h\r\nBad Header: 1\r\n\r\n", "GET")
	bad.expectClosed()
	pollUntil(t, "6 access log entries", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(entries) >= 6
	})
	mu.Lock()
	defer mu.Unlock()
	type view struct {
		path   string
		status int
		bytes  int64
		failed bool
	}
	want := []view{
		{"/a", 200, 5, false},
		{"/a", 200, 0, false},
		{"/none", 204, 0, false},
		{"/fail", 500, int64(len("Internal Server Error\n")), true},
		{"/spin", 500, int64(len("Internal Server Error\n")), true},
		{"", 400, -1, true}, // Err says why it was refused
	}
	if len(entries) != len(want) {
		t.Fatalf("got %d entries, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		got := view{status: e.Status, bytes: e.Bytes, failed: e.Err != nil}
		if e.Request != nil {
			got.path = e.Request.Path
		}
		if want[i].bytes < 0 {
			got.bytes = -1 // the 400's text is the parser's business
		}
		if got != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got, want[i])
		}
		if e.RemoteIP != "127.0.0.1" {
			t.Errorf("entry %d: RemoteIP %q, want 127.0.0.1", i, e.RemoteIP)
		}
	}
}
