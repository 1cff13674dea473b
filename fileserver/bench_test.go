package fileserver

import (
	"testing"
	"testing/fstest"

	"github.com/gohttpserver/httpserver"
)

// benchServe measures one handler call and the closing of its body (the
// body is not read: sending it is the server's work).
func benchServe(b *testing.B, h httpserver.Handler, target string, hdrs ...string) {
	b.Helper()
	req := newReq("GET", target, hdrs...)
	b.ReportAllocs()
	for b.Loop() {
		resp := h.Handle(req)
		if resp.StatusCode >= 400 {
			b.Fatalf("GET %s: %d", target, resp.StatusCode)
		}
		closeBody(resp)
	}
}

func BenchmarkServeFile(b *testing.B) {
	dir := b.TempDir()
	writeFile(b, dir, "assets/css/site.css", rtContent, rtMod)
	writeFile(b, dir, "assets/css/site.css.gz", "gz", rtMod)
	for _, bc := range []struct {
		name string
		opts *Options
		hdrs []string
	}{
		{"OS", nil, nil},
		{"OS/NoPrecompressed", &Options{NoPrecompressed: true}, nil},
		{"OS/gzip", nil, []string{"Accept-Encoding", "gzip"}},
		{"OS/range", nil, []string{"Range", "bytes=100-199"}},
		{"OS/304", nil, []string{"If-None-Match", rtETag}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, err := New(dir, bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			benchServe(b, h, "/assets/css/site.css", bc.hdrs...)
		})
	}
	b.Run("MapFS", func(b *testing.B) {
		h := NewFS(fstest.MapFS{"assets/css/site.css": {Data: []byte(rtContent), ModTime: rtMod}}, nil)
		benchServe(b, h, "/assets/css/site.css")
	})
}

func BenchmarkListing(b *testing.B) {
	dir := b.TempDir()
	for i := range 100 {
		writeFile(b, dir, "d/file"+itoa(int64(i))+".txt", "x", rtMod)
	}
	h, err := New(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchServe(b, h, "/d/")
}
