package wire

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// chunkResult is what decoding an input gave: the data, how many bytes of
// the input were consumed, and how it ended (io.EOF at the end of the
// body, errNeedMore if the input ran out first, or an *Error).
type chunkResult struct {
	data     string
	consumed int
	err      error
	trailers string // the trailer fields Trailer gave, "name: value\n" each
}

var errNeedMore = errors.New("input ended inside the body")

func (r chunkResult) status() int {
	var e *Error
	if errors.As(r.err, &e) {
		return e.Status
	}
	return 0
}

func (r chunkResult) String() string {
	data := r.data
	if len(data) > 40 {
		data = data[:20] + "..." + data[len(data)-20:]
	}
	return fmt.Sprintf("data %q (%d bytes), consumed %d, err %v, trailers %q", data, len(r.data), r.consumed, r.err, r.trailers)
}

func (r chunkResult) equal(s chunkResult) bool {
	if r.data != s.data || r.consumed != s.consumed || r.trailers != s.trailers {
		return false
	}
	if r.status() != 0 || s.status() != 0 {
		return r.status() == s.status()
	}
	return r.err == s.err
}

// decodeChunked drives a ChunkedDecoder over in as a connection loop
// would: grow says how many bytes of in have arrived, and is asked again
// whenever Decode returns n == 0 with no data and no error. It checks
// Decode's contract on the way: n stays within what was given, data is a
// sub-slice of the input ending at n (zero-copy), and data never exceeds
// the bytes consumed; a trailer field is a sub-slice of the bytes
// consumed, and comes alone.
func decodeChunked(in []byte, grow func(have int) int) (chunkResult, error) {
	var (
		d        ChunkedDecoder
		off      int
		have     = min(grow(0), len(in))
		data     []byte
		trailers string
	)
	for {
		avail := in[off:have:have]
		n, got, err := d.Decode(avail)
		if n < 0 || n > len(avail) {
			return chunkResult{}, fmt.Errorf("Decode consumed %d of %d bytes", n, len(avail))
		}
		if len(got) > 0 {
			if len(got) > n || &got[0] != &avail[n-len(got)] {
				return chunkResult{}, fmt.Errorf("Decode's data is not the input's bytes just before n=%d", n)
			}
		}
		if name, value, ok := d.Trailer(); ok {
			if len(got) > 0 || err != nil || !within(name, avail[:n]) || !within(value, avail[:n]) {
				return chunkResult{}, fmt.Errorf("trailer %q: %q with %d bytes of data, err %v, not within the %d bytes consumed", name, value, len(got), err, n)
			}
			trailers += string(name) + ": " + string(value) + "\n"
		}
		data = append(data, got...)
		off += n
		if err != nil {
			if err == io.EOF && !d.Done() {
				return chunkResult{}, errors.New("io.EOF but not Done")
			}
			return chunkResult{string(data), off, err, trailers}, nil
		}
		if d.Done() {
			return chunkResult{}, errors.New("Done without io.EOF")
		}
		if n == 0 && got == nil {
			if have == len(in) {
				return chunkResult{string(data), off, errNeedMore, trailers}, nil
			}
			have = min(grow(have), len(in))
		}
	}
}

// within reports whether b is a sub-slice of in (an empty value may
// sit at in's end).
func within(b, in []byte) bool {
	if cap(in) == 0 {
		return false
	}
	base := &in[:cap(in)][0]
	start := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(base)))
	return b != nil && start >= 0 && start+len(b) <= len(in)
}

// manyFieldsTrailers is manyFields(n) as decodeChunked reports them.
func manyFieldsTrailers(n int) string {
	return strings.ReplaceAll(manyFields(n), "\r\n", "\n")
}

func decodeWhole(in []byte) (chunkResult, error) {
	return decodeChunked(in, func(int) int { return len(in) })
}

// chunks builds a chunked body from data pieces, with no extensions.
func chunks(pieces ...string) string {
	var b strings.Builder
	for _, p := range pieces {
		b.WriteString(strconv.FormatInt(int64(len(p)), 16) + "\r\n" + p + "\r\n")
	}
	return b.String() + "0\r\n\r\n"
}

// nextRequest follows a body in the pipelined cases: Decode must stop
// exactly before it.
const nextRequest = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"

type validChunked struct {
	name string
	in   string // exactly the body
	rest string // what follows the body
	data string
	// trailers are the trailer fields, "name: value\n" each
	trailers string
}

