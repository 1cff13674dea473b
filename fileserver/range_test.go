package fileserver

import (
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The file the range and validator tests serve.
var (
	rtMod     = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	rtContent = testContent(1000)
	rtLM      = rtMod.Truncate(time.Second) // Last-Modified, second precision
	rtETag    = fmt.Sprintf(`"%x-%x"`, 1000, rtMod.UnixNano())
)

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// absent marks a header that must not be in the response.
const absent = "\x00absent"

// span is an inclusive byte range [0], [1] of rtContent.
type span [2]int64

func (s span) text() string { return rtContent[s[0] : s[1]+1] }

type rangeCase struct {
	name  string
	verb  string   // "" is GET
	hdr   []string // request header name, value pairs
	opts  *Options
	code  int
	body  string            // expected body (for 200 and single-range 206)
	parts []span            // for multipart 206: the parts, in order
	want  map[string]string // expected response fields; absent: must be missing
}

// Every branch of ranges and validators: parseRange's syntax and verdicts,
// the MaxRanges cap and the abuse rules, RFC 9110 §13.2.2's order, and
// If-Range with each kind of validator.
var rangeCases = []rangeCase{
	// Ranges.
	{name: "no Range", code: 200, body: rtContent,
		want: map[string]string{"Accept-Ranges": "bytes", "Content-Range": absent, "Content-Type": "text/plain; charset=utf-8"}},
	{name: "first byte", hdr: []string{"Range", "bytes=0-0"}, code: 206, body: span{0, 0}.text(),
		want: map[string]string{"Content-Range": "bytes 0-0/1000", "Content-Type": "text/plain; charset=utf-8"}},
	{name: "closed range", hdr: []string{"Range", "bytes=10-19"}, code: 206, body: span{10, 19}.text(),
		want: map[string]string{"Content-Range": "bytes 10-19/1000"}},
	{name: "open-ended", hdr: []string{"Range", "bytes=990-"}, code: 206, body: span{990, 999}.text(),
		want: map[string]string{"Content-Range": "bytes 990-999/1000"}},
	{name: "suffix", hdr: []string{"Range", "bytes=-10"}, code: 206, body: span{990, 999}.text(),
		want: map[string]string{"Content-Range": "bytes 990-999/1000"}},
	{name: "suffix longer than the file", hdr: []string{"Range", "bytes=-2000"}, code: 206, body: rtContent,
		want: map[string]string{"Content-Range": "bytes 0-999/1000"}},
	{name: "last-pos past the end", hdr: []string{"Range", "bytes=500-5000"}, code: 206, body: span{500, 999}.text(),
		want: map[string]string{"Content-Range": "bytes 500-999/1000"}},
	{name: "last-pos beyond int64", hdr: []string{"Range", "bytes=0-99999999999999999999999"}, code: 206, body: rtContent,
		want: map[string]string{"Content-Range": "bytes 0-999/1000"}},
	{name: "unit case-insensitive", hdr: []string{"Range", "Bytes=0-1"}, code: 206, body: span{0, 1}.text()},
	{name: "first-pos at the end", hdr: []string{"Range", "bytes=1000-"}, code: 416, body: "Range Not Satisfiable\n",
		want: map[string]string{"Content-Range": "bytes */1000", "Content-Type": "text/plain; charset=utf-8"}},
	{name: "first-pos past the end", hdr: []string{"Range", "bytes=5000-6000"}, code: 416,
		want: map[string]string{"Content-Range": "bytes */1000"}},
	{name: "first-pos beyond int64", hdr: []string{"Range", "bytes=99999999999999999999999-"}, code: 416,
		want: map[string]string{"Content-Range": "bytes */1000"}},
	{name: "zero suffix", hdr: []string{"Range", "bytes=-0"}, code: 416,
		want: map[string]string{"Content-Range": "bytes */1000"}},
	{name: "all unsatisfiable", hdr: []string{"Range", "bytes=1000-,2000-2001,-0"}, code: 416,
		want: map[string]string{"Content-Range": "bytes */1000"}},
	{name: "unsatisfiable spec dropped", hdr: []string{"Range", "bytes=1000-,0-9"}, code: 206, body: span{0, 9}.text(),
		want: map[string]string{"Content-Range": "bytes 0-9/1000"}},
	{name: "two ranges", hdr: []string{"Range", "bytes=0-9,20-29"}, code: 206, parts: []span{{0, 9}, {20, 29}}},
	{name: "three with OWS and suffix", hdr: []string{"Range", "bytes= 0-9 ,\t100-199 , -5"}, code: 206,
		parts: []span{{0, 9}, {100, 199}, {995, 999}}},
	{name: "empty list elements", hdr: []string{"Range", "bytes=,0-9,,20-29,"}, code: 206, parts: []span{{0, 9}, {20, 29}}},
	{name: "out of order, disjoint", hdr: []string{"Range", "bytes=500-599,0-99"}, code: 206,
		parts: []span{{500, 599}, {0, 99}}},
	{name: "overlap within the size", hdr: []string{"Range", "bytes=0-199,100-299"}, code: 206,
		parts: []span{{0, 199}, {100, 299}}},
	{name: "overlap beyond the size", hdr: []string{"Range", "bytes=0-599,400-999"}, code: 200, body: rtContent,
		want: map[string]string{"Content-Range": absent}},
	{name: "amplification", hdr: []string{"Range", "bytes=0-,0-,0-"}, code: 200, body: rtContent},
	{name: "many small ranges", hdr: []string{"Range", "bytes=" + strings.Repeat("1-1,", 15) + "1-1"}, code: 200, body: rtContent},
	{name: "more than MaxRanges", hdr: []string{"Range", "bytes=" + strings.Repeat("0-0,", 16) + "0-0"}, code: 200, body: rtContent},
	{name: "MaxRanges 2, three asked", opts: &Options{MaxRanges: 2}, hdr: []string{"Range", "bytes=0-9,20-29,40-49"}, code: 200, body: rtContent},
	{name: "MaxRanges 2, two asked", opts: &Options{MaxRanges: 2}, hdr: []string{"Range", "bytes=0-9,40-49"}, code: 206,
		parts: []span{{0, 9}, {40, 49}}},
	{name: "ranges off", opts: &Options{MaxRanges: -1}, hdr: []string{"Range", "bytes=0-9"}, code: 200, body: rtContent,
		want: map[string]string{"Accept-Ranges": "none"}},
	{name: "unknown unit", hdr: []string{"Range", "items=0-9"}, code: 200, body: rtContent},
	{name: "no equals sign", hdr: []string{"Range", "bytes 0-9"}, code: 200, body: rtContent},
	{name: "last before first", hdr: []string{"Range", "bytes=9-0"}, code: 200, body: rtContent},
	{name: "not digits", hdr: []string{"Range", "bytes=a-b"}, code: 200, body: rtContent},
	{name: "signed", hdr: []string{"Range", "bytes=+1-2"}, code: 200, body: rtContent},
	{name: "no dash", hdr: []string{"Range", "bytes=5"}, code: 200, body: rtContent},
	{name: "empty set", hdr: []string{"Range", "bytes="}, code: 200, body: rtContent},
	{name: "space inside a spec", hdr: []string{"Range", "bytes=0 -9"}, code: 200, body: rtContent},
	{name: "one bad spec spoils the set", hdr: []string{"Range", "bytes=0-9,x"}, code: 200, body: rtContent},
	{name: "two Range fields", hdr: []string{"Range", "bytes=0-9", "Range", "bytes=20-29"}, code: 200, body: rtContent},
	{name: "HEAD ignores Range", verb: "HEAD", hdr: []string{"Range", "bytes=0-9"}, code: 200, body: rtContent},

	// Validators on a plain 200.
	{name: "validators", code: 200, body: rtContent,
		want: map[string]string{"ETag": rtETag, "Last-Modified": httpDate(rtLM), "Cache-Control": "no-cache",
			"X-Content-Type-Options": "nosniff", "Vary": absent}},

	// If-None-Match and If-Modified-Since.
	{name: "INM strong match", hdr: []string{"If-None-Match", rtETag}, code: 304,
		want: map[string]string{"ETag": rtETag, "Last-Modified": httpDate(rtLM), "Cache-Control": "no-cache",
			"Content-Type": absent, "Content-Range": absent}},
	{name: "INM weak match", hdr: []string{"If-None-Match", "W/" + rtETag}, code: 304},
	{name: "INM no match", hdr: []string{"If-None-Match", `"other"`}, code: 200, body: rtContent},
	{name: "INM list", hdr: []string{"If-None-Match", `"a", W/"b",` + rtETag}, code: 304},
	{name: "INM two fields", hdr: []string{"If-None-Match", `"a"`, "If-None-Match", rtETag}, code: 304},
	{name: "INM star", hdr: []string{"If-None-Match", "*"}, code: 304},
	{name: "INM malformed", hdr: []string{"If-None-Match", `abc`}, code: 200, body: rtContent},
	{name: "INM HEAD", verb: "HEAD", hdr: []string{"If-None-Match", rtETag}, code: 304},
	{name: "IMS equal", hdr: []string{"If-Modified-Since", httpDate(rtLM)}, code: 304,
		want: map[string]string{"ETag": rtETag, "Last-Modified": httpDate(rtLM)}},
	{name: "IMS later", hdr: []string{"If-Modified-Since", httpDate(rtLM.Add(time.Hour))}, code: 304},
	{name: "IMS earlier", hdr: []string{"If-Modified-Since", httpDate(rtLM.Add(-time.Second))}, code: 200, body: rtContent},
	{name: "IMS RFC 850", hdr: []string{"If-Modified-Since", rtLM.Format(time.RFC850)}, code: 304},
	{name: "IMS asctime", hdr: []string{"If-Modified-Since", rtLM.Format(time.ANSIC)}, code: 304},
	{name: "IMS invalid", hdr: []string{"If-Modified-Since", "yesterday"}, code: 200, body: rtContent},
	{name: "IMS ignored with INM", hdr: []string{"If-None-Match", `"other"`, "If-Modified-Since", httpDate(rtLM)}, code: 200, body: rtContent},
	{name: "INM before Range", hdr: []string{"If-None-Match", rtETag, "Range", "bytes=0-9"}, code: 304},

	// If-Match and If-Unmodified-Since.
	{name: "IM strong match", hdr: []string{"If-Match", rtETag}, code: 200, body: rtContent},
	{name: "IM weak tag never matches", hdr: []string{"If-Match", "W/" + rtETag}, code: 412,
		body: "Precondition Failed\n", want: map[string]string{"ETag": rtETag}},
	{name: "IM no match", hdr: []string{"If-Match", `"other"`}, code: 412},
	{name: "IM list", hdr: []string{"If-Match", `"other", ` + rtETag}, code: 200, body: rtContent},
	{name: "IM star", hdr: []string{"If-Match", "*"}, code: 200, body: rtContent},
	{name: "IM malformed", hdr: []string{"If-Match", "abc"}, code: 412},
	{name: "IUS equal", hdr: []string{"If-Unmodified-Since", httpDate(rtLM)}, code: 200, body: rtContent},
	{name: "IUS earlier", hdr: []string{"If-Unmodified-Since", httpDate(rtLM.Add(-time.Second))}, code: 412},
	{name: "IUS invalid", hdr: []string{"If-Unmodified-Since", "soon"}, code: 200, body: rtContent},
	{name: "IUS ignored with IM", hdr: []string{"If-Match", rtETag, "If-Unmodified-Since", httpDate(rtLM.Add(-time.Hour))}, code: 200, body: rtContent},
	{name: "IM before INM", hdr: []string{"If-Match", `"other"`, "If-None-Match", rtETag}, code: 412},
	{name: "IUS before INM", hdr: []string{"If-Unmodified-Since", httpDate(rtLM.Add(-time.Hour)), "If-None-Match", rtETag}, code: 412},
	{name: "IM passes, INM matches", hdr: []string{"If-Match", rtETag, "If-None-Match", rtETag}, code: 304},
	{name: "IM before Range", hdr: []string{"If-Match", `"other"`, "Range", "bytes=0-9"}, code: 412},

	// If-Range.
	{name: "IR strong ETag", hdr: []string{"Range", "bytes=0-9", "If-Range", rtETag}, code: 206, body: span{0, 9}.text()},
	{name: "IR weak ETag", hdr: []string{"Range", "bytes=0-9", "If-Range", "W/" + rtETag}, code: 200, body: rtContent},
	{name: "IR other ETag", hdr: []string{"Range", "bytes=0-9", "If-Range", `"other"`}, code: 200, body: rtContent},
	{name: "IR date equal", hdr: []string{"Range", "bytes=0-9", "If-Range", httpDate(rtLM)}, code: 206, body: span{0, 9}.text()},
	{name: "IR date earlier", hdr: []string{"Range", "bytes=0-9", "If-Range", httpDate(rtLM.Add(-time.Second))}, code: 200, body: rtContent},
	{name: "IR date later", hdr: []string{"Range", "bytes=0-9", "If-Range", httpDate(rtLM.Add(time.Second))}, code: 200, body: rtContent},
	{name: "IR garbage", hdr: []string{"Range", "bytes=0-9", "If-Range", "whenever"}, code: 200, body: rtContent},
	{name: "IR without Range", hdr: []string{"If-Range", `"other"`}, code: 200, body: rtContent},
	{name: "IR match, multipart", hdr: []string{"Range", "bytes=0-9,20-29", "If-Range", rtETag}, code: 206, parts: []span{{0, 9}, {20, 29}}},
	{name: "IR match, unsatisfiable", hdr: []string{"Range", "bytes=2000-", "If-Range", rtETag}, code: 416,
		want: map[string]string{"Content-Range": "bytes */1000"}},
	{name: "IR mismatch, unsatisfiable", hdr: []string{"Range", "bytes=2000-", "If-Range", `"other"`}, code: 200, body: rtContent},
}

func TestRangesAndValidators(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "data.txt", rtContent, rtMod)
	for _, tc := range rangeCases {
		t.Run(tc.name, func(t *testing.T) {
			verb := tc.verb
			if verb == "" {
				verb = "GET"
			}
			h := mustNew(t, dir, tc.opts)
			req := newReq(verb, "/data.txt", tc.hdr...)
			got := serve(t, h, req)
			desc := fmt.Sprintf("%s %v", verb, tc.hdr)
			if got.status != tc.code {
				t.Fatalf("%s: status %d, want %d (body %.80q)", desc, got.status, tc.code, got.body)
			}
			for name, want := range tc.want {
				if want == absent {
					if got.hdr.Has(name) {
						t.Errorf("%s: %s = %q, want none", desc, name, got.get(name))
					}
				} else if g := got.get(name); g != want {
					t.Errorf("%s: %s = %q, want %q", desc, name, g, want)
				}
			}
			switch {
			case tc.code == 304:
				if got.body != "" || got.bodyLen != 0 {
					t.Errorf("%s: 304 with a body %q", desc, got.body)
				}
				for _, f := range []string{"ETag", "Cache-Control", "Last-Modified"} {
					if !got.hdr.Has(f) {
						t.Errorf("%s: 304 without %s", desc, f)
					}
				}
			case tc.parts != nil:
				checkMultipart(t, desc, got, tc.parts)
			case tc.body != "" && got.body != tc.body:
				t.Errorf("%s: body %.60q (%d bytes), want %.60q (%d bytes)", desc, got.body, len(got.body), tc.body, len(tc.body))
			}
			if tc.code == 200 || (tc.code == 206 && tc.parts == nil) {
				if got.bodyLen != int64(len(got.body)) {
					t.Errorf("%s: BodyLength %d, body %d bytes", desc, got.bodyLen, len(got.body))
				}
			}
		})
	}
	if n := len(rangeCases); n < 40 {
		t.Errorf("%d range and validator cases, want at least 40", n)
	}
}

