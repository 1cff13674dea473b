package nethttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver"
)

// Thresholds taken from net/http's server.go, so that a handler sees the
// same behaviour.
const (
	// bufferBeforeChunkingSize is how much of the body net/http buffers
	// before its head goes: the point where it discards an unread
	// request body (see discardBody).
	bufferBeforeChunkingSize = 2048
	// maxPostHandlerReadBytes is the most of an unread request body
	// net/http discards so as to keep the connection.
	maxPostHandlerReadBytes = 256 << 10
	// sniffLen is how much of the body http.DetectContentType reads.
	sniffLen = 512
	// headLengthLimit: a HEAD handler that wrote at most this many bytes
	// (and did not flush) gets a Content-Length of that count, as the
	// same handler's GET body would on a server with the default write
	// window (see serveHEAD).
	headLengthLimit = httpserver.DefaultWriteBufferSize
)

// responseWriter is the http.ResponseWriter FromHTTP gives a handler. It
// belongs to the goroutine running the handler, as net/http's does.
//
// The head follows net/http's two steps: the handler's header map is
// taken at WriteHeader (explicit, or implied by the first Write or
// Flush), converted into the engine's fields then, and the engine sends
// it at the first write that does not fit its window, at a flush, or when
// the handler returns. Until then the Content-Type sniffed from the body
// so far is updated in place.
type responseWriter struct {
	x *exchange
	// sw is the engine's writer while the Stream runs; nil while a HEAD
	// request's handler runs before the engine answers (serveHEAD).
	sw *httpserver.StreamWriter

	handlerHeader http.Header // what Header returns; nil until it is called
	status        int
	contentLength int64    // the handler's valid Content-Length, or -1
	written       int64    // body bytes the handler wrote
	trailers      []string // the names declared in the Trailer field

	// sniffing: no Content-Type was given, so it is sniffed from the
	// first sniffLen bytes, kept in sniff, until the head goes. sniff
	// comes from sniffPool then, and goes back when the handler returns:
	// half a kilobyte less per request in the exchange is a collection
	// less every so often.
	sniffN   int
	sniff    *[sniffLen]byte
	sniffing bool

	// The flags last, packed together.
	wroteHeader  bool // the final status is set (net/http's wroteHeader)
	forceChunked bool // the handler set "Transfer-Encoding: chunked"
	flushed      bool // Flush was called (a HEAD answer then has no length)
	fullDuplex   bool // ResponseController.EnableFullDuplex was called
	discarded    bool // discardBody has run
	hijacked     bool
	handlerDone  bool
}

// sniffPool holds the buffers Content-Type sniffing reads from.
var sniffPool = sync.Pool{New: func() any { return new([sniffLen]byte) }}

func (rw *responseWriter) init(x *exchange) {
	rw.x = x
	rw.contentLength = -1
}

// out is where the head's fields go: the engine's, through the
// StreamWriter (which then checks them again before sending), or the
// Response's for a HEAD request.
func (rw *responseWriter) out() *httpserver.Header {
	if rw.sw != nil {
		return rw.sw.Header()
	}
	return &rw.x.resp.Headers
}

// Header returns the header map, as net/http's: changes after
// WriteHeader (or the first Write) are not sent, except trailers.
func (rw *responseWriter) Header() http.Header {
	if rw.handlerHeader == nil {
		rw.handlerHeader = make(http.Header)
	}
	return rw.handlerHeader
}

// WriteHeader follows net/http's response.WriteHeader.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.hijacked {
		rw.logCaller("http: response.WriteHeader on hijacked connection")
		return
	}
	if rw.wroteHeader {
		rw.logCaller("http: superfluous response.WriteHeader call")
		return
	}
	checkWriteHeaderCode(code)
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		// Interim: sent at once with the fields as they are (RFC 8297:
		// the header map is not cleared). A HEAD answer cannot send one:
		// nothing goes out before its handler has returned.
		if rw.sw != nil {
			fillHeader(rw.sw.Header(), rw.handlerHeader, skipLength)
			rw.sw.WriteHeader(code)
		}
		return
	}
	rw.wroteHeader = true
	rw.status = code
	rw.setHead()
}

