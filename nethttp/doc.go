// Package nethttp connects the engine and net/http both ways.
//
// FromHTTP serves any http.Handler on an httpserver.Server: a net/http
// handler (a ServeMux, pprof, promhttp, a router, a WebSocket upgrader)
// runs on the engine as it would on net/http's own server, with an
// http.ResponseWriter that is also an http.Flusher and an http.Hijacker
// and that http.ResponseController drives (flushes, hijacks, deadlines,
// full duplex). ToHTTP goes the other way: an httpserver.Handler under any
// host of http.Handlers (net/http's server, httptest, an HTTP/2 server).
//
// The two directions undo each other: FromHTTP(ToHTTP(h)) is h, and
// ToHTTP(FromHTTP(h)) is h.
//
// Where the engine and net/http differ (body limits, timeouts, when a
// Content-Length is sent, panics before the head), the difference is
// said where it shows, on FromHTTP and ToHTTP, and listed with the reasons
// in docs/NETHTTP.md.
package nethttp
