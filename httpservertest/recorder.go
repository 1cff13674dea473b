package httpservertest

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/wire"
)

var (
	errStreamDone = errors.New("httpservertest: StreamWriter used after its Stream returned")
	// errFault is what a Stream's write gets once its response turned out
	// to be a handler fault (the server's errHandlerFault).
	errFault = errors.New("httpservertest: invalid response from handler")
)

// recorder is the StreamWriter's other end under Do (the methods are
// those bridge.NewStreamWriter requires, with StreamWriter's contracts),
// and it writes the Result. It is used by one goroutine: Do's, or the
// Stream's, which Do waits for.
type recorder struct {
	req    *httpserver.Request
	resp   *httpserver.Response // the handler's, changed by Header and WriteHeader as the server changes it
	res    *Result
	isHEAD bool

	sent   bool // the head has been sent (or the 500 in its place)
	broken bool // the response is a fault: writes fail
	done   bool // the Stream has returned

	pend      []byte    // body bytes held back until the head goes
	declared  int64     // the Content-Length of the Response's Headers as returned, or -1
	mode      wire.Mode // the body's framing, once the head is sent
	remaining int64     // ModeLength: bytes still owed

	trailers     httpserver.Header
	sentContinue bool
}

// Write holds p back while the head can still wait (the server's write
// window), else sends the head and p.
func (r *recorder) Write(p []byte) (int, error) {
	if r.done {
		return 0, errStreamDone
	}
	if !r.sent {
		// Held back while it fits, and while it keeps within a length
		// the Response's Headers declare (a write past it is refused at
		// once, as the server's StreamWriter does).
		if n := len(r.pend) + len(p); n <= httpserver.DefaultWriteBufferSize && (r.declared < 0 || int64(n) <= r.declared) {
			r.pend = append(r.pend, p...)
			return len(p), nil
		}
		if err := r.commit(-1); err != nil {
			return 0, err
		}
	}
	if err := r.admit(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush sends the head, if it has not gone, and counts the call.
func (r *recorder) Flush() error {
	if r.done {
		return errStreamDone
	}
	if err := r.commit(-1); err != nil {
		return err
	}
	r.res.Flushes++
	return nil
}

func (r *recorder) Header() *httpserver.Header {
	if r.done {
		return new(httpserver.Header)
	}
	return &r.resp.Headers
}

// WriteHeader sends an interim response, or sets the final status (and
// sends the head of a tunnel at once), as StreamWriter.WriteHeader says.
func (r *recorder) WriteHeader(code int) {
	if r.done || r.sent {
		return
	}
	if code >= 100 && code < 200 && code != 101 {
		r.interim(code)
		return
	}
	if code != r.resp.StatusCode {
		r.resp.StatusCode, r.resp.StatusMsg = code, ""
	}
	if isTunnel(r.req.Verb, code) {
		r.commit(-1)
	}
}

func (r *recorder) Trailer() *httpserver.Header {
	if r.done {
		return new(httpserver.Header)
	}
	return &r.trailers
}

func (r *recorder) HeadSent() bool { return r.done || r.sent }

func (r *recorder) Hijack() (net.Conn, []byte, error) {
	if r.done {
		return nil, nil, errStreamDone
	}
	return nil, nil, ErrCannotHijack
}

func (r *recorder) SetReadDeadline(time.Time) error  { return r.deadline() }
func (r *recorder) SetWriteDeadline(time.Time) error { return r.deadline() }

func (r *recorder) deadline() error {
	if r.done {
		return errStreamDone
	}
	return nil
}

// interim records a 1xx response with the fields as they are now; the
// server sends none to an HTTP/1.0 client, and one 100 at most.
func (r *recorder) interim(code int) {
	if r.req.Version != "1.1" {
		return
	}
	for name, value := range r.resp.Headers.All() {
		if !wire.IsToken(name) || !wire.IsFieldValue(value) {
			r.setFault("invalid header field in a " + strconv.Itoa(code) + " interim response")
			return
		}
	}
	if code == 100 {
		if r.sentContinue {
			return
		}
		r.sentContinue = true
	}
	r.res.Interim = append(r.res.Interim, Interim{StatusCode: code, Headers: r.resp.Headers.Clone()})
}

// commit sends the head for a body of the given length (-1: unknown), as
// the server's decide does: the response is checked again (a Stream may
// have changed it), the framing decided, and the body bytes held back
// sent. A fault is answered with a 500 and returned as errFault.
func (r *recorder) commit(length int64) error {
	if r.broken {
		return errFault
	}
	if r.sent {
		return nil
	}
	hi, fault := check(r.req, r.resp, r.isHEAD)
	if fault != "" {
		r.fail(fault)
		return errFault
	}
	r.sent = true
	resp := r.resp
	tunnel := isTunnel(r.req.Verb, resp.StatusCode)
	switch {
	case tunnel:
	case hi.declared >= 0 && resp.Stream != nil:
		length = hi.declared // a Stream's declared length, whenever its head goes
	case hi.trailer && hi.declared < 0 && r.version() == 11:
		length = -1 // chunked, so that the trailers can follow
	}
	fr := wire.DecideFraming(wire.FramingInput{
		Version: r.version(), Head: r.isHEAD, Status: resp.StatusCode,
		Length: length, Declared: hi.declared, Endless: resp.Endless,
	})
	if tunnel {
		fr = wire.Framing{Mode: wire.ModeNone, ContentLength: -1}
	}
	r.mode, r.remaining = fr.Mode, fr.ContentLength
	res := r.res
	res.StatusCode, res.StatusMsg = resp.StatusCode, resp.StatusMsg
	if res.StatusMsg == "" {
		res.StatusMsg = wire.StatusText(resp.StatusCode)
	}
	res.Headers = resp.Headers.Clone()
	pend := r.pend
	r.pend = nil
	if r.mode == wire.ModeNone {
		return nil // a response without a body: what was held is dropped
	}
	return r.admit(pend)
}

// version is the version the response is written in, as
// wire.FramingInput counts it.
func (r *recorder) version() int {
	switch {
	case r.req.Version == "0.9":
		return 9
	case r.req.Version == "1.0" || r.resp.Version == "1.0":
		return 10
	}
	return 11
}

// admit adds body bytes after the head, checked against the framing as
// the server's encoder checks them.
func (r *recorder) admit(p []byte) error {
	if r.broken {
		return errFault
	}
	if len(p) == 0 {
		return nil
	}
	switch r.mode {
	case wire.ModeNone:
		return httpserver.ErrBodyNotAllowed
	case wire.ModeLength:
		if int64(len(p)) > r.remaining {
			r.setFault("response body longer than its length")
			return httpserver.ErrLengthMismatch
		}
		r.remaining -= int64(len(p))
	}
	r.res.Body = append(r.res.Body, p...)
	return nil
}

// fail answers a fault found before the head was sent, as the server
// does: a 500 in place of the response.
func (r *recorder) fail(fault string) {
	r.setFault(fault)
	r.answer500()
}

// answer500 records the server's own 500 answer in place of the
// response.
func (r *recorder) answer500() {
	r.sent, r.broken, r.pend = true, true, nil
	res := r.res
	res.StatusCode, res.StatusMsg = 500, wire.StatusText(500)
	res.Headers = httpserver.Header{}
	res.Headers.Set("Content-Type", "text/plain; charset=utf-8")
	res.Body = nil
	if !r.isHEAD {
		res.Body = []byte(res.StatusMsg + "\n")
	}
}

// setFault records the first fault.
func (r *recorder) setFault(fault string) {
	if r.res.Fault == "" {
		r.res.Fault = fault
	}
}
