package httpserver

// Shutdown without loss: keep-alive and pipelined clients send requests
// without pause; Shutdown (or StopCallback) is called mid-load. A request
// counts as accepted when its handler ran: every accepted request must get
// a complete response, no response may be truncated, and afterwards new
// connections are refused. Requests the server never read may go
// unanswered: their connection ends (EOF or reset) before any byte of a
// response to them, which a client sees as "not processed, retry".

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// acceptedSet records the requests whose handler ran, by id.
type acceptedSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *acceptedSet) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]bool{}
	}
	s.ids[id] = true
}

// loadHandler answers a request "/r?id=ID" (GET, or POST with a body) with
// "ID:" and, for a POST, the body's length, padded to a size that depends
// on the id so that responses differ in length.
func loadHandler(accepted *acceptedSet, hold <-chan struct{}, holding chan<- struct{}) func(*Request) *Response {
	return func(req *Request) *Response {
		id := req.QueryDict.Get("id")
		accepted.add(id)
		if req.Path == "/hold" {
			holding <- struct{}{}
			<-hold
		}
		n, err := io.Copy(io.Discard, req.Body)
		if err != nil {
			return &Response{StatusCode: 500, Message: err.Error()}
		}
		pad := strings.Repeat(".", len(id)*37%500)
		return &Response{StatusCode: 200, Message: id + ":" + strconv.FormatInt(n, 10) + pad}
	}
}

// loadResult is what one client saw.
type loadResult struct {
	sent, answered int
	ids            []string // answered, in order
	forbidden      error    // a truncated or wrong response
	end            error    // how the connection ended, at a response boundary
}

// loadRequest is request seq of client c: GETs and POSTs alternate.
func loadRequest(c, seq int) (id, req string) {
	id = fmt.Sprintf("c%d-%d", c, seq)
	if seq%2 == 0 {
		return id, "GET /r?id=" + id + " HTTP/1.1\r\nHost: h\r\n\r\n"
	}
	body := strings.Repeat("b", seq%300)
	return id, "POST /r?id=" + id + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// readLoadResponse reads the response to request id. done reports that the
// connection ended before any byte of it (allowed); err is a forbidden
// outcome: a response begun but not completed, or not the one expected.
func readLoadResponse(br *bufio.Reader, id string) (closing bool, end, err error) {
	if _, perr := br.Peek(1); perr != nil {
		return false, perr, nil // closed at a response boundary
	}
	r, err := readRawResponse(br, "GET", nil)
	if err != nil {
		return false, nil, fmt.Errorf("response to %s: %w", id, err)
	}
	if r.Status != 200 || !strings.HasPrefix(string(r.Body), id+":") {
		return false, nil, fmt.Errorf("response to %s: got %d %q", id, r.Status, abbrev(string(r.Body)))
	}
	c, _ := r.get("Connection")
	return c == "close", nil, nil
}

// keepAliveClient sends one request at a time until the connection ends.
func keepAliveClient(m mode, addr string, c int, progress *atomic.Int64) loadResult {
	var res loadResult
	nc, err := m.dialConn(&net.Dialer{}, addr)
	if err != nil {
		return res // the server may be gone already: nothing sent
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	for seq := 0; ; seq++ {
		id, req := loadRequest(c, seq)
		if _, err := io.WriteString(nc, req); err != nil {
			return res
		}
		res.sent++
		closing, end, err := readLoadResponse(br, id)
		if err != nil {
			res.forbidden = err
			return res
		}
		if end != nil {
			res.end = end
			return res
		}
		res.answered++
		res.ids = append(res.ids, id)
		progress.Add(1)
		if closing {
			checkEnded(br, &res)
			return res
		}
	}
}

// pipelinedClient keeps up to depth requests outstanding until the
// connection ends.
func pipelinedClient(m mode, addr string, c, depth int, progress *atomic.Int64) loadResult {
	var res loadResult
	nc, err := m.dialConn(&net.Dialer{}, addr)
	if err != nil {
		return res
	}
	defer nc.Close()
	credit := make(chan struct{}, depth)
	for range depth {
		credit <- struct{}{}
	}
	stop := make(chan struct{})
	var sent atomic.Int64
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for seq := 0; ; seq++ {
			select {
			case <-credit:
			case <-stop:
				return
			}
			_, req := loadRequest(c, seq)
			if _, err := io.WriteString(nc, req); err != nil {
				return
			}
			sent.Add(1)
		}
	}()
	br := bufio.NewReader(nc)
	for seq := 0; ; seq++ {
		id, _ := loadRequest(c, seq)
		closing, end, err := readLoadResponse(br, id)
		if err != nil {
			res.forbidden = err
			break
		}
		if end != nil {
			res.end = end
			break
		}
		res.answered++
		res.ids = append(res.ids, id)
		progress.Add(1)
		credit <- struct{}{}
		if closing {
			checkEnded(br, &res)
			break
		}
	}
	close(stop)
	nc.Close()
	<-writerDone
	res.sent = int(sent.Load())
	return res
}

// checkEnded checks that nothing follows a "Connection: close" response.
func checkEnded(br *bufio.Reader, res *loadResult) {
	if b, _ := io.ReadAll(br); len(b) > 0 {
		res.forbidden = fmt.Errorf("%d bytes after a Connection: close response: %q", len(b), abbrev(string(b)))
	}
}

// runShutdownUnderLoad drives addr with keep-alive and pipelined clients,
// calls stop once some responses have arrived and a request is held in its
// handler, and checks the outcome against accepted.
func runShutdownUnderLoad(t *testing.T, m mode, addr string, accepted *acceptedSet, hold chan struct{}, holding <-chan struct{}, stop func() error, stopping func() bool) {
	const (
		keepAlive = 3
		pipelined = 3
		depth     = 8
		warmup    = 300 // responses before stopping
	)
	var progress atomic.Int64
	results := make(chan loadResult, keepAlive+pipelined)
	var wg sync.WaitGroup
	for c := range keepAlive + pipelined {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c < keepAlive {
				results <- keepAliveClient(m, addr, c, &progress)
			} else {
				results <- pipelinedClient(m, addr, c, depth, &progress)
			}
		}()
	}
	// One request in flight for certain: held in its handler.
	held := m.dialRaw(t, addr)
	held.send("GET /hold?id=held HTTP/1.1\r\nHost: h\r\n\r\n")
	recvWithin(t, holding, "the held request's handler")
	pollUntil(t, "the load is under way", func() bool { return progress.Load() >= warmup })

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	pollUntil(t, "the shutdown begins", stopping)
	close(hold)
	r := held.response("GET")
	if c, _ := r.get("Connection"); r.Status != 200 || !strings.HasPrefix(string(r.Body), "held:") || c != "close" {
		t.Errorf("the request held across the shutdown: got %d %q, Connection %q; want 200 held:..., close", r.Status, r.Body, c)
	}
	held.expectClosed()
	if err := recvWithin(t, stopped, "the shutdown to return"); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	wg.Wait()
	close(results)

	answered := map[string]bool{"held": true}
	var sent, got int
	for res := range results {
		if res.forbidden != nil {
			t.Errorf("forbidden outcome: %v", res.forbidden)
		}
		sent += res.sent
		got += res.answered
		for _, id := range res.ids {
			answered[id] = true
		}
		t.Logf("client: sent %d, answered %d, ended by %v", res.sent, res.answered, res.end)
	}
	accepted.mu.Lock()
	defer accepted.mu.Unlock()
	for id := range accepted.ids {
		if !answered[id] {
			t.Errorf("request %s was accepted (its handler ran) but its response never arrived", id)
		}
	}
	for id := range answered {
		if !accepted.ids[id] {
			t.Errorf("request %s was answered without its handler running", id)
		}
	}
	t.Logf("sent %d requests, %d answered completely, %d unanswered (never read by the server)", sent, got, sent-got)
	if got < warmup {
		t.Errorf("only %d responses arrived, want at least %d", got, warmup)
	}

	// The server is gone: new connections are refused.
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Errorf("dial after the shutdown: connected, want refused")
	}
}

