package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/forwarded"
)

// Server serves HTTP/1.x on the listeners given to Serve.
//
// The zero value is a valid configuration: it answers every request with
// 404 Not Found and applies the default limits and timeouts documented on
// each field. A zero limit always means the default, never "no limit";
// where no limit is allowed the field says which value means it (Unlimited).
//
// A Server must not be copied after first use, and its fields must not be
// changed once Serve has been called.
type Server struct {
	// Handler answers requests. nil answers 404 to everything.
	Handler Handler

	// Addr is the TCP address ListenAndServe and ListenAndServeTLS listen
	// on; "" means ":8000" for ListenAndServe and ":8443" for
	// ListenAndServeTLS: unprivileged ports, which any user may bind,
	// where net/http's ":http" and ":https" (80, 443) need root.
	Addr string

	// TLSConfig, if non-nil, is the TLS configuration of ServeTLS and
	// ListenAndServeTLS; Serve and ListenAndServe ignore it (to serve TLS
	// through Serve, give it a tls.NewListener). Each ServeTLS call clones
	// it when it starts and uses the clone: changes made to it afterwards,
	// SetSessionTicketKeys among them, do not reach the connections (as
	// with net/http, use Serve with a tls.NewListener of your own for
	// that). The field itself is never modified. In the clone:
	//
	//   - NextProtos (ALPN) gets the protocols of TLSNextProto that it
	//     lacks, ahead of the others ("h2" first), and "http/1.1" at the
	//     end if it lacks it; it loses "h2" when TLSNextProto has no
	//     handler for it, since a client offered h2 would use it and get
	//     nothing it understands (an empty NextProtos, without
	//     TLSNextProto, becomes ["http/1.1"]);
	//   - the certificate files given to ServeTLS, if any, are loaded and
	//     replace Certificates.
	//
	// nil means a zero tls.Config, which needs the certificate files.
	TLSConfig *tls.Config

	// TLSNextProto maps ALPN protocol names to the ConnHandler that serves
	// a TLS connection which negotiated one of them, instead of HTTP/1, as
	// net/http's field of that name does: package h2 installs "h2" here.
	// ServeTLS and ListenAndServeTLS offer these protocols in ALPN (see
	// TLSConfig); a connection from a tls.NewListener given to Serve
	// negotiates what that listener's configuration offers. nil or empty
	// (the default): HTTP/1 only.
	TLSNextProto map[string]ConnHandler

	// H2C, if non-nil, serves cleartext connections that open with the
	// HTTP/2 connection preface (prior knowledge, RFC 9113 §3.3): the
	// server looks for the preface in the first bytes of every new
	// connection, before the HTTP/1 parser, and hands such a connection to
	// H2C with the bytes read so far. nil (the default): the preface is an
	// HTTP/1 request with an unsupported version, answered 505. Package h2
	// sets it when asked to serve h2c; "Upgrade: h2c" is a request, which
	// h2's handler answers.
	H2C ConnHandler

	// ReadHeaderTimeout bounds the time from the first byte of a request
	// to the end of its head. A client that is slower gets 408 Request
	// Timeout and the connection is closed (slowloris). It also bounds a
	// TLS connection's handshake, as net/http's does (or IdleTimeout, if
	// that is shorter). Default 10s.
	ReadHeaderTimeout time.Duration

	// IdleTimeout bounds the wait for the first byte of the next request
	// on a keep-alive connection (and of the first request on a new
	// connection); when it expires the connection is closed silently.
	// Default 60s.
	//
	// Precision, for every timeout here: a timeout never fires early. It
	// may fire late, by up to a sixteenth of itself plus 10ms (the server
	// re-arms deadlines only when they have drifted that far, which saves
	// a system call per request); a parked connection's IdleTimeout, by up
	// to a sixteenth, at least 10ms and at most 1s (the sweep's interval).
	IdleTimeout time.Duration

	// ReadTimeout is the progress timeout for request bodies: each read
	// from the client while the handler reads the body must deliver data
	// within it, so a slow but moving upload is served and a stalled one
	// is cut off (its Body read fails and the connection is closed).
	// Default 30s.
	ReadTimeout time.Duration

	// MinBodyRate is the minimum data rate for request bodies, in bytes
	// per second: once BodyRateGrace has passed, a body whose average rate
	// over the time the server waited for it falls below this is cut off
	// (its Body read fails with ErrBodyTooSlow, the client gets 408 and the
	// connection is closed). Only time spent waiting for the client
	// counts, not time the handler spends between reads. ReadTimeout
	// alone would let a body dribbled a byte at a time hold its handler
	// forever. Default 240 (ASP.NET Core Kestrel's), which a phone on a
	// bad link easily exceeds; Unlimited (-1) for none.
	MinBodyRate int64

	// BodyRateGrace is how long a body may wait before MinBodyRate
	// applies (a slow start, TCP's slow start). Default 5s.
	BodyRateGrace time.Duration

	// WriteTimeout is the progress timeout for responses: each write of at
	// most WriteBufferSize bytes to the client must complete within it.
	// A client that stops reading is disconnected; a slow reader that
	// keeps reading is not. Default 30s.
	WriteTimeout time.Duration

	// MaxRequestLineBytes bounds the request line; longer lines get 414
	// URI Too Long (a method longer than 32 bytes gets 501 Not
	// Implemented as soon as it is seen). Default 8 KiB.
	MaxRequestLineBytes int

	// MaxHeaderBytes bounds the request head (request line and header
	// fields); larger heads get 431. Default 16 KiB.
	MaxHeaderBytes int

	// MaxHeaderCount bounds the number of header field lines; more get
	// 431. Default 100.
	MaxHeaderCount int

	// MaxBodyBytes bounds a request body; a handler may set another
	// limit for its own request before reading it (Request.SetBodyLimit,
	// BodyLimit). A request whose Content-Length exceeds it fails the
	// first read of Body with ErrBodyTooLarge (no 100 Continue is sent); a
	// chunked body that grows past it does so as it does. Either way the
	// client gets 413 and the connection closes; a handler that does not
	// read the body answers as it likes, and the connection closes.
	// Default 1 MiB (nginx's client_max_body_size); Unlimited (-1) for
	// none.
	MaxBodyBytes int64

	// MaxConns bounds concurrent connections, counted across every
	// listener the server serves. When it is reached the server stops
	// accepting: new connections wait in the kernel's listen backlog (one
	// per listener may wait accepted) until one closes. Default 10,000;
	// Unlimited (-1) for none.
	MaxConns int

	// MaxConnsPerIP bounds concurrent connections from one client: one
	// IPv4 address, or one IPv6 /64 network (a client is usually given at
	// least a /64, so rotating through its own addresses does not help).
	// A connection beyond it is answered at once, without reading a
	// request, with 503 Service Unavailable and "Connection: close", and
	// closed; the refusal keeps its MaxConns slot for at most half a
	// second after the 503 is written (the lingering close that lets the
	// client read it). Default 1000, a tenth of the default MaxConns, so
	// that one host cannot take every slot; Unlimited (-1) for none.
	// Behind a reverse proxy every connection comes from the proxy's
	// address: list the proxy in TrustedProxies, whose connections are
	// not counted (or raise the limit above the proxy's connection pool);
	// with ProxyProtocol too, each is counted under the client its PROXY
	// header names, and one over the limit gets the 503 after its header.
	// Connections without an IP address (Unix sockets) are not counted.
	MaxConnsPerIP int

	// MaxRequestsPerConn bounds requests on one connection; the last one
	// is answered with "Connection: close". Default 1000 (nginx's
	// keepalive_requests); Unlimited (-1) for none.
	MaxRequestsPerConn int

	// WriteBufferSize is a connection's write window: the most response
	// bytes the server holds for one connection at a time, beyond what
	// the kernel's socket buffer holds. A handler producing faster than
	// the client reads blocks in its write until the client catches up.
	// It is also how much of a body of unknown length is buffered to find
	// its length. Default 16 KiB.
	WriteBufferSize int

	// MaxDrainBytes bounds how much of a request body the handler did not
	// read is read and discarded after the response so that the connection
	// can be kept alive; a longer remainder closes the connection.
	// Default 256 KiB.
	MaxDrainBytes int64

	// ReuseRequests lets the server reuse a Request, with its Headers
	// storage, for a later request once the response to it has ended: the
	// handler has returned, and so have the Stream function, if any, and
	// AccessLog. With it, a handler (or AccessLog) must not keep the
	// *Request, its Headers or its Body, nor use them from a goroutine
	// that outlives it: they would change under it, to another client's
	// request. Strings taken from a Request (Path, header values, ...)
	// stay valid either way: they are immutable copies.
	//
	// Off by default, so that a Request belongs to whoever keeps it, as
	// with net/http. On, a handler that allocates nothing costs no
	// allocation per request (see docs/PERFORMANCE.md): choose it only
	// for handlers known not to keep their Request.
	ReuseRequests bool

	// Drain is how long Shutdown goes on serving before it stops: the
	// listeners go on accepting and every request is answered, each with
	// "Connection: close", while Ready reports false (ReadyHandler says
	// 503); only then are the listeners closed, the idle connections
	// closed, and the requests in flight waited for. A load balancer
	// that sends a request on a kept-alive connection, or opens a new
	// one, in the time it takes to notice the server is going gets an
	// answer instead of a reset or a refusal (by default HAProxy retries
	// a refused connect on the same server, nginx on the next one, and
	// neither a request sent on a connection that closes under it). Make it as
	// long as the balancer takes to mark the server down (its health
	// check's interval times its fall count; for a Kubernetes Service,
	// the seconds the endpoints take to go). The drain ends early when
	// Shutdown's context ends, and when no listener and no connection is
	// left (a listener closed by its owner during the drain, as a
	// restart in place that hands the socket over does, counts as left).
	// Default 0: the listeners and the idle connections are closed at
	// once.
	//
	// Why the listeners stay open (no RFC decides it; this is the safe
	// choice): keeping them open costs a stopping server nothing, where
	// closing them at once refuses (or, for connections the kernel had
	// accepted that Serve had not taken yet, resets) the connections a
	// balancer opens before it has seen the server go; docs/SCALING.md
	// has the measurements behind HAProxy.
	Drain time.Duration

	// TrustedProxies are the networks of the reverse proxies and load
	// balancers in front of the server, whose forwarding fields are
	// believed: from a peer in one of them, Request.Client and
	// Request.Scheme report the client and the scheme the proxies say
	// (X-Forwarded-For and X-Forwarded-Proto, or Forwarded with
	// UseForwarded), read right to left, skipping the trusted hops. From
	// any other peer those fields are ignored, however they are spelled:
	// a client cannot make itself look like another. Connections from
	// these networks are not counted toward MaxConnsPerIP (the proxy
	// carries many clients; MaxConns still applies). RemoteIP and
	// RemotePort stay the peer's. Default none.
	TrustedProxies []netip.Prefix

	// ProxyProtocol makes the server expect a PROXY protocol header (v1
	// or v2: HAProxy's send-proxy and send-proxy-v2, the clouds' network
	// load balancers, Envoy) as the first bytes of every connection from
	// TrustedProxies, and take the client's address from it: RemoteIP,
	// RemotePort and RemoteAddr are the header's source (for a PROXY
	// header over TCP; a LOCAL or UNKNOWN one keeps the peer's), and
	// Request.ProxyHeader gives the header, TLVs included. A trusted
	// connection whose header is malformed, or has not come within
	// ReadHeaderTimeout, is closed without an answer, as the protocol
	// asks. Connections from other peers are never parsed for one (a
	// client cannot claim another's address): a header they send is
	// refused as a malformed request. A connection parks while it waits
	// for the header, as for a request. With ServeTLS the header comes
	// before the TLS handshake, and is read, under the handshake's
	// deadline, before it. A tls.NewListener of your own given to Serve
	// gets no PROXY parsing: wrap its inner listener yourself. Default
	// off.
	ProxyProtocol bool

	// UseForwarded makes the server read the Forwarded field (RFC 7239)
	// from TrustedProxies instead of X-Forwarded-For, -Proto and -Host:
	// set it only when the proxies set Forwarded. One source is read,
	// chosen here, never by which fields a request carries, since a proxy
	// that sets one usually passes a client's forged other one through.
	UseForwarded bool

	// ErrorLog receives handler faults (panics, invalid responses) and
	// errors accepting connections. nil uses slog.Default().
	ErrorLog *slog.Logger

	// AccessLog, if non-nil, is called once per request after its
	// response has ended (completely or not), on the connection's
	// goroutine, so it should be quick. Requests refused before their head
	// could be parsed are reported too, with a nil Request. The entry's
	// Request must not be read for its Body.
	AccessLog func(AccessEntry)

	// BaseContext, if non-nil, gives the parent of every request's context
	// for connections accepted on l. By default it is context.Background().
	BaseContext func(l net.Listener) context.Context

	listenerID ListenerID // set by RegisterCallback

	// noQueryDict: nothing reads Request.QueryDict (the Handler is
	// nethttp.FromHTTP's, and there is no AccessLog), so it is not
	// parsed: three allocations less for a request with a query. Set
	// once by init.
	noQueryDict bool

	// npoll, if positive, is how many pollers to make instead of one
	// per P (pollerCount); for tests.
	npoll int
	// handshakeTimeout, if positive, bounds TLS handshakes instead of
	// ReadHeaderTimeout and IdleTimeout (conn.handshake); for tests
	// whose short timeouts are about requests, not handshakes.
	handshakeTimeout time.Duration

	wbufPool sync.Pool // write windows (*[]byte of WriteBufferSize)

	// connSem holds a token per open connection, across all listeners
	// (MaxConns); nil when unlimited. Set once by init.
	connSem chan struct{}

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	polls     pollerSet            // park idle connections; empty when unavailable
	perIP     map[netip.Prefix]int // connections per client (MaxConnsPerIP)
	connWG    sync.WaitGroup
	shutting  atomic.Bool
	// draining: Shutdown's Drain is under way: the listeners accept and
	// connections still take requests (conn.setIdle). Set before
	// shutting, cleared (under mu) before the listeners and the idle
	// connections are closed.
	draining atomic.Bool
	// drainEmpty, made by Shutdown under mu when it drains, is closed
	// (under mu, by emptyDrainLocked) once no listener and no connection
	// is left during the drain.
	drainEmpty chan struct{}
	// ctx is canceled by Close (and so by a Shutdown whose context ends
	// first, or once Shutdown has finished); every request's context
	// descends from it.
	ctx    context.Context
	cancel context.CancelFunc

	// trust is TrustedProxies and UseForwarded, copied by init; nil
	// when there are no trusted proxies.
	trust *forwarded.Trusted

	// drainTimer, if set (by tests), replaces time.After for Drain.
	drainTimer func(time.Duration) <-chan time.Time

	// notice is closed when Shutdown or Close begins
	// (Request.ShutdownNotice); onShutdown are the functions
	// RegisterOnShutdown gave. Both guarded by mu.
	notice     chan struct{}
	noticed    bool
	onShutdown []func()
}

