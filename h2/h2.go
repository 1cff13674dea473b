// Package h2 serves HTTP/2 on an httpserver.Server, with the same
// Handler that serves its HTTP/1 requests, through golang.org/x/net/http2:
// over TLS when a client negotiates "h2" by ALPN, and, when asked, over
// cleartext TCP (h2c) with prior knowledge or "Upgrade: h2c".
//
// The engine package is standard library only, by rule, so HTTP/2 cannot
// be built into it as net/http's is: one call turns it on,
//
//	srv := &httpserver.Server{Handler: h}
//	if err := h2.Configure(srv, nil); err != nil { ... }
//	srv.ListenAndServeTLS("cert.pem", "key.pem") // h2 and http/1.1
//
// and leaving it out (or deleting srv.TLSNextProto["h2"] after it) turns
// it off: the server then offers only http/1.1 in ALPN. The command
// (cmd/httpserver) calls Configure unless -h2=false; -h2c adds cleartext
// HTTP/2.
//
// # One handler for both
//
// HTTP/2 requests reach the Server's Handler through nethttp.ToHTTP:
// x/net/http2 speaks net/http's types, and ToHTTP is the one place where
// they become the engine's, tested against net/http's server already. The
// alternative, a second adapter written for HTTP/2 alone, would be a
// second place for every rule of the Request and Response contract to
// drift. So a handler sees Version "1.1" for an HTTP/2 request (the
// Request's versions are HTTP/1's; Proto tells the two apart), the TLS
// state in Request.TLS, and streams (Response.Stream, Flush) flushed as
// HTTP/2 DATA frames. What HTTP/2 forbids is not sent: Connection and
// other hop-by-hop fields, and a 101 (an HTTP/2 request cannot upgrade;
// StreamWriter.Hijack and HandOff fail on it).
//
// # Limits
//
// The Server's limits carry over where they mean the same thing, and
// HTTP/2's own have defaults chosen for the open internet (see Config):
//
//   - MaxHeaderBytes bounds the header list (SETTINGS_MAX_HEADER_LIST_SIZE
//     is advertised from it, and x/net/http2 refuses larger blocks with
//     431 or a connection error); MaxRequestLineBytes bounds method plus
//     :path (414) and MaxHeaderCount the fields of a request (431), checked
//     before the handler runs;
//   - MaxBodyBytes bounds each request body as it does for HTTP/1
//     (Request.SetBodyLimit and BodyLimit change it per request): a body
//     over it fails its read with httpserver.ErrBodyTooLarge and the
//     client gets 413;
//   - IdleTimeout closes a connection without open streams (with GOAWAY);
//     WriteTimeout bounds each write's progress, as for HTTP/1
//     (x/net/http2's WriteByteTimeout); ReadTimeout becomes the silence
//     after which the server PINGs the client, which must answer within
//     Config.PingTimeout or the connection closes: a dead peer cannot hold
//     streams open;
//   - MaxConns and MaxConnsPerIP count HTTP/2 connections as they count
//     HTTP/1 ones (the engine hands them over but keeps counting them);
//     MaxRequestsPerConn has no HTTP/2 counterpart here: streams are
//     bounded by Config.MaxConcurrentStreams at a time instead;
//   - ReadHeaderTimeout bounds the TLS handshake, before HTTP/2 begins.
//
// The rapid-reset attack (CVE-2023-44487: streams opened and reset at
// once, each starting a handler) is bounded by x/net/http2 itself, since
// v0.17: no more than MaxConcurrentStreams handlers run per connection,
// however many streams the client has reset, and a client that queues
// too many is disconnected (ENHANCE_YOUR_CALM). A slow reader is paced by
// flow control: a handler's writes block once the client's window is
// used up, so at most the window per stream is buffered, and
// WriteTimeout cuts off a client that stops reading altogether.
//
// # Errors and logs
//
// A client that breaks the protocol gets a GOAWAY or a reset stream from
// x/net/http2 before any handler runs, so neither the Handler nor
// AccessLog sees it: Config.CountError counts these errors (the
// command's -metrics does, as httpserver_http2_errors_total).
// x/net/http2's own log messages go to the Server's ErrorLog: those
// about what a client did (a protocol error, a bad preface, a missed
// SETTINGS or PING, a GOAWAY with an error code) at slog.LevelDebug, the
// rest at slog.LevelError. ErrorLog is for the server's faults, and a
// client must not be able to add an error record to it per connection.
//
// # Shutdown
//
// Server.Shutdown sends every HTTP/2 connection a GOAWAY, lets the
// streams in flight finish, and waits for them, as it waits for HTTP/1
// requests; Close cuts them off.
package h2

