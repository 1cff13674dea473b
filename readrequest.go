package httpserver

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"time"

	"github.com/gohttpserver/httpserver/internal/wire"
	"github.com/gohttpserver/httpserver/proxyproto"
)

// readResult is how readRequest ended.
type readResult uint8

const (
	readOK      readResult = iota // a request (or, inside, a step succeeded)
	readClose                     // close the connection
	readParked                    // parked: the goroutine must return at once
	readPreface                   // the HTTP/2 preface, buffered: for Server.H2C
)

// readRequest reads and parses the next request head. It returns
// readClose when the connection is to be closed (after answering a bad
// request), readParked when the connection has been handed to the
// poller, after which neither it nor its caller may touch c, and
// readPreface when Server.H2C is set and the connection opened with the
// HTTP/2 preface, which is in the read buffer.
//
// It runs in three steps, each its own function: beginHead readies the
// state, awaitRequest waits for the first byte when none is buffered
// (where a connection parks), and readHead reads until the head parses.
func (c *conn) readRequest() (*Request, readResult) {
	c.beginHead()
	if c.r.empty() {
		if r := c.awaitRequest(); r != readOK {
			return nil, r
		}
	} else {
		c.setState(stateHead)
	}
	if r := c.readHead(); r != readOK {
		return nil, r
	}
	return c.newRequest(), readOK
}

// beginHead readies the connection for the next head.
func (c *conn) beginHead() {
	// RFC 9112 §2.2: some clients send an extra CRLF after a body. Drop
	// one that arrived with the body, so that the connection counts as
	// idle (closed quietly at IdleTimeout) and not as a stalled head (an
	// unsolicited 408 at ReadHeaderTimeout).
	if in := c.r.buffered(); len(in) >= 2 && in[0] == '\r' && in[1] == '\n' {
		c.r.consume(2)
	}
	c.r.rewind()
	c.acquireState()
	c.rs.head.Reset()
	c.isHEAD = false
	o := &c.rs.out
	o.status, o.enc.sent, o.failure = 0, 0, nil
}

// awaitRequest waits for the first bytes of a request. It reports
// readClose when none will come (the client closed, the idle timeout, a
// shutdown) and readParked when the connection parked instead of waiting.
func (c *conn) awaitRequest() readResult {
	if !c.setIdle() {
		// Shutting down: send the responses still buffered (pipelined
		// ones, or the last keep-alive one) before closing, and linger so
		// that requests the client pipelined behind them, which we will
		// not read, do not make the kernel reset the connection under
		// those responses (RFC 9112 §9.6).
		c.w.flush()
		c.linger = c.nreq > 0
		return readClose
	}
	for {
		if err := c.w.flush(); err != nil {
			return readClose
		}
		var n int
		var err error
		if c.r.raw == nil {
			// The idle deadline armed by setIdle applies.
			n, err = c.r.readMore(c.srv.maxHeaderBytes(), 0)
		} else {
			// Wait without holding buffers, and without a goroutine
			// where the connection can park.
			if c.r.drained {
				switch c.park() {
				case parkOK:
					return readParked
				case parkClose:
					return readClose
				}
			}
			n, err = c.r.readIdle()
			if err == errWouldBlock {
				c.r.drained = true
				continue
			}
		}
		switch {
		case n > 0:
			c.setBusy()
			return readOK
		case err != nil:
			// Nothing of a request arrived: idle timeout, shutdown or
			// the client closed. Close quietly, unless it was plain HTTP
			// sent to a TLS port.
			c.answerPlainHTTP(err)
			return readClose
		}
	}
}

