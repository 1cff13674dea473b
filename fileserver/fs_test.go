package fileserver

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestNewFSMapFS(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":    {Data: []byte("<h1>home</h1>")},
		"data.txt":      {Data: []byte(rtContent)},
		"noext":         {Data: []byte("%PDF-1.4 ...")},
		"dated.css":     {Data: []byte("a{}"), ModTime: rtMod},
		"dir/x.txt":     {Data: []byte("x")},
		".secret":       {Data: []byte("s")},
		"dir/.git/HEAD": {Data: []byte("ref")},
	}
	h := NewFS(fsys, nil)

	got := serve(t, h, newReq("GET", "/data.txt"))
	if got.status != 200 || got.body != rtContent {
		t.Fatalf("GET /data.txt: %d", got.status)
	}
	// No modification time: no Last-Modified, a content-hash ETag.
	etag := got.get("ETag")
	if got.hdr.Has("Last-Modified") || !strings.HasPrefix(etag, `"h-`) {
		t.Errorf("MapFS file without ModTime: Last-Modified %q ETag %q, want none and a hash tag", got.get("Last-Modified"), etag)
	}
	if again := serve(t, h, newReq("GET", "/data.txt")); again.get("ETag") != etag {
		t.Errorf("hash ETag not stable: %s then %s", etag, again.get("ETag"))
	}
	other := serve(t, h, newReq("GET", "/noext"))
	if other.get("ETag") == etag {
		t.Errorf("two files share the hash ETag %s", etag)
	}
	if other.get("Content-Type") != "application/pdf" {
		t.Errorf("GET /noext: sniffed %q, want application/pdf", other.get("Content-Type"))
	}
	if got := serve(t, h, newReq("GET", "/data.txt", "If-None-Match", etag)); got.status != 304 {
		t.Errorf("If-None-Match on a hash ETag: %d, want 304", got.status)
	}
	if got := serve(t, h, newReq("GET", "/data.txt", "If-Modified-Since", httpDate(time.Now()))); got.status != 200 {
		t.Errorf("If-Modified-Since without a Last-Modified: %d, want 200", got.status)
	}
	if got := serve(t, h, newReq("GET", "/data.txt", "Range", "bytes=10-19", "If-Range", etag)); got.status != 206 || got.body != rtContent[10:20] {
		t.Errorf("Range on a MapFS file: %d %q", got.status, got.body)
	}
	got = serve(t, h, newReq("GET", "/data.txt", "Range", "bytes=0-1,10-11"))
	if got.status != 206 || !strings.HasPrefix(got.get("Content-Type"), "multipart/byteranges; boundary=") {
		t.Errorf("multipart on a MapFS file: %d %q", got.status, got.get("Content-Type"))
	}
	if got := serve(t, h, newReq("GET", "/dated.css")); got.get("Last-Modified") != httpDate(rtLM) || got.get("ETag") != `"3-`+strings.Trim(rtETag, `"`)[4:]+`"` {
		t.Errorf("MapFS file with ModTime: Last-Modified %q ETag %q", got.get("Last-Modified"), got.get("ETag"))
	}
	if got := serve(t, h, newReq("GET", "/")); got.body != "<h1>home</h1>" || got.get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /: %q %q, want the index", got.body, got.get("Content-Type"))
	}
	if got := serve(t, h, newReq("GET", "/dir/")); !strings.Contains(got.body, `href="./x.txt"`) || strings.Contains(got.body, ".git") {
		t.Errorf("GET /dir/: listing wrong: %.200q", got.body)
	}
	for _, p := range []string{"/.secret", "/dir/.git/HEAD", "/dir/../data.txt", "/dir%2Fx.txt"} {
		if got := serve(t, h, newReq("GET", p)); got.status != 404 {
			t.Errorf("GET %s: %d, want 404", p, got.status)
		}
	}
}

// plainFS serves files that are neither io.Seeker nor io.ReaderAt.
type plainFS struct{ fs.FS }

type plainFile struct{ f fs.File }

func (p plainFile) Stat() (fs.FileInfo, error) { return p.f.Stat() }
func (p plainFile) Read(b []byte) (int, error) { return p.f.Read(b) }
func (p plainFile) Close() error               { return p.f.Close() }

func (p plainFS) Open(name string) (fs.File, error) {
	f, err := p.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, _ := f.Stat(); fi != nil && fi.IsDir() {
		return f, nil
	}
	return plainFile{f}, nil
}

// seekOnlyFS serves files that can Seek but not ReadAt.
type seekOnlyFS struct{ fs.FS }

type seekOnlyFile struct{ f fs.File }

func (p seekOnlyFile) Stat() (fs.FileInfo, error) { return p.f.Stat() }
func (p seekOnlyFile) Read(b []byte) (int, error) { return p.f.Read(b) }
func (p seekOnlyFile) Close() error               { return p.f.Close() }
func (p seekOnlyFile) Seek(off int64, whence int) (int64, error) {
	return p.f.(io.Seeker).Seek(off, whence)
}

