package httpserver

import "errors"

// Errors returned by the server and the callback API. Compare with
// errors.Is: they may come wrapped.
var (
	// ErrServerClosed is returned by Serve and ListenAndServe after
	// Shutdown or Close.
	ErrServerClosed = errors.New("httpserver: server closed")

	// ErrUnknownListener is returned by StopCallback and ListenerAddr for
	// an id that RegisterCallback did not return or that was stopped.
	ErrUnknownListener = errors.New("httpserver: unknown listener id")

	// ErrBodyTooLarge is returned by Request.Body when the body exceeds
	// its limit (the server's MaxBodyBytes, or Request.SetBodyLimit's): at
	// the first read for a Content-Length over it, before any 100
	// Continue; as a chunked body grows past it. The client gets 413 and
	// the connection is closed.
	ErrBodyTooLarge = errors.New("httpserver: request body too large")

	// ErrMalformedBody is returned by Request.Body when the client's
	// chunked framing is invalid. The client gets 400 (431 for a trailer
	// section too large) and the connection is closed.
	ErrMalformedBody = errors.New("httpserver: malformed request body")

	// ErrBodyTooSlow is returned by Request.Body when the body arrives
	// more slowly than the server's MinBodyRate allows. The client gets
	// 408 and the connection is closed.
	ErrBodyTooSlow = errors.New("httpserver: request body arrived too slowly")

	// ErrBodyClosed is returned by Request.Body when it is read after the
	// handler returned.
	ErrBodyClosed = errors.New("httpserver: request body read after the handler returned")

	// ErrBodyNotAllowed is returned by StreamWriter.Write when the response
	// carries no body (HEAD, 204, 304) and the head has been sent.
	ErrBodyNotAllowed = errors.New("httpserver: response has no body")

	// ErrLengthMismatch is returned by StreamWriter.Write when a handler
	// declares a length and writes more than it.
	ErrLengthMismatch = errors.New("httpserver: body longer than its declared length")

	// ErrAbortResponse, when returned by a Stream function, ends the
	// response abruptly without logging it as a fault.
	ErrAbortResponse = errors.New("httpserver: response aborted")
)