// checkMultipart parses a multipart/byteranges body with mime/multipart
// and compares each part with the file's bytes.
func checkMultipart(t *testing.T, desc string, got result, want []span) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(got.get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
		t.Fatalf("%s: Content-Type %q (err %v), want multipart/byteranges with a boundary", desc, got.get("Content-Type"), err)
	}
	if got.hdr.Has("Content-Range") {
		t.Errorf("%s: multipart response with a top-level Content-Range", desc)
	}
	if got.bodyLen != int64(len(got.body)) {
		t.Errorf("%s: BodyLength %d, body %d bytes", desc, got.bodyLen, len(got.body))
	}
	mr := multipart.NewReader(strings.NewReader(got.body), params["boundary"])
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("%s: %d parts, want %d", desc, i, len(want))
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: part %d: %v", desc, i, err)
		}
		if i >= len(want) {
			t.Fatalf("%s: more than %d parts", desc, len(want))
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("%s: part %d: %v", desc, i, err)
		}
		wantCR := fmt.Sprintf("bytes %d-%d/1000", want[i][0], want[i][1])
		if g := p.Header.Get("Content-Range"); g != wantCR {
			t.Errorf("%s: part %d Content-Range %q, want %q", desc, i, g, wantCR)
		}
		if g := p.Header.Get("Content-Type"); g != "text/plain; charset=utf-8" {
			t.Errorf("%s: part %d Content-Type %q", desc, i, g)
		}
		if string(data) != want[i].text() {
			t.Errorf("%s: part %d body %q, want %q", desc, i, data, want[i].text())
		}
	}
}

