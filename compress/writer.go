package compress

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
)

var errStreamDone = errors.New("compress: StreamWriter used after its Stream returned")

// state is where a writer is in its response.
type state uint8

const (
	// stateUndecided: the fields may still change and the body is held
	// back (up to MinSize bytes) until it is judged (writer.decide).
	stateUndecided state = iota
	stateIdentity        // the body goes as it is
	stateEncoding        // the body goes through enc
	stateTunnel          // a 101, a CONNECT tunnel or a hijack: bytes pass untouched, fields too
)

// A writer produces the body of a response Handler sends: it runs the
// inner response's Stream, or reads its Body or Message, and writes
// what they produce to the host's StreamWriter w, through an encoder
// when the response is compressed. For a Stream it is the StreamWriter's
// other end (internal/bridge): every method of the StreamWriter the
// inner Stream gets lands here, on the Stream's goroutine.
//
// Memory per response: the held-back body (at most MinSize bytes, from a
// pool), one pooled encoder (its tables and window, 1 to 3 MB, shared
// by responses one after another), a 128 KiB copy buffer for a Body or
// Message (pooled too); what is written beyond that is pushed to w,
// whose own window (the server's WriteBufferSize) blocks the producer
// while the client is slow. Nothing holds the whole body.
type writer struct {
	out    httpserver.Response  // what Handle returns; its Stream is run
	c      *config              // the handler's
	f      facts                // the request's
	resp   *httpserver.Response // the inner response, whose body this writes
	w      *httpserver.StreamWriter
	status int // the final status as the inner Stream has set it
	// declared is the Content-Length the inner Stream's Response gave
	// (-1 for none), which Handle took out of the fields until the
	// response is judged: the server would hold a compressed body to it.
	declared int64
	state    state
	done     bool    // the inner Stream has returned: its StreamWriter fails
	held     *[]byte // held back while undecided; from c.bufs
	enc      *pooled // while stateEncoding
	dirty    bool    // written to enc since its last Flush
}

// copyBufs hold the 128 KiB through which a Body or Message is read: a
// zstd block, which the encoder then takes in one Write. With 32 KiB
// pieces zstd took 5-8% more CPU per MB than the same encoder fed whole
// (bench/compress_test.go, the 2.35 MB listing, 2026-12-02); gzip did
// not mind.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 128<<10); return &b }}

// run is the Stream of the Response Handle returns.
func (x *writer) run(w *httpserver.StreamWriter) (err error) {
	x.w = w
	defer x.release()
	if x.state == stateEncoding {
		x.enc = x.f.coding.get(w)
	}
	switch r := x.resp; {
	case r.Stream != nil:
		err = r.Stream(bridge.NewStreamWriter(x).(*httpserver.StreamWriter))
		x.done = true
	case r.Body != nil:
		err = x.copyBody(r.Body, r.KnownLength())
	default:
		err = x.copyMessage(r.Message)
	}
	if err != nil {
		return err
	}
	return x.finish()
}

// release returns what x took from pools, whatever state the response
// ended in (a pooled encoder is reset when it is taken again).
func (x *writer) release() {
	x.done, x.w = true, nil
	if x.enc != nil {
		x.f.coding.put(x.enc)
		x.enc = nil
	}
	if x.held != nil {
		*x.held = (*x.held)[:0]
		x.c.bufs.Put(x.held)
		x.held = nil
	}
}

