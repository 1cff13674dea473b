package bench

// BenchmarkCompress compresses the same bodies through our
// compress.Handler and through klauspost's gzhttp on net/http (run by
// httptest.ResponseRecorder, which records the body), at
// the same levels: gzip level 5 (both defaults), zstd at SpeedFastest
// (gzhttp's default; ours is level 3, also measured as zstd-default).
// Ours runs on two hosts: impl=httpserver-rec under nethttp.ToHTTP on
// the same httptest.ResponseRecorder as gzhttp (the like-for-like
// comparison), and impl=httpserver under httpservertest.Do, whose
// recorder emulates the server's window and allocates more for the body
// it keeps. No sockets: the figures are the middleware and its encoder,
// with the recording host's copy of the output.
//
//	go test -run '^$' -bench Compress -count 5 | tee compress.txt
//	benchstat -col /impl compress.txt
//
// MB/s is of the identity body (b.SetBytes); cpu-ms/MB is the process's
// user+system CPU time (getrusage, so the garbage collector's work on
// other threads counts) per MB of identity body; ratio is identity over
// compressed size.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/compress"
	"github.com/gohttpserver/httpserver/httpservertest"
	"github.com/gohttpserver/httpserver/nethttp"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/zstd"
)

// compressBodies: a ~100 KB HTML page, a ~100 KB JSON document, and a
// 2.35 MB directory listing as fileserver writes them.
var compressBodies = []struct {
	name, ctype, body string
}{
	{"html-100k", "text/html; charset=utf-8", htmlPage(100 << 10)},
	{"json-100k", "application/json", jsonDoc(100 << 10)},
	{"listing-2.35M", "text/html; charset=utf-8", listingPage(2350 << 10)},
}

func htmlPage(n int) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release notes</title>" +
		"<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main>\n")
	words := strings.Fields("the server now parks idle connections in an epoll set and wakes them when bytes arrive " +
		"so that a keep-alive connection costs about two kilobytes while it waits for its next request and " +
		"responses are framed by one function that decides between a length chunked encoding and close")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<section id=\"s%d\"><h2>Change %d</h2><p class=\"note\">", i, i)
		for j := range 40 {
			b.WriteString(words[(i*7+j*3)%len(words)])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "</p><a href=\"/issues/%d\">issue %d</a></section>\n", i*13%997, i*13%997)
	}
	return b.String()[:n]
}

func jsonDoc(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"user-%05d","email":"user%d@example.com","active":%v,"score":%d.%02d,"tags":["a%d","b%d"]}`,
			i, i, i*31%10007, i%3 == 0, i*7919%1000, i%100, i%17, i%5)
	}
	b.WriteString("]")
	return b.String()
}

// listingPage is shaped as fileserver's listing: one table row per entry.
func listingPage(n int) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of /data/</title></head><body>" +
		"<table><thead><tr><th><a href=\"?sort=name&amp;order=desc\">Name</a></th><th><a href=\"?sort=size\">Size</a></th>" +
		"<th><a href=\"?sort=modified\">Modified</a></th></tr></thead><tbody>\n")
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Len() < n-32; i++ {
		name := fmt.Sprintf("record-%06d-%x.json", i, i*2654435761%(1<<32))
		fmt.Fprintf(&b, "<tr><td><a href=\"%s\">%s</a></td><td data-size=\"%d\">%.1f KiB</td><td><time>%s</time></td></tr>\n",
			name, name, i*7919%1000000, float64(i*7919%1000000)/1024, day.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
	}
	b.WriteString("</tbody></table></body></html>\n")
	return b.String()
}

func BenchmarkCompress(b *testing.B) {
	for _, body := range compressBodies {
		for _, c := range []struct{ coding, label string }{
			{"gzip", "gzip"}, {"zstd", "zstd"}, {"zstd", "zstd-default"}, {"br", "br"},
		} {
			opts := &compress.Options{ZstdLevel: 1}
			if c.label == "zstd-default" {
				opts = nil
			}
			b.Run(body.name+"/"+c.label+"/impl=httpserver", func(b *testing.B) {
				benchOurs(b, body.ctype, body.body, c.coding, opts)
			})
			b.Run(body.name+"/"+c.label+"/impl=httpserver-rec", func(b *testing.B) {
				benchOursRecorder(b, body.ctype, body.body, c.coding, opts)
			})
			if c.label == "gzip" || c.label == "zstd" {
				b.Run(body.name+"/"+c.label+"/impl=gzhttp", func(b *testing.B) {
					benchGzhttp(b, body.ctype, body.body, c.coding)
				})
			}
		}
	}
}

func benchOurs(b *testing.B, ctype, body, coding string, opts *compress.Options) {
	h := compress.Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: body}
		resp.Headers.Set("Content-Type", ctype)
		return resp
	}), opts)
	run := func() int {
		req := httpservertest.NewRequest("GET", "/", nil)
		req.Headers.Set("Accept-Encoding", coding)
		res := httpservertest.Do(h, req)
		if res.Headers.Get("Content-Encoding") != coding {
			b.Fatalf("Content-Encoding %q, want %q", res.Headers.Get("Content-Encoding"), coding)
		}
		return len(res.Body)
	}
	measure(b, len(body), run)
}

// benchOursRecorder is benchOurs on gzhttp's host: nethttp.ToHTTP, and
// an httptest.ResponseRecorder.
func benchOursRecorder(b *testing.B, ctype, body, coding string, opts *compress.Options) {
	h := nethttp.ToHTTP(compress.Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: body}
		resp.Headers.Set("Content-Type", ctype)
		return resp
	}), opts))
	run := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Encoding", coding)
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != coding {
			b.Fatalf("Content-Encoding %q, want %q", rec.Header().Get("Content-Encoding"), coding)
		}
		return rec.Body.Len()
	}
	measure(b, len(body), run)
}

func benchGzhttp(b *testing.B, ctype, body, coding string) {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(5), gzhttp.ZstdCompressionLevel(int(zstd.SpeedFastest)))
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(body)
	h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Write(payload)
	}))
	run := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Encoding", coding)
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != coding {
			b.Fatalf("Content-Encoding %q, want %q", rec.Header().Get("Content-Encoding"), coding)
		}
		return rec.Body.Len()
	}
	measure(b, len(body), run)
}

// measure runs run b.N times and reports the compression ratio and the
// process's CPU time per MB of identity body.
func measure(b *testing.B, size int, run func() int) {
	out := run() // warm the pools
	b.SetBytes(int64(size))
	b.ReportAllocs()
	before := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.StopTimer()
	cpu := cpuTime() - before
	b.ReportMetric(float64(size)/float64(out), "ratio")
	b.ReportMetric(cpu.Seconds()*1e3/(float64(b.N)*float64(size)/1e6), "cpu-ms/MB")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
