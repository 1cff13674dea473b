package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests in this file drive a real headless Chromium (Debian's chromium
// and chromium-driver packages) against the command, through the
// WebDriver client in webdriver_test.go. They skip themselves where the
// browser is not installed, except under CI.

// screenshotPath is where TestBrowserListing saves its screenshot when
// UPDATE_SCREENSHOT=1, for the README.
const screenshotPath = "../../docs/listing.png"

// largeVideoBytes is the size of the video that Chromium cannot have
// buffered whole when it seeks: more than it preloads (a few MB) plus
// what loopback's socket buffers hold.
const largeVideoBytes = 48 << 20

// listingSite writes the directory TestBrowserListing serves, with fixed
// modification times so that the page (and its screenshot) is the same on
// every run.
func listingSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	video, _ := testVideo(t, 0)
	files := []struct {
		name    string
		content string
		mod     time.Time
	}{
		{"assets/", "", time.Date(2026, 4, 2, 9, 15, 0, 0, time.UTC)},
		{"assets/app.css", "body{margin:0}\n", time.Date(2026, 4, 2, 9, 15, 0, 0, time.UTC)},
		{"photos/", "", time.Date(2026, 3, 28, 18, 2, 41, 0, time.UTC)},
		{"photos/notes.txt", "beach, day 2\n", time.Date(2026, 3, 28, 18, 2, 41, 0, time.UTC)},
		{"README.md", "# Trip\n\n" + strings.Repeat("Notes from the trip, day by day.\n", 36), time.Date(2026, 4, 3, 20, 45, 12, 0, time.UTC)},
		{"clip.webm", string(video), time.Date(2026, 3, 30, 11, 4, 55, 0, time.UTC)},
		{"data.csv", "day,km\n" + strings.Repeat("1,12.5\n2,8.25\n3,20\n", 280), time.Date(2026, 4, 1, 7, 30, 0, 0, time.UTC)},
		{"notes.txt", "Remember to water the plants.\n", time.Date(2026, 4, 4, 16, 20, 3, 0, time.UTC)},
		{".env", "TOKEN=not-for-the-web\n", time.Date(2026, 4, 4, 16, 20, 3, 0, time.UTC)},
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if strings.HasSuffix(f.name, "/") {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Directories' times last: writing into them changes them.
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(f.name)), f.mod, f.mod); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBrowserListing loads a directory listing in Chromium, checks its
// entries, sorts it by clicking a column header, opens a directory and a
// file by clicking their links, and takes the README's screenshot.
func TestBrowserListing(t *testing.T) {
	b := startBrowser(t)
	p := startCLI(t, "-addr", "127.0.0.1:0", listingSite(t))

	b.open(p.base + "/")
	if got, want := b.text(b.find("h1")), "Index of /"; got != want {
		t.Errorf("heading: got %q, want %q", got, want)
	}
	names := func() []string { return b.texts("tbody td.name a") }
	byName := []string{"assets/", "photos/", "clip.webm", "data.csv", "notes.txt", "README.md"}
	if got := names(); !slices.Equal(got, byName) {
		t.Errorf("entries: got %s\nwant %s", joined(got), joined(byName))
	}
	if got, want := b.texts("tbody td.size data"), []string{"38 KiB", "5.2 KiB", "30 B", "1.2 KiB"}; !slices.Equal(got, want) {
		t.Errorf("sizes: got %q\nwant %q", got, want)
	}
	if got, want := b.text(b.find(`tbody tr:nth-child(5) td.mod`)), "2026-04-04 16:20:03Z"; got != want {
		t.Errorf("modified time of notes.txt: got %q, want %q", got, want)
	}
	if got := b.attr(b.find("thead th.name"), "aria-sort"); got != "ascending" {
		t.Errorf("name column: aria-sort %q, want ascending", got)
	}

	// The screenshot for the README, of the page as it first appears.
	png := b.screenshot()
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("the screenshot is not a PNG")
	}
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		if err := os.WriteFile(screenshotPath, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", screenshotPath, len(png))
	}

	// Sort by size: ascending, then descending (directories stay first).
	b.click(b.find("thead th.size a"))
	b.waitURL("the listing sorted by size", func(u string) bool { return strings.HasSuffix(u, "/?sort=size&order=asc") })
	bySize := []string{"assets/", "photos/", "notes.txt", "README.md", "data.csv", "clip.webm"}
	if got := names(); !slices.Equal(got, bySize) {
		t.Errorf("sorted by size: got %s\nwant %s", joined(got), joined(bySize))
	}
	if got := b.attr(b.find("thead th.size"), "aria-sort"); got != "ascending" {
		t.Errorf("size column: aria-sort %q, want ascending", got)
	}
	b.click(b.find("thead th.size a"))
	b.waitURL("the listing sorted by size, descending", func(u string) bool { return strings.HasSuffix(u, "/?sort=size&order=desc") })
	bySizeDesc := []string{"photos/", "assets/", "clip.webm", "data.csv", "README.md", "notes.txt"}
	if got := names(); !slices.Equal(got, bySizeDesc) {
		t.Errorf("sorted by size, descending: got %s\nwant %s", joined(got), joined(bySizeDesc))
	}
	if got := b.attr(b.find("thead th.size"), "aria-sort"); got != "descending" {
		t.Errorf("size column: aria-sort %q, want descending", got)
	}
	b.click(b.find("thead th.mod a"))
	b.waitURL("the listing sorted by time", func(u string) bool { return strings.HasSuffix(u, "/?sort=modified&order=asc") })
	byTime := []string{"photos/", "assets/", "clip.webm", "data.csv", "README.md", "notes.txt"}
	if got := names(); !slices.Equal(got, byTime) {
		t.Errorf("sorted by time: got %s\nwant %s", joined(got), joined(byTime))
	}

	// Into a directory and back up through its parent link.
	b.click(b.find(`tbody a[href="./photos/"]`))
	b.waitURL("the photos/ listing", func(u string) bool { return strings.HasSuffix(u, "/photos/") })
	if got, want := b.text(b.find("h1")), "Index of /photos/"; got != want {
		t.Errorf("heading: got %q, want %q", got, want)
	}
	if got, want := names(), []string{"../", "notes.txt"}; !slices.Equal(got, want) {
		t.Errorf("photos/ entries: got %s, want %s", joined(got), joined(want))
	}
	b.click(b.find(`tbody a[href="../"]`))
	b.waitURL("the root listing", func(u string) bool { return u == p.base+"/" })

	// Into a file: the browser shows its text.
	b.click(b.find(`tbody a[href="./notes.txt"]`))
	b.waitURL("notes.txt", func(u string) bool { return u == p.base+"/notes.txt" })
	if got, want := b.text(b.find("body")), "Remember to water the plants."; got != want {
		t.Errorf("notes.txt shows %q, want %q", got, want)
	}

	// Everything the browser asked for is in the access log, and the
	// dotfile was never listed.
	for _, want := range []string{`"GET / HTTP/1.1" 200 `, `"GET /?sort=size&order=desc HTTP/1.1" 200 `, `"GET /notes.txt HTTP/1.1" 200 30 `} {
		p.waitLine(t, 10*time.Second, func(s string) bool { return strings.Contains(s, want) })
	}
	for _, l := range p.output() {
		if strings.Contains(l, ".env") {
			t.Errorf("the browser asked for the dotfile: %s", l)
		}
	}
}

