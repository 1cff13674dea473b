package httpserver

import (
	"errors"
	"io"
	"time"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// body is a Request's Body: it decodes the message body from the
// connection's reader as the handler reads it. It lives in the
// connection's reqState (a Request reaches it through requestBody), and
// is used only on the connection's goroutine while the handler runs (and
// by the server to drain it afterwards).
type body struct {
	c            *conn
	remaining    int64 // Content-Length bytes not yet read
	chunked      bool
	dec          wire.ChunkedDecoder
	limit        int64 // MaxBodyBytes, or negative for no limit
	n            int64 // decoded bytes delivered so far
	needContinue bool  // the client sent "Expect: 100-continue"
	sentContinue bool
	// pending counts chunk data bytes at the front of the reader's
	// buffered input that the decoder has consumed but that did not fit
	// in the caller's buffer; the next Read delivers them before decoding
	// more.
	pending int
	// rate is the minimum data rate; waited is the time spent waiting for
	// body bytes so far, got the bytes those waits brought.
	rate   bodyRate
	waited time.Duration
	got    int64
	// started: Read has been called (the limit can no longer change).
	started bool
	done    bool  // the whole body has been read
	closed  bool  // the handler has returned
	err     error // sticky read error
	// protoErr is the status to answer instead of the handler's response
	// when the body broke the protocol or a limit (400, 413, 431).
	protoErr int
	protoMsg string
	// trailer holds the trailer fields of a chunked body kept so far
	// (see keepTrailer), in their own allocations: Request.Trailer hands
	// out copies.
	trailer []HeaderField
}

const continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

// Read reads decoded body bytes. See Request.Body.
func (b *body) Read(p []byte) (int, error) {
	switch {
	case b.closed:
		return 0, ErrBodyClosed
	case b.err != nil:
		return 0, b.err
	case b.done:
		return 0, io.EOF
	case len(p) == 0:
		return 0, nil
	}
	if !b.started {
		b.started = true
		if !b.chunked && b.limit >= 0 && b.remaining > b.limit {
			// RFC 9110 §15.5.14: refuse before reading a body we will not
			// accept; the client may not have sent it yet (100-continue,
			// which is then never sent).
			b.err = ErrBodyTooLarge
			b.protoErr, b.protoMsg = 413, "request body too large"
			return 0, b.err
		}
	}
	if b.needContinue && !b.sentContinue {
		// RFC 9110 §10.1.1: the client waits for this before sending
		// the body; it goes out with the next flush, which happens before
		// we block reading.
		b.sentContinue = true
		if err := b.c.w.writeString(continueLine); err != nil {
			b.err = err
			return 0, err
		}
	}
	if b.chunked {
		return b.readChunked(p)
	}
	return b.readLength(p)
}

func (b *body) readLength(p []byte) (int, error) {
	r := &b.c.r
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	var n int
	if !r.empty() {
		n = copy(p, r.buffered())
		r.consume(n)
	} else if len(p) >= r.size()/2 {
		var err error
		if n, err = b.fill(p); err != nil {
			return 0, err
		}
	} else {
		if _, err := b.fill(nil); err != nil {
			return 0, err
		}
		n = copy(p, r.buffered())
		r.consume(n)
	}
	b.remaining -= int64(n)
	b.n += int64(n)
	if b.remaining == 0 {
		b.done = true
	}
	return n, nil
}

func (b *body) readChunked(p []byte) (int, error) {
	r := &b.c.r
	if b.pending > 0 {
		k := copy(p, r.buffered()[:b.pending])
		r.consume(k)
		b.pending -= k
		b.n += int64(k)
		return k, nil
	}
	for {
		in := r.buffered()
		if b.dec.InData() && len(in) > len(p) {
			in = in[:len(p)]
		}
		n, data, err := b.dec.Decode(in)
		if name, value, ok := b.dec.Trailer(); ok {
			b.keepTrailer(name, value) // before consume: they are in the buffer
		}
		if len(data) > 0 {
			if b.limit >= 0 && b.n+int64(len(data)) > b.limit {
				r.consume(n)
				b.protoErr, b.protoMsg = 413, "request body too large"
				b.err = ErrBodyTooLarge
				return 0, b.err
			}
			// data ends the n bytes Decode consumed. When it followed a
			// chunk-size line in the same call it can be longer than p:
			// leave the rest in the buffer for the next Read.
			k := copy(p, data)
			b.pending = len(data) - k
			r.consume(n - b.pending)
			b.n += int64(k)
			return k, nil
		}
		r.consume(n)
		if err == io.EOF {
			b.done = true
			return 0, io.EOF
		}
		if err != nil {
			var we *wire.Error
			if errors.As(err, &we) {
				b.protoErr, b.protoMsg = we.Status, we.Reason
			}
			b.err = ErrMalformedBody
			return 0, b.err
		}
		if n > 0 {
			continue
		}
		if _, err := b.fill(nil); err != nil {
			return 0, err
		}
	}
}

// keepTrailer keeps a trailer field for Request.Trailer, copied out of
// the reader's buffer. The decoder has checked its syntax and bounded the
// section (8 KiB, 32 fields, 431 beyond). Fields that may not be
// trailers (wire.AllowedTrailer: framing, routing, authentication,
// request modifiers, content description) are dropped: RFC 9110 §6.5.1
// forbids sending them there and §6.5.2 lets a recipient discard
// trailers, and a handler that looked for, say, Authorization or
// Content-Type in the trailer would act on what no sender may put there.
// Nothing is ever merged into the header section (§6.5.1).
func (b *body) keepTrailer(name, value []byte) {
	kv := string(name) + string(value) // one allocation for both
	n := kv[:len(name)]
	if !wire.AllowedTrailer(n) {
		return
	}
	b.trailer = append(b.trailer, HeaderField{Name: n, Value: kv[len(name):]})
}

// fill reads more of the body from the client: into p if it is not nil
// (nothing is buffered: the bytes go straight to the caller), else into
// the reader's buffer. Whatever output is pending is sent first (a client
// may wait for it: 100 Continue, pipelined responses). Each read must
// bring data within ReadTimeout, and the body as a whole must keep to the
// minimum data rate (see bodyRate).
func (b *body) fill(p []byte) (int, error) {
	c := b.c
	if err := c.w.flush(); err != nil {
		return 0, b.fail(err, false)
	}
	progress := c.srv.readTimeout()
	timeout, ok := b.rate.timeout(progress, b.waited, b.got)
	if !ok {
		return 0, b.fail(errBodyTooSlow, true)
	}
	start := coarseNow()
	var n int
	var err error
	if p != nil {
		n, err = c.r.readDirect(p, timeout)
	} else {
		n, err = c.r.fill(timeout)
	}
	b.waited += coarseNow() - start
	if err != nil {
		if c.r.fixed && isTimeout(err) {
			// The handler's own deadline (StreamWriter.SetReadDeadline)
			// passed: a plain timeout for it to judge, not the server's
			// verdict on the client's pace (408).
			b.err = err
			return 0, err
		}
		return 0, b.fail(err, timeout < progress)
	}
	b.got += int64(n)
	return n, nil
}

// fail records a transport error (timeout, reset, early EOF); the
// connection will close after the response. A timeout that the minimum
// data rate set (rated) is answered 408 instead of the handler's response.
func (b *body) fail(err error, rated bool) error {
	if isTimeout(err) || err == errBodyTooSlow {
		err = errBodyTimeout
		if rated {
			err = ErrBodyTooSlow
			b.protoErr, b.protoMsg = 408, "request body arrived too slowly"
		}
	}
	b.err = err
	return err
}

var (
	errBodyTimeout = errors.New("httpserver: request body read timed out")
	errBodyTooSlow = errors.New("httpserver: request body below the minimum rate")
)

// bodyRate is the minimum data rate for request bodies
// (Server.MinBodyRate, Server.BodyRateGrace).
//
// Only the time the server spends waiting for body bytes counts: a
// handler that reads its body slowly, or not at all for a while, is not
// charged for it. Over that time, once the grace period is over, the
// body's average rate must stay at least min bytes per second. A
// progress timeout alone (ReadTimeout) cannot stop a body dribbled one
// byte per ReadTimeout, which would hold its handler forever.
type bodyRate struct {
	min   int64 // bytes per second; 0 for no minimum
	grace time.Duration
}

// timeout returns the timeout for the next body read: the progress
// timeout, or less where the rate requires the next byte sooner. ok is
// false when the rate has fallen below the minimum already. waited is the
// time spent waiting so far, got the bytes received.
func (r bodyRate) timeout(progress, waited time.Duration, got int64) (time.Duration, bool) {
	if r.min <= 0 {
		return progress, true
	}
	// The next byte (got+1) must have come once waited reaches
	// grace + (got+1)/min.
	need := got + 1
	allowed := r.grace + time.Duration(need/r.min)*time.Second + time.Duration(need%r.min)*time.Second/time.Duration(r.min)
	left := allowed - waited
	if left <= 0 {
		return 0, false
	}
	return min(progress, left), true
}

// drain reads and discards the rest of the body, at most max bytes. It
// reports whether the body ended cleanly within that bound.
func (b *body) drain(max int64) bool {
	b.closed = false
	defer func() { b.closed = true }()
	var scratch [512]byte
	for read := int64(0); read <= max; {
		if b.chunked {
			n, err := b.Read(scratch[:])
			read += int64(n)
			if err == io.EOF {
				return true
			}
			if err != nil {
				return false
			}
			continue
		}
		// Content-Length: skip buffered bytes without copying.
		r := &b.c.r
		if r.empty() {
			if _, err := b.fill(nil); err != nil {
				return false
			}
		}
		k := min(int64(len(r.buffered())), b.remaining)
		r.consume(int(k))
		b.remaining -= k
		read += k
		if b.remaining == 0 {
			b.done = true
			return true
		}
	}
	return false
}