//lint:file-ignore SA1019 x/net/http2's Server is deprecated in favour of net/http's, which cannot serve a connection another server accepted (ServeConn) nor take an "Upgrade: h2c" request; ServeConn stays supported, and from Go 1.27 wraps net/http's own HTTP/2.

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
	_ "github.com/gohttpserver/httpserver/nethttp" // sets bridge.ToHTTPLog: ToHTTP, logging to the Server's ErrorLog
)

// Config sets HTTP/2's own limits. The zero value (or a nil *Config)
// means the defaults below.
type Config struct {
	// MaxConcurrentStreams bounds the streams a client may have open at
	// once on a connection, and so the handlers running for it
	// (SETTINGS_MAX_CONCURRENT_STREAMS). Default 100, the least RFC 9113
	// §6.5.2 recommends, and what nginx and Caddy advertise (net/http
	// advertises 250).
	MaxConcurrentStreams uint32

	// MaxReadFrameSize is the largest frame the server accepts
	// (SETTINGS_MAX_FRAME_SIZE), and so the buffer it reads frames into.
	// Default 16 KiB, HTTP/2's initial value, which every client supports:
	// larger frames save little, and would let each connection hold a
	// larger buffer.
	MaxReadFrameSize uint32

	// MaxUploadBufferPerStream and MaxUploadBufferPerConnection are the
	// flow-control windows the server grants for request bodies: the most
	// body bytes it buffers for one stream, and for all of a connection's
	// streams, before the handler reads them. Defaults 256 KiB and 1 MiB
	// (x/net/http2's are 1 MiB per stream): enough for fast uploads on
	// most paths, and a bounded cost per connection.
	MaxUploadBufferPerStream     int32
	MaxUploadBufferPerConnection int32

	// PingTimeout is how long the client has to answer the PING the
	// server sends after ReadTimeout without a frame from it. Default 15s.
	PingTimeout time.Duration

	// H2C serves HTTP/2 over cleartext TCP too: to clients that open with
	// the HTTP/2 preface (prior knowledge, RFC 9113 §3.3), and to HTTP/1.1
	// requests with "Upgrade: h2c" (RFC 7540 §3.2; deprecated by RFC 9113,
	// still sent by curl --http2). Off by default: a cleartext port usually
	// sits behind a proxy, and browsers speak HTTP/2 only over TLS.
	H2C bool

	// CountError, if not nil, is told of each connection and stream
	// error the HTTP/2 server detects (x/net/http2's Server.CountError):
	// a frame that breaks the protocol, flow control overrun, a stream
	// over MaxConcurrentStreams, a malformed request head, too many
	// early resets. They end the connection (GOAWAY) or reset the stream
	// before any handler has run, so neither the Handler nor AccessLog
	// sees them. errType is x/net/http2's name for the error: the scope,
	// the HTTP/2 error code and the cause, as in
	// "conn_PROTOCOL_ERROR_data_on_idle" or
	// "stream_REFUSED_STREAM_over_max_streams_race", or for a frame that
	// does not parse the cause alone, as in "frame_ping_has_stream". The
	// names are fixed by x/net/http2's code, never by the bytes a client
	// sends, so errType may be a metric label
	// (prom.Collector.CountHTTP2Error). It is called on
	// the connection's goroutines, for many connections at once: it must
	// be quick and safe for concurrent use.
	CountError func(errType string)
}

// Defaults for the Config fields.
const (
	DefaultMaxConcurrentStreams         = 100
	DefaultMaxReadFrameSize             = 16 << 10
	DefaultMaxUploadBufferPerStream     = 256 << 10
	DefaultMaxUploadBufferPerConnection = 1 << 20
	DefaultPingTimeout                  = 15 * time.Second
)

// ErrConfigured is Configure's error for a Server that already serves
// HTTP/2.
var ErrConfigured = errors.New("h2: the server is already configured for HTTP/2")

// Configure turns HTTP/2 on for s: it adds "h2" to s.TLSNextProto (making
// the map if s has none), so that ServeTLS and ListenAndServeTLS offer h2
// ahead of http/1.1; with conf.H2C it also sets s.H2C and wraps s.Handler
// to answer "Upgrade: h2c". It registers, with s.RegisterOnShutdown, the
// GOAWAY that Shutdown sends.
//
// Call it once, after s's fields are set and before Serve: s.Handler,
// s.ErrorLog and the limits are read when the first HTTP/2 connection
// starts. It returns ErrConfigured if s already has an "h2" protocol.
func Configure(s *httpserver.Server, conf *Config) error {
	if s.TLSNextProto["h2"] != nil {
		return ErrConfigured
	}
	c := Config{}
	if conf != nil {
		c = *conf
	}
	sv := &server{srv: s, conf: c}
	if s.TLSNextProto == nil {
		s.TLSNextProto = make(map[string]httpserver.ConnHandler)
	}
	s.TLSNextProto["h2"] = sv.serveConn
	if c.H2C {
		s.H2C = sv.serveConn
		s.Handler = &upgradeHandler{sv: sv, next: s.Handler}
	}
	s.RegisterOnShutdown(sv.shutdown)
	return nil
}