// Unlimited, given to a limit field that allows it, switches the limit off.
const Unlimited = -1

// Defaults for the Server fields.
const (
	DefaultReadHeaderTimeout  = 10 * time.Second
	DefaultIdleTimeout        = 60 * time.Second
	DefaultReadTimeout        = 30 * time.Second
	DefaultWriteTimeout       = 30 * time.Second
	DefaultMaxRequestLine     = 8 << 10
	DefaultMaxHeaderBytes     = 16 << 10
	DefaultMaxHeaderCount     = 100
	DefaultMaxBodyBytes       = 1 << 20
	DefaultMaxConns           = 10000
	DefaultMaxConnsPerIP      = 1000
	DefaultMaxRequestsPerConn = 1000
	DefaultWriteBufferSize    = 16 << 10
	DefaultMaxDrainBytes      = 256 << 10
	DefaultMinBodyRate        = 240
	DefaultBodyRateGrace      = 5 * time.Second
)

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Server) readHeaderTimeout() time.Duration {
	return durationOr(s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
}
func (s *Server) idleTimeout() time.Duration  { return durationOr(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Server) readTimeout() time.Duration  { return durationOr(s.ReadTimeout, DefaultReadTimeout) }
func (s *Server) writeTimeout() time.Duration { return durationOr(s.WriteTimeout, DefaultWriteTimeout) }

func intOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (s *Server) maxRequestLine() int { return intOr(s.MaxRequestLineBytes, DefaultMaxRequestLine) }
func (s *Server) maxHeaderBytes() int { return intOr(s.MaxHeaderBytes, DefaultMaxHeaderBytes) }
func (s *Server) maxHeaderCount() int { return intOr(s.MaxHeaderCount, DefaultMaxHeaderCount) }
func (s *Server) maxConns() int       { return intOr(s.MaxConns, DefaultMaxConns) }
func (s *Server) maxConnsPerIP() int  { return intOr(s.MaxConnsPerIP, DefaultMaxConnsPerIP) }
func (s *Server) maxRequestsPerConn() int {
	return intOr(s.MaxRequestsPerConn, DefaultMaxRequestsPerConn)
}

func (s *Server) writeBufferSize() int {
	n := intOr(s.WriteBufferSize, DefaultWriteBufferSize)
	if n < 512 {
		n = 512 // room for any response head we write ourselves
	}
	return n
}

func (s *Server) maxBodyBytes() int64 {
	if s.MaxBodyBytes == 0 {
		return DefaultMaxBodyBytes
	}
	return s.MaxBodyBytes
}

func (s *Server) bodyRate() bodyRate {
	if s.MinBodyRate < 0 {
		return bodyRate{}
	}
	r := bodyRate{min: s.MinBodyRate, grace: durationOr(s.BodyRateGrace, DefaultBodyRateGrace)}
	if r.min == 0 {
		r.min = DefaultMinBodyRate
	}
	return r
}

func (s *Server) maxDrainBytes() int64 {
	if s.MaxDrainBytes <= 0 {
		return DefaultMaxDrainBytes
	}
	return s.MaxDrainBytes
}

func (s *Server) logger() *slog.Logger {
	if s.ErrorLog != nil {
		return s.ErrorLog
	}
	return slog.Default()
}

func (s *Server) handler() Handler {
	if s.Handler == nil {
		return notFoundHandler
	}
	return s.Handler
}

var notFoundHandler = HandlerFunc(func(*Request) *Response {
	return &Response{StatusCode: 404, Message: "Not Found\n"}
})

func (s *Server) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.listeners = make(map[*net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
		s.perIP = make(map[netip.Prefix]int)
		s.notice = make(chan struct{})
		if n := s.maxConns(); n > 0 {
			s.connSem = make(chan struct{}, n)
		}
		if len(s.TrustedProxies) > 0 {
			s.trust = &forwarded.Trusted{Prefixes: slices.Clone(s.TrustedProxies), UseForwarded: s.UseForwarded}
		}
		_, noQuery := s.Handler.(bridge.NoQueryDict)
		s.noQueryDict = noQuery && s.AccessLog == nil
	}
}

// The addresses ListenAndServe and ListenAndServeTLS listen on when
// Server.Addr is empty. They are unprivileged ports, where net/http uses
// ":http" and ":https" (80 and 443, which need root or, on Linux,
// CAP_NET_BIND_SERVICE): a server this library starts is often a program
// run by an ordinary user, as "python -m http.server" serves on 8000.
// 8443 is to 443 what 8080 is to 80, the customary unprivileged HTTPS
// port (Tomcat's and Jetty's default for HTTPS).
const (
	defaultAddr    = ":8000"
	defaultTLSAddr = ":8443"
)

// listenAddr is Addr, or def when it is empty.
func (s *Server) listenAddr(def string) string {
	if s.Addr == "" {
		return def
	}
	return s.Addr
}

// ListenAndServe listens on s.Addr (":8000" if empty) and serves until
// Shutdown or Close, when it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	if s.shutting.Load() {
		return ErrServerClosed
	}
	l, err := net.Listen("tcp", s.listenAddr(defaultAddr))
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l and serves each on its own goroutine
// until Shutdown or Close, when it returns ErrServerClosed; any other
// error from Accept that is not temporary is returned as is. Serve closes
// l before it returns. Serve may be called for several listeners at once.
//
// Accept errors such as running out of file descriptors (EMFILE, ENFILE)
// are logged and retried after a pause that doubles up to one second,
// instead of spinning or returning.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	if !s.trackListener(&l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	defer l.Close()
	clockStart()
	defer clockStop()

	base := s.ctx
	if s.BaseContext != nil {
		base = s.BaseContext(l)
	}
	// MaxConns is per Server, so the slots are shared by every Serve call.
	// A slot is taken after Accept, not before: a loop that held a slot
	// while blocked in Accept on a quiet listener would starve the others.
	// So when the server is full, each listener holds at most one accepted
	// connection waiting for a slot, and the rest wait in the backlog.
	sem := s.connSem
	var backoff time.Duration
	for {
		rw, err := l.Accept()
		if err == nil && sem != nil {
			select {
			case sem <- struct{}{}:
			case <-s.ctx.Done():
				rw.Close()
				return ErrServerClosed
			}
		}
		if err != nil {
			// Closed by Shutdown or Close, or, during a Drain, by its
			// owner: either way this listener is done.
			if s.closingListeners() || s.shutting.Load() && errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			if isTemporary(err) {
				if backoff == 0 {
					backoff = 5 * time.Millisecond
				} else if backoff *= 2; backoff > time.Second {
					backoff = time.Second
				}
				s.logger().Error("httpserver: accept error; retrying", "err", err, "delay", backoff)
				t := time.NewTimer(backoff)
				select {
				case <-t.C:
				case <-s.ctx.Done():
					t.Stop()
					return ErrServerClosed
				}
				continue
			}
			return err
		}
		backoff = 0
		if !s.startConn(rw, base, sem) {
			return ErrServerClosed
		}
	}
}

