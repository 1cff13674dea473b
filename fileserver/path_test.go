package fileserver

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestResolvePath(t *testing.T) {
	tests := []struct {
		rel     string
		showDot bool
		name    string
		dir     bool
		status  int
	}{
		{"", false, ".", true, 0},
		{"a.txt", false, "a.txt", false, 0},
		{"a/b/", false, "a/b", true, 0},
		{"a%20b", false, "a b", false, 0},
		{"%C3%A9", false, "é", false, 0},
		{"%252e%252e", false, "%2e%2e", false, 0}, // decoded once only
		{"a+b", false, "a+b", false, 0},
		{"..", false, "", false, 404},
		{".", false, "", false, 404},
		{"a/../b", false, "", false, 404},
		{"a/./b", false, "", false, 404},
		{"%2e%2e", false, "", false, 404},
		{"%2E%2e/x", false, "", false, 404},
		{".%2e", false, "", false, 404},
		{"%2e", false, "", false, 404},
		{"..%2Fx", false, "", false, 404},
		{"a%2Fb", false, "", false, 404},
		{"a%2fb", false, "", false, 404},
		{"a//b", false, "", false, 404},
		{"/a", false, "", false, 404},
		{"a//", false, "", false, 404},
		{".env", false, "", false, 404},
		{"a/.git/config", false, "", false, 404},
		{"%2eenv", false, "", false, 404},
		{".env", true, ".env", false, 0},
		{".well-known/x", true, ".well-known/x", false, 0},
		{"..", true, "", false, 404},
		{"bad%FF.txt", false, "", false, 404}, // not UTF-8: no fs.FS opens it
		{"a/%C3/b", false, "", false, 404},
		{"a%00b", false, "", false, 400},
		{"a\x00b", false, "", false, 400},
		{"a%0Ab", false, "", false, 400},
		{"a%7Fb", false, "", false, 400},
		{`a\b`, false, "", false, 400},
		{"a%5Cb", false, "", false, 400},
		{"a%5c..%5cb", false, "", false, 400},
		{"%", false, "", false, 400},
		{"%4", false, "", false, 400},
		{"%zz", false, "", false, 400},
		{"a%g1", false, "", false, 400},
	}
	for _, tt := range tests {
		name, dir, status := resolvePath(tt.rel, tt.showDot)
		if name != tt.name || dir != tt.dir || status != tt.status {
			t.Errorf("resolvePath(%q, %v) = %q, %v, %d; want %q, %v, %d", tt.rel, tt.showDot, name, dir, status, tt.name, tt.dir, tt.status)
		}
	}
}

// pathTree builds the tree for the path tests: a served root with files,
// a directory, dotfiles, links in and out, and a secret outside it.
func pathTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	writeFile(t, outside, "secret.txt", "SECRET", mod)
	writeFile(t, root, "hello.txt", "hello", mod)
	writeFile(t, root, "sub/a.txt", "a", mod)
	writeFile(t, root, "site/index.html", "<p>site</p>", mod)
	writeFile(t, root, ".env", "TOKEN=x", mod)
	writeFile(t, root, ".git/config", "[core]", mod)
	writeFile(t, root, "a b.txt", "space", mod)
	writeFile(t, root, "é.txt", "accent", mod)
	writeFile(t, root, "%41.txt", "percent", mod)
	links := []struct{ name, target string }{
		{"link-in", "hello.txt"},
		{"link-dir", "sub"},
		{"sub/link-up", "../hello.txt"},
		{"link-abs-in", filepath.Join(root, "hello.txt")},
		{"link-out", filepath.Join(outside, "secret.txt")},
		{"link-out-rel", "../outside/secret.txt"},
		{"link-out-dir", outside},
		{"sub/link-out-deep", "../../outside/secret.txt"},
		{"link-chain", "link-out"},
		{"link-broken", "nowhere"},
		{"site2", "site"},
	}
	for _, l := range links {
		if err := os.Symlink(l.target, filepath.Join(root, filepath.FromSlash(l.name))); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	return root, outside
}

