package httpserver

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

var errBoom = errors.New("boom")

// faultWindow is the WriteBufferSize of the fault tests.
const faultWindow = 4096

// TestFaultsBeforeHead: a handler bug found before anything was sent gets
// the client a clean 500 with "Connection: close", is logged once, and
// the server goes on serving.
func TestFaultsBeforeHead(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		tests := []struct {
			name     string
			resp     func() *Response // called by the handler; may panic
			wantLogs int
			// getOnly: a fault for GET only: HEAD may state a length, and
			// a HEAD answer never reads a Body or runs a Stream (see
			// TestHEADRunsNoStream), so their faults never happen.
			getOnly bool
		}{
			{"panic", func() *Response { panic("handler bug") }, 1, false},
			{"panic with an error value", func() *Response { panic(errBoom) }, 1, false},
			{"nil response", func() *Response { return nil }, 1, false},
			{"status 99", func() *Response { return &Response{StatusCode: 99} }, 1, false},
			{"status 600", func() *Response { return &Response{StatusCode: 600} }, 1, false},
			{"status 0", func() *Response { return &Response{} }, 1, false},
			{"status 100", func() *Response { return &Response{StatusCode: 100} }, 1, false},
			{"StatusMsg with CR LF", func() *Response {
				return &Response{StatusCode: 200, StatusMsg: "OK\r\nX-Injected: 1"}
			}, 1, false},
			{"StatusMsg with LF", func() *Response { return &Response{StatusCode: 200, StatusMsg: "OK\nX"} }, 1, false},
			{"header name with a space", func() *Response { return withHeader("Bad Name", "v") }, 1, false},
			{"header name with a colon", func() *Response { return withHeader("X-A:", "v") }, 1, false},
			{"empty header name", func() *Response { return withHeader("", "v") }, 1, false},
			{"header value with LF", func() *Response { return withHeader("X-A", "a\nX-Injected: 1") }, 1, false},
			{"header value with CR", func() *Response { return withHeader("X-A", "a\rb") }, 1, false},
			{"header value with NUL", func() *Response { return withHeader("X-A", "a\x00b") }, 1, false},
			{"Transfer-Encoding set by the handler", func() *Response { return withHeader("Transfer-Encoding", "chunked") }, 1, false},
			{"Content-Length disagreeing with Message", func() *Response { return withHeader("Content-Length", "99") }, 1, true},
			{"malformed Content-Length", func() *Response { return withHeader("Content-Length", "-1") }, 1, false},
			{"unsupported Version", func() *Response { return &Response{Version: "2.0", StatusCode: 200} }, 1, false},
			{"Body failing before the head", func() *Response {
				return &Response{StatusCode: 200, Body: &failAfterReader{n: 10, err: errBoom}}
			}, 1, true},
			{"Stream failing before writing", func() *Response {
				return &Response{StatusCode: 200, Stream: func(*StreamWriter) error { return errBoom }}
			}, 1, true},
			{"Stream panicking before Flush", func() *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("partial")
					panic("stream bug")
				}}
			}, 1, true},
			{"Stream aborting before writing", func() *Response {
				return &Response{StatusCode: 200, Stream: func(*StreamWriter) error { return ErrAbortResponse }}
			}, 0, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts := faultServer(t, m, tt.resp)
				for _, method := range []string{"GET", "HEAD"} {
					if method == "HEAD" && tt.getOnly {
						continue
					}
					before := ts.logs.errorCount()
					rc := ts.dialRaw(t)
					r := rc.roundTrip(method+" /fault HTTP/1.1\r\nHost: h\r\n\r\n", method)
					if c, _ := r.get("Connection"); r.Status != 500 || c != "close" {
						t.Errorf("%s: got %d, Connection %q; want 500, close", method, r.Status, c)
					}
					if h := r.Headers.Get("X-Injected") + r.Headers.Get("X-A") + r.Headers.Get("Bad Name"); h != "" {
						t.Errorf("%s: a field of the handler's reached the wire: %s", method, fieldsDump(&r.Headers))
					}
					if want := "Internal Server Error\n"; method == "GET" && string(r.Body) != want {
						t.Errorf("%s: body: got %q, want %q", method, r.Body, want)
					}
					// For HEAD, a body would show up here as extra bytes.
					rc.expectClosed()
					if got := ts.logs.errorCount() - before; got != tt.wantLogs {
						t.Errorf("%s: logged %d errors, want %d:\n%s", method, got, tt.wantLogs, ts.logs)
					}
					checkServing(t, ts)
				}
			})
		}
	})
}

