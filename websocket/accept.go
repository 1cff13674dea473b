package websocket

import (
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/gohttpserver/httpserver"
)

// Handler returns a Handler that accepts every request it is given as a
// WebSocket handshake (see Accept) and runs serve on each connection.
// Route it where WebSocket clients connect:
//
//	mux.Route("GET /chat", websocket.Handler(chat, &websocket.Options{Subprotocols: []string{"chat.v1"}}))
func Handler(serve func(c *Conn), opts *Options) httpserver.Handler {
	cfg := opts.resolve()
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return accept(req, cfg, serve)
	})
}

// Accept answers req, a WebSocket opening handshake (RFC 6455 §4.2), for
// a handler to return: either a 101 Switching Protocols whose Stream
// takes the connection and runs serve on it, or a refusal, with a short
// text body saying why:
//
//	405 Method Not Allowed   not GET (with Allow: GET)
//	400 Bad Request          not HTTP/1.1; Connection without "upgrade"; Upgrade without "websocket";
//	                         a request body; Sec-WebSocket-Key missing, repeated, or not 16 bytes in base64
//	426 Upgrade Required     Sec-WebSocket-Version missing or not 13 (with Sec-WebSocket-Version: 13)
//	403 Forbidden            the origin check failed (see OriginAllowed and Options.CheckOrigin)
//
// A handler that authenticates or routes first calls Accept once it has
// decided; its own refusals are plain Responses. The 101 answers with
// the subprotocol chosen from Options.Subprotocols and the
// permessage-deflate parameters Options.Compression allows, if any.
//
// The connection is taken with StreamWriter.HandOff, not Hijack, so the
// server keeps counting it: it counts toward the server's MaxConns and
// MaxConnsPerIP while serve runs, Shutdown waits for it (the Conn says
// going away, StatusGoingAway, as soon as Shutdown begins, and
// Shutdown returns once the closing handshake is done), and Close closes
// it. serve runs on the connection's goroutine; when it returns, the Conn
// is closed (with StatusNormalClosure if serve left it open, or
// StatusInternalError if serve panicked: the panic then goes on to the
// server, which logs it). Under a host other than the engine
// (nethttp.ToHTTP), the connection is hijacked from that host, which does
// not count it.
func Accept(req *httpserver.Request, opts *Options, serve func(c *Conn)) *httpserver.Response {
	return accept(req, opts.resolve(), serve)
}

// accept is Accept with the options resolved.
func accept(req *httpserver.Request, cfg config, serve func(c *Conn)) *httpserver.Response {
	hs, refusal := checkHandshake(req, &cfg)
	if refusal != nil {
		return refusal
	}
	resp := &httpserver.Response{StatusCode: 101}
	h := &resp.Headers
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Accept", acceptKey(hs.key))
	if hs.subprotocol != "" {
		h.Set("Sec-WebSocket-Protocol", hs.subprotocol)
	}
	if hs.extensions != "" {
		h.Set("Sec-WebSocket-Extensions", hs.extensions)
	}
	resp.Stream = func(w *httpserver.StreamWriter) error {
		return w.HandOff(func(nc net.Conn) { run(nc, req, cfg, hs, serve) })
	}
	return resp
}

// handshake is what an accepted opening handshake agreed.
type handshake struct {
	key         string
	subprotocol string
	deflate     bool
	params      deflateParams
	extensions  string // the Sec-WebSocket-Extensions answer, or ""
}

// checkHandshake checks req as an opening handshake (RFC 6455 §4.2.1)
// and negotiates what it offers, or returns the refusal. The checks go
// in the order of Accept's table, so a request with several faults gets
// the first.
func checkHandshake(req *httpserver.Request, cfg *config) (handshake, *httpserver.Response) {
	var hs handshake
	h := &req.Headers
	switch {
	case req.Verb != "GET":
		r := refuse(405, "the WebSocket handshake is a GET request")
		r.Headers.Set("Allow", "GET")
		return hs, r
	case req.Version != "1.1":
		return hs, refuse(400, "the WebSocket handshake needs HTTP/1.1")
	case !hasToken(h.Values("Connection"), "upgrade"):
		return hs, refuse(400, `the WebSocket handshake needs "Connection: Upgrade"`)
	case !hasToken(h.Values("Upgrade"), "websocket"):
		return hs, refuse(400, `the WebSocket handshake needs "Upgrade: websocket"`)
	case req.ContentLength != 0:
		// Its bytes would be read as frames once the connection is
		// handed over.
		return hs, refuse(400, "the WebSocket handshake has no body")
	}
	if v := h.Values("Sec-WebSocket-Version"); len(v) != 1 || v[0] != "13" {
		// RFC 6455 §4.4: the versions the server speaks, in the answer.
		r := refuse(426, "this server speaks WebSocket version 13")
		r.Headers.Set("Sec-WebSocket-Version", "13")
		r.Headers.Set("Upgrade", "websocket") // RFC 9110 §15.5.22
		return hs, r
	}
	keys := h.Values("Sec-WebSocket-Key")
	if len(keys) != 1 || !validKey(keys[0]) {
		return hs, refuse(400, "Sec-WebSocket-Key must be the base64 of 16 bytes, once")
	}
	hs.key = keys[0]
	allowed := cfg.checkOrigin
	if allowed == nil {
		allowed = func(req *httpserver.Request) bool { return OriginAllowed(req, cfg.originPatterns...) }
	}
	if !allowed(req) {
		return hs, refuse(403, "origin not allowed")
	}
	hs.subprotocol = selectSubprotocol(h.Values("Sec-WebSocket-Protocol"), cfg.subprotocols)
	if cfg.compression != CompressionOff {
		if exts, ok := parseExtensions(h.Values("Sec-WebSocket-Extensions")); ok {
			hs.params, hs.extensions, hs.deflate = negotiateDeflate(exts, cfg.compression)
		}
	}
	return hs, nil
}

// refuse returns a refusal of the handshake: status and a text/plain
// body with why.
func refuse(status int, why string) *httpserver.Response {
	r := &httpserver.Response{StatusCode: status, Message: "websocket: " + why + "\n"}
	r.Headers.Set("Content-Type", "text/plain; charset=utf-8")
	return r
}

// OriginAllowed is the default origin check: it reports whether req has
// no Origin field, or one whose host (and port) is the request's own
// Host, or matches one of patterns (as Options.OriginPatterns, with
// path.Match, case-insensitively). Browsers send Origin with every
// WebSocket handshake, and scripts cannot forge it, so the check keeps
// other sites' pages from opening connections with the user's cookies
// (cross-site WebSocket hijacking); a client without an Origin is not a
// browser, and the check has nothing to protect from it. The scheme is
// not compared, as gorilla/websocket and coder/websocket do not either.
// An Origin of "null" (a sandboxed page, a file) matches nothing but a
// pattern that matches the empty host.
func OriginAllowed(req *httpserver.Request, patterns ...string) bool {
	origins := req.Headers.Values("Origin")
	switch len(origins) {
	case 0:
		return true
	case 1:
	default:
		return false
	}
	host := ""
	if u, err := url.Parse(origins[0]); err == nil {
		host = u.Host
	}
	if host != "" && strings.EqualFold(host, req.Host) {
		return true
	}
	host = strings.ToLower(host)
	for _, p := range patterns {
		if ok, err := path.Match(strings.ToLower(p), host); ok && err == nil {
			return true
		}
	}
	return false
}
