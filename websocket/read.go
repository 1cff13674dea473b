package websocket

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// reader is the reading side of a Conn: the state of the frame and the
// message being read. It belongs to the holder of the Conn's readSem.
type reader struct {
	br   *bufio.Reader
	hbuf [ws.MaxHeaderSize]byte
	ctl  [ws.MaxControlFramePayloadSize]byte // a control frame's payload

	// err is why reading has ended; every later read returns it.
	err error
	// closeDeadline, once the server has sent its close frame and waits
	// for the peer's, bounds every read.
	closeDeadline time.Time

	// The data frame being read.
	left int64   // its payload bytes not yet read
	mask [4]byte // its masking key
	pos  int     // where in the key the next byte is (0..3)
	fin  bool    // it is its message's last frame

	// The message being read.
	inMsg      bool // a data frame began it and the message has not ended
	typ        MessageType
	compressed bool
	gen        uint64    // counts the messages; a message reader reads only its own
	wire       int64     // its payload bytes on the wire so far (all frames)
	out        int64     // its bytes delivered (inflated, if compressed)
	src        io.Reader // where its bytes come from: the payload, inflated, UTF-8 checked
	utf8       wsutil.UTF8Reader
	inflater   *inflater
	window     []byte // the client's window: the last bytes it compressed (client context takeover)
	scratch    [512]byte
}

// preallocLimit bounds the buffer ReadMessage makes before a message's
// bytes arrive.
const preallocLimit = 32 << 10

var errStaleReader = errors.New("websocket: a message reader read after the next message began")

// ReadMessage reads the next data message whole and returns its type and
// bytes, which are the caller's to keep. Control frames that come before
// and between its frames are answered on the way: pings get their pongs,
// and the peer's close frame gets the server's, after which ReadMessage
// returns the peer's *CloseError (and the connection is closed). A
// message the peer sends wrong fails the connection, and the read
// returns why: ErrProtocol, ErrInvalidPayload, ErrMessageTooBig
// (wrapped), each having sent its close code. Any error is final: every
// later read returns it.
//
// One goroutine at a time may read: see Conn.
func (c *Conn) ReadMessage() (MessageType, []byte, error) {
	c.lockRead()
	defer c.unlockRead()
	if err := c.beginMessage(); err != nil {
		return 0, nil, err
	}
	r := &c.r
	// The declared length sizes the buffer, up to preallocLimit: past
	// that, the buffer grows as the bytes arrive, so that a header
	// alone (14 bytes) cannot make the server hold MaxMessageSize.
	size := int64(len(r.scratch))
	if !r.compressed {
		size = min(max(r.left, size), preallocLimit)
	}
	buf := make([]byte, 0, size)
	for {
		end := !r.compressed && r.left == 0 && r.fin
		if len(buf) == cap(buf) && !end {
			more := len(buf)
			if limit := c.cfg.maxMessage; limit >= 0 {
				more = int(min(int64(more), limit+1-int64(len(buf))))
			}
			buf = slices.Grow(buf, max(more, 1))
		}
		n, err := c.readMessageLocked(r.gen, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return r.typ, buf, nil
		}
		if err != nil {
			return 0, nil, err
		}
	}
}

// NextReader waits for the next data message and returns its type and a
// reader of its bytes, for messages to be processed as they arrive (a
// decoder, a copy to a file): the reader returns io.EOF at the message's
// end, and the errors ReadMessage would at a fault. It is valid until the
// next NextReader or ReadMessage, which discards what it left unread;
// after that it returns an error.
//
// One goroutine at a time may read, from NextReader and the reader: see
// Conn.
func (c *Conn) NextReader() (MessageType, io.Reader, error) {
	c.lockRead()
	defer c.unlockRead()
	if err := c.beginMessage(); err != nil {
		return 0, nil, err
	}
	return c.r.typ, &messageReader{c: c, gen: c.r.gen}, nil
}

// messageReader is the reader NextReader returns.
type messageReader struct {
	c   *Conn
	gen uint64
}

func (m *messageReader) Read(p []byte) (int, error) {
	m.c.lockRead()
	defer m.c.unlockRead()
	return m.c.readMessageLocked(m.gen, p)
}

func (c *Conn) lockRead() {
	c.readSem <- struct{}{}
	c.reading.Store(true)
}

func (c *Conn) unlockRead() {
	c.reading.Store(false)
	<-c.readSem
}

