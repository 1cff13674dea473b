package httpserver

import (
	"testing"
	"unsafe"
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

func helloServer(reuse bool) *Server {
	return &Server{
		Handler:            HandlerFunc(func(*Request) *Response { return helloResponse }),
		MaxRequestsPerConn: Unlimited,
		ReuseRequests:      reuse,
	}
}

func benchmarkServe(b *testing.B, req string, depth int, reuse bool) {
	s := helloServer(reuse)
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

func BenchmarkServeMinimal(b *testing.B)          { benchmarkServe(b, minimalRequest, 1, false) }
func BenchmarkServeBrowser(b *testing.B)          { benchmarkServe(b, browserRequest, 1, false) }
func BenchmarkServeMinimalPipelined(b *testing.B) { benchmarkServe(b, minimalRequest, 16, false) }
func BenchmarkServeBrowserPipelined(b *testing.B) { benchmarkServe(b, browserRequest, 16, false) }

// The same with Server.ReuseRequests.
func BenchmarkServeMinimalReuse(b *testing.B) { benchmarkServe(b, minimalRequest, 1, true) }
func BenchmarkServeBrowserReuse(b *testing.B) { benchmarkServe(b, browserRequest, 1, true) }
func BenchmarkServeMinimalPipelinedReuse(b *testing.B) {
	benchmarkServe(b, minimalRequest, 16, true)
}
func BenchmarkServeBrowserPipelinedReuse(b *testing.B) {
	benchmarkServe(b, browserRequest, 16, true)
}

// TestServeAllocs is the per-request allocation budget of the whole
// request/response path for a handler that allocates nothing. By default
// the budget is what a Request costs: the server allocates it once per
// request so that handlers may keep it; nothing else may. With
// Server.ReuseRequests nothing is allocated per request.
//
// Besides, shared arenas (arena.go) cost a share of an allocation each:
// head strings are copied into 4 KiB arenas (1/89 for the 46-byte minimal
// head, 1/7 for the browser's 520 bytes) and, by default, header fields
// come from arenas of 64 (1/64 for the minimal request's one field, 1/5
// for the browser's 12). The budgets allow 0.01 more, for the pooled
// objects a GC drops during the measurement.
func TestServeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	// Allocations per request in steady state: the difference between a
	// connection serving 2n and one serving n requests, divided by n, so
	// the connection's own setup cancels out. n is large because pooled
	// objects (buffers, arenas, request state) that a GC drops are
	// allocated again, which the longer run sees more often.
	const n = 1000
	share := func(size, per int) float64 { return 1 / float64(size/per) }
	minimalArenas := share(arenaSize, len(minimalRequest)) + 0.01
	browserArenas := share(arenaSize, len(browserRequest)) + 0.01
	minimalFields, browserFields := share(fieldArenaSize, 1), share(fieldArenaSize, 12)
	for _, tc := range []struct {
		name   string
		req    string
		depth  int
		reuse  bool
		budget float64
	}{
		// The Request.
		{"minimal", minimalRequest, 1, false, 1 + minimalArenas + minimalFields},
		{"minimal pipelined", minimalRequest, 16, false, 1 + minimalArenas + minimalFields},
		// The same, plus QueryDict for "?v=3" (a map and its value
		// slices).
		{"browser", browserRequest, 1, false, 4 + browserArenas + browserFields},
		{"browser pipelined", browserRequest, 16, false, 4 + browserArenas + browserFields},
		// Reused Requests, with their storage for fields: only QueryDict.
		{"minimal reuse", minimalRequest, 1, true, minimalArenas},
		{"minimal pipelined reuse", minimalRequest, 16, true, minimalArenas},
		{"browser reuse", browserRequest, 1, true, 3 + browserArenas},
		{"browser pipelined reuse", browserRequest, 16, true, 3 + browserArenas},
	} {
		s := helloServer(tc.reuse)
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

// TestRequestSize guards the Request's size class: every request allocates
// one (unless Server.ReuseRequests), and its bytes decide how often the
// garbage collector runs under load (docs/PERFORMANCE.md, "Pipelined: the
// one allocation"). 240 is a size class of Go's allocator.
func TestRequestSize(t *testing.T) {
	if got, want := unsafe.Sizeof(Request{}), uintptr(240); got > want {
		t.Errorf("Request is %d bytes, want <= %d: put what few requests need in reqExt", got, want)
	}
}