// setHead gives the engine the status and the fields of the head, from
// the handler's header map as it is now, with net/http's adjustments
// (its WriteHeader and chunkWriter.writeHeader): the declared
// Content-Length taken, or dropped when invalid; TrailerPrefix keys and
// Transfer-Encoding left out, the fields a status without a body must not
// carry dropped, declared trailers noted, and Content-Type to be sniffed
// when none was given. The map is read once (readHeader), and again only
// after one of the rare changes made to it here.
func (rw *responseWriter) setHead() {
	h := rw.handlerHeader
	code := rw.status
	var buf [smallHeader]headerKey
	hh := readHeader(buf[:0], h)
	if cl := firstValue(hh.contentLength); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			rw.contentLength = v
		} else {
			rw.x.a.logger().Error(fmt.Sprintf("http: invalid Content-Length of %q", cl))
			h.Del("Content-Length")
			// net/http sends the body chunked then: the field it took
			// with the head stops it from adding a length of its own.
			rw.forceChunked = true
			hh = readHeader(buf[:0], h)
		}
	}
	te := firstValue(hh.transferEncoding)
	var skip uint8
	if !bodyAllowedForStatus(code) {
		skip |= skipLength
		if code == http.StatusNotModified {
			skip |= skipType // RFC 7232 §4.1
		}
	}
	switch te {
	case "":
	case "identity":
		// net/http sends such a body close-delimited; the engine frames
		// it, but the connection closes as net/http's would.
		h.Set("Connection", "close")
		hh = readHeader(buf[:0], h)
	default:
		if rw.contentLength >= 0 {
			rw.x.a.logger().Error(fmt.Sprintf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, rw.contentLength))
			skip |= skipLength
			rw.contentLength = -1
		}
		rw.forceChunked = te == "chunked"
	}
	for _, v := range hh.trailer {
		for name := range strings.SplitSeq(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			if name != "" && validTrailer(name) {
				rw.trailers = append(rw.trailers, name)
			}
		}
	}
	rw.sniffing = bodyAllowedForStatus(code) && !hh.hasType && te == "" && firstValue(hh.contentEncoding) == ""
	if rw.sniffing && rw.sniff == nil {
		rw.sniff = sniffPool.Get().(*[sniffLen]byte)
	}
	dst := &rw.x.resp.Headers
	if rw.sw != nil {
		dst = rw.sw.Header()
	}
	if hh.fill(dst, skip) {
		rw.forceChunked = true // TrailerPrefix keys: net/http sends no Content-Length then
	}
	if rw.sw != nil {
		rw.sw.WriteHeader(code)
		return
	}
	rw.x.resp.StatusCode = code
}

// Write follows net/http's response.write.
func (rw *responseWriter) Write(p []byte) (int, error) { return rw.write(len(p), p, "") }

// WriteString is Write for a string (io.StringWriter, which io.WriteString
// and net/http's helpers use).
func (rw *responseWriter) WriteString(s string) (int, error) { return rw.write(len(s), nil, s) }

