package nethttp

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// ToHTTP returns an http.Handler that answers each request with h, so
// that an httpserver.Handler runs under any host of http.Handlers
// (net/http's server, httptest, an HTTP/2 server).
//
// h gets an httpserver.Request built from the *http.Request: Verb, Path
// (r.URL.EscapedPath(); the authority for CONNECT), QueryStr and
// QueryDict, Version ("1.0" for HTTP/1.0, "1.1" for every later version,
// HTTP/2 and HTTP/3 included), Headers (a Host field first, then r.Header
// in sorted key order, and "Transfer-Encoding: chunked" for a chunked
// body), Host, Body, ContentLength, TLS, RemoteIP and RemotePort, and
// r's context. Its Response is written as the engine writes it, with what
// net/http allows: the status and fields (StatusMsg and Version are not
// sent: net/http writes its own status line), a Content-Length wherever
// the engine would send one, Message, Body (closed when done, if it is an
// io.Closer) and Stream, whose StreamWriter flushes, hijacks, sets
// deadlines and sends interim responses and trailers through
// http.ResponseController. Endless responses are flushed as they go.
//
// A nil Response, an invalid status, field or reason, or a
// Transfer-Encoding field is answered with 500 and logged through
// slog.Default(), as the engine does. A Stream's error after the head was
// sent aborts the response (a panic with http.ErrAbortHandler, which the
// host turns into a closed connection or a reset stream). A panic in h is
// the host's to handle, as any handler's.
//
// ToHTTP(FromHTTP(g)) returns g itself.
func ToHTTP(h httpserver.Handler) http.Handler {
	if a, ok := h.(*adapter); ok {
		return a.h
	}
	return toHTTP{h: h}
}

func init() {
	bridge.ToHTTPLog = func(h any, log *slog.Logger) any {
		return toHTTP{h: h.(httpserver.Handler), log: log}
	}
}

// toHTTP is the http.Handler ToHTTP returns.
type toHTTP struct {
	h   httpserver.Handler
	log *slog.Logger // nil: slog.Default() (tests set their own)
}

func (t toHTTP) logger() *slog.Logger {
	if t.log != nil {
		return t.log
	}
	return slog.Default()
}

func (t toHTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := engineRequest(r)
	if r.Pattern != "" {
		bridge.SetPattern(req, r.Pattern) // a ServeMux routed here
	}
	resp := t.h.Handle(req)
	if p := req.Pattern(); p != r.Pattern {
		// An engine Mux inside matched: net/http's middleware around
		// this handler finds it where a ServeMux would have left it.
		r.Pattern = p
	}
	if resp != nil && resp.Body != nil {
		if c, ok := resp.Body.(io.Closer); ok {
			defer c.Close()
		}
	}
	o := &outbound{t: t, w: w, r: r, req: req, resp: resp}
	o.write()
}

// engineRequest builds the engine's Request for r.
func engineRequest(r *http.Request) *httpserver.Request {
	req := &httpserver.Request{
		Verb:          r.Method,
		Path:          r.URL.EscapedPath(),
		QueryStr:      r.URL.RawQuery,
		Version:       "1.1",
		Host:          r.Host,
		Body:          r.Body,
		ContentLength: r.ContentLength,
		TLS:           r.TLS,
	}
	switch {
	case r.Method == "CONNECT" && r.URL.Path == "" && r.URL.Host != "":
		req.Path = r.URL.Host // the authority form, as the engine gives it
	case req.Path == "":
		req.Path = "/"
	}
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		req.Version = "1.0"
	}
	if req.Body == nil {
		req.Body = http.NoBody
	}
	if req.QueryStr != "" {
		req.QueryDict, req.QueryErr = httpserver.ParseQuery(req.QueryStr)
	}
	if host, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.RemoteIP = host
		req.RemotePort, _ = strconv.Atoi(port)
	}
	if r.Host != "" {
		req.Headers.Add("Host", r.Host)
	}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			req.Headers.Add(k, v)
		}
	}
	if slices.Contains(r.TransferEncoding, "chunked") {
		req.Headers.Add("Transfer-Encoding", "chunked")
	}
	if r.Body != nil && r.Body != http.NoBody && (r.Trailer != nil || r.ContentLength < 0) {
		// A body that may end in trailer fields: net/http fills
		// r.Trailer when it reads them, the engine's Request.Trailer
		// reads them from the Body.
		req.Body = &trailerBody{r: r.Body, hreq: r}
	}
	return req.WithContext(r.Context())
}

