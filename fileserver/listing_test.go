package fileserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// listingTree holds hostile names, a subdirectory, a dotfile and files of
// distinct sizes and times.
func listingTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	writeFile(t, dir, "docs/<script>alert(1).txt", "x", t0)
	writeFile(t, dir, "docs/a&b \"c\".txt", "xx", t0.Add(time.Hour))
	writeFile(t, dir, "docs/<img src=x onerror=alert(1)>.md", "xxx", t0.Add(2*time.Hour))
	writeFile(t, dir, "docs/big.bin", strings.Repeat("x", 1536), t0.Add(-time.Hour))
	writeFile(t, dir, "docs/Zed.txt", strings.Repeat("x", 10), t0.Add(3*time.Hour))
	writeFile(t, dir, "docs/sub dir/inner.txt", "i", t0)
	writeFile(t, dir, "docs/.hidden", "h", t0)
	writeFile(t, dir, "docs/100%.txt", "p", t0)
	if runtime.GOOS != "windows" {
		writeFile(t, dir, "docs/x:y.txt", "c", t0)
		writeFile(t, dir, "docs/bad\\name.txt", "b", t0)
		writeFile(t, dir, "docs/new\nline.txt", "n", t0)
	}
	writeFile(t, dir, "empty/.keep", "", t0)
	return dir
}

