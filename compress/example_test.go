package compress_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/compress"
	"github.com/gohttpserver/httpserver/fileserver"
	"github.com/gohttpserver/httpserver/httpservertest"
	"github.com/klauspost/compress/gzip"
)

func ExampleHandler() {
	page := strings.Repeat("<p>Hello, compressed world.</p>\n", 100)
	h := compress.Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: page}
		resp.Headers.Set("Content-Type", "text/html; charset=utf-8")
		resp.Headers.Set("ETag", `"v1"`)
		return resp
	}), nil) // nil: the default Options

	req := httpservertest.NewRequest("GET", "/", nil)
	req.Headers.Set("Accept-Encoding", "gzip")
	res := httpservertest.Do(h, req)
	fmt.Println(res.Headers.Get("Content-Encoding"), res.Headers.Get("Vary"), res.Headers.Get("ETag"))

	zr, err := gzip.NewReader(strings.NewReader(string(res.Body)))
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	fmt.Println(len(page), "bytes; a tenth of it sent:", len(res.Body) < len(page)/10, "; decoded:", len(body))

	// The client that revalidates its compressed copy gets a 304.
	req = httpservertest.NewRequest("GET", "/", nil)
	req.Headers.Set("Accept-Encoding", "gzip")
	req.Headers.Set("If-None-Match", `"v1-gzip"`)
	h = compress.Handler(httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: page}
		resp.Headers.Set("ETag", `"v1"`)
		// The inner handler sees the identity tag among the client's.
		if strings.Contains(req.Headers.Get("If-None-Match"), `"v1"`) {
			resp.StatusCode, resp.Message = 304, ""
		}
		resp.Headers.Set("Content-Type", "text/html; charset=utf-8")
		return resp
	}), nil)
	res = httpservertest.Do(h, req)
	fmt.Println(res.StatusCode, res.Headers.Get("ETag"))
	// Output:
	// gzip Accept-Encoding "v1-gzip"
	// 3200 bytes; a tenth of it sent: true ; decoded: 3200
	// 304 "v1-gzip"
}

// A server whose files are compressed: the README's "Compression"
// (TestREADMESnippet keeps the two the same). It has no output: it
// would serve until stopped.
func ExampleHandler_server() {
	files, err := fileserver.New("public", nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := &httpserver.Server{Handler: compress.Handler(files, nil)} // nil: the defaults
	go srv.ListenAndServe()
}

// The file server, compressing what has no precompressed sibling:
// files, and directory listings.
func ExampleHandler_fileserver() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(strings.Repeat("console.log('hi');\n", 100)), 0o644)
	os.WriteFile(filepath.Join(dir, "logo.png"), []byte(strings.Repeat("\x89PNG", 1000)), 0o644)

	files, err := fileserver.New(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	h := compress.Handler(files, nil)
	for _, path := range []string{"/app.js", "/logo.png", "/"} {
		req := httpservertest.NewRequest("GET", path, nil)
		req.Headers.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		res := httpservertest.Do(h, req)
		fmt.Printf("%-9s %d %-24s Content-Encoding %q\n", path, res.StatusCode, res.Headers.Get("Content-Type"), res.Headers.Get("Content-Encoding"))
	}
	// Output:
	// /app.js   200 text/javascript; charset=utf-8 Content-Encoding "zstd"
	// /logo.png 200 image/png                Content-Encoding ""
	// /         200 text/html; charset=utf-8 Content-Encoding "zstd"
}

// Options: gzip only, at its fastest level, for more types than the
// default and from 512 bytes.
func ExampleOptions() {
	opts := &compress.Options{
		MinSize:   512,
		Encodings: []string{"gzip"},
		GzipLevel: 1,
		Types: func(mediaType string) bool {
			return compress.DefaultTypes(mediaType) || mediaType == "application/x-tar"
		},
	}
	h := compress.Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: strings.Repeat("a", 600)}
		resp.Headers.Set("Content-Type", "application/x-tar")
		return resp
	}), opts)
	req := httpservertest.NewRequest("GET", "/backup.tar", nil)
	req.Headers.Set("Accept-Encoding", "zstd, gzip")
	res := httpservertest.Do(h, req)
	fmt.Println(res.Headers.Get("Content-Encoding"))
	// Output:
	// gzip
}