// beginMessage discards what is left of the message being read, if any,
// then reads up to the first frame of the next message and prepares its
// source.
func (c *Conn) beginMessage() error {
	r := &c.r
	if r.err != nil {
		return r.err
	}
	for r.inMsg {
		if _, err := c.readMessageLocked(r.gen, r.scratch[:]); err != nil && err != io.EOF {
			return err
		}
	}
	c.armReadDeadline()
	if err := c.nextDataFrame(); err != nil {
		return err
	}
	r.src = (*payloadStream)(c)
	if r.compressed {
		f := inflaters.Get().(*inflater)
		f.dict = nil
		if !c.hs.params.clientNoContext {
			f.dict = lastWindow(r.window)
		}
		f.wr.Reset(r.src)
		r.inflater, r.src = f, f.wr
	}
	if r.typ == TextMessage {
		r.utf8.Reset(r.src)
		r.src = &r.utf8
	}
	return nil
}

// readMessageLocked reads from the message gen into p: see
// messageReader.
func (c *Conn) readMessageLocked(gen uint64, p []byte) (int, error) {
	r := &c.r
	switch {
	case gen == r.gen && !r.inMsg:
		return 0, io.EOF
	case r.err != nil:
		return 0, r.err
	case gen != r.gen:
		return 0, errStaleReader
	}
	c.armReadDeadline()
	limit := c.cfg.maxMessage
	if limit >= 0 && r.compressed {
		// Inflate no more than one byte past the limit: enough to tell a
		// message at the limit from a longer one (a zip bomb).
		if room := limit - r.out + 1; int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := r.src.Read(p)
	r.out += int64(n)
	if r.compressed && !c.hs.params.clientNoContext {
		r.window = appendWindow(r.window, p[:n])
	}
	switch {
	case limit >= 0 && r.out > limit:
		return 0, c.failRead(StatusMessageTooBig, fmt.Errorf("%w: inflated past %d bytes", ErrMessageTooBig, limit))
	case err == nil:
		return n, nil
	case err == io.EOF:
		return n, c.endMessage()
	case r.err != nil:
		return 0, r.err // the frames failed beneath, and said why
	case errors.Is(err, wsutil.ErrInvalidUTF8):
		return 0, c.failRead(StatusInvalidPayload, fmt.Errorf("%w: a text message that is not UTF-8", ErrInvalidPayload))
	case r.compressed:
		return 0, c.failRead(StatusInvalidPayload, fmt.Errorf("%w: a compressed message that does not inflate: %v", ErrInvalidPayload, err))
	}
	return 0, err
}

// endMessage ends the message once its source has returned io.EOF: it
// checks the end of a text message and releases the inflater. It returns
// io.EOF, or the failure.
func (c *Conn) endMessage() error {
	r := &c.r
	if r.typ == TextMessage && !r.utf8.Valid() {
		return c.failRead(StatusInvalidPayload, fmt.Errorf("%w: a text message that ends within a UTF-8 sequence", ErrInvalidPayload))
	}
	if r.compressed {
		// The deflate data may end before the payload does (a final
		// block); what follows it is not part of the message.
		for !(r.left == 0 && r.fin) {
			if _, err := c.readPayload(r.scratch[:]); err != nil && err != io.EOF {
				return err
			}
		}
		c.releaseInflater()
	}
	r.inMsg = false
	return io.EOF
}

func (c *Conn) releaseInflater() {
	if f := c.r.inflater; f != nil {
		c.r.inflater = nil
		f.dict = nil
		inflaters.Put(f)
	}
}

// nextDataFrame reads frames up to the header of the next data frame:
// the first of a message, or the continuation of the message being read.
// The control frames before it are answered: a ping with a pong, a close
// with the server's close (and the read then ends with the peer's
// CloseError).
func (c *Conn) nextDataFrame() error {
	r := &c.r
	for {
		c.armReadDeadline()
		h, err := ws.ReadHeaderBuffer(r.br, r.hbuf[:])
		if err != nil {
			return c.readFailed(err)
		}
		c.heard()
		if err := c.checkFrame(h); err != nil {
			return c.failRead(StatusProtocolError, fmt.Errorf("%w: %v", ErrProtocol, err))
		}
		if h.OpCode.IsControl() {
			if err := c.readControl(h); err != nil {
				return err
			}
			continue
		}
		if h.OpCode != ws.OpContinuation {
			r.inMsg, r.typ, r.compressed = true, MessageType(h.OpCode), h.Rsv1()
			r.gen++
			r.wire, r.out = 0, 0
		}
		if limit := c.wireLimit(); limit >= 0 && h.Length > limit-r.wire {
			return c.failRead(StatusMessageTooBig, fmt.Errorf("%w: over %d bytes", ErrMessageTooBig, c.cfg.maxMessage))
		}
		r.wire += h.Length
		r.left, r.mask, r.pos, r.fin = h.Length, h.Mask, 0, h.Fin
		return nil
	}
}

// wireLimit bounds the payload of a message on the wire (-1: none): the
// message's limit for an uncompressed message, from its headers; for a
// compressed one that plus an eighth, deflate's worst expansion (fixed
// Huffman codes spend 9 bits on some bytes) plus block headers, so that
// a message at the limit passes however it was compressed, and no peer
// can send an endless message that inflates to nothing.
func (c *Conn) wireLimit() int64 {
	limit := c.cfg.maxMessage
	if limit < 0 {
		return -1
	}
	if c.r.compressed {
		return limit + limit/8 + 1024
	}
	return limit
}

// checkFrame checks a frame's header against RFC 6455 §5.2-5.5 (through
// ws.CheckHeader: masked, no reserved opcode, control frames whole and
// short, continuations in place) and RFC 7692 §6: with permessage-deflate
// RSV1 marks a compressed message on its first frame only; RSV2 and RSV3
// are never set.
func (c *Conn) checkFrame(h ws.Header) error {
	s := ws.StateServerSide
	if c.hs.deflate {
		s = s.Set(ws.StateExtended)
	}
	if c.r.inMsg {
		s = s.Set(ws.StateFragmented)
	}
	if err := ws.CheckHeader(h, s); err != nil {
		return err
	}
	if c.hs.deflate && (h.Rsv2() || h.Rsv3() || h.Rsv1() && (h.OpCode.IsControl() || h.OpCode == ws.OpContinuation)) {
		return errors.New("reserved bits set on a frame where permessage-deflate allows none")
	}
	return nil
}

// readControl reads a control frame's payload and acts on it.
func (c *Conn) readControl(h ws.Header) error {
	p := c.r.ctl[:h.Length]
	if _, err := io.ReadFull(c.r.br, p); err != nil {
		return c.readFailed(err)
	}
	ws.Cipher(p, h.Mask, 0)
	switch h.OpCode {
	case ws.OpPing:
		return c.pong(p)
	case ws.OpClose:
		return c.peerClosed(p)
	}
	return nil // a pong: the frame's arrival was all it had to say
}

// pong answers a ping (RFC 6455 §5.5.2), unless the server has sent its
// close frame.
func (c *Conn) pong(payload []byte) error {
	c.writeMu.Lock()
	if c.w.closeSent || c.w.err != nil {
		c.writeMu.Unlock()
		return nil
	}
	err := c.writeFailedLocked(c.writeFrameLocked(opPong, false, payload))
	c.writeMu.Unlock()
	if err != nil {
		c.r.err = err
		c.endRead(nil)
	}
	return err
}

// peerClosed takes the peer's close frame, payload: checked (RFC 6455
// §5.5.1, §7.4), answered with the server's close frame if the server has
// not sent one (echoing the code), and the TCP connection closed, by the
// server first (§7.1.1). The read ends with the peer's CloseError.
func (c *Conn) peerClosed(payload []byte) error {
	ce := &CloseError{Code: StatusNoStatusReceived}
	echo := StatusCode(0)
	switch {
	case len(payload) == 1:
		return c.failRead(StatusProtocolError, fmt.Errorf("%w: a close frame with a 1-byte payload", ErrProtocol))
	case len(payload) >= 2:
		code, reason := ws.ParseCloseFrameData(payload)
		ce.Code, ce.Reason, echo = StatusCode(code), reason, StatusCode(code)
		if !ce.Code.valid() {
			return c.failRead(StatusProtocolError, fmt.Errorf("%w: close code %d may not be sent", ErrProtocol, code))
		}
		if !utf8.ValidString(reason) {
			return c.failRead(StatusInvalidPayload, fmt.Errorf("%w: a close reason that is not UTF-8", ErrInvalidPayload))
		}
	}
	c.writeClose(echo, "")
	c.r.err = ce
	c.endRead(ce)
	c.shut(nil)
	return ce
}

// readFailed ends reading after the connection's read failed with err
// (or the header was unreadable), and returns the error for the read.
func (c *Conn) readFailed(err error) error {
	r := &c.r
	select {
	case <-c.done:
		err = ErrClosed // closed under the read: Close, Shutdown, a failed write
	default:
		switch {
		case errors.Is(err, ws.ErrHeaderLengthMSB), errors.Is(err, ws.ErrHeaderLengthUnexpected):
			return c.failRead(StatusProtocolError, fmt.Errorf("%w: %v", ErrProtocol, err))
		case errors.Is(err, os.ErrDeadlineExceeded) && r.closeDeadline.IsZero():
			return c.failRead(StatusGoingAway, fmt.Errorf("websocket: read timed out: %w", err))
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			err = fmt.Errorf("websocket: connection lost without a close frame (%v): %w", StatusAbnormalClosure, io.ErrUnexpectedEOF)
		default:
			err = fmt.Errorf("websocket: read: %w", err)
		}
	}
	r.err = err
	c.endRead(nil)
	c.shut(err)
	return err
}

// failRead fails the connection for the peer's fault (RFC 6455 §7.1.7):
// it sends a close frame with code, lingers so that the frame reaches
// the peer, and closes the connection. Reads return err from then on.
func (c *Conn) failRead(code StatusCode, err error) error {
	c.r.err = err
	c.releaseInflater()
	reason := ""
	if code == StatusGoingAway {
		reason = "timeout"
	}
	if sent, _ := c.writeClose(code, reason); sent {
		c.linger()
	}
	c.endRead(nil)
	c.shut(err)
	return err
}

// lingerBytes bounds what linger discards.
const lingerBytes = 256 << 10

// linger half-closes the connection after a close frame sent to fail
// it, and reads what the peer still sends until it closes its side, for
// up to CloseTimeout: closing a socket with unread input sends a RST,
// which may destroy the close frame before the peer has read it. A
// connection that cannot half-close (one a listener wrapped) is closed at
// once.
func (c *Conn) linger() {
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(c.cfg.close))
	io.CopyN(io.Discard, c.r.br, lingerBytes)
}