// TestHardeningShutdownUnderLoad: Shutdown in the middle of steady
// keep-alive and pipelined traffic loses and truncates nothing.
func TestHardeningShutdownUnderLoad(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		var accepted acceptedSet
		hold, holding := make(chan struct{}), make(chan struct{}, 1)
		ts := m.start(t, &Server{Handler: HandlerFunc(loadHandler(&accepted, hold, holding))})
		runShutdownUnderLoad(t, m, ts.addr, &accepted, hold, holding,
			func() error { return ts.srv.Shutdown(context.Background()) },
			ts.srv.shutting.Load)
		if err := ts.wait(); !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: got %v, want ErrServerClosed", err)
		}
	})
}

// TestHardeningStopCallbackUnderLoad: the same through the callback API.
// Parked only: RegisterCallback opens its own TCP listener, so the test
// cannot choose the mode.
func TestHardeningStopCallbackUnderLoad(t *testing.T) {
	checkNoGoroutineLeak(t)
	var accepted acceptedSet
	hold, holding := make(chan struct{}), make(chan struct{}, 1)
	id, addr := registerLoopback(t, loadHandler(&accepted, hold, holding))
	srv := callbackServerOf(t, id)
	runShutdownUnderLoad(t, modeParked, addr, &accepted, hold, holding,
		func() error { return StopCallback(id) },
		srv.shutting.Load)
	if _, err := ListenerAddr(id); !errors.Is(err, ErrUnknownListener) {
		t.Errorf("ListenerAddr after StopCallback: got %v, want ErrUnknownListener", err)
	}
}

// TestHardeningShutdownFlushesKeepAlive: a response decided as keep-alive
// just before Shutdown began, and still in the write buffer when it did,
// reaches the client before the connection closes. Regression: the
// connection closed on seeing the shutdown without sending it.
func TestHardeningShutdownFlushesKeepAlive(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		entered, release := make(chan struct{}), make(chan struct{})
		ts := m.serve(t, func(req *Request) *Response {
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
				// The framing and keep-alive were decided before this runs.
				close(entered)
				<-release
				_, err := w.WriteString("buffered")
				return err
			}}
		})
		rc := ts.dialRaw(t)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		recvWithin(t, entered, "the stream")
		shutdown := make(chan error, 1)
		go func() { shutdown <- ts.srv.Shutdown(context.Background()) }()
		pollUntil(t, "the shutdown begins", ts.srv.shutting.Load)
		close(release)
		if r := rc.response("GET"); r.Status != 200 || string(r.Body) != "buffered" {
			t.Errorf("got %d %q, want 200 \"buffered\"", r.Status, r.Body)
		}
		rc.expectClosed()
		if err := recvWithin(t, shutdown, "Shutdown"); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
}