// testVideo returns a WebM video of testdata/clip.ivf (four seconds,
// repeated until the file has at least minBytes), and its duration in
// seconds.
func testVideo(t *testing.T, minBytes int) ([]byte, float64) {
	t.Helper()
	ivf, err := os.ReadFile("testdata/clip.ivf")
	if err != nil {
		t.Fatal(err)
	}
	video, secs, err := loadWebM(ivf, minBytes)
	if err != nil {
		t.Fatal(err)
	}
	return video, secs
}

// playerPage is the page TestBrowserVideo loads: the clip, preloaded.
const playerPage = `<!DOCTYPE html>
<html lang="en"><meta charset="utf-8"><title>player</title>
<video src="clip.webm" preload="auto" muted playsinline></video>
</html>
`

// seekScript waits for the video's metadata, seeks to half a second before
// its end, waits for the seek to complete, then plays to the end. It
// reports {stage, error, duration, seekedTo}; stage is "ended" when all of
// that happened, or says where it stopped.
const seekScript = `
const done = arguments[arguments.length - 1];
const v = document.querySelector('video');
const report = (stage, seekedTo) => done({
	stage, error: v.error ? v.error.code + ' ' + v.error.message : null,
	duration: v.duration || 0, seekedTo: seekedTo || 0,
});
v.addEventListener('error', () => report('error'));
if (v.error) { report('error'); return; }
const seek = () => {
	v.addEventListener('seeked', () => {
		const at = v.currentTime;
		v.addEventListener('ended', () => report('ended', at), {once: true});
		v.play().catch(e => report('play: ' + e.name, at));
	}, {once: true});
	v.currentTime = Math.max(0, v.duration - 0.5);
};
if (v.readyState >= 1) seek(); else v.addEventListener('loadedmetadata', seek, {once: true});
`