// readHead reads until the buffered input holds a whole head, refusing
// what does not parse.
func (c *conn) readHead() readResult {
	lim := wire.Limits{
		MaxRequestLine: c.srv.maxRequestLine(),
		MaxHeadBytes:   c.srv.maxHeaderBytes(),
		MaxFields:      c.srv.maxHeaderCount(),
	}
	// The header timeout is armed only when a head needs another read:
	// most heads arrive whole in one read, and parsing them needs no
	// deadline. Arming it then (rather than at the first byte) moves it by
	// the time one parse took.
	timeout := c.srv.readHeaderTimeout()
	if c.expectProxy {
		if r := c.readProxyHeader(lim.MaxHeadBytes, timeout); r != readOK {
			return r
		}
		timeout = 0 // armed once per head, the PROXY header's included
	}
	// The HTTP/2 preface is looked for before the HTTP/1 parser sees it
	// (it would refuse "PRI * HTTP/2.0" with 505), only as the first bytes
	// of a cleartext connection, and only when H2C is set (over TLS,
	// HTTP/2 is chosen by ALPN, RFC 9113 §3.2).
	preface := c.nreq == 0 && c.srv.H2C != nil && !c.isTLS()
	for {
		err := wire.ErrIncomplete
		m := prefaceNo
		if preface {
			m = matchPreface(c.r.buffered())
		}
		switch m {
		case prefaceWhole:
			return readPreface
		case prefaceNo:
			err = c.rs.head.Parse(c.r.buffered(), lim)
		}
		if err == nil {
			return readOK
		}
		if err != wire.ErrIncomplete {
			var we *wire.Error
			if errors.As(err, &we) {
				c.refuse(we.Status, we.Reason)
			}
			return readClose
		}
		if err := c.w.flush(); err != nil {
			return readClose
		}
		n, err := c.r.readMore(lim.MaxHeadBytes, timeout)
		timeout = 0 // armed once per head
		switch {
		case err == errBufferFull:
			// Parse refuses heads over the limit before this happens.
			c.refuse(431, "request header section too large")
			return readClose
		case n > 0 || err == nil:
			continue
		case isTimeout(err):
			c.refuse(408, "request head not received in time")
		}
		// A partial head and then EOF or a reset: nobody to answer.
		return readClose
	}
}

// refuse answers a head the server will not serve, and reports it to the
// access log with the reason as its error.
func (c *conn) refuse(status int, reason string) {
	c.writeError(status, reason)
	if c.rs.out.failure == nil {
		c.rs.out.failure = &refusal{status: status, reason: reason}
	}
	c.logAccess(nil, time.Time{})
}

// refusal is the AccessEntry.Err of a request the server refused before
// its handler ran.
type refusal struct {
	status int
	reason string
}

func (r *refusal) Error() string {
	s := "httpserver: refused with " + wire.StatusText(r.status)
	if r.reason != "" {
		s += ": " + r.reason
	}
	return s
}

// answerPlainHTTP answers a client that sent plain HTTP to a TLS
// listener, as net/http does: crypto/tls reports the record it could not
// read, with the underlying connection, which the answer goes to (the
// TLS layer cannot carry it). Any other error is left alone.
func (c *conn) answerPlainHTTP(err error) {
	var re tls.RecordHeaderError
	if !errors.As(err, &re) || re.Conn == nil || !looksLikeHTTP(re.RecordHeader[:]) {
		return
	}
	b, msg := errorAnswer(nil, 400, "client sent an HTTP request to an HTTPS server", false)
	re.Conn.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout()))
	if _, err := re.Conn.Write(append(b, msg...)); err == nil {
		lingerClose(re.Conn, nil, c.srv.maxDrainBytes())
	}
	c.rs.out.status = 400
	c.rs.out.enc.sent = int64(len(msg))
	c.rs.out.failure = &refusal{status: 400, reason: "plain HTTP to a TLS port"}
	c.logAccess(nil, time.Time{})
}

