package httpserver

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// minReadBuffer is the read buffer a connection starts with. It must hold
// a whole chunk-size line (the wire package refuses lines over 4 KiB), so
// a chunked body never needs a larger buffer; heads grow it up to
// MaxHeaderBytes.
const minReadBuffer = 4<<10 + 64

var readBufPool = sync.Pool{New: func() any { b := make([]byte, minReadBuffer); return &b }}

// reader is a connection's input side: the read buffer, the raw read that
// waits for a request without a buffer, and the reads request heads and
// bodies make under their timeouts. It belongs to the goroutine that owns
// the connection (see conn); nothing in it is shared.
//
// The unconsumed input is buf[pos:end]. buf is nil while the connection
// waits for a request with nothing buffered (see release).
type reader struct {
	rwc      net.Conn
	buf      []byte
	box      *[]byte // the pool's box buf came in (see putBack), or nil
	pos, end int
	// deadline is the read deadline last armed, as an offset from
	// clockBase (see arm).
	deadline time.Duration

	// raw reads the socket without a buffer between requests (nil when
	// the connection offers no raw access, as with TLS); see readIdle.
	raw    syscall.RawConn
	rawFn  func(fd uintptr) bool // the connection's rawRead, bound once per connection
	rawErr error
	rawN   int32 // a read's count: at most 2 GiB on Linux

	// drained: the last read from the socket returned less than it asked
	// for, so the socket held no more input then (see conn.park).
	drained bool
	// fixed: a handler's own deadline is armed (setDeadline); body reads
	// do not re-arm the progress timeout until it is cleared.
	fixed bool
	// wouldBlock: readIdle returns errWouldBlock instead of waiting, for a
	// connection that can park.
	wouldBlock bool
}

// buffered returns the unconsumed input. It is valid until the next call
// that reads or consumes.
func (r *reader) buffered() []byte { return r.buf[r.pos:r.end] }

// consume marks n bytes of the buffered input as used.
func (r *reader) consume(n int) { r.pos += n }

// empty reports whether no input is buffered.
func (r *reader) empty() bool { return r.pos == r.end }

// rewind moves an empty buffer's window back to its start.
func (r *reader) rewind() {
	if r.pos == r.end {
		r.pos, r.end = 0, 0
	}
}

func (r *reader) acquire() {
	if r.buf == nil {
		r.box = readBufPool.Get().(*[]byte)
		r.buf = *r.box
	}
}

// release returns the buffer to its pool. It must hold no unconsumed
// input.
func (r *reader) release() {
	r.putBack()
	r.buf = nil
	r.pos, r.end = 0, 0
}

// putBack returns the pool's buffer, if r holds it, in the box it came
// in: a new box per Put would cost an allocation per request.
func (r *reader) putBack() {
	if cap(r.buf) != minReadBuffer {
		return
	}
	box := r.box
	if box == nil {
		box = new([]byte)
	}
	*box = r.buf[:minReadBuffer]
	readBufPool.Put(box)
	r.box = nil
}

// makeRoom makes space after end for another read: it moves the
// unconsumed bytes to the front, or doubles the buffer up to max bytes.
// It reports false if the buffer already holds max unconsumed bytes.
func (r *reader) makeRoom(max int) bool {
	if r.end < len(r.buf) {
		return true
	}
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.pos, r.end = 0, n
		return true
	}
	if len(r.buf) >= max {
		return false
	}
	size := min(2*len(r.buf), max)
	nb := make([]byte, size)
	copy(nb, r.buf[:r.end])
	r.putBack()
	r.buf = nb
	return true
}

// setDeadline arms a handler's absolute read deadline t for the request
// body, which replaces the progress timeout; the zero t restores it.
func (r *reader) setDeadline(t time.Time) error {
	if t.IsZero() {
		if r.fixed {
			r.fixed, r.deadline = false, 0 // the next read re-arms
		}
		return nil
	}
	r.fixed = true
	return r.rwc.SetReadDeadline(t)
}

// arm sets the read deadline to d from now, or leaves it: see armDeadline.
func (r *reader) arm(d time.Duration, force bool) {
	if r.fixed && !force {
		return
	}
	if t, ok := armDeadline(r.deadline, d, force); ok {
		r.deadline = t
		r.rwc.SetReadDeadline(clockBase.Add(t))
	}
}

// readMore reads once into the free space after end, growing the buffer
// up to max bytes, under a read deadline of timeout (0: leave the deadline
// as it is). It reports errBufferFull when max bytes are buffered already.
func (r *reader) readMore(max int, timeout time.Duration) (int, error) {
	r.acquire()
	if !r.makeRoom(max) {
		return 0, errBufferFull
	}
	if timeout > 0 {
		r.arm(timeout, false)
	}
	n, err := r.rwc.Read(r.buf[r.end:])
	r.drained = n < len(r.buf)-r.end
	r.end += n
	return n, err
}

var errBufferFull = errors.New("httpserver: read buffer full")

// fill reads more input for a request body into the buffer under the body
// read deadline, and returns how many bytes it added. It fails with
// io.ErrUnexpectedEOF when the client closed first, and io.ErrNoProgress
// when a read returned nothing without error.
func (r *reader) fill(timeout time.Duration) (int, error) {
	r.acquire()
	r.rewind()
	n, err := r.readMore(len(r.buf), timeout)
	if n > 0 {
		return n, nil
	}
	return 0, bodyReadErr(err)
}

// size is the read buffer's size: reads at least half of it go straight
// to the caller (readDirect) instead of through the buffer.
func (r *reader) size() int { return len(r.buf) }

// readDirect reads body bytes straight into p, sparing a copy for large
// reads when nothing is buffered.
func (r *reader) readDirect(p []byte, timeout time.Duration) (int, error) {
	r.arm(timeout, false)
	n, err := r.rwc.Read(p)
	r.drained = n < len(p)
	if n > 0 {
		return n, nil
	}
	return 0, bodyReadErr(err)
}

func bodyReadErr(err error) error {
	switch err {
	case nil:
		return io.ErrNoProgress
	case io.EOF:
		return io.ErrUnexpectedEOF
	}
	return err
}
