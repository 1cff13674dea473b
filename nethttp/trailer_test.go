package nethttp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// TestFromHTTPRequestTrailer: a net/http handler on the engine finds a
// chunked request's trailer in r.Trailer once it has read the body, as
// on net/http, except for the fields that may not be trailers, which the
// engine drops (net/http keeps them); and, as on net/http, a copy the
// handler made before reading (WithContext) whose Trailer was nil does
// not get them.
func TestFromHTTPRequestTrailer(t *testing.T) {
	const head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
	for _, tc := range []struct {
		name, raw string
		copyFirst bool
		want      string
	}{
		{"forbidden fields dropped", head + "\r\n0\r\nContent-Length: 9\r\nHost: evil\r\nAuthorization: x\r\nX-Ok: yes\r\n\r\n", false,
			`before="" after="X-Ok=[\"yes\"];"`},
		{"declared, not sent", head + "Trailer: X-Sum\r\n\r\n1\r\na\r\n0\r\n\r\n", false,
			`before="X-Sum=[];" after="X-Sum=[];"`},
		{"read through a copy, undeclared", head + "\r\n0\r\nX-Late: 1\r\n\r\n", true,
			`before="" after=""`},
		{"read through a copy, declared", head + "Trailer: X-Late\r\n\r\n0\r\nX-Late: 1\r\n\r\n", true,
			`before="X-Late=[];" after="X-Late=[\"1\"];"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := serveEngine(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				before := headerString(r.Trailer)
				if tc.copyFirst {
					r = r.WithContext(context.Background())
				}
				io.ReadAll(r.Body)
				io.WriteString(w, "before="+quote(before)+" after="+quote(headerString(r.Trailer)))
			}))
			r, _ := ts.roundTrip(t, tc.raw)
			if r.resp.StatusCode != 200 || r.body != tc.want {
				t.Errorf("got %d %s, want 200 %s", r.resp.StatusCode, r.body, tc.want)
			}
		})
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// TestToHTTPRequestTrailer: an engine handler under net/http gets the
// request's trailer from Request.Trailer once it has read the body to
// its end, keys sorted, without the fields that may not be trailers.
func TestToHTTPRequestTrailer(t *testing.T) {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		before := req.Trailer().Len()
		io.ReadAll(req.Body)
		var got []string
		tr := req.Trailer()
		for name, value := range tr.All() {
			got = append(got, name+": "+value)
		}
		return &httpserver.Response{StatusCode: 200, Message: strings.Join(got, "|") + " before=" + string(rune('0'+before))}
	})
	ts := serveToHTTP(t, h)
	const head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
	for _, tc := range []struct{ name, raw, want string }{
		{"none", head + "\r\n1\r\na\r\n0\r\n\r\n", " before=0"},
		{"declared and sent", head + "Trailer: X-Sum\r\n\r\n1\r\na\r\n0\r\nX-Sum: 1\r\nx-sum: 2\r\n\r\n", "X-Sum: 1|X-Sum: 2 before=0"},
		{"undeclared, sorted, forbidden dropped", head + "\r\n0\r\nX-B: b\r\nContent-Type: x\r\nX-A: a\r\n\r\n", "X-A: a|X-B: b before=0"},
		{"declared, not sent", head + "Trailer: X-Sum\r\n\r\n1\r\na\r\n0\r\n\r\n", " before=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := ts.roundTrip(t, tc.raw)
			if r.resp.StatusCode != 200 || r.body != tc.want {
				t.Errorf("got %d %q, want 200 %q", r.resp.StatusCode, r.body, tc.want)
			}
		})
	}
}
