package nethttp

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
)

// This file builds the *http.Request a net/http handler gets from the
// engine's Request, field by field as net/http's readRequest fills it for
// the same bytes (the differential test, TestRequestFieldsMatchNetHTTP,
// sends identical raw requests to both).

// Proto strings, shared by every request.
const (
	proto09 = "HTTP/0.9"
	proto10 = "HTTP/1.0"
	proto11 = "HTTP/1.1"
)

// buildRequest fills x.hreq from x.req. It returns false when the
// target is one net/http would refuse (url.ParseRequestURI fails on it):
// the caller answers 400, as net/http does.
func (x *exchange) buildRequest() bool {
	req := x.req
	r := http.Request{
		Method:     req.Verb,
		URL:        &x.url,
		Header:     x.header(),
		Host:       req.Host,
		RemoteAddr: req.RemoteAddr(),
		TLS:        req.TLS,
		// The engine Mux's pattern, if one dispatched to the handler
		// (a ServeMux inside sets its own, see exchange.notePattern).
		Pattern: req.Pattern(),
	}
	uri, ok := x.setURL()
	if !ok {
		return false
	}
	r.RequestURI = uri
	switch req.Version {
	case "1.1":
		r.Proto, r.ProtoMajor, r.ProtoMinor = proto11, 1, 1
	case "1.0":
		r.Proto, r.ProtoMajor, r.ProtoMinor = proto10, 1, 0
	default:
		r.Proto, r.ProtoMajor, r.ProtoMinor = proto09, 0, 9
	}
	r.Close = shouldClose(r.ProtoMajor, r.ProtoMinor, r.Header)
	switch n := req.ContentLength; {
	case n == 0:
		// net/http's transfer.go: a request without a body has NoBody,
		// which lets proxies and clients tell it from an unknown one.
		r.Body = http.NoBody
	case n < 0:
		// The engine's only body of unknown length is a chunked one.
		r.ContentLength = -1
		r.TransferEncoding = chunkedTE
		r.Trailer = declaredTrailers(r.Header)
		r.Body = &x.body
	default:
		r.ContentLength = n
		r.Body = &x.body
	}
	x.body.r, x.body.req, x.body.hreq = req.Body, req, &x.hreq
	x.ctx = requestContext{Context: req.Context(), srv: x.a.srv, local: req.LocalAddr()}
	// WithContext is the only way to give a Request its context; copying
	// its result into the exchange keeps the Request in the exchange's
	// allocation (WithContext is inlined and its copy stays on the
	// stack).
	x.hreq = *r.WithContext(&x.ctx)
	return true
}

var chunkedTE = []string{"chunked"}

// header builds the request's http.Header: keys canonical, values in
// the order they arrived, Host taken out (it is Request.Host), as
// net/http's textproto reader and readRequest leave them. The values of
// the first fields share one backing array kept in the exchange.
func (x *exchange) header() http.Header {
	fields := &x.req.Headers
	h := make(http.Header, fields.Len())
	store := x.vals[:]
	if n := fields.Len(); n > len(store) {
		store = make([]string, n)
	}
	i := 0
	for name, value := range fields.All() {
		key := textproto.CanonicalMIMEHeaderKey(name)
		switch key {
		case "Host":
			continue
		case "Transfer-Encoding":
			// net/http's parseTransferEncoding takes it out, and says
			// what it was in Request.TransferEncoding.
			continue
		}
		if vs, ok := h[key]; ok {
			h[key] = append(vs, value)
			continue
		}
		store[i] = value
		h[key] = store[i : i+1 : i+1]
		i++
	}
	// net/http's fixPragmaCacheControl (RFC 7234 §5.4): "Pragma:
	// no-cache" from an HTTP/1.0 cache means "Cache-Control: no-cache".
	if p, ok := h["Pragma"]; ok && len(p) > 0 && p[0] == "no-cache" {
		if _, ok := h["Cache-Control"]; !ok {
			h["Cache-Control"] = []string{"no-cache"}
		}
	}
	return h
}

