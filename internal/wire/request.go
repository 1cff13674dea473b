package wire

import (
	"bytes"
	"errors"
	"net/netip"
)

// ErrIncomplete is returned by RequestHead.Parse when buf does not yet hold
// a whole request head: read more bytes, append them, and call Parse again
// with the longer buffer.
var ErrIncomplete = errors.New("httpserver: incomplete request head")

// Limits bounds what a request head may be. Zero fields use the defaults
// below; the server fills them from its own configuration.
type Limits struct {
	MaxRequestLine int // bytes in the request line, CRLF included; 414 beyond it
	MaxHeadBytes   int // bytes in the whole head; 431 beyond it
	MaxFields      int // number of header field lines; 431 beyond it
}

// Default limits, in line with nginx's large_client_header_buffers.
const (
	DefaultMaxRequestLine = 8 << 10
	DefaultMaxHeadBytes   = 16 << 10
	DefaultMaxFields      = 100
	// maxLeadingEmptyLines bounds the empty lines tolerated before a
	// request line (RFC 9112 §2.2 asks for at least one).
	maxLeadingEmptyLines = 4
)

// Field is one header field line: the name and the value with surrounding
// whitespace removed.
type Field struct{ Name, Value Span }

// Target forms (RFC 9112 §3.2).
const (
	OriginForm    = iota // "/path?query"
	AbsoluteForm         // "http://host/path?query"
	AuthorityForm        // "host:port", CONNECT only
	AsteriskForm         // "*", OPTIONS only
)

// RequestHead is a parsed request line and header section. All spans index
// into the buffer given to Parse. A RequestHead is reused from request to
// request: call Reset before parsing the next one; the Fields slice keeps
// its capacity.
type RequestHead struct {
	Method Span
	Target Span // the whole request-target
	Form   int  // one of OriginForm, AbsoluteForm, AuthorityForm, AsteriskForm
	// Path is the target's path ("*" for the asterisk form, the authority
	// for the authority form); Query is what follows '?', without it;
	// HasQuery tells "/p?" from "/p".
	Path     Span
	Query    Span
	HasQuery bool
	// Authority is the effective host (and port) the request is for: the
	// authority of an absolute-form or authority-form (CONNECT) target,
	// whatever the Host field says (RFC 9112 §3.2.2), or else the Host
	// field's value. HasAuthority reports whether either was present.
	Authority    Span
	HasAuthority bool

	// Major and Minor are the version: 0.9, 1.0 or 1.1. A request with a
	// higher 1.x minor version is recorded as 1.1 (RFC 9110 §2.5).
	Major, Minor int

	Fields []Field

	// The message framing and connection semantics, derived from the
	// fields as their lines arrive; they are only meaningful once Parse
	// has returned nil.
	//
	// ContentLength is the body's length: 0 when there is no body, -1 when
	// it is chunked.
	ContentLength int64
	Chunked       bool
	// Close: the client asked to close the connection after this exchange
	// (Connection: close, or HTTP/1.0 without keep-alive, or HTTP/0.9).
	Close bool
	// Expect100: "Expect: 100-continue" on an HTTP/1.1 request.
	Expect100 bool

	// Len is the number of bytes the head took, leading empty lines
	// included: the body (if any) starts at buf[Len].
	Len int

	// Parse state, so that a head arriving in pieces is scanned once.
	pos       int // next unparsed byte
	stage     uint8
	hosts     int  // Host fields so far
	haveCL    bool // a Content-Length field so far
	keepAlive bool // a Connection field so far said keep-alive
}

const (
	stageLeading = iota
	stageHeaders
	stageDone
)

// Reset prepares h for the next request.
func (h *RequestHead) Reset() {
	fields := h.Fields[:0]
	*h = RequestHead{Fields: fields}
}