func (p seekOnlyFS) Open(name string) (fs.File, error) {
	f, err := p.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, _ := f.Stat(); fi != nil && fi.IsDir() {
		return f, nil
	}
	return seekOnlyFile{f}, nil
}

func TestNonSeekableFS(t *testing.T) {
	base := fstest.MapFS{
		"noext": {Data: []byte("<!DOCTYPE html><title>t</title>" + strings.Repeat("z", 2000)), ModTime: rtMod},
		"a.txt": {Data: []byte(rtContent), ModTime: rtMod},
	}
	h := NewFS(plainFS{base}, nil)
	// Sniffing consumed the start: it is sent before the rest.
	got := serve(t, h, newReq("GET", "/noext", "Range", "bytes=0-9"))
	if got.status != 200 || got.body != string(base["noext"].Data) || got.get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("non-seekable sniffed file: %d %q, %d bytes", got.status, got.get("Content-Type"), len(got.body))
	}
	if got.get("Accept-Ranges") != "none" {
		t.Errorf("non-seekable file: Accept-Ranges %q, want none", got.get("Accept-Ranges"))
	}
	got = serve(t, h, newReq("GET", "/a.txt", "Range", "bytes=0-9"))
	if got.status != 200 || got.body != rtContent || got.get("Accept-Ranges") != "none" {
		t.Errorf("non-seekable file with Range: %d, %d bytes, Accept-Ranges %q", got.status, len(got.body), got.get("Accept-Ranges"))
	}
}

func TestSeekOnlyFS(t *testing.T) {
	base := fstest.MapFS{
		"noext": {Data: []byte("\x89PNG\r\n\x1a\n" + rtContent), ModTime: rtMod},
		"a.txt": {Data: []byte(rtContent), ModTime: rtMod},
	}
	h := NewFS(seekOnlyFS{base}, nil)
	got := serve(t, h, newReq("GET", "/noext"))
	if got.status != 200 || got.body != string(base["noext"].Data) || got.get("Content-Type") != "image/png" {
		t.Errorf("seek-only sniffed file: %d %q", got.status, got.get("Content-Type"))
	}
	got = serve(t, h, newReq("GET", "/a.txt", "Range", "bytes=10-19"))
	if got.status != 206 || got.body != rtContent[10:20] {
		t.Errorf("seek-only single range: %d %q", got.status, got.body)
	}
	got = serve(t, h, newReq("GET", "/a.txt", "Range", "bytes=500-509,0-9"))
	if got.status != 206 {
		t.Fatalf("seek-only multipart: %d", got.status)
	}
	checkMultipart(t, "seek-only multipart", got, []span{{500, 509}, {0, 9}})
}

// Files from an OS directory are returned as *os.File, positioned at the
// first byte to send, for sendfile.
func TestZeroCopyBody(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "data.bin", rtContent, rtMod)
	h := mustNew(t, dir, nil)
	resp := h.Handle(newReq("GET", "/data.bin"))
	f, ok := resp.Body.(*os.File)
	if !ok || resp.BodyLength != 1000 {
		t.Fatalf("whole file: Body %T BodyLength %d, want *os.File 1000", resp.Body, resp.BodyLength)
	}
	if off, _ := f.Seek(0, io.SeekCurrent); off != 0 {
		t.Errorf("whole file: offset %d, want 0", off)
	}
	f.Close()
	// An unknown extension is sniffed with ReadAt: the offset stays 0.
	writeFile(t, dir, "noext", rtContent, rtMod)
	got := serve(t, h, newReq("GET", "/noext"))
	if !got.isFile || got.fileOff != 0 || got.body != rtContent {
		t.Errorf("sniffed file: *os.File %v offset %d", got.isFile, got.fileOff)
	}
	got = serve(t, h, newReq("GET", "/data.bin", "Range", "bytes=100-199"))
	if !got.isFile || got.fileOff != 100 || got.bodyLen != 100 || got.body != rtContent[100:200] {
		t.Errorf("single range: *os.File %v offset %d BodyLength %d", got.isFile, got.fileOff, got.bodyLen)
	}
}

func TestServeFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, ".config", "dot", rtMod)
	writeFile(t, dir, "report.txt", rtContent, rtMod)
	writeFile(t, dir, "report.txt.gz", "GZ", rtMod)
	name := filepath.Join(dir, "report.txt")

	got := readResp(t, ServeFile(newReq("GET", "/anything/else"), name, nil))
	if got.status != 200 || got.body != rtContent || got.get("ETag") != rtETag || got.get("Vary") != "Accept-Encoding" {
		t.Errorf("ServeFile: %d ETag %s Vary %q", got.status, got.get("ETag"), got.get("Vary"))
	}
	got = readResp(t, ServeFile(newReq("GET", "/", "Range", "bytes=-5"), name, nil))
	if got.status != 206 || got.body != rtContent[995:] || !got.isFile {
		t.Errorf("ServeFile with Range: %d %q", got.status, got.body)
	}
	got = readResp(t, ServeFile(newReq("GET", "/", "Accept-Encoding", "gzip"), name, nil))
	if got.body != "GZ" || got.get("Content-Encoding") != "gzip" {
		t.Errorf("ServeFile with gzip: %q %q", got.body, got.get("Content-Encoding"))
	}
	got = readResp(t, ServeFile(newReq("GET", "/", "If-None-Match", rtETag), name, &Options{CacheControl: FixedCacheControl("max-age=60")}))
	if got.status != 304 || got.get("Cache-Control") != "max-age=60" {
		t.Errorf("ServeFile 304: %d Cache-Control %q", got.status, got.get("Cache-Control"))
	}
	if got := readResp(t, ServeFile(newReq("GET", "/"), filepath.Join(dir, ".config"), nil)); got.status != 200 || got.body != "dot" {
		t.Errorf("ServeFile of a dotfile the caller named: %d", got.status)
	}
	for _, n := range []string{dir, filepath.Join(dir, "missing"), filepath.Join(dir, "report.txt", "x")} {
		if got := readResp(t, ServeFile(newReq("GET", "/"), n, nil)); got.status != 404 || strings.Contains(got.body, dir) {
			t.Errorf("ServeFile(%q): %d %q, want a plain 404", n, got.status, got.body)
		}
	}
	if got := readResp(t, ServeFile(newReq("DELETE", "/"), name, nil)); got.status != 405 {
		t.Errorf("ServeFile DELETE: %d, want 405", got.status)
	}
}

func TestCacheControlPolicies(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", "<p>", rtMod)
	writeFile(t, dir, "app.3f2a.js", "js", rtMod)
	writeFile(t, dir, "sub/x.png", "png", rtMod)
	tests := []struct {
		opts   *Options
		target string
		want   string
	}{
		{nil, "/app.3f2a.js", "no-cache"},
		{nil, "/", "no-cache"},
		{nil, "/sub/", "no-cache"},
		{&Options{CacheControl: FixedCacheControl("")}, "/app.3f2a.js", ""},
		{&Options{CacheControl: FixedCacheControl("private, max-age=5")}, "/sub/", "private, max-age=5"},
		{&Options{CacheControl: AssetCacheControl(time.Hour)}, "/app.3f2a.js", "public, max-age=3600"},
		{&Options{CacheControl: AssetCacheControl(time.Hour)}, "/sub/x.png", "public, max-age=3600"},
		{&Options{CacheControl: AssetCacheControl(time.Hour)}, "/", "no-cache"},
		{&Options{CacheControl: AssetCacheControl(time.Hour)}, "/index.html", "no-cache"},
		{&Options{CacheControl: AssetCacheControl(time.Hour)}, "/sub/", "no-cache"},
		{&Options{CacheControl: AssetCacheControl(365 * 24 * time.Hour)}, "/app.3f2a.js", "public, max-age=31536000, immutable"},
		{&Options{CacheControl: AssetCacheControl(0)}, "/app.3f2a.js", "no-cache"},
		{&Options{CacheControl: func(name string, fi fs.FileInfo) string { return "x=" + name }}, "/sub/x.png", "x=sub/x.png"},
		{&Options{CacheControl: func(name string, fi fs.FileInfo) string { return "x=" + name }}, "/sub/", "x=sub"},
		{&Options{CacheControl: func(name string, fi fs.FileInfo) string { return "x=" + name }}, "/", "x=index.html"},
	}
	for _, tt := range tests {
		h := mustNew(t, dir, tt.opts)
		got := serve(t, h, newReq("GET", tt.target))
		if g := got.get("Cache-Control"); g != tt.want || got.hdr.Has("Cache-Control") != (tt.want != "") {
			t.Errorf("GET %s with %+v: Cache-Control %q, want %q", tt.target, tt.opts, g, tt.want)
		}
	}
}

func TestTypeByExtension(t *testing.T) {
	tests := map[string]string{
		"a.html":  "text/html; charset=utf-8",
		"A.HTML":  "text/html; charset=utf-8",
		"a.js":    "text/javascript; charset=utf-8",
		"a.mjs":   "text/javascript; charset=utf-8",
		"a.css":   "text/css; charset=utf-8",
		"a.json":  "application/json",
		"a.svg":   "image/svg+xml",
		"a.wasm":  "application/wasm",
		"a.webp":  "image/webp",
		"a.mp4":   "video/mp4",
		"a.webm":  "video/webm",
		"a.woff2": "font/woff2",
		"a":       "",
		"a.":      "",
		"dir.d/a": "",
	}
	for name, want := range tests {
		if got := typeByExtension(name); got != want {
			t.Errorf("typeByExtension(%q) = %q, want %q", name, got, want)
		}
	}
}