// write writes p, or s when p is nil, as net/http's response.write.
func (rw *responseWriter) write(n int, p []byte, s string) (int, error) {
	if rw.hijacked {
		if n > 0 {
			rw.logCaller("http: response.Write on hijacked connection")
		}
		return 0, http.ErrHijacked
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if n == 0 {
		return 0, nil
	}
	if !bodyAllowedForStatus(rw.status) {
		return 0, http.ErrBodyNotAllowed
	}
	rw.written += int64(n) // counted even when refused, as net/http does
	if rw.contentLength != -1 && rw.written > rw.contentLength {
		return 0, http.ErrContentLength
	}
	if rw.sniffing {
		if p != nil {
			rw.sniffN += copy(rw.sniff[rw.sniffN:], p)
		} else {
			rw.sniffN += copy(rw.sniff[rw.sniffN:], s)
		}
		rw.setSniffedType()
	}
	if rw.sw == nil {
		return n, nil // HEAD: net/http discards the body too
	}
	if !rw.discarded && rw.written > bufferBeforeChunkingSize {
		rw.discardBody()
	}
	var err error
	if p != nil {
		n, err = rw.sw.Write(p)
	} else {
		n, err = rw.sw.WriteString(s)
	}
	if rw.sniffing && rw.sw.HeadSent() {
		rw.sniffing = false
	}
	return n, err
}

// setSniffedType sets the Content-Type the body's first bytes give,
// which the head carries if it goes before more is written: at any time
// the type is the one the body so far gives, as net/http's is for the
// body it has buffered when its head goes.
func (rw *responseWriter) setSniffedType() {
	rw.out().Set("Content-Type", http.DetectContentType(rw.sniff[:rw.sniffN]))
	if rw.sniffN == len(rw.sniff) {
		rw.sniffing = false
	}
}

// Flush sends the head and what was written so far (http.Flusher).
func (rw *responseWriter) Flush() { rw.FlushError() }

// FlushError is Flush with its error, which http.ResponseController
// prefers.
func (rw *responseWriter) FlushError() error {
	if rw.hijacked {
		return http.ErrHijacked
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	rw.flushed = true
	if rw.sw == nil {
		return nil
	}
	if !rw.discarded {
		rw.discardBody()
	}
	rw.sniffing = false
	return rw.sw.Flush()
}

// discardBody is what net/http does when its head goes out while the
// request body is unread (chunkWriter.writeHeader): it reads and
// discards up to 256 KiB of it, because some clients send their whole
// request before they read the answer and would deadlock, and closes the
// connection after the response if more remains; a body whose known
// remainder is 256 KiB or more is left for the handler to read, and the
// connection closes after the response. It is called where
// net/http's head goes: when the body outgrows net/http's 2 KiB buffer,
// or at a Flush; not when the handler returns (the engine drains a short
// remainder then, within Server.MaxDrainBytes), nor once it has returned
// (its body is closed then). EnableFullDuplex turns it off. A request with "Expect: 100-continue" whose body was never read
// is not discarded: the client has not sent it, and the engine closes
// the connection instead of sending 100 Continue.
func (rw *responseWriter) discardBody() {
	rw.discarded = true
	b := &rw.x.body
	if rw.handlerDone || rw.fullDuplex || rw.x.hreq.ContentLength == 0 || b.sawEOF {
		return
	}
	if b.closed {
		rw.closeAfterReply() // closed by the handler before its end
		return
	}
	if !b.started && rw.x.hreq.ProtoAtLeast(1, 1) && asciiEqualFold(rw.x.req.Headers.Get("Expect"), "100-continue") {
		rw.closeAfterReply()
		return
	}
	if n := rw.x.hreq.ContentLength; n > 0 && n-b.n >= maxPostHandlerReadBytes {
		// Known to be too long to discard: the handler may still read
		// it, and the connection closes after the response.
		rw.closeAfterReply()
		return
	}
	if eof, _ := b.discard(maxPostHandlerReadBytes + 1); eof {
		return
	}
	// Not at the end: there is more than 256 KiB left; an error: whatever
	// remains on the wire cannot be trusted to be the next request.
	rw.closeAfterReply()
}

// closeAfterReply makes the response close the connection, if its head
// has not gone yet (else the engine closes it anyway: the body is not
// done).
func (rw *responseWriter) closeAfterReply() {
	if rw.sw != nil && !rw.sw.HeadSent() {
		rw.sw.Header().Set("Connection", "close")
	}
}

// EnableFullDuplex lets the handler read the request body while it
// writes the response (http.ResponseController): the body is then not
// discarded when the head goes. The engine itself always allows it.
func (rw *responseWriter) EnableFullDuplex() error {
	rw.fullDuplex = true
	return nil
}

// SetReadDeadline sets the deadline for reading the request body
// (http.ResponseController). Unlike net/http's, the zero time restores
// the server's ReadTimeout instead of removing every deadline.
func (rw *responseWriter) SetReadDeadline(t time.Time) error {
	if rw.hijacked {
		return http.ErrHijacked
	}
	if rw.sw == nil {
		return http.ErrNotSupported
	}
	return rw.sw.SetReadDeadline(t)
}

// SetWriteDeadline sets the deadline for writing the response
// (http.ResponseController). Unlike net/http's, the zero time restores
// the server's WriteTimeout instead of removing every deadline.
func (rw *responseWriter) SetWriteDeadline(t time.Time) error {
	if rw.hijacked {
		return http.ErrHijacked
	}
	if rw.sw == nil {
		return http.ErrNotSupported
	}
	return rw.sw.SetWriteDeadline(t)
}

// Hijack takes the connection over (http.Hijacker). A head already
// decided (WriteHeader, or written body) is sent first, as net/http does;
// the bufio.Reader holds the bytes the server had read from the client
// beyond the request and its body so far (Buffered reports them, as
// WebSocket libraries check). The connection's deadlines are cleared.
// A HEAD request's handler cannot hijack (http.ErrNotSupported).
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.handlerDone {
		panic("nethttp: Hijack called after ServeHTTP finished")
	}
	if rw.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if rw.sw == nil {
		return nil, nil, http.ErrNotSupported
	}
	if rw.wroteHeader && !rw.sw.HeadSent() {
		if err := rw.sw.Flush(); err != nil {
			return nil, nil, err
		}
	}
	conn, rest, err := rw.sw.Hijack()
	if err != nil {
		return nil, nil, err
	}
	rw.hijacked = true
	return conn, hijackedReadWriter(conn, rest), nil
}

// hijackedReadWriter returns the bufio.ReadWriter of a hijacked
// connection: its Reader yields rest, then reads conn, and reports rest as
// Buffered; its Writer writes to conn.
func hijackedReadWriter(conn net.Conn, rest []byte) *bufio.ReadWriter {
	size := max(4096, len(rest))
	br := bufio.NewReaderSize(&prefixReader{rest: rest, r: conn}, size)
	if len(rest) > 0 {
		// One read of the prefixReader fills the buffer with rest (it is
		// large enough), and none reaches conn.
		br.Peek(len(rest))
	}
	return bufio.NewReadWriter(br, bufio.NewWriter(conn))
}

// prefixReader reads rest, then r.
type prefixReader struct {
	rest []byte
	r    io.Reader
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// copyBufPool holds the buffers of ReadFrom.
var copyBufPool = sync.Pool{New: func() any { return new([16 << 10]byte) }}

// ReadFrom copies src into the response through Write, with a pooled
// buffer: without it io.Copy (http.ServeContent, a file) would allocate
// 32 KiB per response.
func (rw *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	buf := copyBufPool.Get().(*[16 << 10]byte)
	defer copyBufPool.Put(buf)
	return io.CopyBuffer(writerOnly{rw}, src, buf[:])
}

// writerOnly hides ReadFrom from io.CopyBuffer, which would call it.
type writerOnly struct{ io.Writer }

// finish ends the response when the handler returns, as net/http's
// finishRequest: the request body closed, the implied WriteHeader(200),
// the trailers, and for a HEAD answer the Content-Length net/http would
// add.
func (rw *responseWriter) finish() error {
	rw.handlerDone = true
	rw.x.body.end()
	if rw.sniff != nil {
		rw.sniffing = false
		sniffPool.Put(rw.sniff)
		rw.sniff = nil
	}
	if rw.hijacked {
		return nil
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.sw == nil {
		if !rw.flushed && rw.contentLength < 0 && !rw.forceChunked && len(rw.trailers) == 0 &&
			rw.written > 0 && rw.written <= headLengthLimit && bodyAllowedForStatus(rw.status) {
			rw.x.resp.Headers.Set("Content-Length", strconv.FormatInt(rw.written, 10))
		}
		return nil
	}
	return rw.sendTrailers()
}

// sendTrailers gives the engine the trailer fields net/http's
// finalTrailers would send: the declared names' values as they are now,
// and the keys set with http.TrailerPrefix. net/http sends them only
// with a chunked body, which it uses when the response declares
// trailers (the engine then chunks it too), or had TrailerPrefix keys or
// a "Transfer-Encoding: chunked" field when its head was taken, or when
// its head went before the handler returned: past 2 KiB of body, or at a
// Flush. A Flush here makes the body chunked in those cases where the
// engine, whose window is larger, would still send a Content-Length. A
// short body whose TrailerPrefix keys came after the head was taken goes
// with a Content-Length and without them, as on net/http.
func (rw *responseWriter) sendTrailers() error {
	if !rw.forceChunked && rw.written <= bufferBeforeChunkingSize && len(rw.trailers) == 0 && !rw.sw.HeadSent() {
		// Nothing below can make this body chunked, and a body sent with
		// a length carries no trailers: no need to look for
		// TrailerPrefix keys (the common case, spared a map scan).
		return nil
	}
	h := rw.handlerHeader
	prefixed := false
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			prefixed = true
			break
		}
	}
	chunk := rw.forceChunked || (prefixed && rw.written > bufferBeforeChunkingSize)
	if chunk && !rw.sw.HeadSent() {
		if err := rw.sw.Flush(); err != nil {
			return err
		}
	}
	if !rw.sw.HeadSent() && len(rw.trailers) == 0 {
		return nil
	}
	t := rw.sw.Trailer()
	for k, vv := range h {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && validTrailer(name) {
			for _, v := range vv {
				t.Add(name, fieldValue(v))
			}
		}
	}
	for _, k := range rw.trailers {
		for _, v := range h[k] {
			t.Add(k, fieldValue(v))
		}
	}
	return nil
}

// checkWriteHeaderCode panics as net/http's does for a code that is not
// three digits.
func checkWriteHeaderCode(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
}

// bodyAllowedForStatus is net/http's: no body with 1xx, 204 or 304.
func bodyAllowedForStatus(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == 204, status == 304:
		return false
	}
	return true
}

// logCaller logs msg with the handler's code that caused it, as net/http
// does (relevantCaller): the first caller outside net/http and this
// package.
func (rw *responseWriter) logCaller(msg string) {
	var pc [16]uintptr
	n := runtime.Callers(2, pc[:])
	frames := runtime.CallersFrames(pc[:n])
	var frame runtime.Frame
	for more := true; more; {
		frame, more = frames.Next()
		ours := strings.HasPrefix(frame.Function, thisPackage) && !strings.HasSuffix(frame.File, "_test.go")
		if !ours && !strings.HasPrefix(frame.Function, "net/http.") {
			break
		}
	}
	rw.x.a.logger().Warn(fmt.Sprintf("%s from %s (%s:%d)", msg, frame.Function, path.Base(frame.File), frame.Line))
}

const thisPackage = "github.com/gohttpserver/httpserver/nethttp."
