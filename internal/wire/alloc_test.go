package wire

import (
	"io"
	"strings"
	"testing"
)

// The wire codec's allocation budget is zero: heads are parsed into a
// reused RequestHead as spans of the read buffer, and chunked data is
// handed back as sub-slices of the input.

func TestParseAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, in := range []string{browserRequest, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST http://a/x?y HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"} {
		buf := []byte(in)
		var h RequestHead
		_ = h.Parse(buf, Limits{}) // grows Fields once
		allocs := testing.AllocsPerRun(100, func() {
			h.Reset()
			if err := h.Parse(buf, Limits{}); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Parse(%.40q...) into a reused RequestHead: %v allocations, want 0", in, allocs)
		}
		// Resuming after ErrIncomplete costs nothing either.
		allocs = testing.AllocsPerRun(100, func() {
			h.Reset()
			if err := h.Parse(buf[:len(buf)/2], Limits{}); err != ErrIncomplete {
				t.Fatal(err)
			}
			if err := h.Parse(buf, Limits{}); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Parse(%.40q...) in two pieces: %v allocations, want 0", in, allocs)
		}
	}
}

func TestChunkedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	in := []byte("5;a=\"b\"\r\nhello\r\n3e8\r\n" + strings.Repeat("x", 1000) + "\r\n0\r\nX: y\r\n\r\n")
	var d ChunkedDecoder
	allocs := testing.AllocsPerRun(100, func() {
		if err := decodeAll(&d, in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ChunkedDecoder.Decode: %v allocations per body, want 0", allocs)
	}
}

func BenchmarkParseBrowser(b *testing.B) {
	benchmarkParse(b, browserRequest)
}

func BenchmarkParseMinimal(b *testing.B) {
	benchmarkParse(b, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
}

func benchmarkParse(b *testing.B, in string) {
	buf := []byte(in)
	var h RequestHead
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h.Reset()
		if err := h.Parse(buf, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunked decodes a 64 KiB body sent in 4 KiB chunks.
func BenchmarkChunked(b *testing.B) {
	piece := strings.Repeat("x", 4<<10)
	pieces := make([]string, 16)
	for i := range pieces {
		pieces[i] = piece
	}
	in := []byte(chunks(pieces...))
	var d ChunkedDecoder
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := decodeAll(&d, in); err != nil {
			b.Fatal(err)
		}
	}
}

// peerBrowserRequest and peerMinimalRequest are byte for byte the requests
// of bench/parser_test.go, where fasthttp's RequestHeader.Read and
// net/http's ReadRequest parse them (BenchmarkParseFasthttp,
// BenchmarkParseNetHTTP): keep them equal, so that the three figures
// compare the same work.
const peerBrowserRequest = "GET /plaintext?page=2 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Referer: https://example.com/\r\n" +
	"Cookie: session=3f9a1c2e7b; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"\r\n"

const peerMinimalRequest = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"

// BenchmarkParsePeerBytes parses the peers' bytes. Like their benchmarks,
// which fill a bufio.Reader from a strings.Reader, each iteration first
// copies the request into a 4 KiB read buffer, as the server's read does.
func BenchmarkParsePeerBytes(b *testing.B) {
	for _, r := range []struct{ name, req string }{
		{"minimal", peerMinimalRequest},
		{"browser", peerBrowserRequest},
	} {
		b.Run("req="+r.name, func(b *testing.B) {
			buf := make([]byte, 4096)
			var h RequestHead
			b.ReportAllocs()
			b.SetBytes(int64(len(r.req)))
			for b.Loop() {
				n := copy(buf, r.req)
				h.Reset()
				if err := h.Parse(buf[:n], Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeAll resets d and decodes the whole chunked body in, discarding the
// data; it returns nil at the body's end, or the decoder's error.
func decodeAll(d *ChunkedDecoder, in []byte) error {
	d.Reset()
	for {
		n, _, err := d.Decode(in)
		in = in[n:]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
