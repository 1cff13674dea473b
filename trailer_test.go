package httpserver

import (
	"io"
	"strings"
	"testing"
)

// trailerText is h's fields, "name: value\n" each, in order.
func trailerText(h *Header) string {
	var b strings.Builder
	for name, value := range h.All() {
		b.WriteString(name + ": " + value + "\n")
	}
	return b.String()
}

// trailerHandler answers with the trailer Request.Trailer gave before
// the body was read, then after it returned io.EOF, and whether changing
// the returned Header changed what the next call returns.
func trailerHandler(req *Request) *Response {
	before := trailerText(req.Trailer())
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return &Response{StatusCode: 500, Message: err.Error()}
	}
	t := req.Trailer()
	after := trailerText(t)
	t.Set("X-Changed", "by the handler")
	again := trailerText(req.Trailer())
	msg := "body=" + string(body) + "\nbefore=" + before + "\nafter=" + after
	if again != after {
		msg += "\nthe handler's change showed in the next call: " + again
	}
	return &Response{StatusCode: 200, Message: msg}
}

// TestE2ERequestTrailer: a chunked body's trailer fields reach the
// handler through Request.Trailer once the body has ended, in order,
// without the fields that may not be trailers, and never in Headers; the
// next request on the connection (pipelined too) has its own.
func TestE2ERequestTrailer(t *testing.T) {
	const head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
	for _, tc := range []struct {
		name  string
		body  string
		after string
	}{
		{"none", "5\r\nhello\r\n0\r\n\r\n", ""},
		{"one", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n", "X-Checksum: abc\n"},
		{"order and repeats kept, case too", "0\r\nx-b: 1\r\nX-A:2\r\nX-B: \t3 \r\n\r\n", "x-b: 1\nX-A: 2\nX-B: 3\n"},
		{"empty value", "0\r\nX-Empty:\r\n\r\n", "X-Empty: \n"},
		{"fields that may not be trailers dropped", "0\r\nContent-Length: 5\r\nHost: evil\r\nauthorization: Basic eA==\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\nX-Ok: yes\r\n\r\n", "X-Ok: yes\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runModes(t, func(t *testing.T, m mode) {
				var sawHeader []string
				ts := m.serve(t, func(req *Request) *Response {
					sawHeader = req.Headers.Values("X-Checksum")
					return trailerHandler(req)
				})
				rc := ts.dialRaw(t)
				r := rc.roundTrip(head+tc.body, "POST")
				data := "hello"
				if !strings.HasPrefix(tc.body, "5") {
					data = ""
				}
				want := "body=" + data + "\nbefore=\nafter=" + tc.after
				if r.Status != 200 || string(r.Body) != want {
					t.Errorf("got %d %q, want 200 %q", r.Status, r.Body, want)
				}
				if sawHeader != nil {
					t.Errorf("Headers has X-Checksum %q: a trailer was merged into the header section", sawHeader)
				}
			})
		})
	}
}

// TestE2ERequestTrailerPipelined: two chunked requests sent at once,
// each with its trailer, and a third without one: every handler sees
// only its own request's fields, with and without ReuseRequests.
func TestE2ERequestTrailerPipelined(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "ReuseRequests"}[reuse], func(t *testing.T) {
			runModes(t, func(t *testing.T, m mode) {
				ts := m.start(t, &Server{ReuseRequests: reuse, Handler: HandlerFunc(trailerHandler)})
				rc := ts.dialRaw(t)
				const head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				rc.send(head + "1\r\na\r\n0\r\nX-One: 1\r\n\r\n" +
					head + "1\r\nb\r\n0\r\nX-Two: 2\r\nX-Two: 2b\r\n\r\n" +
					head + "1\r\nc\r\n0\r\n\r\n")
				for i, want := range []string{
					"body=a\nbefore=\nafter=X-One: 1\n",
					"body=b\nbefore=\nafter=X-Two: 2\nX-Two: 2b\n",
					"body=c\nbefore=\nafter=",
				} {
					if r := rc.response("POST"); r.Status != 200 || string(r.Body) != want {
						t.Errorf("response %d: got %d %q, want 200 %q", i+1, r.Status, r.Body, want)
					}
				}
			})
		})
	}
}

// TestE2ERequestTrailerBytewise: the trailer section arriving a byte at
// a time (every split point of it) gives the same fields.
func TestE2ERequestTrailerBytewise(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := m.serve(t, trailerHandler)
		rc := ts.dialRaw(t)
		rc.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n")
		for _, b := range []byte("0\r\nX-A: 1\r\nX-Bb: two\r\n\r\n") {
			rc.send(string(b))
		}
		want := "body=hi\nbefore=\nafter=X-A: 1\nX-Bb: two\n"
		if r := rc.response("POST"); r.Status != 200 || string(r.Body) != want {
			t.Errorf("got %d %q, want 200 %q", r.Status, r.Body, want)
		}
	})
}

// bodyWithTrailer is a Body that has a trailer, as a host other than a
// Server's connection gives one.
type bodyWithTrailer struct {
	io.Reader
	trailer Header
}

func (b bodyWithTrailer) Trailer() Header { return b.trailer }

// TestRequestTrailerWithoutConn: a Request built by hand takes its
// trailer from its Body, through SetBodyLimit's wrapping and WithContext
// copies, and has none otherwise.
func TestRequestTrailerWithoutConn(t *testing.T) {
	var tr Header
	tr.Add("X-Sum", "1")
	for _, tc := range []struct {
		name string
		req  func() *Request
		want string
	}{
		{"plain body", func() *Request { return &Request{Body: strings.NewReader("x")} }, ""},
		{"nil body", func() *Request { return &Request{} }, ""},
		{"body with a trailer", func() *Request { return &Request{Body: bodyWithTrailer{strings.NewReader("x"), tr}} }, "X-Sum: 1\n"},
		{"under SetBodyLimit", func() *Request {
			r := &Request{Body: bodyWithTrailer{strings.NewReader("x"), tr}}
			if err := r.SetBodyLimit(10); err != nil {
				t.Fatal(err)
			}
			return r
		}, "X-Sum: 1\n"},
		{"a WithContext copy", func() *Request {
			r := &Request{Body: bodyWithTrailer{strings.NewReader("x"), tr}}
			return r.WithContext(t.Context())
		}, "X-Sum: 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req()
			got := req.Trailer()
			if s := trailerText(got); s != tc.want {
				t.Errorf("Trailer: got %q, want %q", s, tc.want)
			}
			got.Set("X-Sum", "changed")
			if s := trailerText(&tr); s != "X-Sum: 1\n" {
				t.Errorf("changing the returned Header changed the Body's: now %q", s)
			}
		})
	}
}
