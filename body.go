package httpserver

import (
	"errors"
	"io"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// body is a Request's Body: it decodes the message body from the
// connection's read buffer as the handler reads it. It is embedded in the
// Request, and used only on the connection's goroutine while the handler
// runs (and by the server to drain it afterwards).
type body struct {
	c            *conn
	remaining    int64 // Content-Length bytes not yet read
	chunked      bool
	dec          wire.ChunkedDecoder
	limit        int64 // MaxBodyBytes, or negative for no limit
	n            int64 // decoded bytes delivered so far
	needContinue bool  // the client sent "Expect: 100-continue"
	sentContinue bool
	// pending counts chunk data bytes at c.rbuf[c.rpos:] that the
	// decoder has consumed but that did not fit in the caller's buffer;
	// the next Read delivers them before decoding more.
	pending int
	done    bool  // the whole body has been read
	closed  bool  // the handler has returned
	err     error // sticky read error
	// protoErr is the status to answer instead of the handler's response
	// when the body broke the protocol or a limit (400, 413, 431).
	protoErr int
	protoMsg string
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
	if b.needContinue && !b.sentContinue {
		// RFC 9110 §10.1.1: the client waits for this before sending
		// the body; it goes out with the next flush, which happens before
		// we block reading.
		b.sentContinue = true
		if err := b.c.writeString(continueLine); err != nil {
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
	c := b.c
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	var n int
	if c.rpos < c.rend {
		n = copy(p, c.rbuf[c.rpos:c.rend])
		c.rpos += n
	} else if len(p) >= len(c.rbuf)/2 {
		var err error
		if n, err = c.readBodyDirect(p); err != nil {
			return 0, b.fail(err)
		}
	} else {
		if err := c.fillBody(); err != nil {
			return 0, b.fail(err)
		}
		n = copy(p, c.rbuf[c.rpos:c.rend])
		c.rpos += n
	}
	b.remaining -= int64(n)
	b.n += int64(n)
	if b.remaining == 0 {
		b.done = true
	}
	return n, nil
}

func (b *body) readChunked(p []byte) (int, error) {
	c := b.c
	if b.pending > 0 {
		k := copy(p, c.rbuf[c.rpos:c.rpos+b.pending])
		c.rpos += k
		b.pending -= k
		b.n += int64(k)
		return k, nil
	}
	for {
		in := c.rbuf[c.rpos:c.rend]
		if b.dec.InData() && len(in) > len(p) {
			in = in[:len(p)]
		}
		n, data, err := b.dec.Decode(in)
		if len(data) > 0 {
			if b.limit >= 0 && b.n+int64(len(data)) > b.limit {
				c.rpos += n
				b.protoErr, b.protoMsg = 413, "request body too large"
				b.err = ErrBodyTooLarge
				return 0, b.err
			}
			// data ends the n bytes Decode consumed. When it followed a
			// chunk-size line in the same call it can be longer than p:
			// leave the rest in the buffer for the next Read.
			k := copy(p, data)
			b.pending = len(data) - k
			c.rpos += n - b.pending
			b.n += int64(k)
			return k, nil
		}
		c.rpos += n
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
		if err := c.fillBody(); err != nil {
			return 0, b.fail(err)
		}
	}
}

// fail records a transport error (timeout, reset, early EOF); the
// connection will close after the response.
func (b *body) fail(err error) error {
	if isTimeout(err) {
		err = errBodyTimeout
	}
	b.err = err
	return err
}

var errBodyTimeout = errors.New("httpserver: request body read timed out")

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
		c := b.c
		if c.rpos == c.rend {
			if err := c.fillBody(); err != nil {
				return false
			}
		}
		k := int64(c.rend - c.rpos)
		if k > b.remaining {
			k = b.remaining
		}
		c.rpos += int(k)
		b.remaining -= k
		read += k
		if b.remaining == 0 {
			b.done = true
			return true
		}
	}
	return false
}
