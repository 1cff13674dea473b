package websocket

// permessage-deflate (RFC 7692): the server's compressor and inflater.
// wsflate frames the inflater's input (it appends the empty block the
// sender left out, §7.2.2); compress/flate does the rest.

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"sync"

	"github.com/gobwas/ws/wsflate"
)

// Messages shorter than these are sent uncompressed: a deflate block's
// header and code tables cost tens of bytes, which short messages rarely
// win back without a window of earlier ones, and often with one.
const (
	minCompressNoContext = 512
	minCompressTakeover  = 128
)

// windowSize is the LZ77 window of permessage-deflate at its default (and
// largest) size, 2^15 (RFC 7692 §7.1.2).
const windowSize = 1 << 15

// syncTail is what a sync flush ends with: the empty stored block that
// RFC 7692 §7.2.1 has the sender remove from each message.
const syncTail = "\x00\x00\xff\xff"

// deflater compresses messages: with a window of the earlier ones when
// it is a connection's own (server context takeover), afresh when it is
// taken from the pool for one message.
type deflater struct {
	fw  *flate.Writer
	buf bytes.Buffer
}

// deflaters are the pooled deflaters of server_no_context_takeover
// connections, each taken for one message.
var deflaters = sync.Pool{New: func() any { return newDeflater() }}

func newDeflater() *deflater {
	d := new(deflater)
	// BestSpeed: for messages sent as they are produced, a level above
	// it costs several times the CPU for a few percent of size (as
	// gorilla/websocket and coder/websocket choose).
	d.fw, _ = flate.NewWriter(&d.buf, flate.BestSpeed)
	return d
}

// compress returns p compressed as a message's payload, valid until the
// next call. fresh starts with an empty window.
func (d *deflater) compress(p []byte, fresh bool) ([]byte, bool) {
	d.buf.Reset()
	if fresh {
		d.fw.Reset(&d.buf)
	}
	d.fw.Write(p) // a bytes.Buffer's writes do not fail
	d.fw.Flush()
	b, ok := bytes.CutSuffix(d.buf.Bytes(), []byte(syncTail))
	return b, ok
}

// maxPooledBuffer bounds the buffer a pooled deflater keeps: one large
// message must not pin its size in the pool.
const maxPooledBuffer = 64 << 10

// compress returns the payload to send for data, whether it is
// compressed, and the pooled deflater that holds it, if any, to give back
// (putDeflater) once it is written.
func (c *Conn) compress(data []byte) (payload []byte, compressed bool, pooled *deflater) {
	if !c.hs.deflate {
		return data, false, nil
	}
	if !c.hs.params.serverNoContext {
		// Context takeover. A short message goes uncompressed (RSV1
		// clear), which keeps it out of the window on both sides: each
		// side's window holds the compressed messages only. One that
		// went through the deflater must go compressed, even if it did
		// not shrink, or the peer's window would miss it.
		if len(data) < minCompressTakeover {
			return data, false, nil
		}
		if c.w.deflater == nil {
			c.w.deflater = newDeflater()
		}
		if b, ok := c.w.deflater.compress(data, false); ok {
			return b, true, nil
		}
		return data, false, nil
	}
	if len(data) < minCompressNoContext {
		return data, false, nil
	}
	d := deflaters.Get().(*deflater)
	b, ok := d.compress(data, true)
	if !ok || len(b) >= len(data) {
		// Without context takeover each message stands alone, so one
		// that does not shrink may go as it is.
		putDeflater(d)
		return data, false, nil
	}
	return b, true, d
}

// putDeflater gives d back to the pool, if it is one.
func putDeflater(d *deflater) {
	if d == nil {
		return
	}
	if d.buf.Cap() > maxPooledBuffer {
		d.buf = bytes.Buffer{}
	}
	deflaters.Put(d)
}

// inflater inflates one message at a time: the flate reader, reset for
// each message with the window of the earlier ones (client context
// takeover) or none, behind wsflate's Reader, which ends the message's
// deflate data for it.
type inflater struct {
	fr   io.ReadCloser // a compress/flate reader, which is a flate.Resetter
	wr   *wsflate.Reader
	dict []byte // the window to start the next message with
}

// inflaters are pooled: a flate reader is about 40 KB, taken only while
// a compressed message is read.
var inflaters = sync.Pool{New: func() any {
	f := &inflater{fr: flate.NewReader(strings.NewReader(""))}
	// wsflate calls this once, to make its decompressor; every message
	// then Resets it (see Reset), which is where its input is set.
	f.wr = wsflate.NewReader(nil, func(io.Reader) wsflate.Decompressor { return f })
	return f
}}

// Reset starts f on the next message's deflate data, src, with the
// window f.dict. wsflate.Reader calls it (a wsflate.ReadResetter).
func (f *inflater) Reset(src io.Reader) { f.fr.(flate.Resetter).Reset(src, f.dict) }

func (f *inflater) Read(p []byte) (int, error) { return f.fr.Read(p) }

// appendWindow appends p to w, the inflated bytes of the client's
// messages so far, keeping at least the last windowSize of them. w has
// room for two windows, so that it moves its bytes down once per window
// of input rather than at every append.
func appendWindow(w, p []byte) []byte {
	if w == nil {
		w = make([]byte, 0, 2*windowSize)
	}
	if len(p) >= windowSize {
		return append(w[:0], p[len(p)-windowSize:]...)
	}
	if len(w)+len(p) > cap(w) {
		keep := windowSize - len(p)
		w = w[:copy(w, w[len(w)-keep:])]
	}
	return append(w, p...)
}

// lastWindow returns the window's last windowSize bytes.
func lastWindow(w []byte) []byte {
	if len(w) > windowSize {
		return w[len(w)-windowSize:]
	}
	return w
}
