package fileserver_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// TestEndToEnd serves a directory through a real httpserver.Server on a
// loopback port and talks to it with net/http's client.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	content := strings.Repeat("0123456789", 100_000) // 1 MB: larger than the write window
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.css"), []byte("body{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := fileserver.New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpserver.Server{Handler: h}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	base := "http://" + l.Addr().String()
	client := &http.Client{Timeout: 10 * time.Second}

	do := func(method, path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("%s %s: reading body: %v", method, path, err)
		}
		return res, string(b)
	}

	res, body := do("GET", "/big.txt")
	if res.StatusCode != 200 || body != content || res.ContentLength != int64(len(content)) {
		t.Errorf("GET /big.txt: %d, %d bytes, Content-Length %d", res.StatusCode, len(body), res.ContentLength)
	}
	etag := res.Header.Get("ETag")

	res, body = do("GET", "/big.txt", "Range", "bytes=500000-500009")
	if res.StatusCode != 206 || body != content[500000:500010] || res.Header.Get("Content-Range") != "bytes 500000-500009/1000000" {
		t.Errorf("GET /big.txt with Range: %d %q Content-Range %q", res.StatusCode, body, res.Header.Get("Content-Range"))
	}

	res, body = do("GET", "/big.txt", "Range", "bytes=0-4,-5", "If-Range", etag)
	_, params, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if res.StatusCode != 206 || res.ContentLength != int64(len(body)) {
		t.Fatalf("multipart: %d Content-Length %d body %d bytes", res.StatusCode, res.ContentLength, len(body))
	}
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for i, want := range []string{content[:5], content[len(content)-5:]} {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if b, _ := io.ReadAll(p); string(b) != want {
			t.Errorf("part %d: %q, want %q", i, b, want)
		}
	}

	res, body = do("GET", "/big.txt", "If-None-Match", etag)
	if res.StatusCode != 304 || body != "" || res.Header.Get("ETag") != etag {
		t.Errorf("If-None-Match: %d %q", res.StatusCode, body)
	}

	res, body = do("HEAD", "/big.txt")
	if res.StatusCode != 200 || body != "" || res.ContentLength != int64(len(content)) {
		t.Errorf("HEAD: %d, body %d bytes, Content-Length %d", res.StatusCode, len(body), res.ContentLength)
	}

	res, _ = do("GET", "/big.txt", "Range", "bytes=2000000-")
	if res.StatusCode != 416 || res.Header.Get("Content-Range") != "bytes */1000000" {
		t.Errorf("unsatisfiable: %d Content-Range %q", res.StatusCode, res.Header.Get("Content-Range"))
	}

	res, body = do("GET", "/")
	if res.StatusCode != 200 || !strings.Contains(body, `href="./big.txt"`) || !strings.Contains(body, `href="./small.css"`) {
		t.Errorf("listing: %d %.200q", res.StatusCode, body)
	}

	res, _ = do("GET", "/%2e%2e/%2e%2e/etc/passwd")
	if res.StatusCode != 404 {
		t.Errorf("GET /%%2e%%2e/…: %d, want 404", res.StatusCode)
	}

	res, _ = do("POST", "/small.css")
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
