package fileserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestChooseCoding(t *testing.T) {
	all := [3]bool{true, true, true}
	gzOnly := [3]bool{false, false, true}
	brOnly := [3]bool{true, false, false}
	const br, zstd, gz, none = 0, 1, 2, -1
	tests := []struct {
		accept string
		avail  [3]bool
		want   int
	}{
		{"", all, none},
		{"gzip", all, gz},
		{"gzip, deflate, br, zstd", all, br},
		{"zstd, gzip", all, zstd},
		{"gzip, br", all, br}, // tie: br preferred
		{"gzip;q=1, br;q=0.5", all, gz},
		{"gzip;q=0.5, br;q=0.8, zstd;q=0.9", all, zstd},
		{"br;q=0", brOnly, none},
		{"br;q=0, gzip", all, gz},
		{"*", all, br},
		{"*;q=0.5, gzip", all, gz},
		{"*;q=0.5, br;q=0", all, zstd},
		{"*;q=0", all, none},
		{"identity", all, none},
		{"identity;q=1, br;q=0.5", all, none},
		{"identity;q=0.5, br", all, br},
		{"identity;q=0, br", all, br},
		{"x-gzip", all, gz},
		{"BR", all, br},
		{"Gzip ; Q=0.7", all, gz},
		{"br", gzOnly, none},
		{"br, gzip", gzOnly, gz},
		{"br;q=1.5, gzip;q=0.1", all, gz},    // malformed weight: skipped
		{"br;q=0.0001, gzip;q=0.1", all, gz}, // four decimals: malformed
		{"br;q=, gzip", all, gz},
		{"gzip;q=0.001", all, gz},
		{"br;level=5, gzip", all, br},
		{",,gzip,,", all, gz},
		{"compress, deflate", all, none},
	}
	for _, tt := range tests {
		if got := chooseCoding(tt.accept, tt.avail); got != tt.want {
			t.Errorf("chooseCoding(%q, %v) = %d, want %d", tt.accept, tt.avail, got, tt.want)
		}
	}
}

// encTree: app.js with fresh .br and .gz siblings and a stale .zst one;
// style.css with only a stale .gz; noext with a .gz sibling.
func encTree(t *testing.T) string {
	dir := t.TempDir()
	mod := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	writeFile(t, dir, "app.js", "console.log('plain')", mod)
	writeFile(t, dir, "app.js.br", "BROTLI-BYTES-0123456789", mod.Add(time.Second))
	writeFile(t, dir, "app.js.gz", "GZIP-BYTES", mod) // same time counts as fresh
	writeFile(t, dir, "app.js.zst", "ZSTD-BYTES", mod.Add(-time.Hour))
	writeFile(t, dir, "style.css", "body{}", mod)
	writeFile(t, dir, "style.css.gz", "OLD-GZIP", mod.Add(-time.Second))
	writeFile(t, dir, "noext", "<!DOCTYPE html><p>hi", mod)
	writeFile(t, dir, "noext.gz", "\x1f\x8b\x08GZ", mod)
	return dir
}

