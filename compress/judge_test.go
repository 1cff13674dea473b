package compress

import (
	"fmt"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// TestJudge runs the decision table over every combination of its
// inputs and checks each verdict against the table's rows, read as a
// plain function of booleans.
func TestJudge(t *testing.T) {
	c := newConfig(nil)
	gz := c.codings[2]
	statuses := []int{200, 201, 204, 206, 304, 404, 416, 500}
	fieldSets := []struct {
		name     string
		fields   []string
		excluded bool
	}{
		{"text/html", []string{"Content-Type", "text/html; charset=utf-8"}, false},
		{"TEXT/CSS", []string{"Content-Type", "TEXT/CSS"}, false},
		{"svg", []string{"Content-Type", "image/svg+xml"}, false},
		{"json", []string{"Content-Type", "application/json"}, false},
		{"wasm", []string{"Content-Type", "application/wasm"}, false},
		{"png", []string{"Content-Type", "image/png"}, true},
		{"no type", nil, true},
		{"encoded", []string{"Content-Type", "text/html", "Content-Encoding", "br"}, true},
		{"empty encoding", []string{"Content-Type", "text/html", "Content-Encoding", ""}, false},
		{"no-transform", []string{"Content-Type", "text/html", "Cache-Control", "max-age=60, no-transform"}, true},
		{"no-store", []string{"Content-Type", "text/html", "Cache-Control", "no-store"}, false},
		{"Content-Range", []string{"Content-Type", "text/html", "Content-Range", "bytes */10"}, true},
	}
	lengths := []int64{-1, 0, DefaultMinSize - 1, DefaultMinSize, 1 << 20}
	n := 0
	for _, coding := range []*encoding{nil, gz} {
		for _, ranged := range []bool{false, true} {
			for _, status := range statuses {
				for _, fs := range fieldSets {
					for _, length := range lengths {
						for _, long := range []bool{false, true} {
							var h httpserver.Header
							for i := 0; i < len(fs.fields); i += 2 {
								h.Add(fs.fields[i], fs.fields[i+1])
							}
							f := &facts{coding: coding, verb: "GET", ranged: ranged}
							got := c.judge(f, status, &h, length, long)
							want := sendIdentity
							noBody := status == 204 || status == 304
							if coding != nil && !ranged && !noBody && status != 206 && !fs.excluded {
								switch {
								case length >= DefaultMinSize:
									want = sendEncoded
								case length >= 0:
								case long:
									want = sendEncoded
								default:
									want = undecided
								}
							}
							if got != want {
								t.Errorf("judge(coding %v, Range %v, %d, %s, length %d, long %v) = %v, want %v",
									coding != nil, ranged, status, fs.name, length, long, got, want)
							}
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

func TestMediaType(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"text/html", "text/html"},
		{"text/html; charset=utf-8", "text/html"},
		{" Text/HTML ;charset=utf-8", "text/html"},
		{"", ""},
		{";", ""},
	} {
		if got := mediaType(tt.in); got != tt.want {
			t.Errorf("mediaType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDefaultTypes(t *testing.T) {
	yes := []string{"text/html", "text/css", "text/javascript", "text/plain", "text/csv", "text/event-stream", "text/markdown",
		"application/json", "application/ld+json", "application/manifest+json", "application/problem+json",
		"application/javascript", "application/xml", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
		"image/svg+xml", "application/wasm", "font/ttf", "font/otf", "application/vnd.ms-fontobject",
		"image/bmp", "image/vnd.microsoft.icon", "application/x-ndjson", "application/yaml", "application/toml"}
	no := []string{"", "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "video/mp4", "video/webm",
		"audio/mpeg", "audio/ogg", "font/woff", "font/woff2", "application/zip", "application/gzip", "application/zstd",
		"application/x-tar", "application/pdf", "application/octet-stream", "multipart/byteranges", "application/x-7z-compressed"}
	for _, mt := range yes {
		if !DefaultTypes(mt) {
			t.Errorf("DefaultTypes(%q) = false, want true", mt)
		}
	}
	for _, mt := range no {
		if DefaultTypes(mt) {
			t.Errorf("DefaultTypes(%q) = true, want false", mt)
		}
	}
}

func TestAddVary(t *testing.T) {
	for _, tt := range []struct {
		in   []string // Vary lines
		want string   // the lines after, joined with "; "
	}{
		{nil, "Accept-Encoding"},
		{[]string{"Accept"}, "Accept, Accept-Encoding"},
		{[]string{"Accept, "}, "Accept, Accept-Encoding"},
		{[]string{""}, "Accept-Encoding"},
		{[]string{"*"}, "*"},
		{[]string{"Cookie, ACCEPT-ENCODING"}, "Cookie, ACCEPT-ENCODING"},
		{[]string{"Accept", "Cookie"}, "Accept; Cookie; Accept-Encoding"},
		{[]string{"Accept", "Accept-Encoding"}, "Accept; Accept-Encoding"},
	} {
		var h httpserver.Header
		for _, v := range tt.in {
			h.Add("Vary", v)
		}
		needed := needsVary(&h)
		addVary(&h)
		got := fmt.Sprint(h.Values("Vary"))
		want := fmt.Sprint(splitSemi(tt.want))
		if got != want {
			t.Errorf("addVary(%q): %s, want %s", tt.in, got, want)
		}
		if changed := fmt.Sprint(tt.in) != got; needed != changed && tt.in != nil {
			t.Errorf("needsVary(%q) = %v, but addVary changed it: %v", tt.in, needed, changed)
		}
	}
}

func splitSemi(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ';' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i += 2
		}
		s = s[i:]
	}
	return out
}