var validChunkedBodies = []validChunked{
	{"empty body", "0\r\n\r\n", "", "", ""},
	{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"two chunks", "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", "", "hello, world", ""},
	{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "", "0123456789", ""},
	{"lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", "", "0123456789", ""},
	{"multi-digit size", "1F\r\n" + strings.Repeat("x", 31) + "\r\n0\r\n\r\n", "", strings.Repeat("x", 31), ""},
	{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "", "hello", ""},
	{"many leading zeros", strings.Repeat("0", 40) + "3\r\nabc\r\n0\r\n\r\n", "", "abc", ""},
	{"extension name", "5;name\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"extension name=token", "5;name=value\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"several extensions", "5;a=1;b;c=x-y\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"extension with BWS", "5 ;\ta = b ; c\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"quoted extension", "5;a=\"b c; d=e\"\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"quoted extension with escapes", "5;a=\"x\\\"y\\\\z\"\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"empty quoted extension", "5;a=\"\"\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"quoted extension with obs-text and tab", "5;a=\"caf\xc3\xa9\t\"\r\nhello\r\n0\r\n\r\n", "", "hello", ""},
	{"extension on the last chunk", "5\r\nhello\r\n0;last=yes\r\n\r\n", "", "hello", ""},
	{"trailer", "5\r\nhello\r\n0\r\nExpires: never\r\n\r\n", "", "hello", "Expires: never\n"},
	{"trailers", "0\r\nA: 1\r\nB:2\r\nC: \t3 \r\n\r\n", "", "", "A: 1\nB: 2\nC: 3\n"},
	{"empty trailer value", "0\r\nX:\r\n\r\n", "", "", "X: \n"},
	{"trailer with obs-text", "0\r\nX: caf\xc3\xa9\r\n\r\n", "", "", "X: caf\xc3\xa9\n"},
	{"the most trailers", "0\r\n" + manyFields(maxTrailerFields) + "\r\n", "", "", manyFieldsTrailers(maxTrailerFields)},
	{"framing bytes inside data", "c\r\n0\r\n\r\n\r\n5\r\n\n\r\r\n0\r\n\r\n", "", "0\r\n\r\n\r\n5\r\n\n\r", ""},
	{"binary data", "4\r\n\x00\xff\r\n\r\n0\r\n\r\n", "", "\x00\xff\r\n", ""},
	{"4 KiB chunk", "1000\r\n" + strings.Repeat("z", 4096) + "\r\n0\r\n\r\n", "", strings.Repeat("z", 4096), ""},
	{"size line of exactly 4 KiB", "1;" + strings.Repeat("e", maxChunkLine-4) + "\r\nx\r\n0\r\n\r\n", "", "x", ""},
	{"largest size that fits an int64, then nothing", "7fffffffffffffff\r\n", "", "", ""}, // the body is cut short: see below
	{"many one-byte chunks within the overhead allowance", chunks(strings.Split(strings.Repeat("x", 2000), "")...), "", strings.Repeat("x", 2000), ""},
	{"followed by the next request", "5\r\nhello\r\n0\r\n\r\n", nextRequest, "hello", ""},
	{"with trailers, followed by the next request", "5\r\nhello\r\n0\r\nX: y\r\n\r\n", nextRequest, "hello", "X: y\n"},
	{"empty, followed by the next request", "0\r\n\r\n", nextRequest, "", ""},
	{"followed by an empty line", "0\r\n\r\n", "\r\n", "", ""},
	{"followed by another chunked body", "3\r\nabc\r\n0\r\n\r\n", "3\r\ndef\r\n0\r\n\r\n", "abc", ""},
}

type invalidChunked struct {
	name   string
	in     string
	status int
}

