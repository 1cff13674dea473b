package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/gohttpserver/httpserver/internal/forwarded"
	"github.com/gohttpserver/httpserver/proxyproto"
)

// A Request is one parsed HTTP request, as a Handler receives it.
//
// Every field except Body stays valid after the handler returns and may be
// kept or shared between goroutines once the handler no longer mutates it.
// Body is valid only until the handler returns. With Server.ReuseRequests
// the server reuses the Request itself for a later request, so neither it
// nor its Headers may be kept; the strings taken from it stay valid.
type Request struct {
	// Verb is the request method, such as "GET". It is a token as
	// defined by RFC 9110 §9.1 and is case-sensitive.
	Verb string

	// Path is the path of the request target as it appeared on the wire,
	// still percent-encoded, without the query. For an absolute-form target
	// ("GET http://host/p HTTP/1.1") it is the URL's path ("/p"); for the
	// authority form of CONNECT it is the authority; for "OPTIONS *" it is
	// "*".
	Path string

	// Target is the request-target exactly as it appeared on the request
	// line (net/http's RequestURI): "/p?q", "http://host/p", "host:443",
	// or "*".
	Target string

	// QueryStr is the raw query string, without the '?'; "" if the target
	// had none.
	QueryStr string

	// QueryDict is QueryStr parsed (see ParseQuery). It is nil when there is
	// no query; a nil Query reads as empty. It is also left nil (and
	// QueryErr with it) when nothing can read it: a Server whose Handler
	// is nethttp.FromHTTP's, which gives net/http handlers the raw query,
	// and that has no AccessLog. A malformed escape does not fail
	// the request: the well-formed pairs are present and QueryErr says what
	// was wrong.
	QueryDict Query

	// QueryErr is the error ParseQuery reported for QueryStr, or nil.
	QueryErr error

	// Version is the protocol version of the request: "0.9", "1.0" or "1.1".
	Version string

	// Headers holds the request's header fields in the order and case in
	// which they arrived. Lookups are case-insensitive.
	Headers Header

	// Host is the authority (host and optional port) the request is for:
	// the target's when it is in absolute-form ("GET http://a/") or is
	// CONNECT's host:port, whatever the Host header says (RFC 9112
	// §3.2.2: the header is then ignored, though still required on
	// HTTP/1.1 and checked); else the Host header ("" for an HTTP/1.0 or
	// 0.9 request without one).
	Host string

	// Body reads the decoded request body (the Content-Length bytes, or the
	// chunked body with its framing removed) as it arrives from the client;
	// nothing is buffered whole first. Body is never nil: a request without
	// a body has one that returns io.EOF at once. Reading past MaxBodyBytes
	// returns ErrBodyTooLarge. For a request that sent "Expect:
	// 100-continue" the server sends "100 Continue" on the first Read
	// (unless the response's head has gone already: then none is sent).
	// Body must not be used after the handler returns, except by the
	// response it returns: a Stream, or a Body reading from it, may read
	// it while the response goes out (full duplex). That is the
	// handler's choice: a client that sends its whole request before it
	// reads the answer stalls a response that outgrows the socket
	// buffers while the body is unread, until WriteTimeout; read the
	// body first unless the client is known to read as it sends.
	Body io.Reader

	// ListenerID identifies the listener the request arrived on: the id
	// RegisterCallback returned, or 0 for a Server not started through it.
	ListenerID ListenerID

	// RemoteIP and RemotePort are the peer's address ("" and 0 when the
	// connection is not TCP).
	RemoteIP   string
	RemotePort int

	// TLS is the state of the TLS connection the request came on, its
	// handshake complete (ServerName, NegotiatedProtocol, Version,
	// PeerCertificates, ...); nil when the connection is not a *tls.Conn
	// (plain TCP, or a listener that wraps TLS connections in a type of
	// its own). Every request on a connection shares one ConnectionState,
	// computed at the first: it must not be modified.
	TLS *tls.ConnectionState

	// ContentLength is the declared length of the body, or -1 when it is
	// not known in advance (chunked). It is 0 for a request without a body.
	ContentLength int64

	conn *conn   // the connection whose body state Body reads
	gen  uint64  // which of the connection's requests this is
	ext  *reqExt // what few requests need; nil until one does
}