func TestPaths(t *testing.T) {
	root, outside := pathTree(t)
	h := mustNew(t, root, nil)
	tests := []struct {
		target string
		code   int
		body   string // exact body; "" to skip the check
		loc    string // Location for 301
	}{
		{"/hello.txt", 200, "hello", ""},
		{"/hello.txt/", 404, "Not Found\n", ""},
		{"/nope.txt", 404, "Not Found\n", ""},
		{"/sub", 301, "", "/sub/"},
		{"/sub?sort=size&order=desc", 301, "", "/sub/?sort=size&order=desc"},
		{"/sub/a.txt", 200, "a", ""},
		{"/site/", 200, "<p>site</p>", ""},
		{"/site/index.html", 200, "<p>site</p>", ""},
		{"/a%20b.txt", 200, "space", ""},
		{"/%C3%A9.txt", 200, "accent", ""},
		{"/%2541.txt", 200, "percent", ""},
		{"/%41.txt", 404, "", ""}, // "%41" is "A": A.txt does not exist

		// Climbing out.
		{"/../outside/secret.txt", 404, "Not Found\n", ""},
		{"/sub/../hello.txt", 404, "", ""},
		{"/sub/../../outside/secret.txt", 404, "", ""},
		{"/%2e%2e/outside/secret.txt", 404, "", ""},
		{"/%2E%2E/%2e%2e/outside/secret.txt", 404, "", ""},
		{"/.%2e/outside/secret.txt", 404, "", ""},
		{"/sub/%2e/a.txt", 404, "", ""},
		{"/sub%2F..%2F..%2Foutside%2Fsecret.txt", 404, "", ""},
		{"/sub%2fa.txt", 404, "", ""},
		{"/..%2Foutside%2Fsecret.txt", 404, "", ""},
		{"//hello.txt", 404, "", ""},
		{"/sub//a.txt", 404, "", ""},
		{"/..%5C..%5Coutside%5Csecret.txt", 400, "Bad Request\n", ""},
		{`/sub\a.txt`, 400, "", ""},
		{"/hello.txt%00.png", 400, "", ""},
		{"/hello.txt%0D%0ASet-Cookie:x", 400, "", ""},
		{"/%zz", 400, "", ""},
		{"/%", 400, "", ""},
		{"/%4", 400, "", ""},
		{"hello.txt", 404, "", ""}, // not origin-form

		// Dotfiles.
		{"/.env", 404, "Not Found\n", ""},
		{"/.git/config", 404, "", ""},
		{"/.git/", 404, "", ""},
		{"/%2eenv", 404, "", ""},

		// Symbolic links.
		{"/link-in", 200, "hello", ""},
		{"/link-dir/a.txt", 200, "a", ""},
		{"/sub/link-up", 200, "hello", ""},
		{"/site2/", 200, "<p>site</p>", ""},
		{"/link-out", 404, "Not Found\n", ""},
		{"/link-out-rel", 404, "", ""},
		{"/link-out-dir/secret.txt", 404, "", ""},
		{"/link-out-dir/", 404, "", ""},
		{"/sub/link-out-deep", 404, "", ""},
		{"/link-chain", 404, "", ""},
		{"/link-broken", 404, "", ""},
	}
	for _, tt := range tests {
		got := serve(t, h, newReq("GET", tt.target))
		if got.status != tt.code {
			t.Errorf("GET %q: status %d, want %d (body %.40q)", tt.target, got.status, tt.code, got.body)
			continue
		}
		if tt.body != "" && got.body != tt.body {
			t.Errorf("GET %q: body %q, want %q", tt.target, got.body, tt.body)
		}
		if tt.loc != "" && got.get("Location") != tt.loc {
			t.Errorf("GET %q: Location %q, want %q", tt.target, got.get("Location"), tt.loc)
		}
		if strings.Contains(got.body, "SECRET") || strings.Contains(got.body, root) || strings.Contains(got.body, outside) {
			t.Errorf("GET %q: body leaks %q", tt.target, got.body)
		}
		if got.status >= 400 && got.get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %q: error without nosniff", tt.target)
		}
	}
}

// An absolute link that stays inside the root: os.Root resolves it
// against the real file system root, so it leads "out" even though the
// file is the same one; it is refused like any link out.
func TestAbsoluteLinkInside(t *testing.T) {
	root, _ := pathTree(t)
	h := mustNew(t, root, nil)
	if got := serve(t, h, newReq("GET", "/link-abs-in")); got.status != 404 {
		t.Errorf("GET /link-abs-in (absolute link into the root): status %d, want 404", got.status)
	}
}