var invalidChunkedBodies = []invalidChunked{
	// Line ends (RFC 9112 §7.1: CRLF).
	{"bare LF after size", "5\nhello\r\n0\r\n\r\n", 400},
	{"bare CR after size", "5\rhello\r\n0\r\n\r\n", 400},
	{"bare CR before CRLF", "5\r\r\nhello\r\n0\r\n\r\n", 400},
	{"bare LF after last chunk", "0\n\r\n", 400},
	{"bare LF ends trailers", "0\r\n\n", 400},
	{"bare LF after trailer", "0\r\nX: y\n\r\n", 400},
	{"bare CR in trailer", "0\r\nX: a\rb\r\n\r\n", 400},
	{"empty size line", "\r\nhello\r\n0\r\n\r\n", 400},
	// Data framing.
	{"data not followed by CRLF", "5\r\nhelloX\r\n0\r\n\r\n", 400},
	{"data followed by bare LF", "5\r\nhello\n0\r\n\r\n", 400},
	{"data followed by CR and junk", "5\r\nhello\rX0\r\n\r\n", 400},
	{"size larger than the data", "6\r\nhello\r\n0\r\n\r\n", 400},
	{"size smaller than the data", "4\r\nhello\r\n0\r\n\r\n", 400},
	// Sizes (RFC 9112 §7.1: chunk-size = 1*HEXDIG).
	{"17 hex digits", "10000000000000000\r\n", 400},
	{"16 hex digits above int64", "8000000000000000\r\n", 400},
	{"all f", "ffffffffffffffff\r\n", 400},
	{"many hex digits", strings.Repeat("f", 40) + "\r\n", 400},
	{"negative size", "-5\r\nhello\r\n0\r\n\r\n", 400},
	{"plus sign", "+5\r\nhello\r\n0\r\n\r\n", 400},
	{"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400},
	{"non-hex digit", "g\r\n", 400},
	{"hex then junk", "5g\r\nhello\r\n0\r\n\r\n", 400},
	{"space before CRLF", "5 \r\nhello\r\n0\r\n\r\n", 400},
	{"tab before CRLF", "5\t\r\nhello\r\n0\r\n\r\n", 400},
	{"space before size", " 5\r\nhello\r\n0\r\n\r\n", 400},
	{"space inside size", "1 0\r\n", 400},
	{"missing last chunk's CRLF", "0\r\n", 0}, // needs more, not an error: see TestChunkedNeedsMore
	// Extensions (RFC 9112 §7.1.1).
	{"semicolon alone", "5;\r\nhello\r\n0\r\n\r\n", 400},
	{"extension without name", "5;=x\r\nhello\r\n0\r\n\r\n", 400},
	{"extension with empty value", "5;a=\r\nhello\r\n0\r\n\r\n", 400},
	{"unterminated quoted extension", "5;a=\"x\r\nhello\r\n0\r\n\r\n", 400},
	{"junk after quoted extension", "5;a=\"x\"y\r\nhello\r\n0\r\n\r\n", 400},
	{"space inside extension value", "5;a=b c\r\nhello\r\n0\r\n\r\n", 400},
	{"comma between extensions", "5;a,b\r\nhello\r\n0\r\n\r\n", 400},
	{"control byte in quoted extension", "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n", 400},
	{"escape at end of quoted extension", "5;a=\"\\\r\nhello\r\n0\r\n\r\n", 400},
	{"escaped control byte", "5;a=\"\\\x7f\"\r\nhello\r\n0\r\n\r\n", 400},
	{"non-token extension name", "5;a@b\r\nhello\r\n0\r\n\r\n", 400},
	{"trailing whitespace after extension", "5;a=b \r\nhello\r\n0\r\n\r\n", 400},
	{"extension before size", ";a\r\n", 400},
	{"non-hex first byte, line incomplete", "g", 400},
	{"space first, line incomplete", " 5", 400},
	{"size line over 4 KiB", "1;" + strings.Repeat("e", maxChunkLine) + "\r\nx\r\n0\r\n\r\n", 400},
	{"size line one byte over 4 KiB", "1;" + strings.Repeat("e", maxChunkLine-3) + "\r\nx\r\n0\r\n\r\n", 400},
	{"incomplete size line over 4 KiB", "1;" + strings.Repeat("e", maxChunkLine+100), 400},
	{"size line of zeros over 4 KiB", strings.Repeat("0", maxChunkLine+1) + "\r\n\r\n", 400},
	// Framing overhead: many tiny chunks with big extensions.
	{"too much overhead", strings.Repeat("1;"+strings.Repeat("e", 1000)+"\r\nx\r\n", 40) + "0\r\n\r\n", 400},
	{"too many one-byte chunks", chunks(strings.Split(strings.Repeat("x", 4000), "")...), 400},
	{"too many empty-looking size lines", strings.Repeat("1;a=\"\"\r\nx\r\n", 3000) + "0\r\n\r\n", 400},
	// Trailers (RFC 9112 §7.1.2: field lines).
	{"trailer without colon", "0\r\nX y\r\n\r\n", 400},
	{"trailer with space before colon", "0\r\nX : y\r\n\r\n", 400},
	{"trailer with empty name", "0\r\n: y\r\n\r\n", 400},
	{"trailer obs-fold", "0\r\nX: y\r\n z\r\n\r\n", 400},
	{"trailer starting with space", "0\r\n X: y\r\n\r\n", 400},
	{"NUL in trailer", "0\r\nX: a\x00b\r\n\r\n", 400},
	{"DEL in trailer", "0\r\nX: a\x7f\r\n\r\n", 400},
	{"non-token trailer name", "0\r\nX(y): z\r\n\r\n", 400},
	{"too many trailers", "0\r\n" + manyFields(maxTrailerFields+1) + "\r\n", 431},
	{"trailer line over 4 KiB", "0\r\nX: " + strings.Repeat("y", maxChunkLine) + "\r\n\r\n", 431},
}

func TestChunkedValid(t *testing.T) {
	for _, tc := range validChunkedBodies {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in + tc.rest)
			got, err := decodeWhole(in)
			if err != nil {
				t.Fatal(err)
			}
			want := chunkResult{tc.data, len(tc.in), io.EOF, tc.trailers}
			if strings.HasPrefix(tc.name, "largest size") {
				want.err = errNeedMore
			}
			if !got.equal(want) {
				t.Errorf("Decode(%.60q)\n got %v\nwant %v", in, got, want)
			}
		})
	}
}