// Distinct requests get distinct boundaries.
func TestMultipartBoundaryRandom(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "data.txt", rtContent, rtMod)
	h := mustNew(t, dir, nil)
	seen := map[string]bool{}
	for range 5 {
		got := serve(t, h, newReq("GET", "/data.txt", "Range", "bytes=0-9,20-29"))
		_, params, _ := mime.ParseMediaType(got.get("Content-Type"))
		b := params["boundary"]
		if len(b) < 16 || seen[b] {
			t.Fatalf("boundary %q: too short or repeated", b)
		}
		seen[b] = true
	}
}

// Many small ranges of a large file are worth a multipart answer.
func TestManyRangesLargeFile(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat(rtContent, 100) // 100 KB
	writeFile(t, dir, "big.bin", big, rtMod)
	h := mustNew(t, dir, nil)
	var specs []string
	for i := range 16 {
		specs = append(specs, fmt.Sprintf("%d-%d", i*5000, i*5000+9))
	}
	got := serve(t, h, newReq("GET", "/big.bin", "Range", "bytes="+strings.Join(specs, ",")))
	if got.status != 206 {
		t.Fatalf("16 ranges of a 100 KB file: status %d, want 206", got.status)
	}
	_, params, _ := mime.ParseMediaType(got.get("Content-Type"))
	mr := multipart.NewReader(strings.NewReader(got.body), params["boundary"])
	n := 0
	for ; ; n++ {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(p)
		if want := big[n*5000 : n*5000+10]; string(data) != want {
			t.Errorf("part %d: %q, want %q", n, data, want)
		}
		if g := p.Header.Get("Content-Type"); g != "application/octet-stream" {
			t.Errorf("part %d: Content-Type %q", n, g)
		}
	}
	if n != 16 {
		t.Errorf("%d parts, want 16", n)
	}
}

