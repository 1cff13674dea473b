package websocket

import (
	"errors"
	"fmt"
	"net"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// The opcodes the server writes.
const (
	opText   = ws.OpText
	opBinary = ws.OpBinary
	opClose  = ws.OpClose
	opPing   = ws.OpPing
	opPong   = ws.OpPong
)

// smallFrame is the largest payload copied behind its header so that the
// frame goes in one write; a larger one goes as a second buffer of the
// same write (writev on TCP).
const smallFrame = 4096

// writer is the writing side of a Conn, guarded by its writeMu.
type writer struct {
	closeSent bool  // a close frame has gone (or is going): no data or pings after it
	err       error // the write that failed: every later write fails with it

	frame    appender // the frame's header and, for small frames, payload
	hbuf     [ws.MaxHeaderSize]byte
	deflater *deflater // with server context takeover, the connection's own
}

// appender is an io.Writer that appends to b.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

var (
	errMessageType = errors.New("websocket: a message is TextMessage or BinaryMessage")
	errNotUTF8     = errors.New("websocket: a text message must be UTF-8")
	errPingSize    = errors.New("websocket: a ping payload is at most 125 bytes")
	errCloseCode   = errors.New("websocket: a close code to send is 1000-1003, 1007-1014 or 3000-4999")
	errCloseReason = errors.New("websocket: a close reason is at most 123 bytes of UTF-8")
)

// WriteMessage sends data as one message of type typ, in one frame,
// compressed when permessage-deflate was negotiated and it is worth it
// (see Compression). A text message must be valid UTF-8 (RFC 6455 §5.6):
// if it is not, nothing is sent and an error returned. data is not
// retained: it may be reused once WriteMessage returns.
//
// WriteMessage returns once the frame is written to the connection, and
// blocks while the peer is slow to read, up to WriteTimeout (or the write
// deadline); a write that fails closes the connection. It is safe to
// call concurrently with other writes, Close and the reader; after Close
// has begun, or the peer's close frame was answered, it returns
// ErrClosed.
func (c *Conn) WriteMessage(typ MessageType, data []byte) error {
	var op ws.OpCode
	switch typ {
	case TextMessage:
		op = opText
		if !utf8.Valid(data) {
			return errNotUTF8
		}
	case BinaryMessage:
		op = opBinary
	default:
		return errMessageType
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.writableLocked(); err != nil {
		return err
	}
	payload, compressed, pooled := c.compress(data)
	err := c.writeFrameLocked(op, compressed, payload)
	putDeflater(pooled)
	return c.writeFailedLocked(err)
}

// Ping sends a ping with payload (at most 125 bytes; nil for none). The
// peer's pong is read, and counts as the peer's activity, like any
// frame, by the reader; Ping does not wait for it. The server pings a
// silent peer by itself while a read waits (see Options.IdleTimeout).
func (c *Conn) Ping(payload []byte) error {
	if len(payload) > ws.MaxControlFramePayloadSize {
		return errPingSize
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.writableLocked(); err != nil {
		return err
	}
	return c.writeFailedLocked(c.writeFrameLocked(opPing, false, payload))
}

// writableLocked returns the error for a write that may not be made now.
func (c *Conn) writableLocked() error {
	switch {
	case c.w.err != nil:
		return c.w.err
	case c.w.closeSent:
		return ErrClosed
	}
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	return nil
}

// writeFailedLocked records err, a failed write, and closes the
// connection: the peer's view of the frames is lost. It returns the
// error for the write to return (nil for nil).
func (c *Conn) writeFailedLocked(err error) error {
	if err == nil {
		return nil
	}
	select {
	case <-c.done:
		err = ErrClosed // closed under the write
	default:
		err = fmt.Errorf("websocket: write: %w", err)
	}
	c.w.err = err
	c.shut(err)
	return err
}

// writeClose sends a close frame with code and reason (code 0: without a
// code, to answer a close frame that had none), unless one was sent
// already. It reports whether this call sent it; the error is the
// write's.
func (c *Conn) writeClose(code StatusCode, reason string) (sent bool, err error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.w.closeSent {
		return false, nil
	}
	c.w.closeSent = true
	if c.w.err != nil {
		return false, c.w.err
	}
	var payload []byte
	if code != 0 {
		payload = ws.NewCloseFrameBody(ws.StatusCode(code), reason)
	}
	if err := c.writeFrameLocked(opClose, false, payload); err != nil {
		c.w.err = err
		return false, err
	}
	return true, nil
}

// checkClose returns the error for Close arguments that may not be sent.
func checkClose(code StatusCode, reason string) error {
	switch {
	case !code.valid():
		return errCloseCode
	case len(reason) > ws.MaxControlFramePayloadSize-2 || !utf8.ValidString(reason):
		return errCloseReason
	}
	return nil
}

// writeFrameLocked writes one whole frame: fin, unmasked (RFC 6455 §5.1:
// a server never masks), with RSV1 set when compressed.
func (c *Conn) writeFrameLocked(op ws.OpCode, compressed bool, payload []byte) error {
	h := ws.Header{Fin: true, OpCode: op, Length: int64(len(payload))}
	if compressed {
		h.Rsv = ws.Rsv(true, false, false)
	}
	w := &c.w
	if w.frame.b == nil {
		w.frame.b = make([]byte, 0, ws.MaxHeaderSize+smallFrame)
	}
	w.frame.b = w.frame.b[:0]
	if err := ws.WriteHeaderBuffer(&w.frame, h, w.hbuf[:]); err != nil {
		return err
	}
	c.armWriteDeadline()
	var err error
	if len(payload) <= smallFrame {
		w.frame.b = append(w.frame.b, payload...)
		_, err = c.nc.Write(w.frame.b)
	} else {
		bufs := net.Buffers{w.frame.b, payload}
		_, err = bufs.WriteTo(c.nc)
	}
	return err
}

// armWriteDeadline sets the deadline for the write about to be made: the
// application's, else WriteTimeout from now.
func (c *Conn) armWriteDeadline() {
	if d := c.writeDeadline.Load(); d != 0 {
		c.nc.SetWriteDeadline(time.Unix(0, d))
	} else if c.cfg.write > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(c.cfg.write))
	}
}