// declaredTrailers is net/http's fixTrailer: the names a chunked request
// declares in its Trailer field become the keys of Request.Trailer, and
// the field leaves the header. The values stay nil until the body has
// been read to its end (requestBody.endOfBody).
func declaredTrailers(h http.Header) http.Header {
	vv, ok := h["Trailer"]
	if !ok {
		return nil
	}
	delete(h, "Trailer")
	var t http.Header
	for _, v := range vv {
		for key := range strings.SplitSeq(v, ",") {
			key = http.CanonicalHeaderKey(textproto.TrimString(key))
			switch key {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if t == nil {
				t = make(http.Header)
			}
			t[key] = nil
		}
	}
	return t
}

// setURL fills x.url from the request target and returns the target as
// it was on the wire (Request.RequestURI), as net/http's readRequest
// does: url.ParseRequestURI of the target, or, for CONNECT's authority
// form, of "http://" and the authority, without the scheme. It reports
// false for a target ParseRequestURI refuses.
//
// The target is the engine's Request.Target, the bytes of the wire; a
// Request built without one (a test's, ToHTTP's) has it rebuilt from
// Path and QueryStr.
func (x *exchange) setURL() (string, bool) {
	req := x.req
	u := &x.url
	path := req.Path
	uri := req.Target
	origin := uri == "" || uri[0] == '/'
	if uri == "" {
		uri = path
		if req.QueryStr != "" {
			uri = path + "?" + req.QueryStr
		}
	}
	switch {
	case !origin && req.Verb != "CONNECT":
		// Absolute form (or "*"): net/http's URL has the scheme and host.
		pu, err := url.ParseRequestURI(uri)
		if err != nil {
			return "", false
		}
		*u = *pu
	case req.Verb == "CONNECT" && !strings.HasPrefix(path, "/"):
		pu, err := url.ParseRequestURI("http://" + path)
		if err != nil {
			return "", false
		}
		*u = *pu
		u.Scheme = ""
	case plainPath(path) && len(uri) == len(path)+len(req.QueryStr)+min(1, len(req.QueryStr)):
		// What ParseRequestURI would give, without its allocation: a
		// path with nothing to unescape and nothing net/url would escape
		// has Path equal to the raw path and no RawPath.
		u.Path = path
		u.RawQuery = req.QueryStr
	default:
		pu, err := url.ParseRequestURI(uri)
		if err != nil {
			return "", false
		}
		*u = *pu
	}
	return uri, true
}

// plainPath reports whether p is an absolute path made only of the bytes
// net/url's shouldEscape leaves alone in a path: for those,
// url.ParseRequestURI sets Path to p and RawPath to "".
func plainPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.~$&+,/:;=@", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// shouldClose is net/http's shouldClose for a request: HTTP/0.9, HTTP/1.0
// without "Connection: keep-alive", or "Connection: close".
func shouldClose(major, minor int, h http.Header) bool {
	if major < 1 {
		return true
	}
	conv := h["Connection"]
	hasClose := headerValuesContainsToken(conv, "close")
	if major == 1 && minor == 0 {
		return hasClose || !headerValuesContainsToken(conv, "keep-alive")
	}
	return hasClose
}

// headerValuesContainsToken reports whether any of the comma-separated
// lists in values holds token, ASCII case-insensitively.
func headerValuesContainsToken(values []string, token string) bool {
	for _, v := range values {
		for elem := range strings.SplitSeq(v, ",") {
			if asciiEqualFold(textproto.TrimString(elem), token) {
				return true
			}
		}
	}
	return false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// requestContext is the context of the *http.Request: the engine's
// request context, answering net/http's context keys as net/http's
// server sets them. It lives in the exchange, so it costs no allocation
// (context.WithValue twice would cost two).
type requestContext struct {
	context.Context
	srv *http.Server
	// local is the connection's local address, for
	// http.LocalAddrContextKey (nil for a Request without a connection).
	local net.Addr
}

func (c *requestContext) Value(key any) any {
	switch key {
	case http.ServerContextKey:
		return c.srv
	case http.LocalAddrContextKey:
		if c.local != nil {
			return c.local
		}
	}
	return c.Context.Value(key)
}

// requestBody is the *http.Request's Body: the engine's Body, with the
// Close net/http handlers expect, and the engine's body-limit error also
// given as net/http's *http.MaxBytesError (which handlers test for to
// answer 413).
//
// When the handler returns, end closes it, as net/http's server closes a
// request's body then: later reads fail with http.ErrBodyReadAfterClose.
// Reads and end hold mu, so that a read from a goroutine the handler left
// behind (a proxy's transport still sending the body, say) has finished
// when the handler's return is complete, and none begins after: none
// reaches the engine's Request once the engine may reuse it for the next
// request (bridge.ReleasesRequests).
type requestBody struct {
	mu      sync.Mutex
	r       io.Reader
	req     *httpserver.Request // whose Body r is, for its body limit; nil after end
	hreq    *http.Request       // whose Trailer the end of the body fills
	n       int64               // bytes read
	started bool                // Read was called
	closed  bool
	sawEOF  bool
}

func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	b.started = true
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch err {
	case nil:
	case io.EOF:
		b.endOfBody()
	case httpserver.ErrBodyTooLarge:
		err = bodyTooLarge(b.req)
	}
	return n, err
}

// Close makes later reads fail, as net/http's body does; what is left
// of the body is the engine's to drain or to close the connection over.
func (b *requestBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return nil
}

// discard reads and discards up to n bytes of what is left of the body
// (see responseWriter.discardBody), and reports whether it reached its
// end: then the body is closed, as net/http closes a body it has drained.
func (b *requestBody) discard(n int64) (eof bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, http.ErrBodyReadAfterClose
	}
	b.started = true
	_, err = io.CopyN(io.Discard, b.r, n)
	if err == io.EOF {
		b.endOfBody()
		b.closed = true
		return true, nil
	}
	return false, err
}

