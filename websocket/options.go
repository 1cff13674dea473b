package websocket

import (
	"time"

	"github.com/gohttpserver/httpserver"
)

// Defaults of Options' limits and timeouts.
const (
	// DefaultMaxMessageSize is Options.MaxMessageSize's default: 1 MiB,
	// the engine's MaxBodyBytes default (nginx's client_max_body_size).
	// A message is read whole by ReadMessage, so this is what one peer
	// can make the server hold per connection: 1 MiB keeps ten thousand
	// connections within 10 GB in the worst case, where
	// x/net/websocket's 32 MiB would allow 320 GB, and it is far above
	// what chat, games and dashboards send; coder/websocket's 32 KiB is
	// too small for an ordinary JSON document.
	DefaultMaxMessageSize = 1 << 20

	// DefaultIdleTimeout is Options.IdleTimeout's default: 60 seconds,
	// nginx's proxy_read_timeout, which WebSocket deployments behind
	// nginx live with already.
	DefaultIdleTimeout = 60 * time.Second

	// DefaultWriteTimeout is Options.WriteTimeout's default, the
	// engine's WriteTimeout default.
	DefaultWriteTimeout = httpserver.DefaultWriteTimeout

	// DefaultCloseTimeout is Options.CloseTimeout's default.
	DefaultCloseTimeout = 5 * time.Second
)

// Compression says whether and how a connection compresses its messages
// with permessage-deflate (RFC 7692). The client must offer it too; a
// client that does not (Safari before 15, most command-line tools)
// gets an uncompressed connection whatever the mode.
type Compression uint8

const (
	// CompressionOff, the default, negotiates no compression. It costs
	// nothing, and it leaves nothing to attack: compression that mixes
	// a secret and text an attacker chooses in one message (or in one
	// window, with context takeover) leaks the secret through the
	// compressed length (CRIME, BREACH), and each compressed message
	// costs CPU on both sides. gorilla/websocket and coder/websocket
	// keep it off by default for the same reasons. Turn it on for large,
	// repetitive text (JSON feeds), after measuring.
	CompressionOff Compression = iota

	// CompressionNoContext compresses each message on its own, with
	// both server_no_context_takeover and client_no_context_takeover in
	// the answer: nothing is kept between messages, so an idle
	// connection costs no more than an uncompressed one. The flate
	// writers (about 1.2 MB each in compress/flate) and readers (about
	// 40 KB) are pooled and taken only while a message is written or
	// read. Messages under 512 bytes, and messages that would not
	// shrink, are sent uncompressed.
	CompressionNoContext

	// CompressionContextTakeover keeps the compression windows across
	// messages where the client allows it: small, similar messages then
	// compress far better, at a fixed cost per connection of one flate
	// writer (about 1.2 MB) for what the server sends and a 32 KiB
	// window for what it receives. Messages under 128 bytes are sent
	// uncompressed.
	CompressionContextTakeover
)

// Options configure the connections Handler and Accept take. A nil
// *Options, and the zero value, mean every default. Handler reads them
// once, when it is called, and Accept at each call: changing them later
// changes nothing for the Handler, nor for connections already accepted.
// The slices and functions they hold are used as they are, from every
// connection's goroutine, and must not change.
type Options struct {
	// Subprotocols are the subprotocols the server speaks. The first
	// one the client lists (in its order of preference, RFC 6455 §4.1)
	// that is among them is chosen and answered; Conn.Subprotocol
	// returns it. With none in common the handshake still succeeds,
	// without a Sec-WebSocket-Protocol field, and the client decides
	// whether to go on (browsers fail the connection).
	Subprotocols []string

	// OriginPatterns are more origins to accept than the request's own
	// host: patterns for the Origin's host (host or host:port, as in
	// the Origin field), matched case-insensitively with path.Match
	// ("example.com", "*.example.com", "localhost:*"). See
	// OriginAllowed for the whole check.
	OriginPatterns []string

	// CheckOrigin, when non-nil, replaces the origin check: the
	// handshake is refused with 403 Forbidden when it returns false. It
	// runs on the connection's goroutine, after the other checks of the
	// handshake; OriginAllowed is the default check, to build on.
	CheckOrigin func(req *httpserver.Request) bool

	// MaxMessageSize bounds a message the server reads, after
	// decompression: a longer one fails the read with ErrMessageTooBig
	// and closes the connection with StatusMessageTooBig (1009). An
	// uncompressed message is refused from its frame headers, before its
	// payload is read; a compressed one is inflated no further than the
	// limit, so that a small message that inflates to gigabytes (a zip
	// bomb) costs no more than the limit. Default DefaultMaxMessageSize
	// (1 MiB); httpserver.Unlimited (-1) for none.
	MaxMessageSize int64

	// Compression is the permessage-deflate mode; the default is
	// CompressionOff.
	Compression Compression

	// IdleTimeout bounds how long a read waits for the peer: a read
	// (ReadMessage, NextReader, a message reader's Read) that gets
	// nothing for IdleTimeout, at its start or between frames, takes the
	// peer for gone: it fails (errors.Is(err, os.ErrDeadlineExceeded))
	// and the connection closes with StatusGoingAway. So that a live but
	// quiet peer is never cut off, the server pings it while a read
	// waits and the peer has been silent for half of IdleTimeout;
	// browsers and client libraries answer pings by themselves, and the
	// pong is the frame that keeps the read alive. Conn.SetReadDeadline
	// replaces it. Default DefaultIdleTimeout (60s);
	// httpserver.Unlimited (-1) for none, and no pings.
	IdleTimeout time.Duration

	// WriteTimeout bounds each frame the server writes (a message, a
	// ping, a pong, a close): a peer that stops reading for that long
	// fails the write and the connection is closed. Conn.SetWriteDeadline
	// replaces it. Default DefaultWriteTimeout (30s);
	// httpserver.Unlimited (-1) for none.
	WriteTimeout time.Duration

	// CloseTimeout bounds how long the closing handshake waits for the
	// peer's close frame (Conn.Close, the close when the serve function
	// returns, the going-away at Shutdown), and how long a failed
	// connection lingers before it is closed. Default
	// DefaultCloseTimeout (5s).
	CloseTimeout time.Duration
}

// config is Options with the defaults applied, as a connection keeps them.
type config struct {
	subprotocols   []string
	originPatterns []string
	checkOrigin    func(*httpserver.Request) bool
	maxMessage     int64 // < 0: none
	compression    Compression
	idle           time.Duration // 0: none
	write          time.Duration // 0: none
	close          time.Duration
}

// resolve returns o's settings with the defaults applied; o may be nil.
func (o *Options) resolve() config {
	if o == nil {
		o = &Options{}
	}
	c := config{
		subprotocols:   o.Subprotocols,
		originPatterns: o.OriginPatterns,
		checkOrigin:    o.CheckOrigin,
		maxMessage:     o.MaxMessageSize,
		compression:    o.Compression,
		idle:           durationOr(o.IdleTimeout, DefaultIdleTimeout),
		write:          durationOr(o.WriteTimeout, DefaultWriteTimeout),
		close:          durationOr(o.CloseTimeout, DefaultCloseTimeout),
	}
	switch {
	case c.maxMessage == 0:
		c.maxMessage = DefaultMaxMessageSize
	case c.maxMessage < 0:
		c.maxMessage = -1
	}
	if c.close <= 0 {
		c.close = DefaultCloseTimeout
	}
	return c
}

// durationOr returns d, def when d is zero, and 0 (none) when d is
// negative (httpserver.Unlimited).
func durationOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}
