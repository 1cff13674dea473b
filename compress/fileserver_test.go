package compress

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// files builds a tree: app.js with a fresh .br sibling, style.css and a
// logo.png without, a small.txt, and sub/ to list; it returns the
// fileserver, wrapped, and the contents by name.
func files(t *testing.T) (httpserver.Handler, map[string]string) {
	dir := t.TempDir()
	mod := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	contents := map[string]string{
		"app.js":     strings.Repeat("console.log('compress me');\n", 200),
		"app.js.br":  "BROTLI-SIBLING-BYTES",
		"style.css":  strings.Repeat("body { margin: 0 auto; color: #333; }\n", 100),
		"logo.png":   "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00IDAT", 1000),
		"small.txt":  "tiny\n",
		"sub/a.html": page(3000),
	}
	for i := range 200 {
		contents["sub/file-with-a-long-name-"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".txt"] = "x"
	}
	for name, c := range contents {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := fileserver.New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Handler(fs, nil), contents
}

// TestFileServer: fileserver wrapped. A precompressed sibling is left
// alone; files without one, and listings, are compressed; their tags
// revalidate with 304; a range gets the identity 206; images keep the
// zero-copy path.
func TestFileServer(t *testing.T) {
	h, contents := files(t)
	plainTag := func(name string) string {
		res := httpservertest.Do(h, get("GET", "/"+name))
		return res.Headers.Get("ETag")
	}
	cssTag, jsTag := plainTag("style.css"), plainTag("app.js")
	brTag := httpservertest.Do(h, get("GET", "/app.js", "Accept-Encoding", "br")).Headers.Get("ETag")
	listTag := httpservertest.Do(h, get("GET", "/sub/", "Accept-Encoding", "zstd")).Headers.Get("ETag")
	if !strings.HasSuffix(brTag, `-br"`) || !strings.HasSuffix(listTag, `-zstd"`) || cssTag == "" {
		t.Fatalf("tags: css %s, br sibling %s, listing %s", cssTag, brTag, listTag)
	}
	suffixed := func(tag, coding string) string { return strings.TrimSuffix(tag, `"`) + "-" + coding + `"` }

	tests := []struct {
		name   string
		req    *httpserver.Request
		status int
		coding string // Content-Encoding
		body   string // decoded; "" to skip the check
		fields []string
	}{
		{"sibling untouched", get("GET", "/app.js", "Accept-Encoding", "br, gzip"), 200, "br", contents["app.js.br"],
			[]string{"ETag", brTag, "Vary", "Accept-Encoding", "Accept-Ranges", "bytes"}},
		{"no gzip sibling: compressed here", get("GET", "/app.js", "Accept-Encoding", "gzip"), 200, "gzip", contents["app.js"],
			[]string{"ETag", suffixed(jsTag, "gzip"), "Vary", "Accept-Encoding", "Accept-Ranges", "", "Content-Type", "text/javascript; charset=utf-8"}},
		{"plain file", get("GET", "/style.css", "Accept-Encoding", "gzip, deflate, br, zstd"), 200, "zstd", contents["style.css"],
			[]string{"ETag", suffixed(cssTag, "zstd"), "Vary", "Accept-Encoding", "Accept-Ranges", "", "Last-Modified", "Thu, 01 May 2025 12:00:00 GMT"}},
		{"no Accept-Encoding", get("GET", "/style.css"), 200, "", contents["style.css"],
			[]string{"ETag", cssTag, "Vary", "Accept-Encoding", "Accept-Ranges", "bytes"}},
		{"listing", get("GET", "/sub/", "Accept-Encoding", "gzip"), 200, "gzip", "",
			[]string{"Vary", "Accept, Accept-Encoding", "Content-Type", "text/html; charset=utf-8"}},
		{"JSON listing", get("GET", "/sub/", "Accept-Encoding", "br", "Accept", "application/json"), 200, "br", "",
			[]string{"Vary", "Accept, Accept-Encoding", "Content-Type", "application/json"}},
		{"304 for the compressed file", get("GET", "/style.css", "Accept-Encoding", "gzip", "If-None-Match", suffixed(cssTag, "gzip")), 304, "", "",
			[]string{"ETag", suffixed(cssTag, "gzip"), "Vary", "Accept-Encoding"}},
		{"304 for the identity file", get("GET", "/style.css", "Accept-Encoding", "gzip", "If-None-Match", cssTag), 304, "", "",
			[]string{"ETag", cssTag, "Vary", "Accept-Encoding"}},
		{"304 for the sibling", get("GET", "/app.js", "Accept-Encoding", "br", "If-None-Match", brTag), 304, "", "",
			[]string{"ETag", brTag, "Vary", "Accept-Encoding"}},
		{"304 for the listing", get("GET", "/sub/", "Accept-Encoding", "zstd", "If-None-Match", listTag), 304, "", "",
			[]string{"ETag", listTag, "Vary", "Accept, Accept-Encoding"}},
		{"Range: identity 206", get("GET", "/style.css", "Accept-Encoding", "gzip", "Range", "bytes=0-9"), 206, "", contents["style.css"][:10],
			[]string{"Content-Range", "bytes 0-9/" + strconv.Itoa(len(contents["style.css"])), "ETag", cssTag, "Vary", "Accept-Encoding"}},
		{"image", get("GET", "/logo.png", "Accept-Encoding", "gzip"), 200, "", contents["logo.png"],
			[]string{"Vary", "Accept-Encoding", "Accept-Ranges", "bytes"}},
		{"small file", get("GET", "/small.txt", "Accept-Encoding", "gzip"), 200, "", "tiny\n",
			[]string{"Vary", "Accept-Encoding", "Accept-Ranges", "bytes"}},
		{"HEAD", get("HEAD", "/style.css", "Accept-Encoding", "gzip"), 200, "gzip", "",
			[]string{"ETag", suffixed(cssTag, "gzip"), "Vary", "Accept-Encoding", "Accept-Ranges", ""}},
		{"404", get("GET", "/missing", "Accept-Encoding", "gzip"), 404, "", "",
			[]string{"Vary", "Accept-Encoding"}},
	}
	for _, tt := range tests {
		res := httpservertest.Do(h, tt.req)
		if res.StatusCode != tt.status || res.Fault != "" {
			t.Errorf("%s: %d (fault %q), want %d", tt.name, res.StatusCode, res.Fault, tt.status)
			continue
		}
		if got := res.Headers.Get("Content-Encoding"); got != tt.coding {
			t.Errorf("%s: Content-Encoding %q, want %q", tt.name, got, tt.coding)
			continue
		}
		checkFields(t, tt.name, &res.Headers, tt.fields)
		got := res.Body
		if tt.name != "sibling untouched" && len(res.Body) > 0 { // the sibling's bytes are not Brotli
			got = []byte(decode(t, tt.coding, res.Body))
		}
		if tt.body != "" && string(got) != tt.body {
			t.Errorf("%s: body %d bytes %.40q, want %d bytes %.40q", tt.name, len(got), got, len(tt.body), tt.body)
		}
		if tt.status == 200 && strings.Contains(tt.name, "listing") && !strings.Contains(string(got), "file-with-a-long-name-") {
			t.Errorf("%s: decoded listing without its entries: %.80q", tt.name, got)
		}
	}

	// What is not compressed keeps the *os.File, for sendfile.
	for _, name := range []string{"/logo.png", "/small.txt", "/app.js"} {
		req := get("GET", name, "Accept-Encoding", "gzip, br")
		resp := h.Handle(req)
		if _, ok := resp.Body.(*os.File); !ok || resp.Stream != nil {
			t.Errorf("GET %s: Body %T, Stream %v; want the *os.File as the server sends it", name, resp.Body, resp.Stream != nil)
		}
		closeResp(resp)
	}
}

func closeResp(resp *httpserver.Response) {
	if c, ok := resp.Body.(interface{ Close() error }); ok {
		c.Close()
	}
}