// endOfBody records the body's io.EOF and, the first time, sets the
// trailer fields the engine read (Request.Trailer) into the
// http.Request's Trailer, as net/http's body does when it reads the
// trailer section: keys canonical, each key's values replacing what the
// Trailer field declared (nil), keys declared but not sent left nil.
// Like net/http, it fills the Request the handler was given, not copies
// the handler made of it before (WithContext) when their Trailer was
// nil. Called under mu.
func (b *requestBody) endOfBody() {
	if b.sawEOF {
		return
	}
	b.sawEOF = true
	t := b.req.Trailer()
	if t.Len() == 0 {
		return
	}
	got := make(http.Header, t.Len())
	for name, value := range t.All() {
		key := textproto.CanonicalMIMEHeaderKey(name)
		got[key] = append(got[key], value)
	}
	if b.hreq.Trailer == nil {
		b.hreq.Trailer = got
		return
	}
	for k, vv := range got {
		b.hreq.Trailer[k] = vv
	}
}

// end closes the body when the handler has returned (see requestBody).
func (b *requestBody) end() {
	b.mu.Lock()
	b.closed = true
	b.r, b.req = nil, nil
	b.mu.Unlock()
}

// bodyTooLarge is httpserver.ErrBodyTooLarge that is also an
// *http.MaxBytesError, so that both errors.Is(err,
// httpserver.ErrBodyTooLarge) and errors.As(err, &mbe) hold; the
// MaxBytesError's Limit is the body limit req's body went past. It must
// be called while req's body may be read (under requestBody.mu).
func bodyTooLarge(req *httpserver.Request) error {
	return bodyTooLargeError{&http.MaxBytesError{Limit: bridge.BodyLimit(req)}}
}

type bodyTooLargeError struct{ mbe *http.MaxBytesError }

func (e bodyTooLargeError) Error() string   { return httpserver.ErrBodyTooLarge.Error() }
func (e bodyTooLargeError) Unwrap() []error { return []error{httpserver.ErrBodyTooLarge, e.mbe} }
