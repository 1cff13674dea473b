package metrics

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// hangGuard bounds every wait in these tests: it is not a timing
// assertion, only how long a broken test takes to fail instead of
// hanging.
const hangGuard = 20 * time.Second

// recorder is an Observer that writes what it is told as lines, and the
// AccessLog a test gives the Server before Instrument, which adds a line
// too, so that the order of the calls shows.
type recorder struct {
	mu     sync.Mutex
	lines  []string
	logged chan struct{} // a token per AccessLog call
	dones  chan struct{} // a token per Done call
}

func newRecorder() *recorder {
	return &recorder{logged: make(chan struct{}, 100), dones: make(chan struct{}, 100)}
}

func (r *recorder) add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, line)
}

// take returns the lines so far and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lines
	r.lines = nil
	return l
}

func (r *recorder) Start(s Start) {
	r.add(fmt.Sprintf("start %s %s %s", s.Method, s.Proto, s.Request.Path))
}

func (r *recorder) Done(d Done) {
	e := d.Entry
	path := "-"
	if e.Request != nil {
		path = e.Request.Path
	}
	r.add(fmt.Sprintf("done %s %s %s %s %d in=%d out=%d started=%t refused=%t",
		d.Method, d.Class, d.Proto, path, e.Status, e.BytesIn, e.Bytes, d.Started, d.Refused()))
	r.dones <- struct{}{}
}

func (r *recorder) accessLog(e httpserver.AccessEntry) {
	r.add(fmt.Sprintf("log %d", e.Status))
	r.logged <- struct{}{}
}

// waitLogged waits for n AccessLog calls.
func (r *recorder) waitLogged(t *testing.T, n int) {
	t.Helper()
	waitTokens(t, r.logged, n)
}

// waitTokens takes n tokens from ch.
func waitTokens(t *testing.T, ch <-chan struct{}, n int) {
	t.Helper()
	timer := time.NewTimer(hangGuard)
	defer timer.Stop()
	for range n {
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("gave up after %v waiting for the observer or the access log", hangGuard)
		}
	}
}

// testHandler answers /ok with "ok\n", /fail with a 500, /echo with the
// request body, and anything else with a 404.
var testHandler = httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
	switch req.Path {
	case "/ok":
		return &httpserver.Response{StatusCode: 200, Message: "ok\n"}
	case "/fail":
		return &httpserver.Response{StatusCode: 500, Message: "failed\n"}
	case "/echo":
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 400, Message: err.Error()}
		}
		return &httpserver.Response{StatusCode: 200, Message: string(b)}
	}
	return &httpserver.Response{StatusCode: 404, Message: "no such thing\n"}
})

// serve serves srv on a port of 127.0.0.1 until the test ends and
// returns the address.
func serve(t testing.TB, srv *httpserver.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

// rawRequest sends raw on a new connection to addr and reads one
// response; it returns its status, or 0 when none came.
func rawRequest(t testing.TB, addr, raw string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(hangGuard))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%.30q: %v", raw, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// h2cClient returns a client that speaks HTTP/2 over cleartext TCP with
// prior knowledge.
func h2cClient(t *testing.T) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hangGuard}
}

// h2HeadSize is the header list size (RFC 9113 section 6.5.2) of fields,
// given as name, value, name, value...: each field's name and value plus
// 32 octets. AccessEntry.BytesIn counts an HTTP/2 head so.
func h2HeadSize(fields ...string) int {
	n := 0
	for i := 0; i+1 < len(fields); i += 2 {
		n += len(fields[i]) + len(fields[i+1]) + 32
	}
	return n
}

// goH2Get is what Go's HTTP/2 client sends for a GET of path from addr
// over h2c, with extra fields X-Extra-0: x and on: its header list size.
func goH2Get(addr, path string, extra int) int {
	n := h2HeadSize(":authority", addr, ":method", "GET", ":path", path, ":scheme", "http",
		"accept-encoding", "gzip", "user-agent", "Go-http-client/2.0")
	for i := range extra {
		n += h2HeadSize("x-extra-"+strconv.Itoa(i), "x")
	}
	return n
}