// startConn starts serving an accepted connection, which holds a MaxConns
// slot (sem), or refuses it over MaxConnsPerIP. It reports false, having
// closed rw and given back its slot, if the server is shutting down.
func (s *Server) startConn(rw net.Conn, base context.Context, sem chan struct{}) bool {
	client, counted := clientKey(rw.RemoteAddr())
	counted = counted && s.maxConnsPerIP() > 0 && !s.trustedPeer(rw.RemoteAddr())
	if counted && !s.addClientConn(client) {
		return s.refuseBusy(rw, sem)
	}
	c := newConn(s, rw, base)
	c.perIP, c.slot = counted, sem != nil
	if !s.trackConn(c, true) {
		rw.Close()
		c.releaseSlots()
		return false
	}
	c.tracked = true
	c.start()
	return true
}

// isTemporary reports accept errors worth retrying: resource exhaustion
// and aborted handshakes, which net reports as timeouts or with
// Temporary() (deprecated, but still the only signal for EMFILE).
func isTemporary(err error) bool {
	var te interface{ Temporary() bool }
	if errors.As(err, &te) && te.Temporary() {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// clientKey is what MaxConnsPerIP counts connections by: the client's
// IPv4 address, or the /64 network of its IPv6 address (IPv4-mapped IPv6
// addresses count as IPv4). ok is false when the peer has no IP address.
func clientKey(a net.Addr) (key netip.Prefix, ok bool) {
	ta, isTCP := a.(*net.TCPAddr)
	if !isTCP {
		return netip.Prefix{}, false
	}
	ip, valid := netip.AddrFromSlice(ta.IP)
	if !valid {
		return netip.Prefix{}, false
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	key, err := ip.Prefix(bits)
	return key, err == nil
}

// addClientConn counts a new connection from client, unless client is at
// MaxConnsPerIP already.
func (s *Server) addClientConn(client netip.Prefix) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[client] >= s.maxConnsPerIP() {
		return false
	}
	s.perIP[client]++
	return true
}

func (s *Server) removeClientConn(client netip.Prefix) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[client]--; s.perIP[client] <= 0 {
		delete(s.perIP, client)
	}
}

// refuseBusy answers rw with 503 and closes it, on a goroutine of its own
// that keeps rw's MaxConns slot (sem) until it is done and that Shutdown
// waits for like a connection (Close does not interrupt it; it is short).
// The 503 (which says nothing about the limit's value) goes out under
// WriteTimeout; then the connection lingers (see lingerClose) for at most lingerTimeout and MaxDrainBytes, so that a
// request the client already sent does not turn our answer into a reset.
// It reports false, having closed rw, if the server is shutting down.
func (s *Server) refuseBusy(rw net.Conn, sem chan struct{}) bool {
	s.mu.Lock()
	if s.closingListeners() {
		s.mu.Unlock()
		rw.Close()
		if sem != nil {
			<-sem
		}
		return false
	}
	s.connWG.Add(1) // under mu, like trackConn: never after Shutdown's Wait began
	s.mu.Unlock()
	go func() {
		defer func() {
			rw.Close()
			if sem != nil {
				<-sem
			}
			s.connWG.Done()
		}()
		msg, body := errorAnswer(make([]byte, 0, 256), 503, "too many connections from your address", false)
		rw.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
		if _, err := rw.Write(append(msg, body...)); err != nil {
			return
		}
		lingerClose(rw, nil, s.maxDrainBytes())
	}()
	return true
}

func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.shutting.Load() {
			return false
		}
		s.listeners[l] = struct{}{}
		// Without a poller (an error, or not Linux) connections wait
		// between requests in an ordinary read.
		s.polls.startLocked(s)
		return true
	}
	delete(s.listeners, l)
	s.stopPollerIfUnusedLocked()
	s.emptyDrainLocked()
	return true
}