// trailerBody is the engine Request's Body for a net/http request whose
// body may end in trailer fields: at its io.EOF it takes them from the
// http.Request's Trailer (which net/http and x/net/http2 fill before
// they return that io.EOF) for Request.Trailer, which finds them through
// its Trailer method. Reads are the handler's, one at a time, as Body's
// are; Trailer is for after the io.EOF, on a goroutine that saw it (or
// was told of it).
type trailerBody struct {
	r       io.Reader
	hreq    *http.Request
	done    bool
	trailer httpserver.Header
}

func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		b.trailer = engineTrailer(b.hreq.Trailer)
	}
	return n, err
}

// Trailer returns the trailer fields once Read has returned io.EOF, and
// none before.
func (b *trailerBody) Trailer() httpserver.Header { return b.trailer }

// engineTrailer is t as the engine's Request.Trailer gives trailers:
// keys sorted (a map keeps no order), declared keys that came without a
// value left out, and the fields that may not be trailers dropped, as
// the engine drops them from a chunked body (net/http keeps them in
// Request.Trailer; x/net/http2 refuses a stream that sends them).
func engineTrailer(t http.Header) httpserver.Header {
	var h httpserver.Header
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !validTrailer(k) {
			continue
		}
		for _, v := range t[k] {
			h.Add(k, v)
		}
	}
	return h
}

// outbound writes one Response through an http.ResponseWriter. It is
// also the StreamWriter's target (see internal/bridge) while a Stream
// runs.
type outbound struct {
	t    toHTTP
	w    http.ResponseWriter
	r    *http.Request
	req  *httpserver.Request
	resp *httpserver.Response

	trailers httpserver.Header // StreamWriter.Trailer
	headSent bool
	hijacked bool
	failed   bool // a fault was answered with 500: the Stream's writes fail
}

var errFault = errors.New("nethttp: invalid response from handler")

func (o *outbound) write() {
	resp := o.resp
	if fault := responseFault(o.req, resp); fault != "" {
		o.fault(fault)
		return
	}
	head := o.r.Method == "HEAD"
	declared := declaredLength(&resp.Headers)
	if tunnel(o.r.Method, resp.StatusCode) {
		o.flush()
		o.runStream()
		return
	}
	if !wire.HasBody(head, resp.StatusCode) {
		// As the engine: no Stream run, no Body read; a HEAD answer has
		// the length known without producing the body.
		if head && declared < 0 && !resp.Endless && resp.StatusCode != 304 {
			if n := resp.KnownLength(); n >= 0 {
				o.setLength(n)
			}
		}
		o.commit()
		return
	}
	switch {
	case resp.Stream != nil:
		if resp.Endless {
			o.flush()
		}
		o.runStream()
	case resp.Body != nil:
		n := resp.KnownLength()
		if resp.Endless {
			n = -1
			o.flush()
		}
		if n >= 0 && declared < 0 {
			o.setLength(n)
		}
		o.copyBody(n)
	default:
		if declared < 0 && !resp.Endless {
			o.setLength(int64(len(resp.Message)))
		}
		if resp.Endless {
			o.flush()
		}
		io.WriteString(o, resp.Message)
	}
}

// fault answers 500 for a response the handler should not have made, as
// the engine does, and logs it.
func (o *outbound) fault(what string) {
	verb, path := "", ""
	if o.req != nil {
		verb, path = o.req.Verb, o.req.Path
	}
	o.t.logger().Error("httpserver: invalid response from handler", "fault", what, "verb", verb, "path", path)
	o.answer500()
}

