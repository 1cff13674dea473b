package wire

// Mode is how a response body is delimited on the wire.
type Mode uint8

const (
	ModeNone    Mode = iota // no body (HEAD, 1xx, 204, 304)
	ModeLength              // Content-Length
	ModeChunked             // Transfer-Encoding: chunked
	ModeClose               // the body ends when the connection closes
	ModeRaw                 // HTTP/0.9: no head at all, the body, then close
)

var modeNames = [...]string{"none", "length", "chunked", "close", "raw"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "Mode(?)"
}

// FramingInput is what the framing of a response depends on, and nothing
// else.
type FramingInput struct {
	// Version is the version the response is written in: 9 (HTTP/0.9,
	// no head), 10 or 11.
	Version int
	// Head: the request method was HEAD.
	Head bool
	// Status is the response's status code.
	Status int
	// Length is the body's length when it is known before the body is
	// sent (a string body, a declared length, a sized reader, a file, or a
	// body short enough to have been buffered whole), else -1.
	Length int64
	// Declared is the length the handler stated in its own Content-Length
	// field, or -1. On a response without a body (HEAD, 304) it is the
	// length a GET would have had.
	Declared int64
	// Endless: the handler marked the body as having no natural end (an
	// event stream). It is never framed by a Content-Length, even when a
	// length is known, so that it can be flushed part by part.
	Endless bool
	// KeepAlive: everything but the framing allows another request on the
	// connection (the client asked for it, in its version's terms, the
	// request was read whole or can be drained, the server is not shutting
	// down, the handler did not ask to close).
	KeepAlive bool
}

// Framing is the decision for one response.
type Framing struct {
	Mode Mode
	// KeepAlive: the connection may carry another request after this
	// response.
	KeepAlive bool
	// ContentLength is the Content-Length field to send, or -1 for none.
	// It is the body's length for ModeLength; for a response without a
	// body it is the length a GET would have had, where that is known
	// without producing the body (RFC 9110 §8.6, §9.3.2), and never for
	// 1xx and 204 (RFC 9110 §8.6: MUST NOT).
	ContentLength int64
}

// DecideFraming is the one place that decides how a response body is
// delimited and whether the connection survives it; nothing else guesses.
// It is a pure function of its input (h11's _body_framing is the model).
//
//	response                          | answer 1.1       | answer 1.0               | 0.9
//	----------------------------------+------------------+--------------------------+-----------------
//	1xx, 204                          | none, no CL      | none, no CL              | n/a
//	304, HEAD                         | none; CL as GET* | none; CL as GET*         | body only, close
//	length known                      | Content-Length   | Content-Length           | body only, close
//	length unknown                    | chunked          | close-delimited, close   | body only, close
//	endless (known length or not)     | chunked          | close-delimited, close   | body only, close
//
// (*) "as GET": the Content-Length a GET would have carried, where it is
// known without producing the body: the handler's declared length, else
// (HEAD only) the body's known length, unless the body is endless. A HEAD
// answer never carries Transfer-Encoding: it would describe a body that
// nobody produced, and RFC 9110 §9.3.2 lets a server omit fields that only
// generating the content would determine. 304 uses only the declared
// length, since its body (if any) is not the selected representation's.
//
// Keep-alive follows the client (the caller folds its Connection field and
// version into KeepAlive); a close-delimited or 0.9 body always closes.
func DecideFraming(in FramingInput) Framing {
	switch {
	case in.Version == 9:
		return Framing{Mode: ModeRaw, ContentLength: -1}
	case in.Status < 200 || in.Status == 204:
		return Framing{Mode: ModeNone, KeepAlive: in.KeepAlive, ContentLength: -1}
	case in.Head || in.Status == 304:
		cl := in.Declared
		if cl < 0 && in.Head && in.Status != 304 && !in.Endless {
			cl = in.Length
		}
		return Framing{Mode: ModeNone, KeepAlive: in.KeepAlive, ContentLength: cl}
	case in.Length >= 0 && !in.Endless:
		return Framing{Mode: ModeLength, KeepAlive: in.KeepAlive, ContentLength: in.Length}
	case in.Version == 11:
		return Framing{Mode: ModeChunked, KeepAlive: in.KeepAlive, ContentLength: -1}
	default:
		return Framing{Mode: ModeClose, ContentLength: -1}
	}
}

// HasBody reports whether a response with this status to a request with
// this method (HEAD or not) carries a body at all.
func HasBody(head bool, status int) bool {
	return !head && status >= 200 && status != 204 && status != 304
}