// copyBody writes body through x, no further than limit bytes when it is
// not negative (a declared length: the server would not send more
// either), flushing after each read of an Endless one. A reader that returns nothing 100 times in a row fails with
// io.ErrNoProgress, as the server's own copy does.
func (x *writer) copyBody(body io.Reader, limit int64) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for empty := 0; limit != 0; {
		p := buf
		if limit > 0 && limit < int64(len(p)) {
			p = p[:limit]
		}
		n, err := body.Read(p)
		if n > 0 {
			empty = 0
			if _, werr := x.write(p[:n]); werr != nil {
				return werr
			}
			if x.resp.Endless {
				// A live feed: what it gave goes now, as a Stream's
				// Flush would send it, not when the encoder's block fills.
				if werr := x.flush(); werr != nil {
					return werr
				}
			}
			if limit > 0 {
				limit -= int64(n)
			}
		} else if empty++; empty >= 100 && err == nil {
			return io.ErrNoProgress
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// copyMessage writes s through x in pieces of the copy buffer, so that a
// large Message is not converted to a []byte whole.
func (x *writer) copyMessage(s string) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	for s != "" {
		n := copy(*bp, s)
		if _, err := x.write((*bp)[:n]); err != nil {
			return err
		}
		s = s[n:]
	}
	return nil
}

// decide judges the response as its fields are now, with n the body's
// length if known (else the Content-Length the fields declare, if any),
// and long as judge takes it; it then sets the fields for the verdict
// and picks the path of the body.
func (x *writer) decide(n int64, long bool) {
	h := x.w.Header()
	if n < 0 {
		n = x.length()
	}
	if x.c.judge(&x.f, x.status, h, n, long) == sendEncoded {
		markEncoded(h, x.f.coding)
		x.enc = x.f.coding.get(x.w)
		x.state = stateEncoding
		return
	}
	if x.declared >= 0 && !h.Has("Content-Length") {
		h.Set("Content-Length", strconv.FormatInt(x.declared, 10))
	}
	x.c.markIdentity(h, &x.f, x.status)
	x.state = stateIdentity
}

// length is the body's declared length: a Content-Length the Stream has
// set, else its Response's; -1 for none.
func (x *writer) length() int64 {
	if n := declaredLength(x.w.Header()); n >= 0 {
		return n
	}
	return x.declared
}

// drain sends what was held back while undecided, on the path decided.
func (x *writer) drain() error {
	if x.held == nil || len(*x.held) == 0 {
		return nil
	}
	p := *x.held
	*x.held = p[:0]
	_, err := x.write(p)
	return err
}

// finish ends the body once the inner producer is done: a response
// still undecided is judged by the length it turned out to have; an
// encoded one gets its encoder's last block.
func (x *writer) finish() error {
	if x.state == stateUndecided {
		n := 0
		if x.held != nil {
			n = len(*x.held)
		}
		x.decide(int64(n), false)
		if err := x.drain(); err != nil {
			return err
		}
	}
	if x.state == stateEncoding {
		err := x.enc.enc.Close()
		x.f.coding.put(x.enc)
		x.enc = nil
		return err
	}
	return nil
}

// The methods of the StreamWriter the inner Stream writes to (see
// httpserver.StreamWriter for their contracts; what changes here is when
// the head is decided: at MinSize bytes, a Flush, or the Stream's
// return, whichever comes first).

func (x *writer) Write(p []byte) (int, error) {
	if x.done {
		return 0, errStreamDone
	}
	return x.write(p)
}

// write holds p back while the response is undecided and short of
// MinSize, else writes it on the decided path.
func (x *writer) write(p []byte) (int, error) {
	switch x.state {
	case stateUndecided:
		if x.held == nil {
			x.held = x.c.bufs.Get().(*[]byte)
		}
		n := x.length()
		if n < 0 && len(*x.held)+len(p) < x.c.minSize {
			*x.held = append(*x.held, p...)
			return len(p), nil
		}
		// The length is declared, or reaches MinSize: judge it now.
		x.decide(n, n < 0)
		if err := x.drain(); err != nil {
			return 0, err
		}
		return x.write(p)
	case stateEncoding:
		x.dirty = true
		return x.enc.enc.Write(p)
	}
	return x.w.Write(p)
}

// Flush decides the head if need be (the body counts as long: a Stream
// that flushes wants its bytes out, so it cannot be held back to learn
// its length), then sends everything written so far: through the
// encoder's Flush first, so that the client can decode all of it before
// the next part is written (server-sent events).
func (x *writer) Flush() error {
	if x.done {
		return errStreamDone
	}
	return x.flush()
}

func (x *writer) flush() error {
	if x.state == stateUndecided {
		x.decide(-1, true)
		if err := x.drain(); err != nil {
			return err
		}
	}
	if x.state == stateEncoding && x.dirty {
		x.dirty = false
		if err := x.enc.enc.Flush(); err != nil {
			return err
		}
	}
	return x.w.Flush()
}

func (x *writer) Header() *httpserver.Header {
	if x.done {
		return new(httpserver.Header)
	}
	return x.w.Header()
}

// WriteHeader passes interim responses on at once, and a final status
// until the head is sent, as the server takes them. Once the response is
// compressed its head is, as far as the inner Stream can tell
// (HeadSent), sent: its fields are those of the compressed form, and a
// final status is ignored, as the server ignores one after the head. A
// tunnel's status (101, 2xx to CONNECT) turns the writer into a plain
// pipe.
func (x *writer) WriteHeader(code int) {
	if x.done {
		return
	}
	switch {
	case code >= 100 && code < 200 && code != 101:
		x.w.WriteHeader(code)
	case x.state == stateEncoding || x.state == stateTunnel:
	case x.state == stateIdentity:
		if !x.w.HeadSent() {
			x.status = code
			x.w.WriteHeader(code)
		}
	case isTunnel(x.f.verb, code):
		x.state = stateTunnel
		if x.held != nil && len(*x.held) > 0 {
			x.w.Write(*x.held)
			*x.held = (*x.held)[:0]
		}
		x.w.WriteHeader(code)
	default:
		x.status = code
		x.w.WriteHeader(code)
	}
}

func (x *writer) Trailer() *httpserver.Header {
	if x.done {
		return new(httpserver.Header)
	}
	return x.w.Trailer()
}

func (x *writer) HeadSent() bool {
	return x.done || x.state == stateEncoding || x.state == stateTunnel || x.w.HeadSent()
}

// Hijack hands the connection over after what was written: bytes held
// back go as they are (the response was not judged); an encoded body's
// encoder is flushed, so that what the client has is whole blocks. The
// bytes that follow are the caller's, untouched.
func (x *writer) Hijack() (net.Conn, []byte, error) {
	if x.done {
		return nil, nil, errStreamDone
	}
	switch x.state {
	case stateUndecided:
		if x.held != nil && len(*x.held) > 0 {
			if _, err := x.w.Write(*x.held); err != nil {
				return nil, nil, err
			}
			*x.held = (*x.held)[:0]
		}
	case stateEncoding:
		if x.dirty {
			x.dirty = false
			if err := x.enc.enc.Flush(); err != nil {
				return nil, nil, err
			}
		}
	}
	x.state = stateTunnel
	return x.w.Hijack()
}

func (x *writer) SetReadDeadline(t time.Time) error {
	if x.done {
		return errStreamDone
	}
	return x.w.SetReadDeadline(t)
}

func (x *writer) SetWriteDeadline(t time.Time) error {
	if x.done {
		return errStreamDone
	}
	return x.w.SetWriteDeadline(t)
}
