package nethttp

// Tests of engine behaviour that FromHTTP depends on, which the engine
// got wrong when this package was written (a Content-Length declared
// through StreamWriter.Header, and what an unread body rules out judged
// when the head goes): they guard the fixes.

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// serveStream serves a Response whose Stream is stream, on the engine.
func serveStream(t *testing.T, stream func(*httpserver.StreamWriter) error) string {
	t.Helper()
	ts := serveEngine(t, nil, func(s *httpserver.Server) {
		s.Handler = httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: stream}
		})
	})
	return ts.addr
}

// TestEngineIssueDeclaredLengthInStream: a Stream that declares its
// length through w.Header() (as a net/http handler does, and
// http.ServeContent always) must get that Content-Length, whether the
// head goes at a Write past the window, at a Flush, or at the Stream's
// return; the engine's decide uses the length it was called with (-1,
// or what is pending) instead of the declared one, so the body goes
// chunked, or with the wrong length.
func TestEngineIssueDeclaredLengthInStream(t *testing.T) {
	tests := []struct {
		name   string
		stream func(*httpserver.StreamWriter) error
		want   string // the Content-Length field the client must see
	}{
		{"write past the window", func(w *httpserver.StreamWriter) error {
			w.Header().Set("Content-Length", "40960")
			_, err := w.Write(make([]byte, 40960))
			return err
		}, "40960"},
		{"flush", func(w *httpserver.StreamWriter) error {
			w.Header().Set("Content-Length", "2")
			w.Write([]byte("a"))
			w.Flush()
			_, err := w.Write([]byte("b"))
			return err
		}, "2"},
		{"return with less written", func(w *httpserver.StreamWriter) error {
			w.Header().Set("Content-Length", "3")
			return nil
		}, "3"}, // and then the connection closes: the body is short
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveStream(t, tt.stream)
			ts := &testServer{addr: addr}
			r, _ := ts.roundTrip(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if got := r.resp.Header.Get("Content-Length"); got != tt.want || r.resp.TransferEncoding != nil {
				t.Errorf("Content-Length %q, Transfer-Encoding %q; want Content-Length %q", got, r.resp.TransferEncoding, tt.want)
			}
		})
	}
}

// TestEngineIssueBodyCloseDecidedBeforeStream: the engine decides whether
// the request body forces the connection closed (bodyForcesClose) when
// the handler returns, before a Stream has run. A Stream that reads the
// body (every net/http handler through FromHTTP reads it in the Stream)
// still gets its connection closed: after "Expect: 100-continue" (the
// 100 is sent at the Stream's first read), and for a body longer than
// MaxDrainBytes that the Stream reads whole.
func TestEngineIssueBodyCloseDecidedBeforeStream(t *testing.T) {
	readAll := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			t.Errorf("reading the body: %v", err)
		}
		io.WriteString(w, strings.Repeat("x", int(n%7)))
	})
	big := strings.Repeat("b", 300<<10)
	tests := []struct {
		name string
		head string
		body string
	}{
		{"expect 100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello"},
		{"body over MaxDrainBytes", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 307200\r\n\r\n", big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serveEngine(t, readAll)
			c := ts.dial(t)
			br := bufio.NewReader(c)
			io.WriteString(c, tt.head)
			if strings.Contains(tt.head, "Expect") {
				r := readResponse(t, br, "POST")
				if r.resp.StatusCode != 100 {
					t.Fatalf("got %d, want 100 Continue", r.resp.StatusCode)
				}
			}
			go io.WriteString(c, tt.body)
			r := readResponse(t, br, "POST")
			if r.resp.StatusCode != 200 || r.resp.Close {
				t.Errorf("status %d, Close %v; want 200 and a connection kept alive", r.resp.StatusCode, r.resp.Close)
			}
		})
	}
}
