package httpserver

import (
	"errors"
	"io"
	"testing"
)

// TestBodyAfterHandler: a Body kept past its handler fails with
// ErrBodyClosed, even while a later request on the same connection is
// reading its own body (the body state is the connection's). In every
// mode.
func TestBodyAfterHandler(t *testing.T) {
	runModes(t, testBodyAfterHandler)
}

func testBodyAfterHandler(t *testing.T, m mode) {
	var kept io.Reader
	type result struct {
		staleErr error
		own      string
	}
	results := make(chan result, 1)
	ts := m.serve(t, func(req *Request) *Response {
		if req.Path == "/first" {
			kept = req.Body
			return &Response{StatusCode: 200, Message: "kept"}
		}
		_, staleErr := kept.Read(make([]byte, 8))
		own, _ := io.ReadAll(req.Body)
		results <- result{staleErr, string(own)}
		return &Response{StatusCode: 200, Message: "ok"}
	})
	rc := ts.dialRaw(t)
	rc.roundTrip("POST /first HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nfirst", "POST")
	rc.roundTrip("POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nsecond", "POST")
	r := recvWithin(t, results, "the second handler")
	if !errors.Is(r.staleErr, ErrBodyClosed) {
		t.Errorf("reading the first request's Body during the second: got %v, want ErrBodyClosed", r.staleErr)
	}
	if r.own != "second" {
		t.Errorf("second request's own body: got %q, want %q", r.own, "second")
	}
}