// Parse continues parsing the request head at the start of buf. buf must
// begin with the same bytes as on the previous call since Reset (it may be
// longer, and it may have moved in memory). It returns nil once the head is
// complete (h.Len bytes of buf), ErrIncomplete if more bytes are needed, or
// an *Error describing why the request must be refused. An *Error comes as
// soon as the bytes so far condemn the head: the method as it arrives, each
// line when it ends; only a missing Host waits for the end of the head.
//
// Line ends must be CRLF. A bare LF is refused rather than tolerated as RFC
// 9112 §2.2 would permit: a proxy in front that does not split lines on a
// bare LF would otherwise see a different message than we do.
func (h *RequestHead) Parse(buf []byte, lim Limits) error {
	if lim.MaxRequestLine <= 0 {
		lim.MaxRequestLine = DefaultMaxRequestLine
	}
	if lim.MaxHeadBytes <= 0 {
		lim.MaxHeadBytes = DefaultMaxHeadBytes
	}
	if lim.MaxFields <= 0 {
		lim.MaxFields = DefaultMaxFields
	}
	if h.stage == stageLeading {
		if err := h.parseRequestLine(buf, lim); err != nil {
			return err
		}
		if h.stage == stageDone {
			return nil
		}
	}
	if h.stage == stageHeaders {
		if err := h.parseFields(buf, lim); err != nil {
			return err
		}
	}
	return nil
}

// window returns buf cut to at most n bytes.
func window(buf []byte, n int) []byte {
	if len(buf) > n {
		return buf[:n]
	}
	return buf
}

// line finds the CRLF-terminated line starting at buf[start]. It returns
// the index of the CR, or -1 with a nil error if the line is not yet
// complete. A bare CR or bare LF is a syntax error.
func line(buf []byte, start int) (int, *Error) {
	i := bytes.IndexByte(buf[start:], '\n')
	if i < 0 {
		// A CR followed by anything but LF can be refused now.
		if j := bytes.IndexByte(buf[start:], '\r'); j >= 0 && start+j+1 < len(buf) {
			return -1, errorf(400, "bare CR in request head")
		}
		return -1, nil
	}
	end := start + i
	if i == 0 || buf[end-1] != '\r' {
		return -1, errorf(400, "line not terminated by CRLF")
	}
	if bytes.IndexByte(buf[start:end-1], '\r') >= 0 {
		return -1, errorf(400, "bare CR in request head")
	}
	return end - 1, nil
}

