package interop

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fileTime is every test file's modification time, so that Last-Modified
// and the conditional requests against it are the same on every run.
var fileTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fileTree writes a small tree of files into a new temporary directory.
func fileTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data := make([]byte, 100<<10)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	files := map[string][]byte{
		"hello.txt":        []byte("hello, file server\n"),
		"data.bin":         data,
		"page.html":        []byte("<!doctype html><title>page</title><p>a page\n"),
		"dir/a.txt":        []byte("a\n"),
		"dir/b & <c>.txt":  []byte("b\n"),
		"dir2/index.html":  []byte("<p>the index\n"),
		"noext":            []byte("plain words, no extension\n"),
		"dir/sub/deep.txt": []byte("deep\n"),
	}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(path, fileTime, fileTime)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// etagged gives /hello.txt an ETag, as a program serving files with
// validators would: http.FileServer honours If-None-Match, If-Match and
// If-Range only against an ETag set before it runs.
func etagged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hello.txt" {
			w.Header().Set("ETag", `"hello-v1"`)
		}
		h.ServeHTTP(w, r)
	})
}

// sameBoundary replaces a multipart/byteranges answer's boundary, in its
// Content-Type and its body, by a fixed one of the same length:
// http.ServeContent draws a random boundary for every answer, so no two
// answers share one, whichever server sends them.
func sameBoundary(a *answer) {
	_, params, err := mime.ParseMediaType(a.header.Get("Content-Type"))
	b := params["boundary"]
	if err != nil || b == "" {
		return
	}
	fixed := strings.Repeat("B", len(b))
	a.header.Set("Content-Type", strings.ReplaceAll(a.header.Get("Content-Type"), b, fixed))
	a.body = bytes.ReplaceAll(a.body, []byte(b), []byte(fixed))
}

func TestFileServer(t *testing.T) {
	p := newPair(t, etagged(http.FileServer(http.Dir(fileTree(t)))))
	lastMod := fileTime.Format(http.TimeFormat)
	before := fileTime.Add(-time.Hour).Format(http.TimeFormat)
	for _, req := range []string{
		get("/hello.txt"),
		get("/data.bin"),
		get("/page.html"),
		get("/noext"),
		get("/dir/"),
		get("/dir"),
		get("/dir/sub"),
		get("/dir2/"),
		get("/dir2/index.html"),
		get("/dir/b%20&%20%3Cc%3E.txt"),
		get("/nothing.txt"),
		get("/dir/../hello.txt"),
		get("/"),
		"GET /hello.txt HTTP/1.0\r\n\r\n",
		request("HEAD", "/hello.txt", ""),
		request("HEAD", "/data.bin", ""),
		request("HEAD", "/dir/", ""),
		request("POST", "/hello.txt", "posted"),
		// Ranges.
		get("/data.bin", "Range: bytes=0-9"),
		get("/data.bin", "Range: bytes=-5"),
		get("/data.bin", "Range: bytes=102000-"),
		get("/data.bin", "Range: bytes=0-9,20-29"),
		get("/data.bin", "Range: bytes=0-0,-1,500-600"),
		get("/data.bin", "Range: bytes=0-1,1-2"),
		get("/data.bin", "Range: bytes=999999-"),
		get("/data.bin", "Range: bytes=5-2"),
		get("/data.bin", "Range: items=0-1"),
		get("/hello.txt", "Range: bytes=0-4"),
		request("HEAD", "/data.bin", "", "Range: bytes=0-9"),
		// Validators.
		get("/hello.txt", `If-None-Match: "hello-v1"`),
		get("/hello.txt", `If-None-Match: W/"hello-v1"`),
		get("/hello.txt", `If-None-Match: "other", "hello-v1"`),
		get("/hello.txt", `If-None-Match: "other"`),
		get("/hello.txt", `If-None-Match: *`),
		request("HEAD", "/hello.txt", "", `If-None-Match: "hello-v1"`),
		get("/hello.txt", "If-Modified-Since: "+lastMod),
		get("/hello.txt", "If-Modified-Since: "+before),
		get("/data.bin", "If-Modified-Since: "+lastMod),
		get("/hello.txt", `If-Match: "nope"`),
		get("/hello.txt", `If-Match: "hello-v1"`),
		get("/hello.txt", "If-Unmodified-Since: "+before),
		get("/hello.txt", `If-Range: "hello-v1"`, "Range: bytes=0-4"),
		get("/hello.txt", `If-Range: "stale"`, "Range: bytes=0-4"),
		get("/data.bin", "If-Range: "+lastMod, "Range: bytes=0-4"),
		get("/data.bin", "If-Range: "+before, "Range: bytes=0-4"),
	} {
		p.diff(t, req, compareOptions{head: methodOf(req) == "HEAD", normalize: sameBoundary})
	}
}

// TestFileServerClient fetches with Go's client, which follows the
// directory redirect.
func TestFileServerClient(t *testing.T) {
	p := newPair(t, etagged(http.FileServer(http.Dir(fileTree(t)))))
	var answers []*answer
	for _, s := range p.both() {
		resp, err := s.client(t).Get(s.url + "/dir2")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := resp.Request.URL.Path; got != "/dir2/" {
			t.Errorf("%s: the redirect led to %q, want /dir2/", s.name, got)
		}
		answers = append(answers, clientAnswer(resp))
	}
	reportDiff(t, "GET /dir2 (Go's client, redirected)", answers[0], answers[1], compareOptions{})
}

// TestFileServerLargeFile downloads a 64 MiB file from each server and
// checks that serving it allocated a small fraction of its size: the file
// is streamed, not read into memory.
func TestFileServerLargeFile(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "large.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: a hole reads as zeros and takes no disk.
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := newPair(t, http.FileServer(http.Dir(dir)))
	for _, s := range p.both() {
		client := s.client(t)
		// A first request warms the connection pool and the handler's
		// one-time allocations (MIME tables, buffers in pools).
		resp, err := client.Get(s.url + "/large.bin")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		resp, err = client.Get(s.url + "/large.bin")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		runtime.ReadMemStats(&after)
		if err != nil || n != size {
			t.Fatalf("%s: read %d bytes of %d: %v", s.name, n, size, err)
		}
		if resp.ContentLength != size {
			t.Errorf("%s: Content-Length %d, want %d", s.name, resp.ContentLength, size)
		}
		// Everything allocated in the process while the file went out:
		// the server's side and the client's.
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d bytes allocated to serve and read %d", s.name, alloc, size)
		if alloc > size/16 {
			t.Errorf("%s: serving a %d MiB file allocated %d KiB: the body is being held in memory", s.name, size>>20, alloc>>10)
		}
	}
}
