package fileserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

func TestCheckPreconditions(t *testing.T) {
	lm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := validators{etag: `"abc"`, modTime: lm}
	noDate := validators{etag: `"abc"`}
	tests := []struct {
		method string
		hdr    []string
		v      validators
		want   int
	}{
		{"GET", nil, v, 0},
		{"GET", []string{"If-None-Match", `"abc"`}, v, 304},
		{"POST", []string{"If-None-Match", `"abc"`}, v, 412}, // §13.1.2: other methods get 412
		{"PUT", []string{"If-None-Match", "*"}, v, 412},
		{"POST", []string{"If-Modified-Since", httpDate(lm)}, v, 0}, // IMS only for GET and HEAD
		{"HEAD", []string{"If-Modified-Since", httpDate(lm)}, v, 304},
		{"GET", []string{"If-Modified-Since", httpDate(lm)}, noDate, 0}, // nothing to compare with
		{"GET", []string{"If-Unmodified-Since", httpDate(lm.Add(-time.Hour))}, noDate, 0},
		{"GET", []string{"If-Modified-Since", httpDate(lm), "If-Modified-Since", httpDate(lm)}, v, 0}, // not a single date
		{"GET", []string{"If-Match", `"abc"`}, v, 0},
		{"POST", []string{"If-Match", `"x"`}, v, 412},
		{"GET", []string{"If-Match", `"x" "abc"`}, v, 412}, // no comma: malformed after the first tag
		{"GET", []string{"If-Match", `"x", "abc"`}, v, 0},
		{"GET", []string{"If-Match", "*"}, validators{}, 412}, // no current representation
		{"GET", []string{"If-None-Match", `W/"abc"`}, v, 304},
		{"GET", []string{"If-None-Match", `"ab`}, v, 0},
	}
	for _, tt := range tests {
		var h httpserver.Header
		for i := 0; i+1 < len(tt.hdr); i += 2 {
			h.Add(tt.hdr[i], tt.hdr[i+1])
		}
		if got := checkPreconditions(tt.method, &h, tt.v); got != tt.want {
			t.Errorf("checkPreconditions(%s, %q, %+v) = %d, want %d", tt.method, tt.hdr, tt.v, got, tt.want)
		}
	}
}

func TestIfRangeMatches(t *testing.T) {
	lm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := validators{etag: `"abc"`, modTime: lm}
	tests := []struct {
		in   string
		v    validators
		want bool
	}{
		{`"abc"`, v, true},
		{` "abc" `, v, true},
		{`W/"abc"`, v, false},
		{`"abd"`, v, false},
		{`"abc", "x"`, v, false}, // a single entity-tag, not a list
		{`"abc`, v, false},
		{httpDate(lm), v, true},
		{httpDate(lm.Add(time.Second)), v, false},
		{httpDate(lm), validators{etag: `"abc"`}, false},
		{"", v, false},
		{"garbage", v, false},
	}
	for _, tt := range tests {
		if got := ifRangeMatches(tt.in, tt.v); got != tt.want {
			t.Errorf("ifRangeMatches(%q, %+v) = %v, want %v", tt.in, tt.v, got, tt.want)
		}
	}
}

func TestLastModified(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 500, time.UTC)
	past := time.Date(2024, 1, 2, 3, 4, 5, 999999999, time.FixedZone("X", 3600))
	if got, want := lastModified(past, now), time.Date(2024, 1, 2, 2, 4, 5, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("lastModified(%v) = %v, want %v in UTC", past, got, want)
	}
	future := now.Add(time.Hour)
	if got, want := lastModified(future, now), now.Truncate(time.Second); !got.Equal(want) {
		t.Errorf("lastModified(future %v) = %v, want now %v (RFC 9110 §8.8.2.1)", future, got, want)
	}
}

func TestFileETag(t *testing.T) {
	mod := time.Unix(1700000000, 5)
	fi := fakeInfo{size: 255, mod: mod}
	if got, want := fileETag(fi, ""), fmt.Sprintf(`"ff-%x"`, mod.UnixNano()); got != want {
		t.Errorf("fileETag = %s, want %s", got, want)
	}
	if got, want := fileETag(fi, "br"), fmt.Sprintf(`"ff-%x-br"`, mod.UnixNano()); got != want {
		t.Errorf("fileETag(br) = %s, want %s", got, want)
	}
}
