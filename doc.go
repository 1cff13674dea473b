// Package httpserver is an HTTP/1.x server with its own protocol engine:
// a strict HTTP/1.0 and 1.1 parser (and HTTP/0.9 simple requests),
// keep-alive, pipelining, Expect: 100-continue, request bodies streamed as
// they arrive, and responses whose framing (Content-Length, chunked or
// close-delimited) is chosen at run time from the body and the client.
//
// There are two ways in. The callback API registers one function on a
// host and port and returns an id to stop it by:
//
//	id, err := httpserver.RegisterCallback("127.0.0.1", 8080, func(req *httpserver.Request) *httpserver.Response {
//		return &httpserver.Response{StatusCode: 200, Message: "hello\n"}
//	})
//	...
//	httpserver.StopCallback(id)
//
// The Server type is the same engine with every setting exposed: a Handler
// (a HandlerFunc, a Mux, a fileserver), limits and timeouts whose zero
// values are safe defaults, Serve, ListenAndServe, Shutdown and Close;
// ServeTLS and ListenAndServeTLS serve HTTPS with a certificate from files
// or from Server.TLSConfig, and a handler finds the connection's TLS state
// in Request.TLS.
//
// # Requests and responses
//
// A handler receives a *Request and returns a *Response; it runs on the
// goroutine serving the connection. Every field of the Request may be kept
// after the handler returns except Body, which reads the request body from
// the connection while the handler runs (unless Server.ReuseRequests is
// set, which trades that freedom for zero allocations per request). A
// Response carries its body as a string (Message), a reader (Body, with
// BodyLength when known), or a function that writes parts over time
// (Stream). The server never holds
// more than a fixed window of response bytes per connection
// (Server.WriteBufferSize): a producer faster than its client blocks
// until the client reads.
//
// A Stream decides its head as late as its first write, through its
// StreamWriter: the status and fields (Header, WriteHeader), interim 1xx
// answers, trailers after a chunked body (Trailer), deadlines of its own,
// and taking the connection over (Hijack, after a 101 Switching
// Protocols or a 2xx to CONNECT, or before anything was written; HandOff
// for a protocol the server should go on counting, such as WebSocket).
// It may
// read the request body while it writes. A request's context is canceled
// when its client goes away (on Linux), Request.ShutdownNotice is closed
// when Shutdown begins, and Request.SetBodyLimit gives a handler its own
// body limit.
//
// # net/http
//
// Package nethttp runs any net/http handler on this engine (FromHTTP) and
// this package's handlers under any net/http host (ToHTTP); package
// httpservertest tests a handler without a socket, as net/http/httptest
// does for net/http.
//
// # Other protocols
//
// This package speaks HTTP/1 only, and imports nothing but the standard
// library. A Server hands connections that speak something else to a
// ConnHandler and goes on counting them (MaxConns, Shutdown): TLS
// connections that negotiated a protocol of Server.TLSNextProto, and
// cleartext ones that open with the HTTP/2 preface (Server.H2C). Package
// h2 installs HTTP/2 there (h2.Configure, through golang.org/x/net/http2),
// serving the same Handler.
// Package websocket accepts WebSocket (RFC 6455) on the same Handlers,
// through StreamWriter.HandOff, with github.com/gobwas/ws doing frames.
//
// # Bad input and faults
//
// Malformed or ambiguous requests (the inputs of request smuggling:
// conflicting Content-Length, obfuscated Transfer-Encoding, bare LF, obs-fold
// and the like) are refused with a 4xx or 5xx status and the connection is
// closed; the handler never sees them. A handler that panics or returns an
// invalid response produces a 500, is logged, and the server goes on. The
// limits, their defaults and what the client gets are listed in
// docs/SECURITY.md.
package httpserver
