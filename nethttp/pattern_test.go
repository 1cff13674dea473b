package nethttp

import (
	"io"
	"net/http"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// TestFromHTTPPattern: the pattern a net/http ServeMux matched reaches
// the engine's Request (its AccessLog entry, so package metrics' route),
// and the engine Mux's pattern reaches the net/http handler's
// r.Pattern; the innermost match counts.
func TestFromHTTPPattern(t *testing.T) {
	std := http.NewServeMux()
	std.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "std saw "+r.Pattern)
	})
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "plain saw "+r.Pattern)
	})
	outer := httpserver.NewMux()
	outer.Route("/std/", FromHTTP(http.StripPrefix("/std", std)))
	outer.Route("GET /plain/{x}", FromHTTP(plain))
	outer.Route("/direct/", FromHTTP(std))
	logged := make(chan string, 1)
	ts := serveEngine(t, nil, func(s *httpserver.Server) {
		s.Handler = outer
		s.AccessLog = func(e httpserver.AccessEntry) { logged <- e.Request.Pattern() }
	})
	for _, tc := range []struct{ raw, body, logged string }{
		// StripPrefix copies the request: std sets the copy's Pattern,
		// out of reach, as it is for net/http's own server.
		{"GET /std/items/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "std saw GET /items/{id}", "/std/"},
		{"GET /plain/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "plain saw GET /plain/{x}", "GET /plain/{x}"},
		{"GET /direct/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "404 page not found\n", "/direct/"},
		{"HEAD /plain/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "", "GET /plain/{x}"},
	} {
		r, _ := ts.roundTrip(t, tc.raw)
		if r.body != tc.body {
			t.Errorf("%.30q: got body %q, want %q", tc.raw, r.body, tc.body)
		}
		if got := <-logged; got != tc.logged {
			t.Errorf("%.30q: the AccessLog entry's Pattern is %q, want %q", tc.raw, got, tc.logged)
		}
	}
}

// TestFromHTTPServeMuxPattern: a net/http ServeMux that is the handler
// itself gives the engine its pattern.
func TestFromHTTPServeMuxPattern(t *testing.T) {
	std := http.NewServeMux()
	std.HandleFunc("POST /upload/{name}", func(w http.ResponseWriter, r *http.Request) {})
	logged := make(chan string, 1)
	ts := serveEngine(t, std, func(s *httpserver.Server) {
		s.AccessLog = func(e httpserver.AccessEntry) { logged <- e.Request.Pattern() }
	})
	ts.roundTrip(t, "POST /upload/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	if got := <-logged; got != "POST /upload/{name}" {
		t.Errorf("the AccessLog entry's Pattern is %q, want the ServeMux's \"POST /upload/{name}\"", got)
	}
}

// TestToHTTPPattern: an engine handler behind a net/http ServeMux sees
// its pattern, and an engine Mux's match is left in r.Pattern for the
// net/http middleware around it.
func TestToHTTPPattern(t *testing.T) {
	inner := httpserver.NewMux()
	inner.RouteFunc("GET /api/v1/{thing}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "inner saw " + req.Pattern()}
	})
	std := http.NewServeMux()
	std.Handle("/api/", ToHTTP(inner))
	std.Handle("GET /plain/{x}", ToHTTP(httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "plain saw " + req.Pattern()}
	})))
	after := make(chan string, 1)
	ts := serveNetHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		std.ServeHTTP(w, r)
		after <- r.Pattern // what a middleware around the ServeMux finds
	}))
	for _, tc := range []struct{ raw, body, after string }{
		{"GET /api/v1/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "inner saw GET /api/v1/{thing}", "GET /api/v1/{thing}"},
		{"GET /plain/y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "plain saw GET /plain/{x}", "GET /plain/{x}"},
	} {
		if r, _ := ts.roundTrip(t, tc.raw); r.body != tc.body {
			t.Errorf("%.30q: got %q, want %q", tc.raw, r.body, tc.body)
		}
		if got := <-after; got != tc.after {
			t.Errorf("%.30q: r.Pattern after the ServeMux is %q, want %q", tc.raw, got, tc.after)
		}
	}
}
