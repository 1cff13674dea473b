package httpserver

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestHardeningChunkedReadSizes: a chunked body reaches the handler whole
// and in order whatever the sizes of its chunks and of the handler's reads.
// Regression: when a chunk-size line and the data after it were decoded in
// one step, data beyond the handler's buffer was dropped (a 200 KB body
// read with io.ReadAll arrived as 196,415 bytes, wrong from byte 512).
func TestHardeningChunkedReadSizes(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		const size = 100_000
		want := bodyPattern(size)
		readers := map[string]func(io.Reader) ([]byte, error){
			"io.ReadAll": io.ReadAll,
			"1-byte reads": func(r io.Reader) ([]byte, error) {
				return readInSteps(r, 1)
			},
			"7-byte reads": func(r io.Reader) ([]byte, error) {
				return readInSteps(r, 7)
			},
			"512-byte reads": func(r io.Reader) ([]byte, error) {
				return readInSteps(r, 512)
			},
			"64 KiB reads": func(r io.Reader) ([]byte, error) {
				return readInSteps(r, 64<<10)
			},
		}
		ts := m.serve(t, func(req *Request) *Response {
			read := readers[req.Headers.Get("X-Reader")]
			b, err := read(req.Body)
			switch {
			case err != nil:
				return &Response{StatusCode: 500, Message: err.Error()}
			case string(b) != want:
				i := 0
				for i < len(b) && b[i] == want[i] {
					i++
				}
				return &Response{StatusCode: 500, Message: fmt.Sprintf("got %d bytes, first difference at %d", len(b), i)}
			}
			return &Response{StatusCode: 200, Message: "ok"}
		})
		// Chunks of 10 bytes and more: smaller ones carry more framing than
		// data, which the server refuses past 16 KiB of framing.
		for _, chunk := range []int{10, 100, 4000, 5000, 16 << 10, size} {
			var body strings.Builder
			for rest := want; rest != ""; {
				k := min(chunk, len(rest))
				fmt.Fprintf(&body, "%x\r\n%s\r\n", k, rest[:k])
				rest = rest[k:]
			}
			body.WriteString("0\r\n\r\n")
			for name := range readers {
				t.Run(fmt.Sprintf("%d-byte chunks, %s", chunk, name), func(t *testing.T) {
					rc := ts.dialRaw(t)
					r := rc.roundTrip("POST / HTTP/1.1\r\nHost: h\r\nX-Reader: "+name+"\r\nTransfer-Encoding: chunked\r\n\r\n"+body.String(), "POST")
					if r.Status != 200 {
						t.Errorf("got %d %q, want 200", r.Status, r.Body)
					}
				})
			}
		}
	})
}

// readInSteps reads r to EOF with reads of at most step bytes.
func readInSteps(r io.Reader, step int) ([]byte, error) {
	var out bytes.Buffer
	buf := make([]byte, step)
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}
