package httpserver

import (
	"testing"
)

// browserRequest is a realistic request head: about 500 bytes, 12 fields.
const browserRequest = "GET /static/app.js?v=3 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Referer: https://www.example.com/index.html\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=4f1c2b7a9e; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: script\r\n" +
	"Sec-Fetch-Mode: no-cors\r\n" +
	"Cache-Control: max-age=0\r\n" +
	"\r\n"

const minimalRequest = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"

// helloResponse is shared by every request: the handler allocates nothing.
var helloResponse = func() *Response {
	r := &Response{StatusCode: 200, Message: "Hello, World!"}
	r.Headers.Set("Content-Type", "text/plain")
	return r
}()

func helloServer() *Server {
	return &Server{
		Handler:            HandlerFunc(func(*Request) *Response { return helloResponse }),
		MaxRequestsPerConn: Unlimited,
	}
}

func benchmarkServe(b *testing.B, req string, depth int) {
	s := helloServer()
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	m := newMemConn(req, b.N, depth)
	serveMem(s, m)
	b.StopTimer()
	if want := b.N; m.writes == 0 || m.written < int64(want)*int64(len("HTTP/1.1 200 OK\r\n")) {
		b.Fatalf("wrote %d bytes in %d writes for %d requests", m.written, m.writes, want)
	}
	b.ReportMetric(float64(b.N)/float64(m.writes), "req/write")
}

func BenchmarkServeMinimal(b *testing.B)          { benchmarkServe(b, minimalRequest, 1) }
func BenchmarkServeBrowser(b *testing.B)          { benchmarkServe(b, browserRequest, 1) }
func BenchmarkServeMinimalPipelined(b *testing.B) { benchmarkServe(b, minimalRequest, 16) }
func BenchmarkServeBrowserPipelined(b *testing.B) { benchmarkServe(b, browserRequest, 16) }

// TestServeAllocs is the per-request allocation budget of the whole
// request/response path for a handler that allocates nothing. The budget
// is what a Request costs: the server allocates it (and everything in it)
// once per request so that handlers may keep it; nothing else may.
func TestServeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	// Allocations per request in steady state: the difference between a
	// connection serving 2n and one serving n requests, divided by n, so
	// the connection's own setup cancels out.
	const n = 100
	for _, tc := range []struct {
		name   string
		req    string
		depth  int
		budget float64
	}{
		// The Request (holding up to 6 header fields) and its head string.
		{"minimal", minimalRequest, 1, 2},
		// Pipelined heads that arrive in one read share one string.
		{"minimal pipelined", minimalRequest, 16, 1 + 1.0/16},
		// The same, plus a slice for 12 fields and QueryDict for "?v=3"
		// (map, value slice). Seven 520-byte heads fit a read.
		{"browser", browserRequest, 1, 6},
		{"browser pipelined", browserRequest, 16, 5 + 1.0/7},
	} {
		s := helloServer()
		serveMem(s, newMemConn(tc.req, n, tc.depth)) // warm pools
		one := testing.AllocsPerRun(20, func() { serveMem(s, newMemConn(tc.req, n, tc.depth)) })
		two := testing.AllocsPerRun(20, func() { serveMem(s, newMemConn(tc.req, 2*n, tc.depth)) })
		perReq := (two - one) / n
		if perReq > tc.budget {
			t.Errorf("%s: %.2f allocs per request, want <= %.2f", tc.name, perReq, tc.budget)
		}
		t.Logf("%s: %.2f allocs per request", tc.name, perReq)
	}
}
