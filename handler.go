package httpserver

// A Handler answers one request with one response.
//
// Handle is called on the connection's goroutine: while it runs, no other
// request on that connection is read or answered, and the client paces the
// handler through TCP flow control. Handle must not retain the Request's
// Body after it returns; every other field of the Request may be kept,
// unless Server.ReuseRequests is set, in which case the *Request and its
// Headers must not be kept either (strings taken from them may).
//
// A nil *Response, a StatusCode outside 200..599 (an interim 1xx status
// cannot be returned), a Transfer-Encoding header, or a header name, value
// or StatusMsg that would make the response malformed is a bug in the
// handler: the client gets a 500 Internal Server Error, the fault is
// logged, and the server keeps serving. A panic is treated the same way.
type Handler interface {
	Handle(req *Request) *Response
}

// HandlerFunc adapts a plain function to the Handler interface.
type HandlerFunc func(req *Request) *Response

// Handle calls f(req).
func (f HandlerFunc) Handle(req *Request) *Response { return f(req) }

// BodyLimit returns a Handler that sets the request's body limit to n
// (see Request.SetBodyLimit: 0 is the server's MaxBodyBytes, Unlimited
// none) before calling h; on a Mux route it gives that route its own
// limit, above or below the server's.
func BodyLimit(n int64, h Handler) Handler {
	return HandlerFunc(func(req *Request) *Response {
		req.SetBodyLimit(n)
		return h.Handle(req)
	})
}