// reqExt holds the parts of a Request that most requests never use, behind
// one pointer: a context of its own, the values of a Mux's wildcards, the
// field storage of a reused Request. Every Request is allocated (unless
// Server.ReuseRequests), and the allocation's bytes cost more than their
// count: fresh memory to fill, to sweep and to scan. Kept out of it, they
// make a Request 240 bytes instead of 288 (BenchmarkServeMinimalPipelined,
// docs/PERFORMANCE.md).
type reqExt struct {
	ctx context.Context // set by WithContext; else the connection's
	// pathValues are the wildcard values set by the Mux that matched; they
	// are in pvStore when they fit.
	pathValues []pathValue
	pvStore    [2]pathValue
	// fieldsStore is the storage for header fields kept with a reused
	// Request (Server.ReuseRequests); otherwise fields come from the
	// connection's fieldArena.
	fieldsStore []HeaderField
	// pattern is Pattern for a Request not read from a Server's
	// connection (for one that is, it is in the connection's reqState).
	pattern string
}

// extension returns r.ext, made on first use.
func (r *Request) extension() *reqExt {
	if r.ext == nil {
		r.ext = new(reqExt)
	}
	return r.ext
}

// reset clears x for the next request of a reused Request, keeping only
// the field storage.
func (x *reqExt) reset() {
	*x = reqExt{fieldsStore: x.fieldsStore}
}

// ownContext is the context WithContext set, or nil.
func (r *Request) ownContext() context.Context {
	if r.ext == nil {
		return nil
	}
	return r.ext.ctx
}

// Context returns the request's context. It is never nil. It is the
// context of the connection the request came on: canceled when that
// connection ends (after the last response on it, or when it fails), when
// the server is closed (Close, or Shutdown once its context ends), and
// when the client goes away while the request is served. It is not
// canceled between requests of a keep-alive connection: that would cost
// two allocations per request.
//
// A client that goes away while the handler runs or its response is
// written is noticed at once on Linux, for the connections whose socket
// the server sees: TCP and Unix connections as the net package's
// listeners accept them, and TLS over TCP (a *tls.Conn over a
// *net.TCPConn). It has gone when it closed or reset the connection, or
// when it half-closed it (shutdown(SHUT_WR)) with nothing sent after this
// request, as net/http takes it: a client that pipelines requests and
// then half-closes is answered, and only the last of them finds its
// context canceled. A half-close counts once the whole request has
// arrived, whether or not the handler has read its body; but one that
// finds part of the body not yet read from the socket cancels only once
// it has been (within a second), and not while the handler leaves it.
// Over TLS a FIN counts as gone unless a later request is already read,
// and a close_notify alone is not seen. For other connections (a Listener
// that wraps them, other systems) a client that disconnects is noticed on
// the next read of Body or write of the response, which then fail.
func (r *Request) Context() context.Context {
	if ctx := r.ownContext(); ctx != nil {
		return ctx
	}
	switch {
	case r.conn != nil:
		return r.conn.context()
	}
	return context.Background()
}

// WithContext returns a shallow copy of r with its context changed to ctx,
// which must not be nil.
func (r *Request) WithContext(ctx context.Context) *Request {
	if ctx == nil {
		panic("httpserver: nil context")
	}
	// The copy and its extension in one allocation. The wildcard values
	// are copied, since a Mux that dispatches r again writes r's; the
	// field storage stays r's (a reused Request's), which the copy's
	// Headers may share: their capacity ends at the fields.
	w := new(requestWithExt)
	w.r = *r
	w.r.ext = &w.x
	w.x.ctx = ctx
	if r.ext != nil {
		if len(r.ext.pathValues) > 0 {
			w.x.pathValues = append(w.x.pvStore[:0], r.ext.pathValues...)
		}
		w.x.pattern = r.ext.pattern
	}
	return &w.r
}