// TestBrowserVideo plays videos served by the command in Chromium: it
// waits for the metadata, seeks to near the end, and plays to the end.
// The JSON access log shows how the browser fetched them: with range
// requests answered 206 (Chromium's media loader always sends Range).
//
// A small video arrives whole in answer to the first request
// ("Range: bytes=0-"). A large one does not: the browser stops reading
// once it has buffered enough, and the seek makes it ask for the end of
// the file with a range request of its own; that response is the only
// one that can complete, without error, with fewer bytes than the file.
func TestBrowserVideo(t *testing.T) {
	b := startBrowser(t)
	small, smallSecs := testVideo(t, 0)
	large, largeSecs := testVideo(t, largeVideoBytes)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"small/clip.webm": string(small), "small/player.html": playerPage,
		"large/clip.webm": string(large), "large/player.html": playerPage,
	})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-log", "json", dir)

	for _, tt := range []struct {
		name  string
		video []byte
		secs  float64
		// logged reports whether the entries show what the case is about.
		logged func(es []logEntry, size int64) bool
	}{
		{"small", small, smallSecs, func(es []logEntry, size int64) bool {
			return slices.ContainsFunc(es, func(e logEntry) bool { return e.Status == 206 && e.Bytes == size && e.Error == "" })
		}},
		{"large", large, largeSecs, seekedRange},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.open(p.base + "/" + tt.name + "/player.html")
			playAndSeek(t, b, tt.secs)

			path := "/" + tt.name + "/clip.webm"
			size := int64(len(tt.video))
			p.waitFor(t, 10*time.Second, "the range requests in the access log", func(lines []string, _ bool) bool {
				return tt.logged(logEntries(lines, path), size)
			})
			es := logEntries(p.output(), path)
			for _, e := range es {
				if e.Method != "GET" || e.Status != 206 {
					t.Errorf("%s was answered %s %d, want GET 206", path, e.Method, e.Status)
				}
			}
			t.Logf("%s (%d bytes): %+v", path, size, es)
		})
	}
}

// playAndSeek runs seekScript on the current page, a player of a video of
// secs seconds, and checks that the video seeked to near its end and
// played to the end.
func playAndSeek(t *testing.T, b *browser, secs float64) {
	t.Helper()
	var res struct {
		Stage    string
		Error    *string
		Duration float64
		SeekedTo float64
	}
	b.execAsync(seekScript, &res)
	if res.Stage != "ended" || res.Error != nil {
		t.Fatalf("the video stopped at %q with error %v (duration %.3fs)", res.Stage, res.Error, res.Duration)
	}
	if math.Abs(res.Duration-secs) > 0.1 {
		t.Errorf("duration %.3fs, want %.3fs", res.Duration, secs)
	}
	if res.SeekedTo < res.Duration-0.6 || res.SeekedTo > res.Duration {
		t.Errorf("seeked to %.3fs, want about %.3fs", res.SeekedTo, res.Duration-0.5)
	}
}

// logEntry is a line of the JSON access log (-log json).
type logEntry struct {
	Msg, Method, Path, Proto, Error string
	Status                          int
	Bytes                           int64
}

// logEntries returns the access log's entries for path.
func logEntries(lines []string, path string) (es []logEntry) {
	for _, l := range lines {
		var e logEntry
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "request" && e.Path == path {
			es = append(es, e)
		}
	}
	return es
}

// seekedRange reports whether es, the entries of a large video of size
// bytes, show the range request of a seek: a 206 completed with fewer
// bytes than the file (see TestBrowserVideo).
func seekedRange(es []logEntry, size int64) bool {
	return slices.ContainsFunc(es, func(e logEntry) bool {
		return e.Status == 206 && e.Bytes > 0 && e.Bytes < size && e.Error == ""
	})
}

// h2PlayerPage is the page TestBrowserHTTP2 loads: the player, with a
// stylesheet, so that the page has a resource besides the video.
const h2PlayerPage = `<!DOCTYPE html>
<html lang="en"><meta charset="utf-8"><title>player</title>
<link rel="stylesheet" href="../assets/app.css">
<video src="clip.webm" preload="auto" muted playsinline></video>
</html>
`

