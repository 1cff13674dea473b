package nethttp

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// allocsPerRequest measures the allocations of the whole process per
// keep-alive request of raw to the server at addr: the client writes
// fixed bytes and reads a response of known size into a fixed buffer, so
// that what is counted is the server's.
func allocsPerRequest(t testing.TB, addr, raw string) float64 {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte(raw)
	buf := make([]byte, 64<<10)
	// The first answer tells the size of every answer (the Date field
	// keeps its length).
	c.Write(req)
	n := 0
	size := -1
	for size < 0 || n < size {
		m, err := c.Read(buf[n:])
		if err != nil {
			t.Fatalf("reading the first answer: %v", err)
		}
		n += m
		if i := bytes.Index(buf[:n], []byte("\r\n\r\n")); i >= 0 && size < 0 {
			head := buf[:i]
			j := bytes.Index(head, []byte("Content-Length: "))
			if j < 0 {
				t.Fatalf("no Content-Length in %q", head)
			}
			rest := head[j+len("Content-Length: "):]
			if k := bytes.IndexByte(rest, '\r'); k >= 0 {
				rest = rest[:k]
			}
			cl, _ := strconv.Atoi(string(rest))
			size = i + 4 + cl
		}
	}
	return testing.AllocsPerRun(200, func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:size]); err != nil {
			t.Fatal(err)
		}
	})
}

const helloRequest = "GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\r\n"

var (
	helloHTTP = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, world\n")
	})
	helloHeadersHTTP = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Request-Path", r.URL.Path)
		io.WriteString(w, "hello, world\n")
	})
)

// TestAllocsPerRequest is the allocation budget of FromHTTP: a
// hello-world net/http handler on the engine allocates no more per
// request than on net/http's own server, and at most the budget over
// what the engine itself allocates for an answer (a Message).
func TestAllocsPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	if testing.Short() {
		t.Skip("measures over loopback")
	}
	engineOnly := serveEngine(t, nil, func(s *httpserver.Server) {
		s.Handler = httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: "hello, world\n"}
		})
	})
	base := allocsPerRequest(t, engineOnly.addr, helloRequest)
	for _, tt := range []struct {
		name   string
		h      http.Handler
		budget float64 // over the engine's own
	}{
		// FromHTTP's 6: the exchange, the Stream closure, the engine's
		// StreamWriter, the request's header map and its group, the
		// head's one field (the sniffed Content-Type). No Request: the
		// engine reuses it for FromHTTP (bridge.ReleasesRequests). The
		// engine alone's 5: the Request, its QueryDict for "?x=1" (3),
		// the handler's Response.
		{"hello", helloHTTP, 1},
		// 11: the same but the sniffing, and the handler's header map,
		// its group and the three values Set allocates, the head's
		// fields.
		{"three fields", helloHeadersHTTP, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours := allocsPerRequest(t, serveEngine(t, tt.h).addr, helloRequest)
			std := allocsPerRequest(t, serveNetHTTP(t, tt.h).addr, helloRequest)
			t.Logf("allocations per request: FromHTTP %v (engine alone %v), net/http %v", ours, base, std)
			if ours > std {
				t.Errorf("FromHTTP allocates %v per request, more than net/http's %v", ours, std)
			}
			if ours-base > tt.budget {
				t.Errorf("FromHTTP allocates %v per request over the engine's %v, more than the budget %v", ours-base, base, tt.budget)
			}
		})
	}
}