// emptyDrainLocked ends a Drain under way once no listener and no
// connection is left: nothing can bring a request to answer.
func (s *Server) emptyDrainLocked() {
	if s.drainEmpty != nil && len(s.listeners) == 0 && len(s.conns) == 0 {
		close(s.drainEmpty)
		s.drainEmpty = nil
	}
}

// stopPollerIfUnusedLocked stops the pollers once no listener can add a
// connection and no connection is left: nothing can park or be woken.
func (s *Server) stopPollerIfUnusedLocked() {
	if s.polls.running() && len(s.listeners) == 0 && len(s.conns) == 0 {
		s.polls.stopLocked()
	}
}

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		// A connection accepted during a Drain is served, with
		// "Connection: close"; one accepted as the listeners close is
		// closed unserved. (Shutdown's Wait on connWG begins after the
		// drain, under mu: every Add here comes before it.)
		if s.closingListeners() {
			return false
		}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		if c.r.raw != nil {
			c.pk.poll = s.polls.pickLocked() // its poller for life (pollset.go)
			c.r.wouldBlock = c.pk.poll != nil
		}
		return true
	}
	delete(s.conns, c)
	s.stopPollerIfUnusedLocked()
	s.emptyDrainLocked()
	s.connWG.Done()
	return true
}

// Shutdown stops the server gracefully: it closes the shutdown notice
// (Request.ShutdownNotice) and calls the RegisterOnShutdown functions;
// lets Drain pass, if set, still accepting connections and answering
// every request with "Connection: close"; then closes the listeners and
// every connection that is idle (between requests), and waits for the
// others to finish the request they are serving; those answer with
// "Connection: close" and then close. If ctx ends first, Shutdown closes
// the remaining connections at once (as Close) and returns ctx.Err().
// After Shutdown, Serve and ListenAndServe return ErrServerClosed.
//
// Serve returns once Shutdown closes the listeners (as soon as it
// begins without a Drain, at the Drain's end with one), while responses
// are still being written: a program must wait for Shutdown itself to
// return before it leaves main, or those responses are cut off.
// Connections taken over with StreamWriter.Hijack are not waited for
// (RegisterOnShutdown can tell them); those served by a ConnHandler
// (TLSNextProto, H2C, StreamWriter.HandOff) are: Shutdown waits for the
// handler to return, and RegisterOnShutdown or Request.ShutdownNotice
// tells it when to wind its protocol down (HTTP/2's GOAWAY, WebSocket's
// close).
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	var drained <-chan struct{}
	s.mu.Lock()
	if s.Drain > 0 && !s.shutting.Load() {
		s.draining.Store(true)
		ch := make(chan struct{})
		s.drainEmpty, drained = ch, ch
	}
	s.shutting.Store(true)
	s.emptyDrainLocked() // nothing to drain: no Serve, no connection
	s.mu.Unlock()
	s.announceShutdown()

	if drained != nil {
		after := time.After
		if s.drainTimer != nil {
			after = s.drainTimer
		}
		select {
		case <-after(s.Drain):
		case <-drained:
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		}
	}
	s.mu.Lock()
	s.endDrainLocked()
	s.closeListenersLocked()
	for c := range s.conns {
		c.closeIfIdle()
	}
	s.mu.Unlock()
	// No connWG.Add from here on: trackConn and refuseBusy refuse every
	// connection now (closingListeners).
	finished := make(chan struct{})
	go func() {
		s.connWG.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		s.cancel()
		return nil
	case <-ctx.Done():
		// As Close: do not wait for handlers that ignore their
		// canceled context; their connections are closed already.
		s.Close()
		return ctx.Err()
	}
}