// protocolsScript returns, for the page and each resource it loaded, the
// URL and the protocol Chromium fetched it with (Resource Timing's
// nextHopProtocol: "h2", "http/1.1", ...), the page first.
const protocolsScript = `
return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
	.map(e => ({name: e.name, type: e.initiatorType || e.entryType, proto: e.nextHopProtocol}));
`

// TestBrowserHTTP2 is TestBrowserListing and TestBrowserVideo over
// HTTPS, where Chromium negotiates HTTP/2 by ALPN, as it does with any
// server that offers it: it loads a listing, clicks into a directory,
// and plays a large video, seeking near its end. Chromium says which
// protocol it fetched each page and resource with (Resource Timing), and
// the access log says which the server answered each request with.
// Chromium runs with --ignore-certificate-errors for the test's
// self-signed certificate.
func TestBrowserHTTP2(t *testing.T) {
	b := startBrowser(t, "--ignore-certificate-errors")
	site := listingSite(t)
	large, largeSecs := testVideo(t, largeVideoBytes)
	writeFiles(t, site, map[string]string{"video/clip.webm": string(large), "video/player.html": h2PlayerPage})
	certFile, keyFile, _ := makeCert(t, t.TempDir())
	p := startCLI(t, "-addr", "127.0.0.1:0", "-log", "json", "-tls-cert", certFile, "-tls-key", keyFile, site)

	type fetched struct{ Name, Type, Proto string }
	// allH2 checks that the current page and every resource it loaded
	// came over h2, and that the resources include paths.
	allH2 := func(paths ...string) {
		t.Helper()
		var got []fetched
		b.exec(protocolsScript, &got)
		if len(got) == 0 || got[0].Type != "navigation" {
			t.Fatalf("Resource Timing: got %+v, want the page first", got)
		}
		for _, f := range got {
			if f.Proto != "h2" {
				t.Errorf("%s (%s) was fetched with %q, want h2", f.Name, f.Type, f.Proto)
			}
		}
		for _, path := range paths {
			if !slices.ContainsFunc(got[1:], func(f fetched) bool { return f.Name == p.base+path }) {
				t.Errorf("Resource Timing lists no fetch of %s: %+v", path, got)
			}
		}
		t.Logf("fetched: %+v", got)
	}

	b.open(p.base + "/")
	if got, want := b.text(b.find("h1")), "Index of /"; got != want {
		t.Errorf("heading: got %q, want %q", got, want)
	}
	byName := []string{"assets/", "photos/", "video/", "clip.webm", "data.csv", "notes.txt", "README.md"}
	if got := b.texts("tbody td.name a"); !slices.Equal(got, byName) {
		t.Errorf("entries: got %s\nwant %s", joined(got), joined(byName))
	}
	allH2()

	b.click(b.find(`tbody a[href="./video/"]`))
	b.waitURL("the video/ listing", func(u string) bool { return strings.HasSuffix(u, "/video/") })
	if got, want := b.texts("tbody td.name a"), []string{"../", "clip.webm", "player.html"}; !slices.Equal(got, want) {
		t.Errorf("video/ entries: got %s, want %s", joined(got), joined(want))
	}
	allH2()

	b.open(p.base + "/video/player.html")
	playAndSeek(t, b, largeSecs)
	allH2("/assets/app.css", "/video/clip.webm")

	// The server's side: the listings and the page as HTTP/2 requests,
	// and the video's range requests, a seek's among them, answered 206
	// over HTTP/2.
	const path = "/video/clip.webm"
	size := int64(len(large))
	p.waitFor(t, 10*time.Second, "the seek's range request in the access log", func(lines []string, _ bool) bool {
		return seekedRange(logEntries(lines, path), size)
	})
	es := logEntries(p.output(), path)
	for _, e := range es {
		if e.Method != "GET" || e.Status != 206 || e.Proto != "HTTP/2.0" {
			t.Errorf("%s was answered %s %d over %s, want GET 206 over HTTP/2.0", path, e.Method, e.Status, e.Proto)
		}
	}
	t.Logf("%s (%d bytes): %+v", path, size, es)
	for _, path := range []string{"/", "/video/", "/video/player.html", "/assets/app.css"} {
		for _, e := range logEntries(p.output(), path) {
			if e.Proto != "HTTP/2.0" || e.Status != 200 {
				t.Errorf("%s was answered %d over %s, want 200 over HTTP/2.0", path, e.Status, e.Proto)
			}
		}
		if len(logEntries(p.output(), path)) == 0 {
			t.Errorf("%s is not in the access log", path)
		}
	}
}
