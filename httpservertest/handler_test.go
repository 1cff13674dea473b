package httpservertest_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// newMux is a small application: routes with path values, a query, a
// request body.
func newMux() *httpserver.Mux {
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id") + "\n"}
	})
	mux.RouteFunc("GET /files/{path...}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "file " + httpserver.PathValue(req, "path") + "\n"}
	})
	mux.RouteFunc("GET /search", func(req *httpserver.Request) *httpserver.Response {
		msg := "q=" + req.QueryDict.Get("q")
		if req.QueryDict.Has("debug") {
			msg += " debug"
		}
		if req.QueryErr != nil {
			msg += " (bad query)"
		}
		return &httpserver.Response{StatusCode: 200, Message: msg + "\n"}
	})
	mux.RouteFunc("POST /read", func(req *httpserver.Request) *httpserver.Response {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 400, Message: "unreadable body\n"}
		}
		return &httpserver.Response{StatusCode: 200, Message: "read " + string(b) + "\n"}
	})
	return mux
}

func TestDoMux(t *testing.T) {
	mux := newMux()
	tests := []struct {
		name, method, target, body string

		status  int
		headers string
		msg     string
	}{
		{name: "path value", method: "GET", target: "/users/7",
			status: 200, msg: "user 7\n"},
		{name: "path value decoded", method: "GET", target: "/users/a%20b",
			status: 200, msg: "user a b\n"},
		{name: "rest of the path", method: "GET", target: "/files/a/b.txt",
			status: 200, msg: "file a/b.txt\n"},
		{name: "HEAD to a GET route", method: "HEAD", target: "/users/7",
			status: 200},
		{name: "absolute form", method: "GET", target: "http://api.test/users/9",
			status: 200, msg: "user 9\n"},
		{name: "not found", method: "GET", target: "/nowhere",
			status: 404, msg: "Not Found\n"},
		{name: "dot-segment matches nothing", method: "GET", target: "/users/../users/7",
			status: 404, msg: "Not Found\n"},
		{name: "wrong method", method: "DELETE", target: "/users/7",
			status: 405, headers: "Allow: GET, HEAD\n", msg: "Method Not Allowed\n"},
		{name: "query", method: "GET", target: "/search?q=go+test&debug",
			status: 200, msg: "q=go test debug\n"},
		{name: "malformed query", method: "GET", target: "/search?q=x&bad=%zz",
			status: 200, msg: "q=x (bad query)\n"},
		{name: "request body", method: "POST", target: "/read", body: "ping",
			status: 200, msg: "read ping\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			res := httpservertest.Do(mux, httpservertest.NewRequest(tt.method, tt.target, body))
			if got := fields(&res.Headers); res.StatusCode != tt.status || got != tt.headers || string(res.Body) != tt.msg {
				t.Errorf("%s %s: got %d %q %q; want %d %q %q", tt.method, tt.target,
					res.StatusCode, got, res.Body, tt.status, tt.headers, tt.msg)
			}
			if res.Fault != "" || res.Err != nil {
				t.Errorf("%s %s: Fault %q, Err %v; want none", tt.method, tt.target, res.Fault, res.Err)
			}
		})
	}
}

// A Request built by NewRequest honours SetBodyLimit, as one read from a
// connection does (BodyLimit on a route).
func TestDoBodyLimit(t *testing.T) {
	mux := httpserver.NewMux()
	mux.Route("POST /small", httpserver.BodyLimit(4, httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		if _, err := io.ReadAll(req.Body); err != nil {
			if errors.Is(err, httpserver.ErrBodyTooLarge) {
				return &httpserver.Response{StatusCode: 413, Message: "too large\n"}
			}
			return &httpserver.Response{StatusCode: 400}
		}
		return &httpserver.Response{StatusCode: 204}
	})))
	for _, tt := range []struct {
		body   string
		status int
	}{
		{"1234", 204},
		{"12345", 413},
	} {
		res := httpservertest.Do(mux, httpservertest.NewRequest("POST", "/small", strings.NewReader(tt.body)))
		if res.StatusCode != tt.status {
			t.Errorf("body %q under BodyLimit(4): got %d; want %d", tt.body, res.StatusCode, tt.status)
		}
	}
}

