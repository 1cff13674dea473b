package fileserver_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// Serve a directory of the operating system. In a program the handler goes
// to a Server (or a Mux); here it is called directly, as a test would.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "site")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, world\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	h, err := fileserver.New(dir, nil)
	if err != nil {
		log.Fatal(err)
	}

	req := &httpserver.Request{Verb: "GET", Path: "/hello.txt", Version: "1.1"}
	req.Headers.Set("Range", "bytes=0-4")
	resp := h.Handle(req)
	// A Server sends BodyLength bytes of Body and then closes it.
	part, _ := io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
	resp.Body.(io.Closer).Close()
	fmt.Println(resp.StatusCode, resp.Headers.Get("Content-Range"), resp.Headers.Get("Content-Type"))
	fmt.Printf("%q\n", part)

	// Nothing outside dir is reachable.
	resp = h.Handle(&httpserver.Request{Verb: "GET", Path: "/../etc/passwd", Version: "1.1"})
	fmt.Printf("%d %q\n", resp.StatusCode, resp.Message)
	// Output:
	// 206 bytes 0-4/13 text/plain; charset=utf-8
	// "hello"
	// 404 "Not Found\n"
}

// Serve an fs.FS, such as an embed.FS. Files without a modification time
// get an ETag from their content, so conditional requests still work.
func ExampleNewFS() {
	fsys := fstest.MapFS{
		"index.html": {Data: []byte("<h1>Home</h1>\n")},
	}
	h := fileserver.NewFS(fsys, nil)

	resp := h.Handle(&httpserver.Request{Verb: "GET", Path: "/", Version: "1.1"})
	// A Server sends BodyLength bytes of Body and then closes it.
	page, _ := io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
	resp.Body.(io.Closer).Close()
	fmt.Println(resp.StatusCode, resp.Headers.Get("Content-Type"))
	fmt.Printf("%q\n", page)

	// The client asks again with the ETag it got: 304, no body.
	req := &httpserver.Request{Verb: "GET", Path: "/", Version: "1.1"}
	req.Headers.Set("If-None-Match", resp.Headers.Get("ETag"))
	resp = h.Handle(req)
	fmt.Println(resp.StatusCode, resp.Body == nil && resp.Message == "")
	// Output:
	// 200 text/html; charset=utf-8
	// "<h1>Home</h1>\n"
	// 304 true
}

// Mount the file server below a path of a Mux, with long cache lifetimes
// for assets whose names change with their content. The Mux is called
// directly here; in a program it is a Server's Handler.
func ExampleOptions() {
	fsys := fstest.MapFS{
		"app.4f1c.js": {Data: []byte("run()\n")},
	}
	mux := httpserver.NewMux()
	mux.Route("GET /static/", fileserver.NewFS(fsys, &fileserver.Options{
		Prefix:       "/static/",
		CacheControl: fileserver.AssetCacheControl(365 * 24 * time.Hour),
	}))

	resp := mux.Handle(&httpserver.Request{Verb: "GET", Path: "/static/app.4f1c.js", Version: "1.1"})
	// A Server sends BodyLength bytes of Body and then closes it.
	js, _ := io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
	resp.Body.(io.Closer).Close()
	fmt.Println(resp.StatusCode, resp.Headers.Get("Cache-Control"))
	fmt.Printf("%q\n", js)
	// Output:
	// 200 public, max-age=31536000, immutable
	// "run()\n"
}

// Answer with one file chosen by the program.
func ExampleServeFile() {
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(name, []byte("a,b\n1,2\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return fileserver.ServeFile(req, name, nil)
	})

	resp := h.Handle(&httpserver.Request{Verb: "GET", Path: "/download", Version: "1.1"})
	// A Server sends BodyLength bytes of Body and then closes it.
	csv, _ := io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
	resp.Body.(io.Closer).Close()
	fmt.Println(resp.StatusCode, resp.Headers.Get("Content-Type"), "| Accept-Ranges:", resp.Headers.Get("Accept-Ranges"))
	fmt.Printf("%q\n", csv)
	// Output:
	// 200 text/csv; charset=utf-8 | Accept-Ranges: bytes
	// "a,b\n1,2\n"
}

// Give every response the same Cache-Control.
func ExampleFixedCacheControl() {
	h := fileserver.NewFS(fstest.MapFS{"a.txt": {Data: []byte("a")}}, &fileserver.Options{
		CacheControl: fileserver.FixedCacheControl("private, max-age=60"),
	})

	resp := h.Handle(&httpserver.Request{Verb: "GET", Path: "/a.txt", Version: "1.1"})
	resp.Body.(io.Closer).Close() // a Server closes Body when the response ends
	fmt.Println(resp.StatusCode, resp.Headers.Get("Cache-Control"))
	// Output:
	// 200 private, max-age=60
}
