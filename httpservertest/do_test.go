package httpservertest_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// result is the part of a Result a row checks, rendered so that a
// mismatch prints in full.
type result struct {
	status   int
	msg      string
	headers  string
	body     string
	trailers string
	interim  string
	flushes  int
	err      error // compared with errors.Is; nil: Err must be nil
	fault    string
}

// summarize renders res, its fields with render (fields, in TestDo).
func summarize(res *httpservertest.Result, render func(*httpserver.Header) string) result {
	var interim strings.Builder
	for _, i := range res.Interim {
		fmt.Fprintf(&interim, "%d %q; ", i.StatusCode, render(&i.Headers))
	}
	return result{
		status: res.StatusCode, msg: res.StatusMsg, headers: render(&res.Headers),
		body: string(res.Body), trailers: render(&res.Trailers), interim: interim.String(),
		flushes: res.Flushes, err: res.Err, fault: res.Fault,
	}
}

func (r result) String() string {
	return fmt.Sprintf("{status %d %q, headers %q, body %q, trailers %q, interim %q, flushes %d, err %v, fault %q}",
		r.status, r.msg, r.headers, r.body, r.trailers, r.interim, r.flushes, r.err, r.fault)
}

func (r result) matches(want result) bool {
	errOK := errors.Is(r.err, want.err) || (want.err == errAny && r.err != nil)
	r.err, want.err = nil, nil
	return errOK && r == want
}

var (
	errAny    = errors.New("any error")
	errStream = errors.New("stream failed")
)

// closer is a Body that records whether it was closed.
type closer struct {
	io.Reader
	closed *bool
}

func (c closer) Close() error { *c.closed = true; return nil }

// failing is a Body that fails after its data.
type failing struct{ data string }

func (f *failing) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, errStream
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// stream returns a handler answering 200 with the Stream f.
func stream(f func(w *httpserver.StreamWriter) error) httpserver.Handler {
	return httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: f}
	})
}

func respond(resp *httpserver.Response) httpserver.Handler {
	return httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { return resp })
}

func withHeader(resp *httpserver.Response, name, value string) *httpserver.Response {
	resp.Headers.Add(name, value)
	return resp
}

func http10(req *httpserver.Request) { req.Version = "1.0" }

const plain500 = "Content-Type: text/plain; charset=utf-8\n"

// A doTest is a handler, the request it gets (NewRequest(verb, "/",
// nil), changed by prep) and what Do must record.
type doTest struct {
	name string
	h    httpserver.Handler
	verb string                    // "" is GET
	prep func(*httpserver.Request) // changes the request, or nil
	want result
	// notOnServer says why TestDoAgreesWithServer skips the row, or "".
	notOnServer string
}

// request returns the request of tt.
func (tt *doTest) request() *httpserver.Request {
	target := "/"
	if tt.verb == "CONNECT" {
		target = "db.test:5432"
	}
	req := httpservertest.NewRequest(tt.verb, target, nil)
	if tt.prep != nil {
		tt.prep(req)
	}
	return req
}

