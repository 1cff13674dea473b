package compress

import (
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// zstdWindow and brotliWindowBits are the history the Zstandard and
// Brotli encoders keep: 128 KiB and 256 KiB. They bound their memory: with
// zstd's default 8 MiB window an encoder that has seen a 2 MB page holds
// 18 MB, with 128 KiB under 2 MB. Browsers decode zstd windows up to
// 8 MiB (RFC 9659 §3), so any smaller one is safe. 128 KiB is also
// gzhttp's and Caddy's choice, and it measured better than 256 KiB on
// the 2.35 MB listing of bench/compress_test.go (ratio 7.87 against
// 7.75, and 5-10% less CPU, 2026-12-02), the same on 100 KB pages.
const (
	zstdWindow       = 128 << 10
	brotliWindowBits = 18
)

// An encoder is one compressed stream at a time: gzip.Writer,
// zstd.Encoder and brotli.Writer all have these methods. Flush sends
// what was written so far as complete blocks the client can decode;
// Close ends the stream; Reset starts a new one to another writer.
type encoder interface {
	io.Writer
	Flush() error
	Close() error
	Reset(w io.Writer)
}

// An encoding is one content coding with its pool of encoders, which are
// costly to make (1 to 3 MB of tables and window each) and cheap to
// reset.
type encoding struct {
	name   string // the Content-Encoding
	suffix string // added inside an entity-tag: "-gzip"
	pool   sync.Pool
}

// A pooled encoder writes to out, which holds the response's writer
// only while the encoder serves it: an encoder waiting in the pool keeps
// nothing of the response alive.
type pooled struct {
	enc encoder
	out sink
}

// sink forwards an encoder's output to w.
type sink struct{ w io.Writer }

func (s *sink) Write(p []byte) (int, error) { return s.w.Write(p) }

// get returns an encoder writing a new stream to w.
func (e *encoding) get(w io.Writer) *pooled {
	p := e.pool.Get().(*pooled)
	p.out.w = w
	p.enc.Reset(&p.out)
	return p
}

// put returns p to the pool, whatever state its stream is in (get
// resets it).
func (e *encoding) put(p *pooled) {
	p.out.w = nil
	e.pool.Put(p)
}

func newGzip(level int) *encoding {
	e := &encoding{name: "gzip", suffix: "-gzip"}
	e.pool.New = func() any {
		w, err := gzip.NewWriterLevel(nil, level)
		if err != nil {
			panic("compress: " + err.Error()) // level was checked
		}
		return &pooled{enc: w}
	}
	return e
}

func newZstd(level int) *encoding {
	e := &encoding{name: "zstd", suffix: "-zstd"}
	e.pool.New = func() any {
		w, err := zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
			// One goroutine: the Stream's own; no blocks encoded ahead
			// of what the client has taken.
			zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(zstdWindow),
			zstd.WithLowerEncoderMem(true),
			// An empty body is still a frame, which decoders accept;
			// no bytes at all is not a valid zstd stream for some.
			zstd.WithZeroFrames(true),
		)
		if err != nil {
			panic("compress: " + err.Error())
		}
		return &pooled{enc: w}
	}
	return e
}

func newBrotli(level int) *encoding {
	e := &encoding{name: "br", suffix: "-br"}
	e.pool.New = func() any {
		w := brotli.NewWriterOptions(nil, brotli.WriterOptions{Quality: level, LGWin: brotliWindowBits})
		return &pooled{enc: w}
	}
	return e
}