// TestFaultsAfterHead: a body that fails once its head has gone out cannot
// become a 500: the connection is closed without completing the framing,
// so the client sees a truncated response.
func TestFaultsAfterHead(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		long := 3 * faultWindow
		tests := []struct {
			name        string
			resp        func() *Response
			wantFraming string
			wantLogs    int
			// complete: the body is whole (the fault is in what follows it)
			complete bool
		}{
			{"Body failing after the head, chunked", func() *Response {
				return &Response{StatusCode: 200, Body: &failAfterReader{n: long, err: errBoom}}
			}, "chunked", 1, false},
			{"Body failing after the head, declared length", func() *Response {
				return &Response{StatusCode: 200, Body: &failAfterReader{n: 100, err: errBoom}, BodyLength: 1000}
			}, "length", 1, false},
			{"Body shorter than BodyLength", func() *Response {
				return &Response{StatusCode: 200, Body: lenlessReader{strings.NewReader("short")}, BodyLength: 1000}
			}, "length", 1, false},
			{"Stream failing after Flush", func() *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("partial")
					w.Flush()
					return errBoom
				}}
			}, "chunked", 1, false},
			{"Stream panicking after Flush", func() *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("partial")
					w.Flush()
					panic("stream bug")
				}}
			}, "chunked", 1, false},
			{"Stream aborting after Flush", func() *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("partial")
					w.Flush()
					return ErrAbortResponse
				}}
			}, "chunked", 0, false},
			{"Stream shorter than its Content-Length", func() *Response {
				r := &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					_, err := w.WriteString("short")
					return err
				}}
				r.Headers.Set("Content-Length", "10")
				return r
			}, "length", 1, false},
			{"Stream longer than its Content-Length, returning the error", func() *Response {
				r := &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					if _, err := w.WriteString("0123456789"); err != nil {
						return err
					}
					_, err := w.WriteString("extra")
					if !errors.Is(err, ErrLengthMismatch) {
						panic(fmt.Sprintf("Write past the length: got %v, want ErrLengthMismatch", err))
					}
					return err
				}}
				r.Headers.Set("Content-Length", "10")
				return r
			}, "length", 1, true},
			{"Stream longer than its Content-Length, ignoring the error", func() *Response {
				r := &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.WriteString("0123456789")
					w.WriteString("extra")
					return nil
				}}
				r.Headers.Set("Content-Length", "10")
				return r
			}, "length", 1, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts := faultServer(t, m, tt.resp)
				rc := ts.dialRaw(t)
				rc.send("GET /fault HTTP/1.1\r\nHost: h\r\n\r\n")
				r, err := readRawResponse(rc.br, "GET", nil)
				if r == nil {
					t.Fatalf("reading the response: %v", err)
				}
				switch {
				case err == nil && !tt.complete:
					t.Errorf("got a complete response (%s, %d bytes), want it truncated", r.Framing, len(r.Body))
				case err != nil && (tt.complete || !errors.Is(err, errTruncated)):
					t.Errorf("got %v, want a complete response", err)
				}
				if r.Status != 200 || r.Framing != tt.wantFraming {
					t.Errorf("got %d %s, want 200 %s", r.Status, r.Framing, tt.wantFraming)
				}
				rc.expectClosed()
				if got := ts.logs.errorCount(); got != tt.wantLogs {
					t.Errorf("logged %d errors, want %d:\n%s", got, tt.wantLogs, ts.logs)
				}
				checkServing(t, ts)
			})
		}
	})
}

// faultServer answers /fault with resp() and /ok with 200 "ok".
func faultServer(t *testing.T, m mode, resp func() *Response) *e2eServer {
	t.Helper()
	return m.start(t, &Server{WriteBufferSize: faultWindow, Handler: HandlerFunc(func(req *Request) *Response {
		if req.Path == "/ok" {
			return &Response{StatusCode: 200, Message: "ok"}
		}
		return resp()
	})})
}

// checkServing checks that a new connection is served normally.
func checkServing(t *testing.T, ts *e2eServer) {
	t.Helper()
	rc := ts.dialRaw(t)
	if r := rc.roundTrip("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 || string(r.Body) != "ok" {
		t.Errorf("the next connection: got %d %q, want 200 \"ok\"", r.Status, r.Body)
	}
	rc.nc.Close()
}

func withHeader(name, value string) *Response {
	r := &Response{StatusCode: 200, Message: "body"}
	r.Headers.Add(name, value)
	return r
}

// TestFaultsBodyClosed: a Body that is an io.Closer is closed however the
// response ends.
func TestFaultsBodyClosed(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		for name, body := range map[string]func() io.Reader{
			"whole":            func() io.Reader { return strings.NewReader("whole") },
			"failing":          func() io.Reader { return &failAfterReader{n: 3 * faultWindow, err: errBoom} },
			"refused (status)": func() io.Reader { return strings.NewReader("x") },
		} {
			t.Run(name, func(t *testing.T) {
				closed := make(chan struct{}, 1)
				ts := faultServer(t, m, func() *Response {
					r := &Response{StatusCode: 200, Body: closeNotifier{body(), closed}}
					if name == "refused (status)" {
						r.StatusCode = 42
					}
					return r
				})
				rc := ts.dialRaw(t)
				rc.send("GET /fault HTTP/1.1\r\nHost: h\r\n\r\n")
				readRawResponse(rc.br, "GET", io.Discard)
				recvWithin(t, closed, "Body.Close")
			})
		}
	})
}

type closeNotifier struct {
	io.Reader
	closed chan<- struct{}
}

func (c closeNotifier) Close() error {
	c.closed <- struct{}{}
	return nil
}