// discardUntilClose reads and discards frames until the peer's close
// frame (which ends reading: see peerClosed), a failure, or
// closeDeadline. The server has sent its close frame.
func (c *Conn) discardUntilClose() {
	r := &c.r
	for r.err == nil {
		if !r.inMsg {
			if c.nextDataFrame() != nil {
				break
			}
			continue
		}
		// The rest of the message, as it came: it is not the
		// application's any more.
		if _, err := c.readPayload(r.scratch[:]); err == io.EOF {
			r.inMsg = false
		}
	}
	c.releaseInflater()
	c.endRead(nil)
}

// armReadDeadline sets the deadline for the reads about to be made: the
// close handshake's, the application's, or IdleTimeout from now.
func (c *Conn) armReadDeadline() {
	switch d := c.readDeadline.Load(); {
	case !c.r.closeDeadline.IsZero():
		c.nc.SetReadDeadline(c.r.closeDeadline)
	case d != 0:
		c.nc.SetReadDeadline(time.Unix(0, d))
	case c.cfg.idle > 0:
		c.nc.SetReadDeadline(time.Now().Add(c.cfg.idle))
	}
}

// payloadStream reads the payload of the message being read as it came
// (unmasked, still compressed if it was), across its frames; control
// frames between them are answered on the way. It is an io.ByteReader
// too, which compress/flate reads from without a buffer of its own.
type payloadStream Conn

func (s *payloadStream) Read(p []byte) (int, error) { return (*Conn)(s).readPayload(p) }

func (s *payloadStream) ReadByte() (byte, error) {
	c := (*Conn)(s)
	r := &c.r
	for r.left == 0 {
		if r.fin {
			return 0, io.EOF
		}
		if err := c.nextDataFrame(); err != nil {
			return 0, err
		}
	}
	b, err := r.br.ReadByte()
	if err != nil {
		return 0, c.readFailed(err)
	}
	b ^= r.mask[r.pos]
	r.pos = (r.pos + 1) & 3
	r.left--
	return b, nil
}

// readPayload is payloadStream's Read.
func (c *Conn) readPayload(p []byte) (int, error) {
	r := &c.r
	for r.left == 0 {
		if r.fin {
			return 0, io.EOF
		}
		if err := c.nextDataFrame(); err != nil {
			return 0, err
		}
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.br.Read(p)
	ws.Cipher(p[:n], r.mask, r.pos)
	r.pos = (r.pos + n) & 3
	r.left -= int64(n)
	if err != nil {
		return n, c.readFailed(err)
	}
	return n, nil
}