// A Stream may read the request body while it writes (full duplex), as on
// the server.
func TestDoStreamReadsBody(t *testing.T) {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			_, err := io.Copy(w, req.Body)
			return err
		}}
	})
	body := strings.Repeat("duplex ", 5000) // more than a window
	res := httpservertest.Do(h, httpservertest.NewRequest("PUT", "/", io.MultiReader(strings.NewReader(body))))
	if string(res.Body) != body || res.Err != nil {
		t.Errorf("got %d bytes, Err %v; want %d bytes, nil", len(res.Body), res.Err, len(body))
	}
}

// A panic in the handler or the Stream is not recovered: it reaches the
// test, as with httptest.
func TestDoPanics(t *testing.T) {
	tests := []struct {
		name string
		h    httpserver.Handler
	}{
		{"handler", httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { panic("boom") })},
		{"Stream", stream(func(*httpserver.StreamWriter) error { panic("boom") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("recovered %v; want boom", r)
				}
			}()
			httpservertest.Do(tt.h, httpservertest.NewRequest("GET", "/", nil))
			t.Error("Do returned; want a panic")
		})
	}
}

// A Body that is an io.Closer is closed, whether it was read or not.
func TestDoClosesBody(t *testing.T) {
	for _, verb := range []string{"GET", "HEAD"} {
		var closed bool
		h := respond(&httpserver.Response{StatusCode: 200, Body: closer{strings.NewReader("x"), &closed}})
		httpservertest.Do(h, httpservertest.NewRequest(verb, "/", nil))
		if !closed {
			t.Errorf("%s: Body not closed", verb)
		}
	}
	var closed bool
	httpservertest.Do(respond(withHeader(&httpserver.Response{StatusCode: 200, Body: closer{strings.NewReader("x"), &closed}},
		"Transfer-Encoding", "chunked")), httpservertest.NewRequest("GET", "/", nil))
	if !closed {
		t.Error("Body of a faulty response not closed")
	}
}

// Every StreamWriter method fails, or does nothing, once the Stream has
// returned.
func TestDoStreamWriterAfterReturn(t *testing.T) {
	var kept *httpserver.StreamWriter
	res := httpservertest.Do(stream(func(w *httpserver.StreamWriter) error {
		kept = w
		_, err := w.WriteString("body")
		return err
	}), httpservertest.NewRequest("GET", "/", nil))
	if _, err := kept.WriteString("late"); err == nil {
		t.Error("Write after the Stream returned: nil error")
	}
	if err := kept.Flush(); err == nil {
		t.Error("Flush after the Stream returned: nil error")
	}
	if _, _, err := kept.Hijack(); err == nil {
		t.Error("Hijack after the Stream returned: nil error")
	}
	if !kept.HeadSent() {
		t.Error("HeadSent after the Stream returned: false")
	}
	kept.Header().Set("X-Late", "1")
	kept.Trailer().Set("X-Late", "1")
	kept.WriteHeader(500)
	if got := fields(&res.Headers); string(res.Body) != "body" || res.StatusCode != 200 || got != "" || res.Trailers.Len() != 0 {
		t.Errorf("after late calls: got %d %q %q, %d trailers; want 200 \"\" \"body\", 0 trailers", res.StatusCode, got, res.Body, res.Trailers.Len())
	}
}

// A file Body is sent whole and closed, its length taken from its size
// as the server takes it.
func TestDoFileBody(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(name, []byte("file contents\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	res := httpservertest.Do(respond(&httpserver.Response{StatusCode: 200, Body: f}), httpservertest.NewRequest("GET", "/notes.txt", nil))
	if string(res.Body) != "file contents\n" || res.Err != nil || res.Fault != "" {
		t.Errorf("got %q, Err %v, Fault %q; want %q, nil, \"\"", res.Body, res.Err, res.Fault, "file contents\n")
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("reading the file after Do: %v; want os.ErrClosed", err)
	}
}
