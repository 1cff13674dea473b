package httpserver

import (
	"fmt"
	"strings"
	"testing"
)

// TestReuseRequests: with Server.ReuseRequests a connection's next request
// gets the same *Request, and the strings taken from the earlier one stay
// intact; without it every request gets its own. In every mode.
func TestReuseRequests(t *testing.T) {
	runModes(t, testReuseRequests)
}

func testReuseRequests(t *testing.T, m mode) {
	for _, reuse := range []bool{false, true} {
		t.Run(fmt.Sprint("ReuseRequests=", reuse), func(t *testing.T) {
			checkNoGoroutineLeak(t)
			type seen struct {
				req        *Request
				path, last string
				nfields    int
			}
			var log []seen
			ts := m.start(t, &Server{ReuseRequests: reuse, Handler: HandlerFunc(func(req *Request) *Response {
				f := req.Headers.fields
				log = append(log, seen{req, req.Path, f[len(f)-1].Value, len(f)})
				// Growing the Header must not write into storage a
				// later request gets.
				req.Headers.Add("X-Added", "by the handler")
				return &Response{StatusCode: 200, Message: req.Path}
			})})
			rc := ts.dialRaw(t)
			many := ""
			for i := range 10 {
				many += fmt.Sprintf("X-%d: v%d\r\n", i, i)
			}
			reqs := []struct{ path, fields string }{
				{"/first", "X-Last: one\r\n"},
				{"/second-longer", many + "X-Last: two\r\n"},
				{"/3", many + "X-Last: three\r\n"},
				{"/4", "X-Last: four\r\n"},
			}
			// Pipelined, so that the connection does not park between
			// them (a parked connection gives its spare Request back
			// to a pool).
			all := ""
			for _, r := range reqs {
				all += "GET " + r.path + " HTTP/1.1\r\nHost: h\r\n" + r.fields + "\r\n"
			}
			rc.send(all)
			for _, r := range reqs {
				resp := rc.response("GET")
				if resp.Status != 200 || string(resp.Body) != r.path {
					t.Fatalf("%s: got %d %q, want 200", r.path, resp.Status, resp.Body)
				}
			}
			for i, s := range log {
				wantLast := strings.TrimSuffix(strings.TrimPrefix(reqs[i].fields[strings.LastIndex(reqs[i].fields, "X-Last: "):], "X-Last: "), "\r\n")
				if s.path != reqs[i].path || s.last != wantLast {
					t.Errorf("request %d after the others: strings got %q %q, want %q %q", i, s.path, s.last, reqs[i].path, wantLast)
				}
				if i == 0 {
					continue
				}
				if same := s.req == log[i-1].req; same != reuse {
					t.Errorf("request %d: same *Request as the one before: got %v, want %v", i, same, reuse)
				}
			}
			if reuse {
				// The last request (2 fields) must not see the fields
				// of the one before (12, plus the handler's).
				if n := log[3].nfields; n != 2 {
					t.Errorf("request 4: got %d fields, want 2", n)
				}
			}
		})
	}
}