// requestWithExt is a Request and its extension, allocated together.
type requestWithExt struct {
	r Request
	x reqExt
}

// requestBody is what the server sets as a Request's Body: the Request
// itself, read through the connection's body state. Keeping that state in
// the connection, not the Request, keeps a Request within 512 bytes, which
// Go allocates markedly faster (measured: BenchmarkServeMinimalPipelined);
// the generation check makes a Body kept past its handler fail with
// ErrBodyClosed instead of reading a later request's body, as does a
// connection that holds no request state (parked, or closed).
type requestBody Request

func (rb *requestBody) Read(p []byte) (int, error) {
	r := (*Request)(rb)
	c := r.conn
	if c == nil || c.bodyGen != r.gen || c.rs == nil {
		return 0, ErrBodyClosed
	}
	return c.rs.body.Read(p)
}

// SetBodyLimit sets the most body bytes this request may carry, replacing
// Server.MaxBodyBytes for it (above or below it): 0 restores the server's,
// Unlimited (-1) sets none. It must be called before the first read of
// Body; after that it returns an error and changes nothing. A declared
// Content-Length over the limit fails that first read with
// ErrBodyTooLarge (and the client gets 413 without a 100 Continue), a
// chunked body as it grows past it. See BodyLimit for a Handler that sets
// it, on a Mux route for instance.
//
// On a Request not read from a Server's connection (one built for a test,
// or by nethttp.ToHTTP), Body is wrapped so that reading past n returns
// ErrBodyTooLarge; a later call replaces the limit (before the first
// read), and 0 restores the first limit set, which is the host's when it
// sets one (package h2 sets Server.MaxBodyBytes this way).
func (r *Request) SetBodyLimit(n int64) error {
	c := r.conn
	if c == nil {
		base := int64(0)
		if lb, ok := r.Body.(*limitedBody); ok {
			if lb.read {
				return errLimitTooLate
			}
			r.Body, base = lb.r, lb.base
		}
		if n == 0 {
			n = base
		}
		if base == 0 {
			base = n
		}
		if n > 0 && r.Body != nil {
			r.Body = &limitedBody{r: r.Body, left: n, limit: n, base: base}
		}
		return nil
	}
	if c.bodyGen != r.gen || c.rs == nil || c.rs.body.closed {
		return ErrBodyClosed
	}
	b := &c.rs.body
	if b.started {
		return errLimitTooLate
	}
	switch {
	case n == 0:
		n = c.srv.maxBodyBytes()
	case n < 0:
		n = -1
	}
	b.limit = n
	return nil
}

var errLimitTooLate = errors.New("httpserver: SetBodyLimit after the body was read")

// bodyLimit is the body limit in force for r (see bridge.BodyLimit), or
// -1 for none.
func (r *Request) bodyLimit() int64 {
	c := r.conn
	if c == nil {
		if lb, ok := r.Body.(*limitedBody); ok {
			return lb.limit
		}
		return -1
	}
	if c.bodyGen != r.gen || c.rs == nil {
		return c.srv.maxBodyBytes() // the body is gone; the server's default
	}
	return max(c.rs.body.limit, -1)
}

// limitedBody is a body of a Request without a connection, cut off at a
// limit (SetBodyLimit).
type limitedBody struct {
	r       io.Reader
	left    int64
	limit   int64 // the limit set
	base    int64 // the limit SetBodyLimit(0) restores
	read    bool  // Read was called: the limit can no longer change
	tripped bool  // the body went past the limit (bridge.BodyTooLarge)
}