func TestChunkedInvalid(t *testing.T) {
	for _, tc := range invalidChunkedBodies {
		if tc.status == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeWhole([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got.status() != tc.status {
				t.Errorf("Decode(%.60q)\n got %v\nwant refused %d", tc.in, got, tc.status)
			}
		})
	}
}

// TestChunkedNeedsMore: a body cut anywhere before its end asks for more
// and never claims to be done.
func TestChunkedNeedsMore(t *testing.T) {
	for _, tc := range validChunkedBodies {
		in := []byte(tc.in)
		for i := range len(in) {
			got, err := decodeWhole(in[:i])
			if err != nil {
				t.Fatal(err)
			}
			if got.err != errNeedMore {
				t.Errorf("%s: Decode(%.60q) cut at %d: %v, want it to need more", tc.name, in, i, got)
				break
			}
		}
	}
}

// splitGrow delivers in[:i] first, then everything.
func splitGrow(n, i int) func(int) int {
	return func(have int) int {
		if have < i {
			return i
		}
		return n
	}
}

// TestChunkedSplit cuts every body (valid and invalid) at every byte, and
// also feeds it one byte at a time: the outcome must be the one-shot one.
func TestChunkedSplit(t *testing.T) {
	all := make([]invalidChunked, 0, len(validChunkedBodies)+len(invalidChunkedBodies))
	for _, tc := range validChunkedBodies {
		all = append(all, invalidChunked{tc.name, tc.in + tc.rest, 0})
	}
	all = append(all, invalidChunkedBodies...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			want, err := decodeWhole(in)
			if err != nil {
				t.Fatal(err)
			}
			step := 1
			if len(in) > 8<<10 {
				step = 61 // the big inputs: every 61st byte is enough
			}
			for i := 0; i <= len(in); i += step {
				got, err := decodeChunked(in, splitGrow(len(in), i))
				if err != nil {
					t.Fatalf("split at %d: %v", i, err)
				}
				if !got.equal(want) {
					t.Fatalf("Decode(%.60q) split at %d:\n got %v\nwant %v (one-shot)", in, i, got, want)
				}
			}
			got, err := decodeChunked(in, func(have int) int { return have + 1 })
			if err != nil {
				t.Fatalf("bytewise: %v", err)
			}
			if !got.equal(want) {
				t.Errorf("Decode(%.60q) bytewise:\n got %v\nwant %v (one-shot)", in, got, want)
			}
		})
	}
}

func TestChunkedRandomSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9112))
	body := chunks("Wiki", "pedia", " in\r\n\r\nchunks.", strings.Repeat("#", 1000), "x") + nextRequest
	in := []byte(body)
	want, err := decodeWhole(in)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 1000 {
		maxPiece := 1 + r.IntN(100)
		got, err := decodeChunked(in, func(have int) int { return min(have+1+r.IntN(maxPiece), len(in)) })
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !got.equal(want) {
			t.Fatalf("round %d:\n got %v\nwant %v", round, got, want)
		}
	}
}