func TestListingHTML(t *testing.T) {
	dir := listingTree(t)
	h := mustNew(t, dir, nil)
	got := serve(t, h, newReq("GET", "/docs/", "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
	if got.status != 200 || got.get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /docs/: %d %q", got.status, got.get("Content-Type"))
	}
	page := got.body
	for _, want := range []string{
		`<html lang="en">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<title>Index of /docs/</title>`,
		`<table>`,
		`<th scope="col" class="name" aria-sort="ascending"><a href="?sort=name&amp;order=desc">Name`,
		`<a href="?sort=size&amp;order=asc">Size</a>`,
		`<a href="?sort=modified&amp;order=asc">Modified (UTC)</a>`,
		`<a href="../">../</a>`,
		// Hostile names: escaped as text, percent-encoded in links.
		`<a href="./%3Cscript%3Ealert%281%29.txt">&lt;script&gt;alert(1).txt</a>`,
		`<a href="./a&amp;b%20%22c%22.txt">a&amp;b &#34;c&#34;.txt</a>`,
		`&lt;img src=x onerror=alert(1)&gt;.md</a>`,
		`<a href="./100%25.txt">100%.txt</a>`,
		`<a href="./sub%20dir/">sub dir/</a>`,
		// Sizes and times.
		`<data value="1536">1.5 KiB</data>`,
		`<data value="1">1 B</data>`,
		`<time datetime="2024-05-01T12:00:00Z">2024-05-01<span class="time"> 12:00:00Z</span></time>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img", ".hidden", "bad\\name", "new\nline", dir} {
		if strings.Contains(page, bad) {
			t.Errorf("listing contains %q", bad)
		}
	}
	if runtime.GOOS != "windows" && !strings.Contains(page, `<a href="./x:y.txt">x:y.txt</a>`) {
		t.Errorf("listing lacks the ./-prefixed link for x:y.txt")
	}
	// Directories first, then names case-insensitively.
	order := rowNames(page)
	want := []string{"sub dir/", "100%.txt", "&lt;img src=x onerror=alert(1)&gt;.md", "&lt;script&gt;alert(1).txt", "a&amp;b &#34;c&#34;.txt", "big.bin"}
	if len(order) < len(want) || strings.Join(order[:len(want)], "|") != strings.Join(want, "|") {
		t.Errorf("row order %q, want it to begin %q", order, want)
	}
	// The one inline style is the one the CSP allows.
	m := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no <style>")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if csp := got.get("Content-Security-Policy"); !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		!strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q does not allow exactly the page's style", csp)
	}
	for _, f := range []string{"ETag", "Cache-Control", "Vary", "X-Content-Type-Options"} {
		if !got.hdr.Has(f) {
			t.Errorf("listing without %s", f)
		}
	}
	if got.get("Vary") != "Accept" || got.get("Cache-Control") != "no-cache" {
		t.Errorf("Vary %q Cache-Control %q, want Accept, no-cache", got.get("Vary"), got.get("Cache-Control"))
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("listing has a script or an external resource")
	}
}

var rowName = regexp.MustCompile(`<td class="name"><a href="[^"]*">([^<]*)</a>`)

func rowNames(page string) []string {
	var names []string
	for _, m := range rowName.FindAllStringSubmatch(page, -1) {
		if m[1] != "../" {
			names = append(names, m[1])
		}
	}
	return names
}

func TestListingSort(t *testing.T) {
	dir := listingTree(t)
	h := mustNew(t, dir, nil)
	tests := []struct {
		query    string
		first    string // first file row (after the directory)
		ariaSort string // the th that has aria-sort, as `class="x" aria-sort="y"`
	}{
		{"", "100%.txt", `class="name" aria-sort="ascending"`},
		{"?sort=name&order=desc", "Zed.txt", `class="name" aria-sort="descending"`},
		{"?sort=size", "100%.txt", `class="size" aria-sort="ascending"`}, // 1 byte, like others: then by name
		{"?sort=size&order=desc", "big.bin", `class="size" aria-sort="descending"`},
		{"?sort=modified", "big.bin", `class="mod" aria-sort="ascending"`},
		{"?sort=modified&order=desc", "Zed.txt", `class="mod" aria-sort="descending"`},
		{"?sort=bogus&order=sideways", "100%.txt", `class="name" aria-sort="ascending"`},
	}
	for _, tt := range tests {
		got := serve(t, h, newReq("GET", "/docs/"+tt.query))
		names := rowNames(got.body)
		// Directories come first in either order.
		if len(names) < 2 || names[0] != "sub dir/" || names[1] != tt.first {
			t.Errorf("GET /docs/%s: rows %q, want sub dir/ then %q", tt.query, names, tt.first)
		}
		if !strings.Contains(got.body, tt.ariaSort) || strings.Count(got.body, "aria-sort=") != 1 {
			t.Errorf("GET /docs/%s: want exactly one aria-sort, on %s", tt.query, tt.ariaSort)
		}
	}
}

func TestListingRootAndEmpty(t *testing.T) {
	dir := listingTree(t)
	h := mustNew(t, dir, nil)
	root := serve(t, h, newReq("GET", "/"))
	if root.status != 200 || strings.Contains(root.body, `href="../"`) {
		t.Errorf("GET /: %d, parent link present: %v", root.status, strings.Contains(root.body, `href="../"`))
	}
	if !strings.Contains(root.body, `<a href="./docs/">docs/</a>`) {
		t.Errorf("GET /: no link to docs/")
	}
	empty := serve(t, h, newReq("GET", "/empty/"))
	if !strings.Contains(empty.body, "This directory is empty.") || !strings.Contains(empty.body, `href="../"`) {
		t.Errorf("GET /empty/: want the empty note and a parent link")
	}
	js := serve(t, h, newReq("GET", "/empty/", "Accept", "application/json"))
	if js.body != "[]\n" {
		t.Errorf("GET /empty/ as JSON: %q, want []", js.body)
	}
}

func TestListingJSON(t *testing.T) {
	dir := listingTree(t)
	h := mustNew(t, dir, nil)
	got := serve(t, h, newReq("GET", "/docs/?sort=size&order=desc", "Accept", "application/json"))
	if got.status != 200 || got.get("Content-Type") != "application/json" || got.get("Vary") != "Accept" {
		t.Fatalf("JSON listing: %d %q Vary %q", got.status, got.get("Content-Type"), got.get("Vary"))
	}
	var entries []struct {
		Name     string `json:"name"`
		Dir      bool   `json:"dir"`
		Size     int64  `json:"size"`
		Modified string `json:"modified"`
	}
	if err := json.Unmarshal([]byte(got.body), &entries); err != nil {
		t.Fatalf("JSON listing %q: %v", got.body, err)
	}
	byName := map[string]int{}
	for i, e := range entries {
		byName[e.Name] = i
		if _, err := time.Parse(time.RFC3339, e.Modified); err != nil {
			t.Errorf("entry %q: modified %q is not RFC 3339", e.Name, e.Modified)
		}
	}
	if entries[0].Name != "sub dir" || !entries[0].Dir || entries[0].Size != 0 {
		t.Errorf("first entry %+v, want the directory", entries[0])
	}
	if entries[1].Name != "big.bin" || entries[1].Size != 1536 {
		t.Errorf("second entry %+v, want big.bin, 1536 (size, desc)", entries[1])
	}
	for _, name := range []string{"<script>alert(1).txt", `a&b "c".txt`, "<img src=x onerror=alert(1)>.md"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("JSON listing lacks %q", name)
		}
	}
	if _, ok := byName[".hidden"]; ok {
		t.Errorf("JSON listing shows .hidden")
	}
	if e := entries[byName[`a&b "c".txt`]]; e.Modified != "2024-05-01T13:00:00Z" || e.Size != 2 {
		t.Errorf(`a&b "c".txt: %+v`, e)
	}
}

// TestListingInvalidUTF8: a name that is not UTF-8 cannot be served (fs.FS
// names are UTF-8, so os.Root's FS refuses it), so listings leave it out
// rather than link to a 404.
func TestListingInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bad\xff.txt", "ok.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Skipf("this file system refuses the name %q: %v", name, err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "dir\xfe"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := mustNew(t, dir, nil)
	for _, path := range []string{"/bad%FF.txt", "/dir%FE/"} {
		if got := serve(t, h, newReq("GET", path)); got.status != 404 {
			t.Errorf("GET %s: got %d, want 404", path, got.status)
		}
	}

	page := serve(t, h, newReq("GET", "/")).body
	if got, want := strings.Join(rowNames(page), " "), "ok.txt"; got != want {
		t.Errorf("HTML listing rows: got %q, want %q", got, want)
	}
	var entries []struct{ Name string }
	body := serve(t, h, newReq("GET", "/", "Accept", "application/json")).body
	if err := json.Unmarshal([]byte(body), &entries); err != nil {
		t.Fatalf("JSON listing %q: %v", body, err)
	}
	if len(entries) != 1 || entries[0].Name != "ok.txt" {
		t.Errorf("JSON listing: got %s, want only ok.txt", body)
	}
}

func TestPrefersJSON(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"*/*", false},
		{"application/json", true},
		{"Application/JSON", true},
		{"application/*", true},
		{"application/json, text/html", false}, // tie: HTML
		{"text/html, application/json;q=0.9", false},
		{"application/json, text/html;q=0.5", true},
		{"application/json, */*;q=0.1", true},
		{"text/*;q=0.5, application/json;q=0.6", true},
		{"text/html;q=0, */*", true}, // */* gives JSON 1 against text/html's explicit 0
		{"application/json;q=0", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
	}
	for _, tt := range tests {
		if got := prefersJSON(tt.accept); got != tt.want {
			t.Errorf("prefersJSON(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestListingConditional(t *testing.T) {
	dir := listingTree(t)
	h := mustNew(t, dir, nil)
	first := serve(t, h, newReq("GET", "/docs/"))
	etag := first.get("ETag")
	if etag == "" {
		t.Fatal("listing without ETag")
	}
	got := serve(t, h, newReq("GET", "/docs/", "If-None-Match", etag))
	if got.status != 304 || got.body != "" || got.get("ETag") != etag || got.get("Vary") != "Accept" || got.get("Cache-Control") != "no-cache" {
		t.Errorf("If-None-Match on a listing: %d %q ETag %q Vary %q CC %q", got.status, got.body, got.get("ETag"), got.get("Vary"), got.get("Cache-Control"))
	}
	asJSON := serve(t, h, newReq("GET", "/docs/", "Accept", "application/json", "If-None-Match", etag))
	if asJSON.status != 200 || asJSON.get("ETag") == etag {
		t.Errorf("the JSON listing matched the HTML listing's ETag")
	}
	if got := serve(t, h, newReq("GET", "/docs/", "If-Match", `"nope"`)); got.status != 412 {
		t.Errorf("If-Match on a listing: %d, want 412", got.status)
	}
}

func TestListingLinks(t *testing.T) {
	root, _ := pathTree(t)
	h := mustNew(t, root, nil)
	page := serve(t, h, newReq("GET", "/")).body
	for _, want := range []string{`href="./link-in"`, `href="./link-dir/"`, `href="./sub/"`, `href="./a%20b.txt"`, `href="./%2541.txt"`, `href="./%C3%A9.txt"`} {
		if !strings.Contains(page, want) {
			t.Errorf("root listing lacks %s", want)
		}
	}
	for _, bad := range []string{"link-out", "link-chain", "link-broken", "link-abs-in", ".env", ".git"} {
		if strings.Contains(page, bad) {
			t.Errorf("root listing shows %s", bad)
		}
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {10 * 1024, "10 KiB"},
		{1024*1024 - 1, "1.0 MiB"}, {5 << 30, "5.0 GiB"}, {1 << 62, "4.0 EiB"},
	}
	for _, tt := range tests {
		if got := humanSize(tt.n); got != tt.want {
			t.Errorf("humanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
