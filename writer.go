package httpserver

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// writer is a connection's output side: the write window, the write
// deadline, flushing. It belongs to the goroutine that owns the
// connection (see conn).
//
// buf holds output not yet written to the socket; its capacity is the
// window (Server.WriteBufferSize), and it is nil while the connection
// waits for a request. At most the window is held: a producer faster than
// the client blocks in write until the client reads.
type writer struct {
	rwc     net.Conn
	buf     []byte
	box     *[]byte // the pool's box buf came in, or nil (see release)
	err     error   // sticky: once a write failed, every later one does
	window  int
	timeout time.Duration // WriteTimeout, per write of at most the window
	pool    *sync.Pool    // of *[]byte with capacity window
	// deadline is the write deadline last armed, as an offset from
	// clockBase (see armDeadline).
	deadline time.Duration
	// fixed: a handler's own deadline is armed (setDeadline); the
	// progress timeout is not re-armed until it is cleared.
	fixed bool
}

// setDeadline arms the handler's absolute write deadline t, which
// replaces the progress timeout; the zero t restores the timeout.
func (w *writer) setDeadline(t time.Time) error {
	if t.IsZero() {
		if w.fixed {
			w.fixed, w.deadline = false, 0 // the next write re-arms
		}
		return nil
	}
	w.fixed = true
	return w.rwc.SetWriteDeadline(t)
}

func (w *writer) acquire() {
	if w.buf == nil {
		w.acquireSlow()
	}
}

func (w *writer) acquireSlow() {
	if p, ok := w.pool.Get().(*[]byte); ok && cap(*p) == w.window {
		w.buf, w.box = (*p)[:0], p
		return
	}
	w.buf = make([]byte, 0, w.window)
}

// release returns the window to its pool, in the box it came in (a new
// box per Put would cost an allocation per request); it must hold no
// unsent output.
func (w *writer) release() {
	if w.buf != nil && cap(w.buf) == w.window {
		box := w.box
		if box == nil {
			box = new([]byte)
		}
		*box = w.buf[:0]
		w.pool.Put(box)
	}
	w.buf, w.box = nil, nil
}

// appendTo gives the window's contents to f, which appends to it and
// returns it (the head serializer); the window may grow past its
// capacity for a large head, and flush trims it back.
func (w *writer) appendTo(f func([]byte) []byte) {
	w.acquire()
	w.buf = f(w.buf)
}

// write queues p for the client. When the window is full it is written
// out, and a p at least as large as the window is written straight from
// p, one window at a time, so the client's pace governs the caller's.
func (w *writer) write(p []byte) error {
	w.acquire()
	for len(p) > 0 {
		if w.err != nil {
			return w.err
		}
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
			continue
		}
		if len(w.buf) == 0 && len(p) >= w.window {
			if err := w.writeSocket(p[:w.window]); err != nil {
				return err
			}
			p = p[w.window:]
			continue
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
	}
	return w.err
}

// writeString is write for a string, without converting it.
func (w *writer) writeString(s string) error {
	w.acquire()
	for len(s) > 0 {
		if w.err != nil {
			return w.err
		}
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], s)
		w.buf = w.buf[:len(w.buf)+n]
		s = s[n:]
	}
	return w.err
}

// flush writes out what the window holds.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	err := w.writeSocket(w.buf)
	w.buf = w.buf[:0]
	if cap(w.buf) > 2*w.window {
		// A large head grew the buffer; do not keep the excess.
		w.buf = make([]byte, 0, w.window)
	}
	return err
}

// writeSocket writes p under the write progress timeout.
func (w *writer) writeSocket(p []byte) error {
	w.arm()
	_, err := w.rwc.Write(p)
	if err != nil {
		w.err = err
	}
	return err
}

func (w *writer) arm() {
	if w.fixed {
		return
	}
	if t, ok := armDeadline(w.deadline, w.timeout, false); ok {
		w.deadline = t
		w.rwc.SetWriteDeadline(clockBase.Add(t))
	}
}

// sendFilePiece bounds one zero-copy send: each piece must reach the
// client within WriteTimeout, so this is also the progress a slow reader
// must make (256 KiB per 30 s by default, about 8.7 KB/s).
const sendFilePiece = 256 << 10

// canSendFile reports whether files can go out zero-copy on this
// connection (a TCP connection's ReadFrom is sendfile(2)).
func (w *writer) canSendFile() bool {
	_, ok := w.rwc.(io.ReaderFrom)
	return ok
}

// sendFile sends up to n bytes of f from its current offset with the
// connection's ReadFrom: the bytes go from the page cache to the socket
// without passing through user space, and nothing is buffered here beyond
// the kernel's socket buffer. It returns how many bytes went out; fewer
// than n without an error means the file shrank.
func (w *writer) sendFile(f *os.File, n int64) (int64, error) {
	if err := w.flush(); err != nil {
		return 0, err
	}
	rf := w.rwc.(io.ReaderFrom)
	lr := io.LimitedReader{R: f}
	var sent int64
	for sent < n {
		lr.N = min(n-sent, sendFilePiece)
		w.arm()
		k, err := rf.ReadFrom(&lr)
		sent += k
		if err != nil {
			w.err = err
			return sent, err
		}
		if k == 0 {
			break
		}
	}
	return sent, nil
}