func TestPrecompressed(t *testing.T) {
	dir := encTree(t)
	h := mustNew(t, dir, nil)
	etagOf := func(name, coding string) string {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if coding != "" {
			coding = "-" + coding
		}
		return fmt.Sprintf(`"%x-%x%s"`, fi.Size(), fi.ModTime().UnixNano(), coding)
	}
	const js = "text/javascript; charset=utf-8"
	tests := []struct {
		name     string
		target   string
		hdr      []string
		code     int
		body     string
		encoding string // Content-Encoding, "" for none
		vary     bool
		ctype    string
		etag     string
	}{
		{"br preferred", "/app.js", []string{"Accept-Encoding", "gzip, deflate, br, zstd"}, 200, "BROTLI-BYTES-0123456789", "br", true, js, etagOf("app.js.br", "br")},
		{"gzip asked", "/app.js", []string{"Accept-Encoding", "gzip"}, 200, "GZIP-BYTES", "gzip", true, js, etagOf("app.js.gz", "gzip")},
		{"gzip by weight", "/app.js", []string{"Accept-Encoding", "br;q=0.1, gzip"}, 200, "GZIP-BYTES", "gzip", true, js, etagOf("app.js.gz", "gzip")},
		{"stale zstd ignored", "/app.js", []string{"Accept-Encoding", "zstd"}, 200, "console.log('plain')", "", true, js, etagOf("app.js", "")},
		{"no Accept-Encoding", "/app.js", nil, 200, "console.log('plain')", "", true, js, etagOf("app.js", "")},
		{"br refused", "/app.js", []string{"Accept-Encoding", "br;q=0, gzip;q=0"}, 200, "console.log('plain')", "", true, js, etagOf("app.js", "")},
		{"304 for the br variant", "/app.js", []string{"Accept-Encoding", "br", "If-None-Match", etagOf("app.js.br", "br")}, 304, "", "", true, "", etagOf("app.js.br", "br")},
		{"br tag does not match identity", "/app.js", []string{"If-None-Match", etagOf("app.js.br", "br")}, 200, "console.log('plain')", "", true, js, etagOf("app.js", "")},
		{"identity tag does not match br", "/app.js", []string{"Accept-Encoding", "br", "If-None-Match", etagOf("app.js", "")}, 200, "BROTLI-BYTES-0123456789", "br", true, js, etagOf("app.js.br", "br")},
		{"range over encoded bytes", "/app.js", []string{"Accept-Encoding", "br", "Range", "bytes=0-5"}, 206, "BROTLI", "br", true, js, etagOf("app.js.br", "br")},
		{"416 has no Content-Encoding", "/app.js", []string{"Accept-Encoding", "br", "Range", "bytes=100-"}, 416, "", "", true, "text/plain; charset=utf-8", etagOf("app.js.br", "br")},
		{"stale gz only: no Vary", "/style.css", []string{"Accept-Encoding", "gzip"}, 200, "body{}", "", false, "text/css; charset=utf-8", etagOf("style.css", "")},
		{"sibling by its name", "/app.js.gz", []string{"Accept-Encoding", "gzip"}, 200, "GZIP-BYTES", "", false, "application/gzip", etagOf("app.js.gz", "")},
		{"sniffed from the original", "/noext", []string{"Accept-Encoding", "gzip"}, 200, "\x1f\x8b\x08GZ", "gzip", true, "text/html; charset=utf-8", etagOf("noext.gz", "gzip")},
	}
	for _, tt := range tests {
		got := serve(t, h, newReq("GET", tt.target, tt.hdr...))
		desc := fmt.Sprintf("%s: GET %s %q", tt.name, tt.target, tt.hdr)
		if got.status != tt.code {
			t.Errorf("%s: status %d, want %d", desc, got.status, tt.code)
			continue
		}
		if tt.code != 416 && got.body != tt.body {
			t.Errorf("%s: body %q, want %q", desc, got.body, tt.body)
		}
		if g := got.get("Content-Encoding"); g != tt.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", desc, g, tt.encoding)
		}
		if g := got.get("Vary"); (g == "Accept-Encoding") != tt.vary || (!tt.vary && g != "") {
			t.Errorf("%s: Vary %q, want Accept-Encoding: %v", desc, g, tt.vary)
		}
		if g := got.get("Content-Type"); g != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", desc, g, tt.ctype)
		}
		if g := got.get("ETag"); g != tt.etag {
			t.Errorf("%s: ETag %s, want %s", desc, g, tt.etag)
		}
	}

	// Distinct variants have distinct tags.
	tags := map[string]bool{etagOf("app.js", ""): true, etagOf("app.js.br", "br"): true, etagOf("app.js.gz", "gzip"): true}
	if len(tags) != 3 {
		t.Errorf("variant ETags collide: %v", tags)
	}

	// Switched off: no siblings looked for, no Vary.
	h = mustNew(t, dir, &Options{NoPrecompressed: true})
	got := serve(t, h, newReq("GET", "/app.js", "Accept-Encoding", "br"))
	if got.body != "console.log('plain')" || got.hdr.Has("Vary") || got.hdr.Has("Content-Encoding") {
		t.Errorf("NoPrecompressed: body %q Vary %q Content-Encoding %q", got.body, got.get("Vary"), got.get("Content-Encoding"))
	}
}

// A Last-Modified for a variant is its own; a sibling edited later than
// the original is still used (it is at least as new).
func TestPrecompressedIndex(t *testing.T) {
	dir := t.TempDir()
	mod := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	writeFile(t, dir, "docs/index.html", "<h1>plain</h1>", mod)
	writeFile(t, dir, "docs/index.html.gz", "GZ-INDEX", mod.Add(time.Minute))
	h := mustNew(t, dir, nil)
	got := serve(t, h, newReq("GET", "/docs/", "Accept-Encoding", "gzip"))
	if got.status != 200 || got.body != "GZ-INDEX" || got.get("Content-Encoding") != "gzip" ||
		got.get("Content-Type") != "text/html; charset=utf-8" || got.get("Vary") != "Accept-Encoding" {
		t.Errorf("GET /docs/ with gzip: %d %q CE %q CT %q Vary %q", got.status, got.body, got.get("Content-Encoding"), got.get("Content-Type"), got.get("Vary"))
	}
	if want := httpDate(mod.Add(time.Minute)); got.get("Last-Modified") != want {
		t.Errorf("Last-Modified %q, want the sibling's %q", got.get("Last-Modified"), want)
	}
	if !strings.HasSuffix(got.get("ETag"), `-gzip"`) {
		t.Errorf("ETag %s, want a -gzip suffix", got.get("ETag"))
	}
}
