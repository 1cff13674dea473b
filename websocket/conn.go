package websocket

import (
	"bufio"
	"context"
	"errors"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohttpserver/httpserver"
)

// A MessageType is the type of a data message: text (UTF-8) or binary.
type MessageType int

// The types of data messages (RFC 6455 §5.6): their opcodes.
const (
	TextMessage   MessageType = 1
	BinaryMessage MessageType = 2
)

func (t MessageType) String() string {
	switch t {
	case TextMessage:
		return "text"
	case BinaryMessage:
		return "binary"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// A Conn is the server's side of a WebSocket connection, given to the
// serve function of Handler or Accept, and valid until that function
// returns: the connection is then closed, and every method fails with
// ErrClosed.
//
// Concurrency: one goroutine at a time may read (ReadMessage,
// NextReader, and the Read of the reader NextReader returns); writes
// (WriteMessage, Ping) and Close may be called from any goroutine,
// concurrently with each other and with the reader: frames are written
// whole, one at a time, under a lock. Close may run while another
// goroutine reads: it then waits for that reader to see the peer's close.
//
// Control frames are answered as they are read: a ping gets its pong and
// a close frame its close, while the application reads. A connection
// whose application stops reading answers nothing until it reads again,
// so an application that only writes should still keep a goroutine in
// ReadMessage (discarding what comes), as with gorilla/websocket and
// coder/websocket.
type Conn struct {
	nc  net.Conn
	req *httpserver.Request
	cfg config
	hs  handshake

	ctx    context.Context
	cancel context.CancelFunc
	start  time.Time // a base for lastHeard

	// readSem is held (a token is in it) by the goroutine reading frames:
	// a read call for its duration, or Close waiting for the peer's close
	// frame. The reader state r is the holder's.
	readSem chan struct{}
	r       reader

	// writeMu is held while a frame is written; w is guarded by it.
	writeMu sync.Mutex
	w       writer

	// Deadlines the application set (UnixNano; 0 for none, the timeouts
	// then apply), read by the reader and the writer.
	readDeadline, writeDeadline atomic.Int64

	lastHeard atomic.Int64 // when the last frame began to arrive, as nanoseconds since start
	reading   atomic.Bool  // a read holds readSem
	pinger    *time.Timer  // pings a silent peer while a read waits; nil without IdleTimeout

	// readDone is closed when the read side has ended: the peer's close
	// frame has been read (peer then holds it), or reading failed.
	readDone     chan struct{}
	readDoneOnce sync.Once
	peer         *CloseError

	// done is closed when the TCP connection is closed; err says why it
	// was (nil after a closing handshake).
	done     chan struct{}
	doneOnce sync.Once
	err      error
}

// newConn returns the Conn over nc, a connection handed over after the
// handshake req, with what the handshake agreed.
func newConn(nc net.Conn, req *httpserver.Request, cfg config, hs handshake) *Conn {
	c := &Conn{
		nc: nc, req: req, cfg: cfg, hs: hs,
		start:    time.Now(),
		readSem:  make(chan struct{}, 1),
		readDone: make(chan struct{}),
		done:     make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(req.Context())
	c.r.br = bufio.NewReaderSize(nc, readBufferSize)
	if cfg.idle > 0 {
		// Armed once it is stored, for pingIfSilent to find it.
		c.pinger = time.AfterFunc(math.MaxInt64, c.pingIfSilent)
		c.pinger.Reset(cfg.idle / 2)
	}
	return c
}

// readBufferSize is the size of a Conn's read buffer: a frame header and
// a small message take one read from the socket.
const readBufferSize = 4096

// run serves the connection handed over after the handshake req: it runs
// serve, watches for the server's shutdown meanwhile, and closes the
// connection when serve returns.
func run(nc net.Conn, req *httpserver.Request, cfg config, hs handshake, serve func(*Conn)) {
	c := newConn(nc, req, cfg, hs)
	watched := c.watchShutdown(req.ShutdownNotice())
	defer func() {
		if p := recover(); p != nil {
			c.writeClose(StatusInternalError, "")
			c.shut(errPanic)
			<-watched
			panic(p) // for the server to log, with the stack as it was
		}
		c.Close(StatusNormalClosure, "")
		<-watched
	}()
	serve(c)
}

var errPanic = errors.New("websocket: the serve function panicked")

// watchShutdown says going away (StatusGoingAway) once notice is closed
// (the server's Shutdown has begun), unless the connection is closed
// first. The returned channel is closed when the watch has ended, which
// is once the connection is closed.
func (c *Conn) watchShutdown(notice <-chan struct{}) <-chan struct{} {
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-notice:
			c.Close(StatusGoingAway, "server shutting down")
		case <-c.done:
		}
	}()
	return ended
}

// Request returns the handshake's request: its path, query, headers,
// remote address, TLS state. Its Body is not to be read.
func (c *Conn) Request() *httpserver.Request { return c.req }

// Subprotocol returns the subprotocol the handshake chose from
// Options.Subprotocols, or "" for none.
func (c *Conn) Subprotocol() string { return c.hs.subprotocol }

// Compressed reports whether the handshake negotiated permessage-deflate.
func (c *Conn) Compressed() bool { return c.hs.deflate }

// Context returns a context that is canceled when the connection closes
// (by either side, after a failure, at the server's Close), for the
// goroutines that serve it to watch. It carries the values of the
// handshake request's context.
func (c *Conn) Context() context.Context { return c.ctx }

// LocalAddr returns the server's address of the connection.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the peer's address (as the server saw the
// connection: behind a proxy, the proxy's).
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// SetReadDeadline sets an absolute deadline for reads, in place of
// IdleTimeout; a read that reaches it fails the connection, which closes
// with StatusGoingAway. A read in progress is bound by it at once. The
// zero time restores IdleTimeout.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.readDeadline.Store(unixNano(t))
	if t.IsZero() && c.cfg.idle > 0 {
		t = time.Now().Add(c.cfg.idle)
	}
	return c.nc.SetReadDeadline(t)
}

