package httpserver

import (
	"context"
	"testing"
)

type patternKey struct{}

// TestE2ERequestPattern: Request.Pattern is the pattern of the Mux route
// that dispatched the request, seen by the handler, by a handler in front
// of a middleware that copied the Request, and by the AccessLog entry's
// Request; "" for a request no route matched, and again "" for the next
// request on the connection (pipelined) when no route matches it.
func TestE2ERequestPattern(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "ReuseRequests"}[reuse], func(t *testing.T) {
			runModes(t, func(t *testing.T, m mode) {
				inner := NewMux()
				inner.RouteFunc("GET /api/v1/{thing}", func(req *Request) *Response {
					return &Response{StatusCode: 200, Message: "inner saw " + req.Pattern()}
				})
				mux := NewMux()
				mux.RouteFunc("GET /items/{id}", func(req *Request) *Response {
					return &Response{StatusCode: 200, Message: "saw " + req.Pattern()}
				})
				mux.Route("/api/", inner)
				logged := make(chan string, 5)
				srv := &Server{
					ReuseRequests: reuse,
					// A middleware that copies the Request before the Mux
					// (as one adding a context value does), and reads the
					// pattern once the Mux has served the copy.
					Handler: HandlerFunc(func(req *Request) *Response {
						resp := mux.Handle(req.WithContext(context.WithValue(req.Context(), patternKey{}, 1)))
						resp.Headers.Set("X-Outer-Saw", req.Pattern())
						return resp
					}),
					AccessLog: func(e AccessEntry) { logged <- e.Request.Pattern() },
				}
				ts := m.start(t, srv)
				rc := ts.dialRaw(t)
				rc.send("GET /items/7 HTTP/1.1\r\nHost: h\r\n\r\n" +
					"GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n" +
					"GET /api/v1/x HTTP/1.1\r\nHost: h\r\n\r\n" +
					"POST /items/7 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n" +
					"GET /api/v2 HTTP/1.1\r\nHost: h\r\n\r\n")
				for i, want := range []struct {
					status      int
					body, outer string
				}{
					{200, "saw GET /items/{id}", "GET /items/{id}"},
					{404, "Not Found\n", ""},
					{200, "inner saw GET /api/v1/{thing}", "GET /api/v1/{thing}"},
					{405, "Method Not Allowed\n", ""},
					// The inner Mux has no route for it: the outer's stays.
					{404, "Not Found\n", "/api/"},
				} {
					r := rc.response("GET")
					outer, _ := r.get("X-Outer-Saw")
					if r.Status != want.status || string(r.Body) != want.body || outer != want.outer {
						t.Errorf("response %d: got %d %q, outer handler saw %q; want %d %q, %q", i+1, r.Status, r.Body, outer, want.status, want.body, want.outer)
					}
				}
				for i, want := range []string{"GET /items/{id}", "", "GET /api/v1/{thing}", "", "/api/"} {
					if got := recvWithin(t, logged, "an AccessLog entry"); got != want {
						t.Errorf("AccessLog entry %d: Pattern %q, want %q", i+1, got, want)
					}
				}
			})
		})
	}
}

// TestRequestPatternWithoutConn: on a Request built by hand the pattern
// is the one the Mux was given, and a copy made after the Mux keeps it.
func TestRequestPatternWithoutConn(t *testing.T) {
	mux := NewMux()
	var copied *Request
	mux.RouteFunc("/files/{path...}", func(req *Request) *Response {
		copied = req.WithContext(context.Background())
		return &Response{StatusCode: 200}
	})
	for _, tc := range []struct {
		path, want string
	}{
		{"/files/a/b", "/files/{path...}"},
		{"/other", ""},
	} {
		req := &Request{Verb: "GET", Path: tc.path}
		if got := req.Pattern(); got != "" {
			t.Errorf("%s before the Mux: Pattern %q, want \"\"", tc.path, got)
		}
		copied = nil
		mux.Handle(req)
		if got := req.Pattern(); got != tc.want {
			t.Errorf("%s: Pattern %q, want %q", tc.path, got, tc.want)
		}
		if copied != nil && copied.Pattern() != tc.want {
			t.Errorf("%s: a copy made in the handler has Pattern %q, want %q", tc.path, copied.Pattern(), tc.want)
		}
	}
}