func (h *RequestHead) parseRequestLine(buf []byte, lim Limits) error {
	// RFC 9112 §2.2: a server SHOULD ignore at least one empty line
	// received before the request-line. We ignore a few, CRLF only.
	for {
		if len(buf)-h.pos < 2 {
			if len(buf) > h.pos && buf[h.pos] != '\r' {
				break
			}
			return ErrIncomplete
		}
		if buf[h.pos] != '\r' || buf[h.pos+1] != '\n' {
			break
		}
		if h.pos/2 == maxLeadingEmptyLines { // only CRLFs precede h.pos
			return errorf(400, "too many empty lines before the request line")
		}
		h.pos += 2
	}
	start := h.pos
	// Look at no more than the limit allows, so that the verdict on a
	// line over the limit does not depend on how its bytes arrived.
	w := window(buf, start+lim.MaxRequestLine)
	// The method is checked as its bytes arrive, before the line ends: a
	// first line that is not an HTTP request (a TLS handshake, junk) or
	// whose method we cannot have is refused at once.
	sp1, err := scanMethod(w[start:])
	if err != nil {
		return err
	}
	cr, err := line(w, start)
	if err != nil {
		return err
	}
	if cr < 0 {
		if len(buf)-start >= lim.MaxRequestLine {
			return errorf(414, "request line too long")
		}
		return ErrIncomplete
	}
	if cr+2-start > lim.MaxRequestLine {
		return errorf(414, "request line too long")
	}
	ln := buf[start:cr]

	// method SP request-target SP HTTP-version, single spaces only
	// (RFC 9112 §3: other whitespace as a separator is a leniency we do
	// not grant). scanMethod found the method and its space, unless the
	// line ended first.
	if sp1 < 0 {
		return errorf(400, "malformed request line")
	}
	h.Method = Span{start, start + sp1}
	rest := ln[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	var target []byte
	if sp2 < 0 {
		// HTTP/0.9 simple request (RFC 1945 §4.1): "GET" SP Request-URI.
		target = rest
		if string(ln[:sp1]) != "GET" {
			return errorf(400, "malformed request line")
		}
		h.Major, h.Minor = 0, 9
	} else {
		target = rest[:sp2]
		if err := h.parseVersion(rest[sp2+1:]); err != nil {
			return err
		}
	}
	tstart := start + sp1 + 1
	h.Target = Span{tstart, tstart + len(target)}
	if err := h.parseTarget(buf, ln[:sp1]); err != nil {
		return err
	}
	h.pos = cr + 2
	if h.Major == 0 {
		// No header section, no body; the answer is the body alone.
		h.stage = stageDone
		h.Close = true
		h.Len = h.pos
		return nil
	}
	h.stage = stageHeaders
	return nil
}

// maxMethodLen bounds the method token. RFC 9112 §3: a server that
// receives a method longer than any it implements SHOULD respond 501. The
// longest method in the IANA registry is 17 bytes ("UPDATEREDIRECTREF");
// 32 leaves room for extension methods a handler may implement, and
// refuses a longer one, whatever else the line holds, as soon as its 33rd
// byte arrives, rather than waiting for MaxRequestLine (414).
const maxMethodLen = 32

// scanMethod checks the start of a request line, b (as much of it as has
// arrived, cut at MaxRequestLine), up to the space after the method. It
// returns the method's length; or -1 if b ends inside a method that may
// yet be valid, or if the line ends inside the method (line then says
// whether it ended well, and the caller refuses it for want of a target);
// or the refusal: 400 for a byte that is not a token byte, 501 for a
// method longer than maxMethodLen. It looks at no more than
// maxMethodLen+1 bytes, so the verdict does not depend on how the line is
// split.
func scanMethod(b []byte) (int, *Error) {
	for i, c := range window(b, maxMethodLen+1) {
		switch {
		case c == ' ' && i > 0:
			return i, nil
		case c == ' ', c == '\t', c == '\v', c == '\f':
			// An empty method, or whitespace other than SP as the
			// separator (RFC 9112 §3 lets a parser accept it; we do not).
			return 0, errorf(400, "malformed request line")
		case c == '\r', c == '\n':
			return -1, nil
		case !tchar[c]:
			return 0, errorf(400, "invalid method")
		case i == maxMethodLen:
			return 0, errorf(501, "method too long")
		}
	}
	return -1, nil
}

func (h *RequestHead) parseVersion(v []byte) error {
	// HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return errorf(400, "malformed HTTP version")
	}
	major, minor := int(v[5]-'0'), int(v[7]-'0')
	switch {
	case major == 1 && minor == 0:
		h.Major, h.Minor = 1, 0
	case major == 1:
		// RFC 9110 §2.5: process a higher minor version as the highest
		// one we implement.
		h.Major, h.Minor = 1, 1
	default:
		// 0.x with a version token and 2.0 and above are not HTTP/1.x
		// messages; HTTP/2 arrives by its preface, not this way.
		return errorf(505, "HTTP version not supported")
	}
	return nil
}

func (h *RequestHead) parseTarget(buf []byte, method []byte) error {
	t := h.Target.In(buf)
	if len(t) == 0 {
		return errorf(400, "empty request target")
	}
	for _, c := range t {
		if !targetChar[c] {
			return errorf(400, "invalid byte in request target")
		}
		if c == '#' {
			// A fragment is never sent (RFC 9110 §7.1); one here means
			// the client and we disagree about what the target is.
			return errorf(400, "fragment in request target")
		}
	}
	base := h.Target.Start
	isConnect := string(method) == "CONNECT"
	switch {
	case isConnect:
		// RFC 9112 §3.2.3: CONNECT takes authority-form only.
		if !validAuthority(t, true) {
			return errorf(400, "CONNECT needs host:port")
		}
		h.Form = AuthorityForm
		h.Path = h.Target
		h.Authority = h.Target
		h.HasAuthority = true
		return nil
	case t[0] == '/':
		h.Form = OriginForm
		h.splitPathQuery(base, t)
		return nil
	case len(t) == 1 && t[0] == '*':
		if string(method) != "OPTIONS" {
			return errorf(400, "asterisk-form is for OPTIONS only")
		}
		h.Form = AsteriskForm
		h.Path = h.Target
		return nil
	}
	// absolute-form (RFC 9112 §3.2.2). We accept the http and https
	// schemes only: anything else is not a resource this server has.
	var skip int
	switch {
	case len(t) > 7 && equalFold(t[:7], "http://"):
		skip = 7
	case len(t) > 8 && equalFold(t[:8], "https://"):
		skip = 8
	default:
		return errorf(400, "invalid request target")
	}
	rest := t[skip:]
	end := len(rest)
	if i := bytes.IndexAny(rest, "/?"); i >= 0 {
		end = i
	}
	auth := rest[:end]
	if !validAuthority(auth, false) || len(auth) == 0 {
		return errorf(400, "invalid authority in request target")
	}
	h.Form = AbsoluteForm
	h.Authority = Span{base + skip, base + skip + end}
	h.HasAuthority = true
	pq := rest[end:]
	if len(pq) == 0 || pq[0] == '?' {
		// An empty path in absolute-form means "/" (RFC 9112 §3.2.1); we
		// keep the span empty and the server reads it as "/".
		h.Path = Span{h.Authority.End, h.Authority.End}
		if len(pq) > 0 {
			h.HasQuery = true
			h.Query = Span{h.Authority.End + 1, h.Target.End}
		}
		return nil
	}
	h.splitPathQuery(h.Authority.End, pq)
	return nil
}