// answer500 sends the engine's 500 answer, or aborts the response if its
// head has gone.
func (o *outbound) answer500() {
	o.failed = true
	if o.headSent {
		panic(http.ErrAbortHandler)
	}
	o.headSent = true
	h := o.w.Header()
	clear(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Connection", "close")
	o.w.WriteHeader(500)
	if o.r.Method != "HEAD" {
		io.WriteString(o.w, wire.StatusText(500)+"\n")
	}
}

func (o *outbound) setLength(n int64) {
	o.resp.Headers.Set("Content-Length", strconv.FormatInt(n, 10))
}

// commit sends the head (into the ResponseWriter: net/http decides when
// it reaches the wire), once.
func (o *outbound) commit() bool {
	if o.headSent {
		return !o.failed
	}
	if fault := fieldsFault(&o.resp.Headers); fault != "" {
		o.fault(fault)
		return false
	}
	o.headSent = true
	copyFields(o.w.Header(), &o.resp.Headers)
	o.w.WriteHeader(o.resp.StatusCode)
	return true
}

// copyFields replaces dst's contents with src's fields. An empty Date
// field becomes net/http's way of suppressing Date: the key without
// values; so does a missing Content-Type, which net/http would sniff and
// the engine never adds.
func copyFields(dst http.Header, src *httpserver.Header) {
	clear(dst)
	if !src.Has("Content-Type") {
		dst["Content-Type"] = nil
	}
	for name, value := range src.All() {
		if value == "" && asciiEqualFold(name, "Date") {
			dst[http.CanonicalHeaderKey(name)] = nil
			continue
		}
		dst.Add(name, value)
	}
}

func (o *outbound) flush() error {
	if !o.commit() {
		return errFault
	}
	return http.NewResponseController(o.w).Flush()
}

// copyBody copies the Body: n bytes of it when n >= 0 (the rest is not
// sent; fewer is a truncated response), all of it otherwise, flushing
// after each read for an Endless one.
func (o *outbound) copyBody(n int64) {
	body := o.resp.Body
	if n >= 0 {
		body = io.LimitReader(body, n)
	}
	var dst io.Writer = o
	if o.resp.Endless {
		dst = flushWriter{o}
	}
	written, err := io.Copy(dst, body)
	if err == nil && n >= 0 && written < n {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		o.failStream(err)
	}
}

type flushWriter struct{ o *outbound }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.o.Write(p)
	if err == nil {
		err = f.o.Flush()
	}
	return n, err
}

// runStream runs the Stream with a StreamWriter whose target is o, then
// ends the response as the engine does.
func (o *outbound) runStream() {
	sw := bridge.NewStreamWriter(o).(*httpserver.StreamWriter)
	err := o.resp.Stream(sw)
	if o.hijacked {
		return
	}
	if err != nil {
		o.failStream(err)
		return
	}
	if tunnel(o.r.Method, o.resp.StatusCode) {
		// A tunnel not taken over: the engine closes the connection
		// (RFC 9110 §9.3.6); so must we.
		panic(http.ErrAbortHandler)
	}
	if !o.commit() {
		return
	}
	h := o.w.Header()
	for name, value := range o.trailers.All() {
		if validTrailer(name) && wire.IsFieldValue(value) {
			h.Add(http.TrailerPrefix+name, value)
		}
	}
}

// failStream ends a response whose body failed: a 500 if nothing was
// sent, else an abort, so that the client sees it truncated.
func (o *outbound) failStream(err error) {
	if o.failed {
		return // answered already
	}
	if !errors.Is(err, httpserver.ErrAbortResponse) {
		o.t.logger().Error("httpserver: response body failed", "err", err, "verb", o.req.Verb, "path", o.req.Path)
	}
	o.answer500() // aborts if the head has gone

}

// The StreamWriter's target (internal/bridge): each method has the
// contract of the StreamWriter method of the same name.

func (o *outbound) Write(p []byte) (int, error) {
	if o.hijacked {
		return 0, httpserver.ErrHijacked
	}
	if !o.commit() {
		return 0, errFault
	}
	return o.w.Write(p)
}

func (o *outbound) Flush() error {
	if o.hijacked {
		return httpserver.ErrHijacked
	}
	return o.flush()
}

func (o *outbound) Header() *httpserver.Header { return &o.resp.Headers }

func (o *outbound) WriteHeader(code int) {
	if o.headSent || o.hijacked {
		return
	}
	if code >= 100 && code <= 199 && code != 101 {
		if o.r.ProtoMajor == 1 && o.r.ProtoMinor == 0 {
			return // RFC 9110 §15.2: never to an HTTP/1.0 client
		}
		if fieldsFault(&o.resp.Headers) != "" {
			o.fault("invalid header field in a " + strconv.Itoa(code) + " interim response")
			return
		}
		copyFields(o.w.Header(), &o.resp.Headers)
		o.w.WriteHeader(code)
		return
	}
	if code != o.resp.StatusCode {
		o.resp.StatusCode, o.resp.StatusMsg = code, ""
	}
	if tunnel(o.r.Method, code) {
		o.flush()
	}
}

