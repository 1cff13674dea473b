package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// TestCLICompress: the command compresses on the fly by default (a file
// without a sibling, a listing), leaves a precompressed sibling's answer
// alone, and compresses nothing with -compress=false.
func TestCLICompress(t *testing.T) {
	dir := t.TempDir()
	page := strings.Repeat("<p>a paragraph of the page</p>\n", 200)
	writeFiles(t, dir, map[string]string{
		"page.html":    page,
		"app.js":       strings.Repeat("console.log(1);\n", 200),
		"app.js.gz":    "GZIP-SIBLING",
		"sub/file.txt": "x",
	})
	// The sibling no older than the file, whatever order they were
	// written in (an older one is stale, and ignored).
	mod := time.Now().Add(-time.Hour)
	for _, name := range []string{"app.js", "app.js.gz"} {
		if err := os.Chtimes(filepath.Join(dir, name), mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	// A transport that leaves Accept-Encoding and the body to the test.
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	p := startCLI(t, "-addr", "127.0.0.1:0", dir)
	resp, body := get(t, c, p.base+"/page.html", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" || gunzip(t, body) != page {
		t.Errorf("GET /page.html: %v, %d bytes", resp.Header, len(body))
	}
	resp, body = get(t, c, p.base+"/app.js", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || body != "GZIP-SIBLING" {
		t.Errorf("GET /app.js: %v, %q; want the sibling", resp.Header, body)
	}
	resp, body = get(t, c, p.base+"/sub/", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gunzip(t, body), "file.txt") {
		t.Errorf("GET /sub/: %v, %d bytes", resp.Header, len(body))
	}
	tr.CloseIdleConnections()
	if code := p.stop(t, os.Interrupt, 15*time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}

	p = startCLI(t, "-addr", "127.0.0.1:0", "-compress=false", dir)
	resp, body = get(t, c, p.base+"/page.html", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" || body != page {
		t.Errorf("-compress=false: GET /page.html: %v, %d bytes", resp.Header, len(body))
	}
	resp, body = get(t, c, p.base+"/app.js", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || body != "GZIP-SIBLING" {
		t.Errorf("-compress=false: GET /app.js: %v, %q; want the sibling still", resp.Header, body)
	}
	tr.CloseIdleConnections()
}

func gunzip(t *testing.T, s string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return string(b)
}
