// Package websocket serves WebSocket connections (RFC 6455) from this
// module's handlers, with permessage-deflate compression (RFC 7692) when
// asked for.
//
// A handler accepts a connection with Handler, or with Accept once it
// has routed or authenticated the request; the serve function it gives
// then reads and writes messages on the Conn:
//
//	echo := websocket.Handler(func(c *websocket.Conn) {
//		for {
//			typ, msg, err := c.ReadMessage()
//			if err != nil {
//				return // the peer closed, or the connection failed
//			}
//			if err := c.WriteMessage(typ, msg); err != nil {
//				return
//			}
//		}
//	}, nil)
//	mux.Route("GET /echo", echo)
//
// # The handshake
//
// Accept checks the handshake on the parsed *httpserver.Request (GET,
// HTTP/1.1, Connection: Upgrade, Upgrade: websocket, version 13, a
// well-formed key, the origin) and refuses a bad one with its status
// (400, 403, 405, 426: see Accept). Otherwise it returns a 101 Switching
// Protocols Response whose Stream takes the connection with
// StreamWriter.HandOff. HandOff rather than Hijack: a hijacked connection
// is the server's no more, so Shutdown would not wait for it, MaxConns
// would not count it, and Close would leave it open; a connection handed
// off stays the server's to count until the serve function returns.
// Shutdown tells each Conn at once (Request.ShutdownNotice), and the Conn
// sends a close frame with StatusGoingAway (1001), completes the closing
// handshake, and Shutdown returns once every connection has closed.
//
// # Messages and limits
//
// ReadMessage reads a message whole; NextReader streams it. Messages are
// bounded by Options.MaxMessageSize (1 MiB by default, after
// decompression: a message that inflates past it is stopped there).
// Pings are answered, fragmented messages reassembled (with control
// frames between their fragments), text checked to be UTF-8, and the
// peer's faults answered with the close code RFC 6455 gives them: 1002
// for a protocol error (an unmasked frame, say), 1007 for text that is
// not UTF-8, 1009 for a message too big. Options.IdleTimeout (60s) cuts
// off a peer that stays silent, after pinging it; Options.WriteTimeout
// (30s) one that stops reading. Conn.Close performs the closing
// handshake, waiting up to Options.CloseTimeout (5s) for the peer's
// answer. Compression is off unless Options.Compression turns it on: see
// Compression for why, and for what each mode costs.
//
// # The frame library
//
// Frames are read and written with github.com/gobwas/ws (its frame
// headers, masking, header checks, close frames) and its wsflate package
// (the framing of deflate data). The module requires it for this package
// alone: no other package imports it, and the engine stays standard
// library only. gobwas/ws works on a connection it is given and needs no
// net/http types. coder/websocket, the other well-kept library, accepts
// only from an http.ResponseWriter and an *http.Request (as
// gorilla/websocket does), which this engine would have to fake through
// nethttp.FromHTTP on every handshake: a ResponseWriter, a hijack and a
// Request built for nothing, and the handshake's checks done on
// net/http's types instead of the Request the engine parsed. Handlers
// written for those libraries run on the engine through nethttp.FromHTTP
// as they are.
package websocket