// endDrainLocked ends the Drain, if one is under way: from now on the
// listeners are to close and idle connections with them.
func (s *Server) endDrainLocked() {
	s.draining.Store(false)
	if s.drainEmpty != nil {
		close(s.drainEmpty) // a Shutdown waiting for the Drain goes on
		s.drainEmpty = nil
	}
}

// closingListeners reports whether the server takes no new connection:
// it is shutting down, and past its Drain. Connections between requests
// close then too (closingIdle).
func (s *Server) closingListeners() bool { return s.shutting.Load() && !s.draining.Load() }

// closingIdle reports whether connections between requests are to close:
// the server is shutting down, and past its Drain.
func (s *Server) closingIdle() bool { return s.closingListeners() }

// Ready reports whether the server is taking new work: true until
// Shutdown or Close begins, false from then on (through Drain, too). A
// readiness probe can answer with it: ReadyHandler does.
func (s *Server) Ready() bool { return !s.shutting.Load() }

// ReadyHandler returns a Handler for a readiness probe (Kubernetes'
// readinessProbe, a load balancer's health check): 200 "ready" while the
// server is Ready, 503 "draining" with "Connection: close" once Shutdown
// has begun, so that the balancer stops sending before the connections
// close.
func (s *Server) ReadyHandler() Handler {
	return HandlerFunc(func(req *Request) *Response {
		if s.Ready() {
			resp := &Response{StatusCode: 200, Message: "ready\n"}
			resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
			resp.Headers.Set("Cache-Control", "no-store")
			return resp
		}
		resp := &Response{StatusCode: 503, Message: "draining\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		resp.Headers.Set("Cache-Control", "no-store")
		resp.Headers.Set("Connection", "close")
		return resp
	})
}

// Close closes the listeners and every connection at once, interrupting
// requests in flight, and cancels their contexts. It does not wait for
// handlers to return; a handler that ignores its context and neither reads
// nor writes keeps running until it returns on its own.
func (s *Server) Close() error {
	s.init()
	s.mu.Lock()
	s.endDrainLocked()
	s.shutting.Store(true)
	s.mu.Unlock()
	s.announceShutdown()
	s.cancel()
	s.mu.Lock()
	s.closeListenersLocked()
	for c := range s.conns {
		c.rwc.Close()
		c.wakeToClose() // a parked connection has no goroutine to notice
	}
	s.mu.Unlock()
	return nil
}

// RegisterOnShutdown registers f to be called, on a goroutine of its
// own, when Shutdown or Close begins, as net/http's does: to tell
// connections taken over with Hijack (WebSocket, say) that the server is
// going away. Request.ShutdownNotice is the same signal as a channel.
func (s *Server) RegisterOnShutdown(f func()) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onShutdown = append(s.onShutdown, f)
}