// doTests returns the rows of TestDo, new at each call: some hold
// Bodies that can be read once.
func doTests() []doTest {
	big := strings.Repeat("x", httpserver.DefaultWriteBufferSize+1)
	return []doTest{
		// Message and Body.
		{name: "Message",
			h:    respond(withHeader(&httpserver.Response{StatusCode: 200, Message: "hello\n"}, "Content-Type", "text/plain")),
			want: result{status: 200, msg: "OK", headers: "Content-Type: text/plain\n", body: "hello\n"}},
		{name: "own StatusMsg",
			h:    respond(&httpserver.Response{StatusCode: 418, StatusMsg: "Short and stout", Message: "tea"}),
			want: result{status: 418, msg: "Short and stout", body: "tea"}},
		{name: "Message to HEAD",
			h: respond(&httpserver.Response{StatusCode: 200, Message: "hello\n"}), verb: "HEAD",
			want: result{status: 200, msg: "OK"}},
		{name: "Body",
			h:    respond(&httpserver.Response{StatusCode: 200, Body: strings.NewReader("from a reader")}),
			want: result{status: 200, msg: "OK", body: "from a reader"}},
		{name: "Body longer than BodyLength is cut",
			h:    respond(&httpserver.Response{StatusCode: 200, Body: strings.NewReader("abcdef"), BodyLength: 3}),
			want: result{status: 200, msg: "OK", body: "abc"}},
		{name: "Body shorter than BodyLength",
			h:    respond(&httpserver.Response{StatusCode: 200, Body: io.MultiReader(strings.NewReader("ab")), BodyLength: 3}),
			want: result{status: 200, msg: "OK", body: "ab", fault: "response body shorter than its length"}},
		{name: "Body failing before the head",
			h:    respond(&httpserver.Response{StatusCode: 200, Body: &failing{data: "part"}}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", err: errStream}},
		{name: "Body failing after the head",
			h:    respond(&httpserver.Response{StatusCode: 200, Body: &failing{data: big}}),
			want: result{status: 200, msg: "OK", body: big, err: errStream}},

		// Stream: the head decided at the first write that cannot wait.
		{name: "Stream",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("a")
				w.WriteString("b")
				return nil
			}),
			want: result{status: 200, msg: "OK", body: "ab"}},
		{name: "Stream sets status and fields before writing",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.Header().Set("Location", "/new/7")
				w.WriteHeader(201)
				_, err := w.WriteString("created\n")
				return err
			}),
			want: result{status: 201, msg: "Created", headers: "Location: /new/7\n", body: "created\n"}},
		{name: "Stream changes fields after a short write",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("held back")
				if w.HeadSent() {
					return errors.New("head sent after a short write")
				}
				w.Header().Set("X-Late", "still sent")
				return nil
			}),
			want: result{status: 200, msg: "OK", headers: "X-Late: still sent\n", body: "held back"}},
		{name: "Stream changes fields after Flush",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("a")
				if err := w.Flush(); err != nil {
					return err
				}
				if !w.HeadSent() {
					return errors.New("head not sent after Flush")
				}
				w.Header().Set("X-Late", "not sent")
				w.WriteHeader(500)
				w.WriteString("b")
				return w.Flush()
			}),
			want: result{status: 200, msg: "OK", body: "ab", flushes: 2}},
		{name: "Stream changes fields after the window filled",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString(big)
				w.Header().Set("X-Late", "not sent")
				return nil
			}),
			want: result{status: 200, msg: "OK", body: big}},
		{name: "Stream with a declared length: head when it goes",
			h: respond(withHeader(&httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				if w.HeadSent() {
					return errors.New("head sent before a Stream with a Content-Length ran")
				}
				_, err := w.WriteString("four")
				return err
			}}, "Content-Length", "4")),
			want: result{status: 200, msg: "OK", headers: "Content-Length: 4\n", body: "four"}},
		{name: "Stream writing past its declared length",
			h: respond(withHeader(&httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				_, err := w.WriteString("five!")
				return err
			}}, "Content-Length", "4")),
			want: result{status: 200, msg: "OK", headers: "Content-Length: 4\n",
				err: httpserver.ErrLengthMismatch, fault: "response body longer than its length"}},
		{name: "Endless Stream: head at once",
			h: respond(&httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
				if !w.HeadSent() {
					return errors.New("head not sent before an Endless Stream")
				}
				w.WriteString("data: 1\n\n")
				return w.Flush()
			}}),
			want: result{status: 200, msg: "OK", body: "data: 1\n\n", flushes: 1}},
		{name: "Stream to HEAD is not run",
			h: stream(func(w *httpserver.StreamWriter) error {
				panic("Stream ran for HEAD")
			}), verb: "HEAD",
			want: result{status: 200, msg: "OK"}},
		{name: "Stream answering 204 with a body",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(204)
				w.Flush()
				_, err := w.WriteString("no")
				return err
			}),
			want: result{status: 204, msg: "No Content", flushes: 1, err: httpserver.ErrBodyNotAllowed}},
		{name: "Stream failing before the head",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("part")
				return errStream
			}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", err: errStream}},
		{name: "Stream failing after the head",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("part")
				w.Flush()
				return errStream
			}),
			want: result{status: 200, msg: "OK", body: "part", flushes: 1, err: errStream}},

		// Interim responses.
		{name: "103 then 200",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.Header().Set("Link", "</app.css>; rel=preload")
				w.WriteHeader(103)
				w.Header().Set("Content-Type", "text/html")
				_, err := w.WriteString("<html>")
				return err
			}),
			want: result{status: 200, msg: "OK", headers: "Link: </app.css>; rel=preload\nContent-Type: text/html\n", body: "<html>",
				interim: `103 "Link: </app.css>; rel=preload\n"; `}},
		{name: "103 to HTTP/1.0 is not sent",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(103)
				return nil
			}), prep: http10,
			want: result{status: 200, msg: "OK"}},
		{name: "one 100 at most",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(100)
				w.WriteHeader(100)
				w.WriteHeader(102)
				return nil
			}),
			want: result{status: 200, msg: "OK", interim: `100 ""; 102 ""; `}},
		{name: "interim with an invalid field",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.Header().Set("X-Bad", "a\r\nb")
				w.WriteHeader(103)
				w.Header().Del("X-Bad")
				return nil
			}),
			want: result{status: 200, msg: "OK", fault: "invalid header field in a 103 interim response"}},

		// Trailers.
		{name: "trailers after a flushed body",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("body")
				w.Flush()
				w.Trailer().Set("X-Checksum", "abc")
				w.Trailer().Set("Content-Length", "4") // may not be a trailer
				return nil
			}),
			want: result{status: 200, msg: "OK", body: "body", flushes: 1, trailers: "X-Checksum: abc\n"}},
		{name: "trailers declared by a Trailer field",
			h: respond(withHeader(&httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				w.WriteString("short")
				w.Trailer().Set("X-Checksum", "abc")
				return nil
			}}, "Trailer", "X-Checksum")),
			want: result{status: 200, msg: "OK", headers: "Trailer: X-Checksum\n", body: "short", trailers: "X-Checksum: abc\n"}},
		{name: "trailers of a body sent with a Content-Length are dropped",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("short")
				w.Trailer().Set("X-Checksum", "abc")
				return nil
			}),
			want: result{status: 200, msg: "OK", body: "short"}},
		{name: "trailers to HTTP/1.0 are dropped",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteString("body")
				w.Flush()
				w.Trailer().Set("X-Checksum", "abc")
				return nil
			}), prep: http10,
			want: result{status: 200, msg: "OK", body: "body", flushes: 1}},

		// Faults: what the server answers with 500.
		{name: "nil Response",
			h:    respond(nil),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "nil response"}},
		{name: "nil Response to HEAD",
			h: respond(nil), verb: "HEAD",
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, fault: "nil response"}},
		{name: "status 700",
			h:    respond(&httpserver.Response{StatusCode: 700}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "status code 700 outside 100..599"}},
		{name: "zero status",
			h:    respond(&httpserver.Response{Message: "forgot the status"}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "status code 0 outside 100..599"}},
		{name: "1xx returned",
			h:    respond(&httpserver.Response{StatusCode: 103}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "1xx status returned as a final response"}},
		{name: "Transfer-Encoding",
			h:    respond(withHeader(&httpserver.Response{StatusCode: 200}, "Transfer-Encoding", "chunked")),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "Transfer-Encoding set by handler (the server frames responses)"}},
		{name: "CR LF in a value",
			h:    respond(withHeader(&httpserver.Response{StatusCode: 200}, "X-Split", "a\r\nSet-Cookie: b")),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "invalid value for header X-Split"}},
		{name: "Content-Length disagreeing with Message",
			h:    respond(withHeader(&httpserver.Response{StatusCode: 200, Message: "abc"}, "Content-Length", "4")),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "Content-Length header disagrees with Message"}},
		{name: "Stream setting a bad status",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(700)
				if _, err := w.WriteString("x"); err != nil {
					return fmt.Errorf("held write failed: %w", err)
				}
				return w.Flush()
			}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", err: errAny, fault: "status code 700 outside 100..599"}},
		{name: "Stream setting a bad status and returning",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(99)
				return nil
			}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "status code 99 outside 100..599"}},

		// Tunnels and Hijack.
		{name: "101 without Upgrade",
			h:    respond(&httpserver.Response{StatusCode: 101, Stream: func(*httpserver.StreamWriter) error { return nil }}),
			want: result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", fault: "101 to a request without Upgrade"}},
		{name: "101 to an Upgrade, then Hijack",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.Header().Set("Upgrade", "websocket")
				w.Header().Set("Connection", "Upgrade")
				w.WriteHeader(101)
				if !w.HeadSent() {
					return errors.New("101 not sent at once")
				}
				_, _, err := w.Hijack()
				return err
			}), prep: func(req *httpserver.Request) { req.Headers.Set("Upgrade", "websocket") },
			want:        result{status: 101, msg: "Switching Protocols", headers: "Upgrade: websocket\nConnection: Upgrade\n", err: httpservertest.ErrCannotHijack},
			notOnServer: "the server's Hijack succeeds"},
		{name: "Hijack",
			h: stream(func(w *httpserver.StreamWriter) error {
				_, _, err := w.Hijack()
				return err
			}),
			want:        result{status: 500, msg: "Internal Server Error", headers: plain500, body: "Internal Server Error\n", err: httpservertest.ErrCannotHijack},
			notOnServer: "the server's Hijack succeeds"},
		{name: "CONNECT answered 200, then Hijack",
			h: stream(func(w *httpserver.StreamWriter) error {
				w.WriteHeader(200)
				if !w.HeadSent() {
					return errors.New("tunnel head not sent at once")
				}
				_, _, err := w.Hijack()
				return err
			}), verb: "CONNECT",
			want:        result{status: 200, msg: "OK", err: httpservertest.ErrCannotHijack},
			notOnServer: "the server's Hijack succeeds"},
		{name: "deadlines are accepted",
			h: stream(func(w *httpserver.StreamWriter) error {
				if err := w.SetReadDeadline(time.Now()); err != nil {
					return err
				}
				return w.SetWriteDeadline(time.Time{})
			}),
			want: result{status: 200, msg: "OK"}},
	}
}

func TestDo(t *testing.T) {
	for _, tt := range doTests() {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(httpservertest.Do(tt.h, tt.request()), fields)
			if !got.matches(tt.want) {
				t.Errorf("Do:\ngot  %v\nwant %v", got, tt.want)
			}
		})
	}
}
