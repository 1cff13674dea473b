package fileserver_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// request builds a request as the server hands it to a handler.
func request(verb, path string, hdrs ...string) *httpserver.Request {
	req := &httpserver.Request{Verb: verb, Path: path, Version: "1.1", Body: strings.NewReader("")}
	for i := 0; i+1 < len(hdrs); i += 2 {
		req.Headers.Add(hdrs[i], hdrs[i+1])
	}
	return req
}

// show prints a response's status, the named header fields, and its body,
// closing the body as the server would.
func show(resp *httpserver.Response, fields ...string) {
	body := resp.Message
	if resp.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
		body = string(b)
		if c, ok := resp.Body.(io.Closer); ok {
			c.Close()
		}
	}
	fmt.Println(resp.StatusCode)
	for _, f := range fields {
		fmt.Printf("%s: %s\n", f, resp.Headers.Get(f))
	}
	fmt.Printf("%q\n", body)
}

// Serve a directory of the operating system. In a program the handler goes
// to a Server (or a Mux); here it is called directly.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "site")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, world\n"), 0o644)

	h, err := fileserver.New(dir, nil)
	if err != nil {
		panic(err)
	}
	show(h.Handle(request("GET", "/hello.txt", "Range", "bytes=0-4")), "Content-Range", "Content-Type")
	show(h.Handle(request("GET", "/../etc/passwd")))
	// Output:
	// 206
	// Content-Range: bytes 0-4/13
	// Content-Type: text/plain; charset=utf-8
	// "hello"
	// 404
	// "Not Found\n"
}

// Serve an fs.FS, such as an embed.FS. Files without a modification time
// get an ETag from their content, so conditional requests still work.
func ExampleNewFS() {
	fsys := fstest.MapFS{
		"index.html": {Data: []byte("<h1>Home</h1>\n")},
	}
	h := fileserver.NewFS(fsys, nil)

	resp := h.Handle(request("GET", "/"))
	etag := resp.Headers.Get("ETag")
	show(resp, "Content-Type")
	show(h.Handle(request("GET", "/", "If-None-Match", etag)))
	// Output:
	// 200
	// Content-Type: text/html; charset=utf-8
	// "<h1>Home</h1>\n"
	// 304
	// ""
}

// Mount the file server below a path of a Mux, with long cache lifetimes
// for assets whose names change with their content.
func ExampleOptions() {
	fsys := fstest.MapFS{
		"app.4f1c.js": {Data: []byte("run()\n")},
	}
	mux := new(httpserver.Mux)
	mux.Route("GET /static/", fileserver.NewFS(fsys, &fileserver.Options{
		Prefix:       "/static/",
		CacheControl: fileserver.AssetCacheControl(365 * 24 * time.Hour),
	}))
	show(mux.Handle(request("GET", "/static/app.4f1c.js")), "Cache-Control")
	// Output:
	// 200
	// Cache-Control: public, max-age=31536000, immutable
	// "run()\n"
}

// Answer with one file chosen by the program.
func ExampleServeFile() {
	dir, _ := os.MkdirTemp("", "report")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "report.csv")
	os.WriteFile(name, []byte("a,b\n1,2\n"), 0o644)

	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return fileserver.ServeFile(req, name, nil)
	})
	show(h.Handle(request("GET", "/download")), "Content-Type", "Accept-Ranges")
	// Output:
	// 200
	// Content-Type: text/csv; charset=utf-8
	// Accept-Ranges: bytes
	// "a,b\n1,2\n"
}

// Give every response the same Cache-Control.
func ExampleFixedCacheControl() {
	h := fileserver.NewFS(fstest.MapFS{"a.txt": {Data: []byte("a")}}, &fileserver.Options{
		CacheControl: fileserver.FixedCacheControl("private, max-age=60"),
	})
	show(h.Handle(request("GET", "/a.txt")), "Cache-Control")
	// Output:
	// 200
	// Cache-Control: private, max-age=60
	// "a"
}
