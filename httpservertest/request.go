// Package httpservertest tests handlers without a socket, as
// net/http/httptest does for net/http: NewRequest builds a Request as the
// server would hand it to a handler, and Do calls the handler and records
// the response the way the server would write it.
//
//	req := httpservertest.NewRequest("GET", "/users/7?verbose", nil)
//	res := httpservertest.Do(mux, req)
//	if res.StatusCode != 200 || string(res.Body) != "user 7\n" { ... }
//
// Do produces the body as the server does (a Stream runs with a real
// StreamWriter; the head is decided at the same moments, with the same
// checks), but it does not frame it: the Result holds the status, the
// handler's fields and the decoded body, not the bytes on the wire. What
// is and is not emulated is listed on Do.
package httpservertest

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// NewRequest returns a Request for a handler test, with the fields the
// server would set for the request line "method target HTTP/1.1":
//
//   - Verb is method, or "GET" if method is "".
//   - Path, QueryStr, QueryDict and QueryErr come from target, parsed by
//     the server's own request-line parser: Path keeps its
//     percent-encoding, QueryDict is httpserver.ParseQuery(QueryStr).
//     target may be in origin form ("/p?q"), absolute form
//     ("http://host/p"), authority form (for CONNECT: "host:443") or "*"
//     (for OPTIONS).
//   - Version is "1.1".
//   - Headers hold a Host field: "example.com", or the target's authority
//     when target is in absolute or authority form (as a client sends it);
//     Host is the same. A body of known positive length adds a
//     Content-Length field, one of unknown length "Transfer-Encoding:
//     chunked", as a client would frame them.
//   - Body is body, or an empty reader if body is nil; it is never nil.
//     A body with a method Trailer() httpserver.Header gives the request
//     that trailer (Request.Trailer), as a chunked body's trailer section
//     would.
//     ContentLength is body's length for a *bytes.Reader, *strings.Reader
//     or *bytes.Buffer (its unread part, as net/http's NewRequest takes
//     it), -1 for another reader, 0 for nil.
//   - RemoteIP and RemotePort are "192.0.2.1" and 1234 (a documentation
//     address, as httptest uses).
//
// The Request has no connection: Context is context.Background (use
// WithContext to change it), ShutdownNotice is nil, no MaxBodyBytes
// applies unless the handler calls SetBodyLimit, and no 100 Continue is
// involved. Every field may be changed before the Request is handed to
// Do.
//
// NewRequest panics if method and target do not make a request line the
// server would accept (a method that is not a token, a target with a
// space, a fragment or a byte a target may not hold, an absolute-form
// target with another scheme than http or https): such a request is
// refused with 400 and never reaches a handler. A test has no error to
// handle, as with httptest.NewRequest.
func NewRequest(method, target string, body io.Reader) *httpserver.Request {
	if method == "" {
		method = "GET"
	}
	head := method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n"
	buf := []byte(head)
	var h wire.RequestHead
	if err := h.Parse(buf, wire.Limits{}); err != nil {
		why := err.Error()
		if we, ok := err.(*wire.Error); ok {
			why = "the server would refuse it with " + strconv.Itoa(we.Status) + ": " + we.Reason
		}
		panicBadLine(method, target, why)
	}
	if string(h.Method.In(buf)) != method || string(h.Target.In(buf)) != target || h.Len != len(buf) {
		// A CR or LF in method or target ended the request line early and
		// the rest parsed as fields.
		panicBadLine(method, target, "line break in the request line")
	}

	req := &httpserver.Request{
		Verb:       method,
		Path:       string(h.Path.In(buf)),
		Version:    "1.1",
		Host:       "example.com",
		RemoteIP:   "192.0.2.1",
		RemotePort: 1234,
	}
	if req.Path == "" {
		req.Path = "/" // absolute form with an empty path (RFC 9112 §3.2.1)
	}
	if h.HasQuery {
		req.QueryStr = string(h.Query.In(buf))
		req.QueryDict, req.QueryErr = httpserver.ParseQuery(req.QueryStr)
	}
	if h.Form == wire.AbsoluteForm || h.Form == wire.AuthorityForm {
		req.Host = string(h.Authority.In(buf))
	}
	req.Headers.Add("Host", req.Host)

	req.Body, req.ContentLength = body, bodyLength(body)
	switch {
	case body == nil:
		req.Body = strings.NewReader("")
	case req.ContentLength > 0:
		req.Headers.Add("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	case req.ContentLength < 0:
		req.Headers.Add("Transfer-Encoding", "chunked")
	}
	return req
}

func panicBadLine(method, target, why string) {
	panic("httpservertest: NewRequest(" + strconv.Quote(method) + ", " + strconv.Quote(target) + "): " + why)
}

// bodyLength is the ContentLength for body: known for the readers whose
// length net/http's NewRequest takes, -1 (unknown) for the others.
func bodyLength(body io.Reader) int64 {
	switch b := body.(type) {
	case nil:
		return 0
	case *bytes.Reader:
		return int64(b.Len())
	case *strings.Reader:
		return int64(b.Len())
	case *bytes.Buffer:
		return int64(b.Len())
	}
	return -1
}