// An empty file has no byte to range over: Range is ignored.
func TestRangeEmptyFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "empty.txt", "", rtMod)
	h := mustNew(t, dir, nil)
	for _, rg := range []string{"bytes=0-", "bytes=-5", "bytes=0-0"} {
		got := serve(t, h, newReq("GET", "/empty.txt", "Range", rg))
		if got.status != 200 || got.body != "" || got.hdr.Has("Content-Range") {
			t.Errorf("Range %q on an empty file: %d %q Content-Range %q, want 200, empty, none", rg, got.status, got.body, got.get("Content-Range"))
		}
	}
}

func TestParseRange(t *testing.T) {
	type br = byteRange
	tests := []struct {
		in      string
		size    int64
		max     int
		want    []byteRange
		verdict rangeVerdict
	}{
		{"bytes=0-0", 10, 16, []br{{0, 1}}, rangeOK},
		{"bytes=0-", 10, 16, []br{{0, 10}}, rangeOK},
		{"bytes=-3", 10, 16, []br{{7, 3}}, rangeOK},
		{"bytes=-30", 10, 16, []br{{0, 10}}, rangeOK},
		{"bytes=2-4,6-", 10, 16, []br{{2, 3}, {6, 4}}, rangeOK},
		{"bytes=2-4,6-", 10, 1, nil, rangeIgnore},
		{"bytes=0-1", 10, 0, nil, rangeIgnore},
		{"bytes=10-", 10, 16, nil, rangeUnsatisfiable},
		{"bytes=-0", 10, 16, nil, rangeUnsatisfiable},
		{"bytes=-1", 0, 16, nil, rangeUnsatisfiable},
		{"bytes=0-9,0-9", 10, 16, nil, rangeIgnore},
		{"bytes=0-4,5-9", 10, 16, []br{{0, 5}, {5, 5}}, rangeOK},
		{"bytes=0-4,4-9", 10, 16, nil, rangeIgnore},
		{"bytes=1-0", 10, 16, nil, rangeIgnore},
		{"bytes=", 10, 16, nil, rangeIgnore},
		{"bytes=,", 10, 16, nil, rangeIgnore},
		{"bytes=--1", 10, 16, nil, rangeIgnore},
		{"bytes=1-2-3", 10, 16, nil, rangeIgnore},
		{"bytes=0x1-2", 10, 16, nil, rangeIgnore},
		{"bytes =0-1", 10, 16, nil, rangeIgnore},
		{"none", 10, 16, nil, rangeIgnore},
		{"bytes=9223372036854775807-", 10, 16, nil, rangeUnsatisfiable},
		{"bytes=0-9223372036854775808", 10, 16, []br{{0, 10}}, rangeOK},
		{"bytes=-9223372036854775808", math.MaxInt64, 16, []br{{0, math.MaxInt64}}, rangeOK},
	}
	for _, tt := range tests {
		got, verdict := parseRange(tt.in, tt.size, tt.max)
		if verdict != tt.verdict || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseRange(%q, %d, %d) = %v, %v; want %v, %v", tt.in, tt.size, tt.max, got, verdict, tt.want, tt.verdict)
		}
	}
}