// looksLikeHTTP reports whether the first bytes of a connection look like
// an HTTP/1 request line's method.
func looksLikeHTTP(b []byte) bool {
	for _, m := range [...]string{"GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "CONNE", "TRACE"} {
		if len(b) >= 5 && string(b[:5]) == m {
			return true
		}
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

var versionStrings = [...]string{"0.9", "1.0", "1.1"}

// newRequest builds the Request for the head just parsed and consumes the
// head from the read buffer. The head's bytes are copied once into a
// string that every string field of the Request shares (a body is not
// copied: it is read through Body).
func (c *conn) newRequest() *Request {
	h := &c.rs.head
	s := c.headString(c.r.buffered()[:h.Len])
	c.r.consume(h.Len)
	c.nreq++

	req := c.rs.spare
	c.rs.spare = nil
	if req == nil && c.reuse {
		req, _ = reqPool.Get().(*Request)
	}
	if req == nil {
		req = new(Request)
	} else {
		// Reused: clear the last request.
		x := req.ext
		*req = Request{}
		if x != nil {
			x.reset()
			req.ext = x
		}
	}
	// Field by field: assigning a whole Request literal to *req would
	// build it aside and copy it in, with write barriers.
	req.Verb = s[h.Method.Start:h.Method.End]
	req.Path = s[h.Path.Start:h.Path.End]
	req.Target = s[h.Target.Start:h.Target.End]
	req.ListenerID = c.srv.listenerID
	req.RemoteIP = c.remoteIP()
	req.RemotePort = int(c.remotePort)
	req.TLS = c.tlsConnState()
	req.ContentLength = h.ContentLength
	if req.Path == "" {
		req.Path = "/" // absolute-form with an empty path (RFC 9112 §3.2.1)
	}
	c.isHEAD = req.Verb == "HEAD"
	switch {
	case h.Major == 0:
		req.Version = versionStrings[0]
	case h.Minor == 0:
		req.Version = versionStrings[1]
	default:
		req.Version = versionStrings[2]
	}
	if h.HasQuery {
		req.QueryStr = s[h.Query.Start:h.Query.End]
		if req.QueryStr != "" && !c.srv.noQueryDict {
			req.QueryDict, req.QueryErr = ParseQuery(req.QueryStr)
		}
	}
	if h.HasAuthority {
		req.Host = s[h.Authority.Start:h.Authority.End]
	}
	if len(h.Fields) > 0 {
		c.copyFields(req, s)
	}
	c.startBody(req)
	return req
}

// copyFields gives req the head's header fields, as strings of s.
func (c *conn) copyFields(req *Request, s string) {
	h := &c.rs.head
	n := len(h.Fields)
	// Capacity limited to the fields, so that an Add on this Header or on
	// a copy of it (WithContext) reallocates instead of writing into
	// storage another copy (or another request) sees.
	var fields []HeaderField
	switch {
	case !c.reuse:
		fields = c.headerFields(n)
	default:
		x := req.extension()
		if n > cap(x.fieldsStore) {
			x.fieldsStore = make([]HeaderField, max(n, 16))
		}
		fields = x.fieldsStore[:n:n]
	}
	for i, f := range h.Fields {
		fields[i] = HeaderField{Name: s[f.Name.Start:f.Name.End], Value: s[f.Value.Start:f.Value.End]}
	}
	req.Headers.fields = fields
}

// startBody sets up the connection's body decoder for req's body.
func (c *conn) startBody(req *Request) {
	h := &c.rs.head
	c.bodyGen++
	req.conn, req.gen = c, c.bodyGen
	c.rs.pattern = ""
	b := &c.rs.body
	*b = body{c: c, limit: c.srv.maxBodyBytes(), rate: c.srv.bodyRate()}
	switch {
	case h.Chunked:
		b.chunked = true
	case h.ContentLength > 0:
		b.remaining = h.ContentLength
	default:
		b.done = true
	}
	b.needContinue = h.Expect100 && !b.done
	req.Body = (*requestBody)(req)
}

// readProxyHeader reads the PROXY protocol header a trusted peer sends
// first (Server.ProxyProtocol) and takes the client's address from it. A
// header that does not parse, or does not come in time, closes the
// connection without an answer: what follows it cannot be trusted.
func (c *conn) readProxyHeader(max int, timeout time.Duration) readResult {
	for {
		h, n, err := proxyproto.Parse(c.r.buffered())
		if err == nil {
			c.r.consume(n)
			c.expectProxy = false
			c.useProxyHeader(&h)
			if !c.countProxyClient() {
				c.refuse(503, "too many connections from your address")
				return readClose
			}
			return readOK
		}
		if err != proxyproto.ErrIncomplete {
			c.refuseProxy(err)
			return readClose
		}
		if _, err := c.r.readMore(max, timeout); err != nil {
			if isTimeout(err) {
				c.refuseProxy(errProxyTimeout)
			}
			return readClose
		}
		timeout = 0
	}
}

var errProxyTimeout = errors.New("httpserver: PROXY protocol header not received in time")

// refuseProxy reports a connection closed for its PROXY header to the
// access log (status 0: nothing was sent).
func (c *conn) refuseProxy(err error) {
	c.rs.out.failure = err
	c.logAccess(nil, time.Time{})
}

// useProxyHeader makes h's source the connection's remote address, for a
// PROXY header over TCP or UDP (a LOCAL or UNKNOWN one, or a Unix
// source, leaves the peer's), and keeps h for Request.ProxyHeader.
func (c *conn) useProxyHeader(h *proxyproto.Header) {
	hc := *h
	c.proxy = &hc
	if src := h.Source; src.IsValid() {
		c.setRemote(net.TCPAddrFromAddrPort(src))
	}
}

// countProxyClient counts the connection toward MaxConnsPerIP under the
// client its PROXY header named (a trusted proxy's own connections are
// not counted: see startConn), and reports false when that client is
// at the limit. The count ends with the connection (untrack).
func (c *conn) countProxyClient() bool {
	s := c.srv
	if c.proxy == nil || !c.proxy.Source.IsValid() || s.maxConnsPerIP() <= 0 {
		return true
	}
	key, ok := clientKey(net.TCPAddrFromAddrPort(c.proxy.Source))
	if !ok {
		return true
	}
	if !s.addClientConn(key) {
		return false
	}
	c.perProxyIP = c.tracked
	return true
}