// announceShutdown closes the shutdown notice and starts the
// RegisterOnShutdown functions, once.
func (s *Server) announceShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noticed {
		return
	}
	s.noticed = true
	close(s.notice)
	for _, f := range s.onShutdown {
		go f()
	}
}

// shutdownNotice is Request.ShutdownNotice's channel.
func (s *Server) shutdownNotice() <-chan struct{} { return s.notice }

func (s *Server) closeListenersLocked() {
	for l := range s.listeners {
		(*l).Close()
	}
}

// AccessEntry describes one answered request, for Server.AccessLog.
type AccessEntry struct {
	// Request is the request answered; nil when the server refused bytes
	// that did not parse as a request head (Status says how).
	Request    *Request
	RemoteIP   string
	RemotePort int
	// Status is the status sent (0 if the connection failed before
	// anything could be sent).
	Status int
	// Bytes counts the body bytes sent, framing excluded.
	Bytes int64
	// BytesIn counts the bytes received for the request: its head, and
	// the body bytes read (decoded: chunk framing excluded), by the
	// handler or by the server before the entry is made. For HTTP/2
	// (package h2) the head counts as its header list size (RFC 9113
	// section 6.5.2: each field's name and value plus 32 octets), as the
	// HPACK-coded size is not known.
	BytesIn int64
	// Duration runs from the parsed head to the end of the response; 0
	// for a request refused before its head was parsed.
	Duration time.Duration
	// Err is why the response did not complete normally (a write error,
	// a failing body, a truncated stream), or nil.
	Err error
}