// TestChunkedAfterDone: once done, Decode consumes nothing more.
func TestChunkedAfterDone(t *testing.T) {
	var d ChunkedDecoder
	in := []byte("0\r\n\r\n" + nextRequest)
	n, data, err := d.Decode(in)
	if n != 5 || data != nil || err != io.EOF || !d.Done() {
		t.Fatalf("Decode(%q) = %d, %q, %v, done %v; want 5, nil, EOF, true", in, n, data, err, d.Done())
	}
	n, data, err = d.Decode(in[n:])
	if n != 0 || data != nil || err != io.EOF {
		t.Errorf("Decode after done = %d, %q, %v; want 0, nil, EOF", n, data, err)
	}
	d.Reset()
	if d.Done() {
		t.Errorf("Done after Reset")
	}
	if got, _ := decodeWhole([]byte("1\r\nx\r\n0\r\n\r\n")); got.data != "x" || got.err != io.EOF {
		t.Errorf("after Reset: %v", got)
	}
}

// TestChunkedStopsAfterOneRun: Decode hands back at most one run of data
// per call, so the caller can bound what it buffers.
func TestChunkedStopsAfterOneRun(t *testing.T) {
	var d ChunkedDecoder
	in := []byte("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")
	n, data, err := d.Decode(in)
	if n != 6 || string(data) != "abc" || err != nil {
		t.Fatalf("first Decode = %d, %q, %v; want 6, \"abc\", nil", n, data, err)
	}
	n2, data, err := d.Decode(in[n:])
	if n2 != 8 || string(data) != "def" || err != nil {
		t.Fatalf("second Decode = %d, %q, %v; want 8, \"def\", nil", n2, data, err)
	}
}

// TestChunkedTrailerLimits: the trailer section has limits of its own
// (maxTrailerFields lines, maxTrailerBytes bytes, 431 beyond them), apart
// from the framing-overhead rule that guards the chunks.
func TestChunkedTrailerLimits(t *testing.T) {
	// A body streamed in many modest chunks: its framing overhead (25 KB)
	// grows with the data (67 KB), as it may.
	var b strings.Builder
	piece := strings.Repeat("d", 16)
	for range 4200 {
		b.WriteString("10\r\n" + piece + "\r\n")
	}
	longBody := b.String()
	trailerLine := "X: " + strings.Repeat("y", 3990) + "\r\n"
	for _, tc := range []struct {
		name   string
		in     string
		data   string
		status int // 0: accepted
		bug    string
	}{
		{"long body, no trailer", longBody + "0\r\n\r\n", strings.Repeat(piece, 4200), 0, ""},
		{"long body, one small trailer", longBody + "0\r\nX: y\r\n\r\n", strings.Repeat(piece, 4200), 0,
			"the trailer check compares the overhead of the whole body (size lines and CRLFs of every chunk) with maxChunkOverhead+maxTrailerBytes, " +
				"so any trailer after ~4000 chunks is refused with 431; RFC 9112 §7.1.2 allows trailers after any body. Count the trailer section's own bytes."},
		{"12 KB trailer section after an empty body", "0\r\n" + strings.Repeat(trailerLine, 3) + "\r\n", "", 431,
			"maxTrailerBytes (8 KiB) is never applied to the trailer section itself: 12 KB of trailers pass because the total overhead stays under maxChunkOverhead (16 KiB)"},
		{"28 KB trailer section after an empty body", "0\r\n" + strings.Repeat(trailerLine, 7) + "\r\n", "", 431,
			"refused, but as 400 \"too much chunk framing\" rather than 431 \"trailer section too large\": the overhead rule fires first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeWhole([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var trailers string
			if strings.Contains(tc.in, "\r\nX: y\r\n") {
				trailers = "X: y\n"
			}
			want := chunkResult{tc.data, len(tc.in), io.EOF, trailers}
			ok, wantText := got.equal(want), want.String()
			if tc.status != 0 {
				ok, wantText = got.status() == tc.status, fmt.Sprintf("refused %d", tc.status)
			}
			if !ok {
				t.Errorf("got %v\nwant %s\n%s", got, wantText, tc.bug)
			}
		})
	}
}
