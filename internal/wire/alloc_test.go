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
		d.Reset()
		rest := in
		for {
			n, _, err := d.Decode(rest)
			rest = rest[n:]
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
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
		d.Reset()
		rest := in
		for {
			n, _, err := d.Decode(rest)
			rest = rest[n:]
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
