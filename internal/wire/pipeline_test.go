package wire

import (
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// exchange is one request of a pipeline as the test expects to see it.
type exchange struct {
	method, target string
	body           string
	close          bool
}

// pipeline is a stream of requests sent back to back on one connection,
// with bodies framed by Content-Length or chunked, and some bytes that
// look like requests hidden inside bodies.
var pipeline = []struct {
	raw  string
	want exchange
}{
	{"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		exchange{"POST", "/a", "hello", false}},
	{"GET /b HTTP/1.1\r\nHost: a\r\n\r\n",
		exchange{"GET", "/b", "", false}},
	// RFC 9112 §2.2: a client may send an extra CRLF after a body.
	{"\r\nPUT /c HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		exchange{"PUT", "/c", "", false}},
	{"POST /d HTTP/1.1\r\nHost: a\r\nContent-Length: 31\r\n\r\nGET /smuggled HTTP/1.1\r\nX: \r\n\r\n",
		exchange{"POST", "/d", "GET /smuggled HTTP/1.1\r\nX: \r\n\r\n", false}},
	{"POST /e?x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: t\r\n\r\n",
		exchange{"POST", "/e?x", "hello, world", false}},
	{"POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n0\r\n\r\nGET /hidden HTTP/1.1\r\n\r\n0\r\n\r\n",
		exchange{"POST", "/f", "0\r\n\r\nGET /hidden HTTP/1.1\r\n", false}},
	{"GET http://a/g HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
		exchange{"GET", "http://a/g", "hi", false}},
	{"GET /h HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
		exchange{"GET", "/h", "x", false}},
	{"DELETE /i HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		exchange{"DELETE", "/i", "", true}},
}

func pipelineStream() ([]byte, []exchange) {
	var b strings.Builder
	var want []exchange
	for _, p := range pipeline {
		b.WriteString(p.raw)
		want = append(want, p.want)
	}
	return []byte(b.String()), want
}

// servePipeline plays a connection loop over stream: the bytes arrive in
// pieces (grow says how many bytes have arrived once more are needed),
// each head is parsed from where the previous message ended, its body is
// skipped by Content-Length or decoded chunk by chunk, and the RequestHead
// and ChunkedDecoder are Reset for the next request.
func servePipeline(stream []byte, grow func(have int) int) ([]exchange, error) {
	var (
		got  []exchange
		h    RequestHead
		d    ChunkedDecoder
		off  int // start of the current message
		have = min(grow(0), len(stream))
	)
	more := func() error {
		if have == len(stream) {
			return fmt.Errorf("stream ended at %d inside a message starting at %d", have, off)
		}
		have = min(grow(have), len(stream))
		return nil
	}
	for off < len(stream) {
		err := h.Parse(stream[off:have:have], Limits{})
		if err == ErrIncomplete {
			if err := more(); err != nil {
				return got, err
			}
			continue
		}
		if err != nil {
			return got, fmt.Errorf("request %d at %d: %v", len(got), off, err)
		}
		buf := stream[off:have]
		ex := exchange{
			method: string(h.Method.In(buf)),
			target: string(h.Target.In(buf)),
			close:  h.Close,
		}
		off += h.Len
		var body []byte
		if h.Chunked {
			d.Reset()
			for {
				n, data, err := d.Decode(stream[off:have:have])
				if n < 0 || n > have-off || len(data) > n {
					return got, fmt.Errorf("request %d: Decode returned n=%d, %d bytes of data, from %d bytes", len(got), n, len(data), have-off)
				}
				body = append(body, data...)
				off += n
				if err == io.EOF {
					break
				}
				if err != nil {
					return got, fmt.Errorf("request %d: body: %v", len(got), err)
				}
				if n == 0 && data == nil {
					if err := more(); err != nil {
						return got, err
					}
				}
			}
		} else {
			for int64(have-off) < h.ContentLength {
				if err := more(); err != nil {
					return got, err
				}
			}
			body = stream[off : off+int(h.ContentLength)]
			off += int(h.ContentLength)
		}
		ex.body = string(body)
		got = append(got, ex)
		h.Reset()
	}
	return got, nil
}

func checkPipeline(t *testing.T, how string, grow func(int) int) {
	t.Helper()
	stream, want := pipelineStream()
	got, err := servePipeline(stream, grow)
	if err != nil {
		t.Errorf("%s: %v", how, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", how, got, want)
	}
}

func TestPipelineWhole(t *testing.T) {
	stream, _ := pipelineStream()
	checkPipeline(t, "whole", func(int) int { return len(stream) })
}

func TestPipelineBytewise(t *testing.T) {
	checkPipeline(t, "bytewise", func(have int) int { return have + 1 })
}

// TestPipelineEverySplit delivers the stream in two pieces, cut at every
// byte.
func TestPipelineEverySplit(t *testing.T) {
	stream, _ := pipelineStream()
	for i := 0; i <= len(stream); i++ {
		checkPipeline(t, fmt.Sprintf("split at %d", i), func(have int) int {
			if have < i {
				return i
			}
			return len(stream)
		})
		if t.Failed() {
			return
		}
	}
}

// TestPipelineRandomSplits delivers the stream in random pieces, as TCP
// segments would, from a fixed seed so that a failure can be replayed.
func TestPipelineRandomSplits(t *testing.T) {
	stream, _ := pipelineStream()
	r := rand.New(rand.NewPCG(9112, 7230))
	for round := range 2000 {
		maxPiece := 1 + r.IntN(64)
		var cuts []int
		grow := func(have int) int {
			have = min(have+1+r.IntN(maxPiece), len(stream))
			cuts = append(cuts, have)
			return have
		}
		checkPipeline(t, fmt.Sprintf("round %d", round), grow)
		if t.Failed() {
			t.Fatalf("round %d: pieces ended at %v", round, cuts)
		}
	}
}
