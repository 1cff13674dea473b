package wire

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestAppendStatusLine(t *testing.T) {
	for _, tc := range []struct {
		minor  int
		code   int
		reason string
		want   string
	}{
		{1, 200, "", "HTTP/1.1 200 OK\r\n"},
		{0, 200, "", "HTTP/1.0 200 OK\r\n"},
		{1, 404, "", "HTTP/1.1 404 Not Found\r\n"},
		{1, 100, "", "HTTP/1.1 100 Continue\r\n"},
		{1, 413, "", "HTTP/1.1 413 Content Too Large\r\n"},
		{1, 505, "", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
		{1, 200, "Fine", "HTTP/1.1 200 Fine\r\n"},
		{1, 200, "All \tgood caf\xc3\xa9", "HTTP/1.1 200 All \tgood caf\xc3\xa9\r\n"},
		{0, 599, "", "HTTP/1.0 599 \r\n"}, // unregistered: empty reason, SP kept (RFC 9112 §4)
		{1, 299, "Custom", "HTTP/1.1 299 Custom\r\n"},
		{9, 204, "", "HTTP/1.1 204 No Content\r\n"}, // any minor but 0 is 1.1
		{9, 200, "", "HTTP/1.1 200 OK\r\n"},
		{1, 200, "OK", "HTTP/1.1 200 OK\r\n"},
		{0, 200, "OK", "HTTP/1.0 200 OK\r\n"},
		{0, 200, "ok", "HTTP/1.0 200 ok\r\n"},
	} {
		got := string(AppendStatusLine(nil, tc.minor, tc.code, tc.reason))
		if got != tc.want {
			t.Errorf("AppendStatusLine(nil, %d, %d, %q) = %q, want %q", tc.minor, tc.code, tc.reason, got, tc.want)
		}
	}
}

// TestAppendStatusLineCodes: every code's three digits, as strconv writes
// them, with its registered reason.
func TestAppendStatusLineCodes(t *testing.T) {
	for code := 100; code <= 599; code++ {
		got := string(AppendStatusLine(nil, 1, code, ""))
		want := "HTTP/1.1 " + strconv.Itoa(code) + " " + StatusText(code) + "\r\n"
		if got != want {
			t.Errorf("AppendStatusLine(nil, 1, %d, \"\") = %q, want %q", code, got, want)
		}
	}
}

func TestAppendersAppend(t *testing.T) {
	dst := []byte("prefix|")
	got := AppendStatusLine(dst, 1, 200, "")
	got = AppendField(got, "Content-Type", "text/plain")
	got = AppendContentLength(got, 42)
	got = AppendChunkHeader(got, 42)
	want := "prefix|HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n2a\r\n"
	if string(got) != want {
		t.Errorf("appended %q, want %q", got, want)
	}
}

func TestAppendField(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"X", "y", "X: y\r\n"},
		{"Content-Type", "text/html; charset=utf-8", "Content-Type: text/html; charset=utf-8\r\n"},
		{"X-Empty", "", "X-Empty: \r\n"},
		{"Set-Cookie", "a=b; Path=/; HttpOnly", "Set-Cookie: a=b; Path=/; HttpOnly\r\n"},
	} {
		if got := string(AppendField(nil, tc.name, tc.value)); got != tc.want {
			t.Errorf("AppendField(nil, %q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestAppendContentLength(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "Content-Length: 0\r\n"},
		{1, "Content-Length: 1\r\n"},
		{1234567890, "Content-Length: 1234567890\r\n"},
		{math.MaxInt64, "Content-Length: 9223372036854775807\r\n"},
	} {
		if got := string(AppendContentLength(nil, tc.n)); got != tc.want {
			t.Errorf("AppendContentLength(nil, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestAppendChunkHeader(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, "1\r\n"},
		{10, "a\r\n"},
		{15, "f\r\n"},
		{16, "10\r\n"},
		{255, "ff\r\n"},
		{4096, "1000\r\n"},
		{32 << 10, "8000\r\n"},
		{math.MaxInt64, "7fffffffffffffff\r\n"},
	} {
		if got := string(AppendChunkHeader(nil, tc.n)); got != tc.want {
			t.Errorf("AppendChunkHeader(nil, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if ChunkEnd != "\r\n" || LastChunk != "0\r\n\r\n" {
		t.Errorf("ChunkEnd = %q, LastChunk = %q", ChunkEnd, LastChunk)
	}
}

// TestChunkEncoderRoundTrip: what the encoders write, ChunkedDecoder reads
// back, at every chunk size up to a few KiB.
func TestChunkEncoderRoundTrip(t *testing.T) {
	var body []byte
	for i := range 5000 {
		body = append(body, byte('a'+i%26))
	}
	for _, size := range []int{1, 2, 15, 16, 17, 255, 256, 1000, 4096, 5000} {
		body := body
		if size == 1 {
			// One-byte chunks cost 5 bytes of framing each: past 16 KiB
			// of it the decoder refuses the body (too much chunk framing).
			body = body[:2000]
		}
		var enc []byte
		for rest := body; len(rest) > 0; {
			n := min(size, len(rest))
			enc = AppendChunkHeader(enc, n)
			enc = append(enc, rest[:n]...)
			enc = append(enc, ChunkEnd...)
			rest = rest[n:]
		}
		enc = append(enc, LastChunk...)
		got, err := decodeWhole(enc)
		if err != nil {
			t.Fatal(err)
		}
		if want := (chunkResult{data: string(body), consumed: len(enc), err: io.EOF}); !got.equal(want) {
			t.Errorf("chunks of %d: got %v, want %v", size, got, want)
		}
	}
}

// statusTextRenamed lists the codes whose RFC 9110 reason phrase differs
// from the older one net/http still uses.
var statusTextRenamed = map[int]string{
	413: "Content Too Large",     // net/http: Request Entity Too Large (RFC 7231)
	414: "URI Too Long",          // net/http: Request URI Too Long
	416: "Range Not Satisfiable", // net/http: Requested Range Not Satisfiable
	422: "Unprocessable Content", // net/http: Unprocessable Entity (RFC 4918)
}

func TestStatusText(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{
		{100, "Continue"},
		{101, "Switching Protocols"},
		{200, "OK"},
		{204, "No Content"},
		{301, "Moved Permanently"},
		{304, "Not Modified"},
		{400, "Bad Request"},
		{404, "Not Found"},
		{413, "Content Too Large"},
		{414, "URI Too Long"},
		{417, "Expectation Failed"},
		{418, "I'm a teapot"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{505, "HTTP Version Not Supported"},
		{0, ""},
		{-1, ""},
		{99, ""},
		{306, ""}, // RFC 9110 §15.4.7: unused
		{299, ""},
		{600, ""},
		{1000, ""},
	} {
		if got := StatusText(tc.code); got != tc.want {
			t.Errorf("StatusText(%d) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// TestStatusTextMatchesNetHTTP: the same codes are registered as in
// net/http, with the same phrases except where RFC 9110 renamed them; and
// every phrase may be sent as is.
func TestStatusTextMatchesNetHTTP(t *testing.T) {
	for code := -1; code < 1000; code++ {
		got, theirs := StatusText(code), http.StatusText(code)
		want := theirs
		if r, ok := statusTextRenamed[code]; ok {
			want = r
		}
		if got != want {
			t.Errorf("StatusText(%d) = %q, want %q (net/http says %q)", code, got, want, theirs)
		}
		if got != "" && (!IsFieldValue(got) || strings.TrimSpace(got) != got) {
			t.Errorf("StatusText(%d) = %q: not a clean reason-phrase", code, got)
		}
	}
}