func (h *RequestHead) splitPathQuery(base int, pq []byte) {
	if q := bytes.IndexByte(pq, '?'); q >= 0 {
		h.Path = Span{base, base + q}
		h.Query = Span{base + q + 1, base + len(pq)}
		h.HasQuery = true
		return
	}
	h.Path = Span{base, base + len(pq)}
}

// validAuthority checks host[:port] loosely against RFC 3986: only the
// bytes an authority may hold, no userinfo (RFC 9110 §4.2.4 forbids it in
// http URIs), no percent-encoding (see authorityChar: no DNS name or IP
// address has one), brackets only around an IP literal, and a numeric port.
// needPort requires a non-empty port (CONNECT).
func validAuthority(a []byte, needPort bool) bool {
	// One pass checks the bytes and notes what the rest needs; this runs
	// for every request's Host, so it avoids the set-building helpers of
	// package bytes.
	colons, brackets := 0, false
	for _, c := range a {
		if !authorityChar[c] {
			return false
		}
		switch c {
		case ':':
			colons++
		case '[', ']':
			brackets = true
		}
	}
	host, port := a, []byte(nil)
	hasPort := false
	if len(a) > 0 && a[0] == '[' {
		end := bytes.IndexByte(a, ']')
		if end < 0 {
			return false
		}
		host = a[:end+1]
		rest := a[end+1:]
		if len(rest) > 0 {
			if rest[0] != ':' {
				return false
			}
			port, hasPort = rest[1:], true
		}
		// RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]".
		// We take IPv6 addresses only, without zones; IPvFuture has no
		// use on the web.
		if !validIPv6(host[1 : len(host)-1]) {
			return false
		}
	} else {
		if brackets || colons > 1 {
			return false
		}
		if colons == 1 {
			i := bytes.IndexByte(a, ':')
			host, port, hasPort = a[:i], a[i+1:], true
		}
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	if len(port) > 5 {
		return false
	}
	if needPort && (!hasPort || len(port) == 0) {
		return false
	}
	// RFC 9110 §4.2.1: an http(s) URI with an empty host is invalid. Only
	// a Host field may be empty, and then as a whole ("Host:").
	if len(host) == 0 && len(a) > 0 {
		return false
	}
	return true
}

// validIPv6 reports whether b is an IPv6 address without a zone.
func validIPv6(b []byte) bool {
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	a, err := netip.ParseAddr(string(b))
	return err == nil && a.Is6() && a.Zone() == ""
}

// parseFields parses field lines until the empty line that ends the head.
// Each line is checked as soon as it is complete, on its own and against
// the lines before it (checkField): a head that is already known to be bad
// is refused then, rather than after the client has sent, or stalled
// before, the rest of it. Only what needs the whole head waits for the
// empty line (finish).
func (h *RequestHead) parseFields(buf []byte, lim Limits) error {
	for {
		start := h.pos
		if start >= lim.MaxHeadBytes {
			return errorf(431, "request header section too large")
		}
		cr, err := line(window(buf, lim.MaxHeadBytes), start)
		if err != nil {
			return err
		}
		if cr < 0 {
			if len(buf) >= lim.MaxHeadBytes {
				return errorf(431, "request header section too large")
			}
			return ErrIncomplete
		}
		if cr+2 > lim.MaxHeadBytes {
			return errorf(431, "request header section too large")
		}
		if cr == start {
			h.pos = cr + 2
			h.Len = h.pos
			h.stage = stageDone
			return h.finish()
		}
		if len(h.Fields) == lim.MaxFields {
			return errorf(431, "too many header fields")
		}
		f, err := parseField(buf, start, cr)
		if err != nil {
			return err
		}
		if err := h.checkField(buf, f); err != nil {
			return err
		}
		h.pos = cr + 2
		h.Fields = append(h.Fields, f)
	}
}

// parseField parses one "name: value" line, buf[start:cr].
func parseField(buf []byte, start, cr int) (Field, *Error) {
	ln := buf[start:cr]
	if ln[0] == ' ' || ln[0] == '\t' {
		// obs-fold (RFC 9112 §5.2): a server MAY reject it with 400; we
		// do, since a front end that unfolds differently would see a
		// different field.
		return Field{}, errorf(400, "obsolete line folding")
	}
	colon := bytes.IndexByte(ln, ':')
	if colon < 0 {
		return Field{}, errorf(400, "header line without colon")
	}
	if colon == 0 {
		return Field{}, errorf(400, "empty header name")
	}
	for _, c := range ln[:colon] {
		if !tchar[c] {
			// Includes whitespace before the colon, which RFC 9112 §5.1
			// says MUST be rejected with 400: it is a classic smuggling
			// vector ("Transfer-Encoding : chunked").
			return Field{}, errorf(400, "invalid header name")
		}
	}
	vs := start + colon + 1
	ve := cr
	for vs < ve && (buf[vs] == ' ' || buf[vs] == '\t') {
		vs++
	}
	for ve > vs && (buf[ve-1] == ' ' || buf[ve-1] == '\t') {
		ve--
	}
	for _, c := range buf[vs:ve] {
		if !fieldValueChar[c] {
			return Field{}, errorf(400, "invalid byte in header value")
		}
	}
	return Field{Name: Span{start, start + colon}, Value: Span{vs, ve}}, nil
}

// checkField checks one field the server itself interprets, and records
// what it says about framing and connection semantics. It sees the fields
// in order, so it can refuse a field that conflicts with an earlier one
// (a second Host, a Content-Length after Transfer-Encoding) on the line
// that creates the conflict.
func (h *RequestHead) checkField(buf []byte, f Field) *Error {
	name := f.Name.In(buf)
	value := f.Value.In(buf)
	is11 := h.Major == 1 && h.Minor == 1
	switch len(name) {
	case 4:
		if !equalFold(name, "host") {
			return nil
		}
		// RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request (its
		// absence can only be known at the end of the head), and at most
		// one in any other; a server MUST refuse an invalid one with 400.
		h.hosts++
		if h.hosts > 1 {
			if is11 {
				return errorf(400, "HTTP/1.1 request needs exactly one Host")
			}
			return errorf(400, "more than one Host")
		}
		if !validAuthority(value, false) {
			return errorf(400, "invalid Host")
		}
		// RFC 9112 §3.2.2: when the target is in absolute-form (or the
		// authority-form of CONNECT, §3.2.3), the server MUST ignore the
		// Host field and use the target's authority. Host is still
		// required on HTTP/1.1 and must still be well-formed (both
		// checked here), but it does not name the resource: Authority
		// stays the target's. Refusing a Host that disagrees would go
		// against that MUST, and a cache or proxy in front that keys on
		// the target sees the same host as we do.
		if h.Form != AbsoluteForm && h.Form != AuthorityForm {
			h.Authority = f.Value
			h.HasAuthority = true
		}
	case 6:
		if !equalFold(name, "expect") {
			return nil
		}
		// RFC 9110 §10.1.1: 100-continue is the only expectation
		// defined; anything else gets 417.
		if !equalFold(value, "100-continue") {
			return errorf(417, "unsupported expectation")
		}
		h.Expect100 = is11
	case 10:
		if !equalFold(name, "connection") {
			return nil
		}
		close, ka, ok := connectionTokens(value)
		if !ok {
			return errorf(400, "malformed Connection header")
		}
		h.Close = h.Close || close
		h.keepAlive = h.keepAlive || ka
	case 14:
		if !equalFold(name, "content-length") {
			return nil
		}
		n, ok := parseContentLength(value)
		if !ok {
			return errorf(400, "invalid Content-Length")
		}
		if h.Chunked {
			return errTEAndCL()
		}
		// RFC 9110 §8.6 lets a recipient accept repeated identical
		// values; disagreeing ones are a smuggling attempt (one hop
		// reads one, the next the other).
		if h.haveCL && n != h.ContentLength {
			return errorf(400, "conflicting Content-Length")
		}
		h.haveCL = true
		h.ContentLength = n
	case 17:
		if !equalFold(name, "transfer-encoding") {
			return nil
		}
		if h.Major == 1 && h.Minor == 0 {
			// RFC 9112 §6.1: a server MUST NOT assume an HTTP/1.0
			// client understands chunked, and intermediaries may not
			// either; TE in a 1.0 request is a known smuggling vector.
			return errorf(400, "Transfer-Encoding in an HTTP/1.0 request")
		}
		if h.haveCL {
			return errTEAndCL()
		}
		if h.Chunked {
			// Two fields combine to a list, which would apply chunked
			// twice or hide a coding: refuse.
			return errorf(400, "repeated Transfer-Encoding")
		}
		if err := checkTransferEncoding(value); err != nil {
			return err
		}
		h.Chunked = true
		h.ContentLength = -1
	}
	return nil
}

// errTEAndCL refuses a request with both Content-Length and
// Transfer-Encoding, in either order. RFC 9112 §6.3 item 3: such a message
// "ought to be handled as an error"; we refuse it rather than guess which
// framing the sender meant (CL.TE / TE.CL smuggling).
func errTEAndCL() *Error { return errorf(400, "both Content-Length and Transfer-Encoding") }

// finish makes the checks that need the whole head, once its empty line
// has arrived; every field was checked on its own line by checkField.
func (h *RequestHead) finish() error {
	if h.Major == 1 && h.Minor == 1 && h.hosts == 0 {
		// RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1
		// request that lacks a Host.
		return errorf(400, "HTTP/1.1 request needs exactly one Host")
	}
	if h.Major == 1 && h.Minor == 0 && !h.keepAlive {
		// RFC 9112 §9.3: HTTP/1.0 closes unless keep-alive was asked
		// for, in any Connection field.
		h.Close = true
	}
	return nil
}

// parseContentLength accepts 1*DIGIT only: no sign, no inner spaces, no
// list, and no value that would overflow an int64.
func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		// 18 digits always fit in an int64; longer values are refused
		// even with leading zeros.
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// checkTransferEncoding accepts exactly "chunked" (any case). RFC 9112
// §6.3: chunked must be the final coding of a request, else 400; codings
// before it (gzip, chunked) would be legal but we do not decode them: 501.
// Parameters, empty list elements and stray bytes are refused with 400.
func checkTransferEncoding(v []byte) *Error {
	elems := 0
	lastChunked := false
	for len(v) > 0 {
		var elem []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
			if len(v) == 0 {
				return errorf(400, "malformed Transfer-Encoding")
			}
		} else {
			elem, v = v, nil
		}
		elem = trimOWS(elem)
		if len(elem) == 0 {
			return errorf(400, "malformed Transfer-Encoding")
		}
		for _, c := range elem {
			if !tchar[c] {
				return errorf(400, "malformed Transfer-Encoding")
			}
		}
		elems++
		lastChunked = equalFold(elem, "chunked")
		if lastChunked && v != nil {
			return errorf(400, "chunked is not the final transfer coding")
		}
	}
	switch {
	case elems == 0 || !lastChunked:
		return errorf(400, "Transfer-Encoding without final chunked")
	case elems > 1:
		return errorf(501, "transfer coding not implemented")
	}
	return nil
}

// connectionTokens reads the Connection header's comma-separated options.
func connectionTokens(v []byte) (close, keepAlive, ok bool) {
	for len(v) > 0 {
		var elem []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			elem, v = v, nil
		}
		elem = trimOWS(elem)
		if len(elem) == 0 {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		for _, c := range elem {
			if !tchar[c] {
				return false, false, false
			}
		}
		switch {
		case equalFold(elem, "close"):
			close = true
		case equalFold(elem, "keep-alive"):
			keepAlive = true
		}
	}
	return close, keepAlive, true
}