func TestParsePos(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"007", 7, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", math.MaxInt64, true},
		{"99999999999999999999999999", math.MaxInt64, true},
		{"", 0, false},
		{"1a", 0, false},
		{"-1", 0, false},
		{" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parsePos(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parsePos(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseRange checks parseRange's invariants on any input: ranges lie
// within the file, there are at most max, a multi-range answer never adds
// up to more than the file, and the verdict agrees with the result.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{
		"bytes=0-0", "bytes=0-", "bytes=-1", "bytes=-0", "bytes=1-0", "bytes=0-1,2-3", "bytes=,,", "bytes=0-,0-,0-",
		"bytes= 0-1 , -5", "BYTES=0-1", "items=0-1", "bytes=99999999999999999999-", "bytes=0-99999999999999999999",
		"bytes=1-2,x", "bytes", "=", "bytes=-", "bytes=5-5,5-5", "bytes=0-0," + strings.Repeat("1-1,", 20),
	} {
		f.Add(s, int64(1000), 16)
		f.Add(s, int64(0), 16)
		f.Add(s, int64(1), 1)
	}
	f.Fuzz(func(t *testing.T, s string, size int64, max int) {
		if size < 0 {
			return
		}
		max = max % 64
		ranges, verdict := parseRange(s, size, max)
		switch verdict {
		case rangeOK:
			if len(ranges) == 0 || len(ranges) > max {
				t.Fatalf("parseRange(%q, %d, %d): OK with %d ranges", s, size, max, len(ranges))
			}
		default:
			if ranges != nil {
				t.Fatalf("parseRange(%q, %d, %d): verdict %d with ranges %v", s, size, max, verdict, ranges)
			}
		}
		var sum int64
		for _, r := range ranges {
			if r.start < 0 || r.length <= 0 || r.start >= size || r.length > size-r.start {
				t.Fatalf("parseRange(%q, %d, %d): range %+v outside the file", s, size, max, r)
			}
			sum += r.length
		}
		if len(ranges) > 1 && sum > size {
			t.Fatalf("parseRange(%q, %d, %d): ranges add up to %d > %d", s, size, max, sum, size)
		}
		// The Content-Range of each range parses back to it.
		for _, r := range ranges {
			cr := r.contentRange(size)
			var a, b, n int64
			if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &a, &b, &n); err != nil || a != r.start || b != r.start+r.length-1 || n != size {
				t.Fatalf("contentRange %q for %+v of %d", cr, r, size)
			}
		}
	})
}