// Stats is a snapshot of a Server's connections, for metrics: see
// Server.Stats.
type Stats struct {
	// Conns counts the connections the server has open and counts toward
	// MaxConns: every one below, and those between states.
	Conns int
	// Idle counts connections waiting for a request with a goroutine
	// (the first request of a new connection included), Parked those
	// waiting without one, in the poller (Linux).
	Idle, Parked int
	// Active counts connections reading a request head, running a
	// handler, writing a response or draining a request body.
	Active int
	// TakenOver counts connections served by a ConnHandler (HTTP/2,
	// WebSocket through StreamWriter.HandOff).
	TakenOver int
	// Listeners counts the listeners being served: accepting, through
	// Shutdown's Drain too, none once the listeners close (Close, or
	// Shutdown without a Drain or past it).
	Listeners int
	// Ready is Server.Ready: false once Shutdown or Close has begun.
	Ready bool
}

// Stats returns a snapshot of the server's connections. It walks them
// under the server's lock, so it costs in proportion to their number:
// call it when metrics are scraped, not per request. Connections taken
// with StreamWriter.Hijack are not the server's and are not counted.
func (s *Server) Stats() Stats {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Conns: len(s.conns), Listeners: len(s.listeners), Ready: s.Ready()}
	if s.closingListeners() {
		st.Listeners = 0 // closed; their Serve calls may not have returned yet
	}
	for c := range s.conns {
		switch c.state.load() {
		case stateNew, stateIdle:
			st.Idle++
		case stateParked:
			st.Parked++
		case stateHead, stateHandler, stateWriting, stateDraining:
			st.Active++
		case stateTakenOver:
			st.TakenOver++
		}
	}
	return st
}

// trustedPeer reports whether a is in TrustedProxies.
func (s *Server) trustedPeer(a net.Addr) bool {
	if s.trust == nil {
		return false
	}
	ta, ok := a.(*net.TCPAddr)
	return ok && s.trust.Contains(ta.AddrPort().Addr())
}