func (l *limitedBody) Read(p []byte) (int, error) {
	l.read = true
	if l.left <= 0 {
		// One byte more tells a body at the limit from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.tripped = true
			return 0, ErrBodyTooLarge
		}
		return 0, err // io.EOF at the limit; nil, and the next Read tries again
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// Pattern returns the pattern of the Mux route that dispatched the
// request, as it was given to Mux.Route ("GET /items/{id}"), or "" if
// no Mux has matched it: a Mux that answers 404 or 405 itself sets
// nothing. With nested Muxes it is the innermost match's: an inner Mux
// that matches replaces the outer one's pattern, one that does not
// leaves it.
//
// For a Request read from a Server's connection the pattern belongs to
// the request, not to one copy of its Request: a Mux given a copy made
// by WithContext sets it for every copy, so the AccessLog entry's
// Request and a handler in front of the middleware that made the copy
// see it too (package metrics labels requests with it this way). It is
// valid while the request is served, its AccessLog call included. On
// other Requests (package h2's, nethttp.ToHTTP's, a test's) it is the
// copy's that the Mux was given. Package nethttp carries net/http's
// ServeMux patterns across (FromHTTP, ToHTTP): a ServeMux behind
// FromHTTP sets the pattern of the Request FromHTTP was given.
func (r *Request) Pattern() string {
	if c := r.conn; c != nil {
		if c.bodyGen != r.gen || c.rs == nil {
			return ""
		}
		return c.rs.pattern
	}
	if r.ext == nil {
		return ""
	}
	return r.ext.pattern
}

// setPattern records the Mux pattern that matched (see Pattern).
func (r *Request) setPattern(p string) {
	if c := r.conn; c != nil {
		if c.bodyGen == r.gen && c.rs != nil {
			c.rs.pattern = p
		}
		return
	}
	r.extension().pattern = p
}

// Trailer returns the request's trailer fields (RFC 9112 §7.1.2 for a
// chunked HTTP/1.1 body, RFC 9113 §8.1 for HTTP/2), in the order they
// arrived. They exist only once Body has returned io.EOF: before that,
// and for a request that has none, the Header is empty. The fields are
// never merged into Headers (RFC 9110 §6.5.1), and those that may not be
// sent as trailers (Content-Length, Host, Authorization, Content-Type
// and the rest that frame, route, authenticate or describe a message)
// are dropped: a sender must not put them there, so nothing that reads
// them from the trailer can be trusted.
//
// The returned Header is a new copy, never nil, the caller's to keep and
// change. Like Body, Trailer is for the handler while it runs (and a
// response that reads Body): afterwards it returns an empty Header. On a
// Request not read from a Server's connection the trailer is its Body's,
// if the Body has a method Trailer() Header (through SetBodyLimit's
// wrapping too): nethttp.ToHTTP's Body, and so package h2's, gives
// net/http's Request.Trailer once it has returned io.EOF; a test's
// Request can carry a trailer the same way. (Over HTTP/2 a trailer
// section arrives only if the request's Trailer field declared a name:
// x/net/http2 drops it otherwise.)
func (r *Request) Trailer() *Header {
	c := r.conn
	if c == nil {
		body := r.Body
		if lb, ok := body.(*limitedBody); ok {
			body = lb.r
		}
		if tb, ok := body.(interface{ Trailer() Header }); ok {
			t := tb.Trailer()
			return &Header{fields: slices.Clone(t.fields)}
		}
		return new(Header)
	}
	if c.bodyGen != r.gen || c.rs == nil {
		return new(Header)
	}
	return &Header{fields: slices.Clone(c.rs.body.trailer)}
}

// ShutdownNotice returns a channel that is closed when the server begins
// to shut down (Shutdown or Close): a long response (server-sent events,
// a long poll) can watch it and end cleanly, instead of holding Shutdown
// until its context ends. For a Request not read from a Server's
// connection it is nil, never closed, unless its host passed the
// server's notice on (package h2 does, for HTTP/2 requests).
func (r *Request) ShutdownNotice() <-chan struct{} {
	if r.conn == nil {
		if ctx := r.ownContext(); ctx != nil {
			if s, ok := ctx.Value(serverKey{}).(*Server); ok {
				return s.shutdownNotice()
			}
		}
		return nil
	}
	return r.conn.srv.shutdownNotice()
}

// LocalAddr returns the local address of the connection the request came
// on (the listener's side), or nil for a Request not read from a
// Server's connection.
func (r *Request) LocalAddr() net.Addr {
	if r.conn == nil {
		return nil
	}
	return r.conn.rwc.LocalAddr()
}

// RemoteAddr returns the peer's address as "ip:port" ("[ip]:port" for
// IPv6), as net/http's Request.RemoteAddr has it: made once per
// connection, so it costs a request nothing. It is "" when the connection
// is not TCP; for a Request not read from a Server's connection it is made
// from RemoteIP and RemotePort.
func (r *Request) RemoteAddr() string {
	if r.conn != nil {
		return r.conn.remoteAddr
	}
	if r.RemoteIP == "" {
		return ""
	}
	return net.JoinHostPort(r.RemoteIP, strconv.Itoa(r.RemotePort))
}

// serverKey is the context key under which a host other than the engine
// (package h2) passes the Server to the Requests it builds
// (bridge.WithServer), for its shutdown notice and trusted proxies.
type serverKey struct{}

// Client returns the address of the client the request is from: the
// peer's (RemoteIP and RemotePort: with Server.ProxyProtocol, the source
// its PROXY header named), unless that peer is one of
// Server.TrustedProxies, when it is the client the proxies name in their
// forwarding fields (see TrustedProxies), the port 0 when they name none.
// It decides on each call, without keeping anything: a request from a
// peer that is not trusted costs nothing; from a trusted one, the fields
// are read (an allocation or two).
func (r *Request) Client() (ip string, port int) {
	c, ok := r.resolveClient()
	if !ok {
		return r.RemoteIP, r.RemotePort
	}
	return c.Addr.Addr().String(), int(c.Addr.Port())
}

// Scheme returns the scheme the client used: "https" or "http", from the
// connection (TLS or not), unless the peer is one of
// Server.TrustedProxies and they say otherwise (X-Forwarded-Proto, or
// Forwarded's proto).
func (r *Request) Scheme() string {
	if c, ok := r.resolveClient(); ok {
		return c.Proto
	}
	if r.TLS != nil || (r.conn != nil && r.conn.isTLS()) {
		return "https"
	}
	return "http"
}

// resolveClient applies the server's trusted proxies to the request; ok
// is false when there are none, or the peer is not one of them.
func (r *Request) resolveClient() (forwarded.Client, bool) {
	c := r.conn
	if c == nil {
		return r.resolveHostedClient()
	}
	if c.srv.trust == nil {
		return forwarded.Client{}, false
	}
	// The peer is the one a PROXY header named, if any: the forwarding
	// fields are that peer's word, believed only if it is trusted too.
	var peer netip.AddrPort
	if c.proxy != nil && c.proxy.Source.IsValid() {
		peer = c.proxy.Source
	} else if ta, ok := c.rwc.RemoteAddr().(*net.TCPAddr); ok {
		peer = ta.AddrPort()
	}
	if !peer.IsValid() || !c.srv.trust.Contains(peer.Addr()) {
		return forwarded.Client{}, false
	}
	isTLS := r.TLS != nil || c.isTLS()
	return c.srv.trust.Resolve(peer, isTLS, &r.Headers), true
}

// ProxyHeader returns the PROXY protocol header the connection began
// with (Server.ProxyProtocol), TLVs included, or nil when there was none.
// It is shared by the connection's requests: do not modify it.
func (r *Request) ProxyHeader() *proxyproto.Header {
	if r.conn == nil {
		return nil
	}
	return r.conn.proxy
}

// resolveHostedClient is resolveClient for a Request another host built
// (package h2): the Server comes from its context, the peer from
// RemoteIP and RemotePort.
func (r *Request) resolveHostedClient() (forwarded.Client, bool) {
	ctx := r.ownContext()
	if ctx == nil {
		return forwarded.Client{}, false
	}
	s, ok := ctx.Value(serverKey{}).(*Server)
	if !ok || s.trust == nil {
		return forwarded.Client{}, false
	}
	ip, err := netip.ParseAddr(r.RemoteIP)
	if err != nil || !s.trust.Contains(ip) {
		return forwarded.Client{}, false
	}
	peer := netip.AddrPortFrom(ip, uint16(r.RemotePort))
	return s.trust.Resolve(peer, r.TLS != nil, &r.Headers), true
}
