// Package bridge lets the library's own subpackages (nethttp,
// httpservertest) reach what package httpserver keeps unexported, without
// making it public API. Package httpserver sets the hooks in its init;
// nothing outside this module can import this package.
package bridge

import (
	"context"
	"log/slog"
)

// NewStreamWriter returns a *httpserver.StreamWriter (as an any, to avoid
// an import cycle) whose methods forward to target. target must have the
// methods of httpserver's streamTarget (stream.go): a value lacking one
// makes NewStreamWriter panic.
var NewStreamWriter func(target any) any

// NoQueryDict is implemented by a Handler that never reads
// Request.QueryDict (nethttp.FromHTTP's: net/http handlers parse
// URL.RawQuery themselves). A Server whose Handler is one, and that has
// no AccessLog to show the Request to, does not parse the query.
type NoQueryDict interface{ NoQueryDict() }

// BodyTooLarge reports whether the Body of req, a *httpserver.Request not
// read from a Server's connection, went past the limit SetBodyLimit set
// on it: the host should answer 413 then, as the engine does.
var BodyTooLarge func(req any) bool

// BodyLimit returns the body limit in force for req, a
// *httpserver.Request, in bytes (Server.MaxBodyBytes or what
// SetBodyLimit set), or -1 for none. It is for a host that reports the
// limit a body went past (nethttp's *http.MaxBytesError); it must be
// called while req's body may still be read.
var BodyLimit func(req any) int64

// SetPattern records p, a routing pattern that matched req (a
// *httpserver.Request), as Request.Pattern, as the engine's Mux does:
// for a pattern net/http's ServeMux matched (nethttp's FromHTTP and
// ToHTTP carry it between the two Requests).
var SetPattern func(req any, p string)

// WithServer returns ctx carrying srv, a *httpserver.Server, so that
// Requests built on it by another host (the HTTP/2 server of package h2)
// get its shutdown notice (ShutdownNotice) and its trusted proxies
// (Client, Scheme).
var WithServer func(ctx context.Context, srv any) context.Context

// ToHTTPLog is nethttp.ToHTTP with the logger its faults go to instead
// of slog.Default() (package h2 gives the Server's ErrorLog). h is an
// httpserver.Handler, the result an http.Handler. Set by nethttp's init.
var ToHTTPLog func(h any, log *slog.Logger) any

// ReleasesRequests is implemented by a Handler that neither keeps nor
// reads a Request, its Headers or its Body once the Request's response
// has ended (nethttp.FromHTTP's: the net/http handler sees only the
// *http.Request built from it, whose Body stops reaching the engine's
// when the handler returns). A Server whose Handler is one, and that has
// no AccessLog to show the Request to, reuses Requests as it does with
// Server.ReuseRequests.
type ReleasesRequests interface{ ReleasesRequests() }