// SetWriteDeadline sets an absolute deadline for writes, in place of
// WriteTimeout; a write that reaches it fails and closes the connection.
// A write in progress is bound by it at once. The zero time restores
// WriteTimeout.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline.Store(unixNano(t))
	if t.IsZero() && c.cfg.write > 0 {
		t = time.Now().Add(c.cfg.write)
	}
	return c.nc.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Close performs the closing handshake (RFC 6455 §7): it sends a close
// frame with code and reason, waits up to Options.CloseTimeout for the
// peer's close frame, and closes the TCP connection. Data messages that
// arrive meanwhile are discarded, unless another goroutine is reading:
// that reader gets them, and its read then fails with the peer's
// CloseError.
//
// It returns nil once the handshake is complete, by this call or an
// earlier one (the peer closed first, and the server answered); else why
// it could not be: ErrClosed when the connection had failed or closed
// without a handshake, a timeout, a write error. Close is safe to call
// more than once and from any goroutine; a second call waits for the
// first. code must be one that may be sent (1000-1003, 1007-1014,
// 3000-4999) and reason at most 123 bytes of UTF-8; otherwise Close sends
// nothing and returns an error.
func (c *Conn) Close(code StatusCode, reason string) error {
	if err := checkClose(code, reason); err != nil {
		return err
	}
	sent, err := c.writeClose(code, reason)
	if err != nil {
		c.shut(err)
		return c.closeResult()
	}
	if !sent {
		// Another call, or the reader answering the peer, has sent the
		// close frame, and closes the connection when done.
		<-c.done
		return c.closeResult()
	}
	c.awaitPeerClose()
	c.shut(ErrClosed)
	return c.closeResult()
}

// closeResult is what Close returns once the connection is closed.
func (c *Conn) closeResult() error {
	select {
	case <-c.readDone:
		if c.peer != nil {
			return nil
		}
	default:
	}
	return c.err
}

// awaitPeerClose waits, up to CloseTimeout, for the peer's close frame
// after the server sent its own: it reads the frames itself, discarding
// data, unless another goroutine is reading, which reports it.
func (c *Conn) awaitPeerClose() {
	deadline := time.Now().Add(c.cfg.close)
	t := time.NewTimer(c.cfg.close)
	defer t.Stop()
	select {
	case c.readSem <- struct{}{}:
		c.reading.Store(true)
		c.r.closeDeadline = deadline
		c.discardUntilClose()
		c.reading.Store(false)
		<-c.readSem
	case <-c.readDone:
	case <-t.C:
	}
}

// shut closes the TCP connection, once, recording why (err; nil for
// ErrClosed), and ends what lives with it: the context and the pinger.
func (c *Conn) shut(err error) {
	c.doneOnce.Do(func() {
		c.err = err
		if c.err == nil {
			c.err = ErrClosed
		}
		if c.pinger != nil {
			c.pinger.Stop()
		}
		c.nc.Close()
		c.cancel()
		close(c.done)
	})
}

// endRead marks the read side as ended (readDone), with the peer's close
// frame when that is why.
func (c *Conn) endRead(peer *CloseError) {
	c.readDoneOnce.Do(func() {
		c.peer = peer
		close(c.readDone)
	})
}

// heard records that a frame began to arrive.
func (c *Conn) heard() { c.lastHeard.Store(int64(time.Since(c.start))) }

// pingIfSilent runs every half IdleTimeout: it pings the peer when a read
// is waiting and nothing has arrived for half IdleTimeout, so that a live
// peer's pong keeps the read's IdleTimeout from passing. A write in
// progress makes it wait for the next round: the peer is busy reading
// then, and a ping behind a long message would help nothing.
func (c *Conn) pingIfSilent() {
	select {
	case <-c.done:
		return
	default:
	}
	half := c.cfg.idle / 2
	silent := time.Since(c.start) - time.Duration(c.lastHeard.Load())
	if c.reading.Load() && silent >= half && c.writeMu.TryLock() {
		if !c.w.closeSent && c.w.err == nil {
			c.writeFailedLocked(c.writeFrameLocked(opPing, false, nil))
		}
		c.writeMu.Unlock()
	}
	c.pinger.Reset(half)
}