func (o *outbound) Trailer() *httpserver.Header { return &o.trailers }

func (o *outbound) HeadSent() bool { return o.headSent || o.hijacked }

func (o *outbound) Hijack() (net.Conn, []byte, error) {
	if o.hijacked {
		return nil, nil, httpserver.ErrHijacked
	}
	rc := http.NewResponseController(o.w)
	if o.headSent {
		// net/http's Hijack sends the head but drops body bytes still in
		// its buffer; the engine sends what was written.
		if err := rc.Flush(); err != nil {
			return nil, nil, err
		}
	}
	conn, brw, err := rc.Hijack()
	if err != nil {
		return nil, nil, err
	}
	o.hijacked = true
	var rest []byte
	if n := brw.Reader.Buffered(); n > 0 {
		p, _ := brw.Reader.Peek(n)
		rest = slices.Clone(p)
	}
	if brw.Writer.Buffered() > 0 {
		brw.Writer.Flush()
	}
	return conn, rest, nil
}

func (o *outbound) SetReadDeadline(t time.Time) error {
	return http.NewResponseController(o.w).SetReadDeadline(t)
}

func (o *outbound) SetWriteDeadline(t time.Time) error {
	return http.NewResponseController(o.w).SetWriteDeadline(t)
}

// tunnel reports whether status opens a tunnel: 101, or a 2xx to
// CONNECT (the engine's rule).
func tunnel(method string, status int) bool {
	return status == 101 || (method == "CONNECT" && status >= 200 && status < 300)
}

// responseFault is the engine's checkResponse: what is wrong with resp
// for req, or "".
func responseFault(req *httpserver.Request, resp *httpserver.Response) string {
	switch {
	case resp == nil:
		return "nil response"
	case tunnel(req.Verb, resp.StatusCode):
		if resp.Stream == nil {
			return "tunnel (101, or 2xx to CONNECT) without a Stream to take the connection"
		}
		if resp.StatusCode == 101 && (req.Version != "1.1" || req.Headers.Get("Upgrade") == "") {
			return "101 to a request without Upgrade"
		}
	case resp.StatusCode >= 100 && resp.StatusCode < 200:
		return "1xx status returned as a final response"
	case resp.StatusCode < 200 || resp.StatusCode > 599:
		return "status code " + strconv.Itoa(resp.StatusCode) + " outside 100..599"
	}
	if !wire.IsFieldValue(resp.StatusMsg) {
		return "control character in StatusMsg"
	}
	switch resp.Version {
	case "", "1.0", "1.1":
	default:
		return "unsupported Version " + strconv.Quote(resp.Version)
	}
	if fault := fieldsFault(&resp.Headers); fault != "" {
		return fault
	}
	if d := declaredLength(&resp.Headers); resp.Stream == nil && resp.Body == nil && d >= 0 &&
		d != int64(len(resp.Message)) && wire.HasBody(req.Verb == "HEAD", resp.StatusCode) {
		return "Content-Length header disagrees with Message"
	}
	return ""
}

// fieldsFault is the engine's checkFields: what is wrong with the
// fields, or "".
func fieldsFault(h *httpserver.Header) string {
	length := int64(-1)
	for name, value := range h.All() {
		switch {
		case !wire.IsToken(name):
			return "invalid header name " + strconv.Quote(name)
		case !wire.IsFieldValue(value):
			return "invalid value for header " + name
		case asciiEqualFold(name, "Transfer-Encoding"):
			return "Transfer-Encoding set by handler (the server frames responses)"
		case asciiEqualFold(name, "Content-Length"):
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || (length >= 0 && n != length) {
				return "invalid Content-Length header"
			}
			length = n
		}
	}
	return ""
}

// declaredLength is the Content-Length field's value, or -1. The fields
// have been checked (fieldsFault).
func declaredLength(h *httpserver.Header) int64 {
	if v := h.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return -1
}