// server is the HTTP/2 side of one httpserver.Server.
type server struct {
	srv  *httpserver.Server
	conf Config

	once sync.Once
	h2   *http2.Server
	base *http.Server // the net/http.Server x/net/http2 takes its settings, log and shutdown from
	h    http.Handler
}

// init builds the HTTP/2 server from srv's fields, at the first
// connection: they are set by then (Server's fields must not change once
// Serve has been called).
func (sv *server) init() {
	sv.once.Do(func() {
		s := sv.srv
		log := s.ErrorLog
		if log == nil {
			log = slog.Default()
		}
		sv.base = &http.Server{
			MaxHeaderBytes: orInt(s.MaxHeaderBytes, httpserver.DefaultMaxHeaderBytes),
			ErrorLog:       xnetLogger(log.Handler()), // what a client caused at Debug, the rest at Error
		}
		sv.h2 = &http2.Server{
			MaxConcurrentStreams:         orUint32(sv.conf.MaxConcurrentStreams, DefaultMaxConcurrentStreams),
			MaxReadFrameSize:             orUint32(sv.conf.MaxReadFrameSize, DefaultMaxReadFrameSize),
			MaxUploadBufferPerStream:     orInt32(sv.conf.MaxUploadBufferPerStream, DefaultMaxUploadBufferPerStream),
			MaxUploadBufferPerConnection: orInt32(sv.conf.MaxUploadBufferPerConnection, DefaultMaxUploadBufferPerConnection),
			IdleTimeout:                  orDuration(s.IdleTimeout, httpserver.DefaultIdleTimeout),
			ReadIdleTimeout:              orDuration(s.ReadTimeout, httpserver.DefaultReadTimeout),
			PingTimeout:                  orDuration(sv.conf.PingTimeout, DefaultPingTimeout),
			WriteByteTimeout:             orDuration(s.WriteTimeout, httpserver.DefaultWriteTimeout),
			CountError:                   sv.conf.CountError,
		}
		// ConfigureServer ties the HTTP/2 server's graceful shutdown to
		// base.Shutdown, which sv.shutdown calls; base serves nothing.
		if err := http2.ConfigureServer(sv.base, sv.h2); err != nil {
			// Only a TLSConfig with a bad cipher order fails it, and
			// base has none.
			panic("h2: " + err.Error())
		}
		var next httpserver.Handler = s.Handler
		if u, ok := next.(*upgradeHandler); ok && u.sv == sv {
			next = u.next // HTTP/2 requests cannot upgrade
		}
		sv.h = &streamHandler{
			readTimeout:  orDuration(s.ReadTimeout, httpserver.DefaultReadTimeout),
			writeTimeout: orDuration(s.WriteTimeout, httpserver.DefaultWriteTimeout),
			log:          s.AccessLog,
			next:         bridge.ToHTTPLog(&guard{s: s, next: next}, log).(http.Handler),
		}
	})
}

// serveConn is the ConnHandler for TLS connections that negotiated h2
// and for cleartext ones that opened with the preface: x/net/http2 reads
// the preface itself.
func (sv *server) serveConn(ctx context.Context, c net.Conn) {
	sv.init()
	sv.h2.ServeConn(c, &http2.ServeConnOpts{
		Context:    sv.connContext(ctx),
		BaseConfig: sv.base,
		Handler:    sv.h,
	})
}

// connContext is the context of an HTTP/2 connection's requests: ctx,
// carrying the protocol (Proto) and the Server, for its shutdown notice
// (Request.ShutdownNotice) and trusted proxies (Request.Client).
func (sv *server) connContext(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, protoKey{}, "HTTP/2.0")
	return bridge.WithServer(ctx, sv.srv)
}

// shutdown starts the graceful end of every HTTP/2 connection (a GOAWAY,
// then closing once their streams are done), for Server.Shutdown.
func (sv *server) shutdown() {
	sv.init()
	// base tracks no connection of its own: its Shutdown only runs the
	// hook ConfigureServer registered, and returns.
	sv.base.Shutdown(context.Background())
}

// protoKey is the context key of the protocol a request came in on.
type protoKey struct{}

// Proto returns the protocol req came in on: "HTTP/2.0" for a request
// served by this package, else "HTTP/" and req.Version ("HTTP/1.1", ...),
// for access logs.
func Proto(req *httpserver.Request) string {
	if p, ok := req.Context().Value(protoKey{}).(string); ok {
		return p
	}
	return "HTTP/" + req.Version
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orInt32(v, def int32) int32 {
	if v <= 0 {
		return def
	}
	return v
}

func orUint32(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

func orDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