func TestShowDotfiles(t *testing.T) {
	root, _ := pathTree(t)
	h := mustNew(t, root, &Options{ShowDotfiles: true})
	for target, want := range map[string]string{"/.env": "TOKEN=x", "/.git/config": "[core]"} {
		if got := serve(t, h, newReq("GET", target)); got.status != 200 || got.body != want {
			t.Errorf("ShowDotfiles: GET %s = %d %q, want 200 %q", target, got.status, got.body, want)
		}
	}
	if got := serve(t, h, newReq("GET", "/%2e%2e/outside/secret.txt")); got.status != 404 {
		t.Errorf("ShowDotfiles: GET /%%2e%%2e/… = %d, want 404", got.status)
	}
}

func TestMethods(t *testing.T) {
	root, _ := pathTree(t)
	h := mustNew(t, root, nil)
	for _, verb := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "BREW"} {
		got := serve(t, h, newReq(verb, "/hello.txt"))
		if got.status != 405 || got.get("Allow") != "GET, HEAD" {
			t.Errorf("%s /hello.txt: %d Allow %q, want 405 \"GET, HEAD\"", verb, got.status, got.get("Allow"))
		}
	}
	got := serve(t, h, newReq("HEAD", "/hello.txt"))
	if got.status != 200 || got.bodyLen != 5 || got.get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("HEAD /hello.txt: %d BodyLength %d Content-Type %q; want 200 5 text/plain", got.status, got.bodyLen, got.get("Content-Type"))
	}
}

func TestPrefix(t *testing.T) {
	root, _ := pathTree(t)
	for _, prefix := range []string{"/static/", "/static", "static/"} {
		h := mustNew(t, root, &Options{Prefix: prefix})
		tests := []struct {
			target string
			code   int
			loc    string
		}{
			{"/static/hello.txt", 200, ""},
			{"/static/sub", 301, "/static/sub/"},
			{"/static", 301, "/static/"},
			{"/static?x=1", 301, "/static/?x=1"},
			{"/static/", 200, ""},
			{"/hello.txt", 404, ""},
			{"/staticx/hello.txt", 404, ""},
			{"/static/../hello.txt", 404, ""},
		}
		for _, tt := range tests {
			got := serve(t, h, newReq("GET", tt.target))
			if got.status != tt.code || got.get("Location") != tt.loc {
				t.Errorf("Prefix %q: GET %s = %d Location %q, want %d %q", prefix, tt.target, got.status, got.get("Location"), tt.code, tt.loc)
			}
		}
	}
}

func TestPermissionDenied(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions and a non-root user")
	}
	dir := t.TempDir()
	writeFile(t, dir, "locked.txt", "x", time.Now())
	writeFile(t, dir, "locked/index.html", "hidden index", time.Now())
	writeFile(t, dir, "locked/secret.txt", "x", time.Now())
	if err := os.Chmod(filepath.Join(dir, "locked.txt"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "locked", "index.html"), 0); err != nil {
		t.Fatal(err)
	}
	h := mustNew(t, dir, nil)
	if got := serve(t, h, newReq("GET", "/locked.txt")); got.status != 403 || got.body != "Forbidden\n" {
		t.Errorf("GET /locked.txt (mode 000): %d %q, want 403 Forbidden", got.status, got.body)
	}
	// An unreadable index.html must not turn into a listing.
	if got := serve(t, h, newReq("GET", "/locked/")); got.status == 200 || strings.Contains(got.body, "secret") {
		t.Errorf("GET /locked/ (unreadable index.html): %d %.60q, want no listing", got.status, got.body)
	}
}

func TestNoListing(t *testing.T) {
	root, _ := pathTree(t)
	h := mustNew(t, root, &Options{NoListing: true})
	if got := serve(t, h, newReq("GET", "/sub/")); got.status != 403 || got.body != "Forbidden\n" {
		t.Errorf("NoListing: GET /sub/ = %d %q, want 403", got.status, got.body)
	}
	if got := serve(t, h, newReq("GET", "/site/")); got.status != 200 || got.body != "<p>site</p>" {
		t.Errorf("NoListing: GET /site/ = %d %q, want the index", got.status, got.body)
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "f", "x", time.Now())
	for _, d := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "f")} {
		if h, err := New(d, nil); err == nil || h != nil {
			t.Errorf("New(%q) = %v, %v; want an error", d, h, err)
		}
	}
}
