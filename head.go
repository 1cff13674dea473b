package httpserver

import (
	"github.com/gohttpserver/httpserver/internal/wire"
)

// respHead is a response head as the one serializer, appendHead, takes
// it: every head the server writes (a handler's answer, an error, a
// refusal) is described by one of these and written by appendHead.
type respHead struct {
	version int // 10 or 11
	status  int
	reason  string // "" for the standard reason phrase
	// fields are the handler's header fields, or nil. They have been
	// checked (checkResponse): valid names and values, no
	// Transfer-Encoding.
	fields *Header
	// ownDate: fields hold a Date field, which replaces the automatic one
	// (an empty one suppresses it).
	ownDate bool
	// connTokens: fields hold a Connection field with options other than
	// close and keep-alive ("upgrade", hop-by-hop field names), which a
	// final head carries in the server's own Connection field.
	connTokens bool
	// contentType is a Content-Type for the server's own answers ("" for
	// none).
	contentType string
	framing     wire.Framing
	kind        headKind
}

// headKind says which of the heads a response may have this is.
type headKind uint8

const (
	headFinal   headKind = iota // a final answer, framed by framing
	headInterim                 // a 1xx other than 101: no Date, no framing
	// headTunnel is a 101, or a 2xx to CONNECT: no framing fields, and the
	// handler's Connection field (Connection: Upgrade) is sent as it is.
	headTunnel
)

// Which fields are automatic, and how a handler changes them:
//
//	Date              added unless the handler set one; the handler's
//	                  replaces it, and an empty one ("") suppresses it
//	                  (RFC 9110 §6.6.1 lets a server without a reliable
//	                  clock omit it).
//	Content-Length    always the server's (wire.DecideFraming); the
//	                  handler's is read as the declared length, not copied.
//	Transfer-Encoding always the server's; a handler's is a fault (500).
//	Connection        always the server's ("close" when the connection
//	                  ends, "keep-alive" to a 1.0 client that keeps it); a
//	                  handler's "close" is obeyed, its other options
//	                  ("upgrade", say) are added to the server's field.
//
// Everything else is the handler's, written in its order and case. An
// interim (1xx) head has no Date and no framing; a tunnel's (101, 2xx to
// CONNECT) has no framing and carries the handler's Connection field
// ("Connection: Upgrade", RFC 9110 §7.8) as it is.

// appendHead appends the head h describes, ending with the blank line.
func appendHead(b []byte, h *respHead) []byte {
	b = wire.AppendStatusLine(b, h.version-10, h.status, h.reason)
	if !h.ownDate && h.kind != headInterim {
		b = appendDate(b)
	}
	if h.contentType != "" {
		b = wire.AppendField(b, "Content-Type", h.contentType)
	}
	if h.fields != nil {
		for _, f := range h.fields.fields {
			if automaticField(f.Name) || (f.Value == "" && equalFoldASCII(f.Name, "Date")) {
				if h.kind == headFinal || !equalFoldASCII(f.Name, "Connection") {
					continue
				}
			}
			b = wire.AppendField(b, f.Name, f.Value)
		}
	}
	if h.kind != headFinal {
		return append(b, "\r\n"...)
	}
	fr := &h.framing
	if fr.ContentLength >= 0 {
		b = wire.AppendContentLength(b, fr.ContentLength)
	}
	if fr.Mode == wire.ModeChunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if h.connTokens {
		return append(appendConnection(b, h), "\r\n"...)
	}
	switch {
	case !fr.KeepAlive:
		// Explicit for 1.0 too: a close-delimited body then says so.
		b = append(b, "Connection: close\r\n"...)
	case h.version == 10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendConnection appends the Connection field of a final head whose
// handler gave options of its own: those, in order, with the server's
// close or keep-alive. A 426 or a 200 that offers an upgrade must list
// "upgrade" beside its Upgrade field (RFC 9110 §7.8).
func appendConnection(b []byte, h *respHead) []byte {
	b = append(b, "Connection: "...)
	n := 0
	add := func(tok string) {
		if n > 0 {
			b = append(b, ", "...)
		}
		b = append(b, tok...)
		n++
	}
	switch {
	case !h.framing.KeepAlive:
		add("close")
	case h.version == 10:
		add("keep-alive")
	}
	for _, f := range h.fields.fields {
		if !equalFoldASCII(f.Name, "Connection") {
			continue
		}
		for v := f.Value; v != ""; {
			var tok string
			if tok, v = nextToken(v); tok != "" && !equalFoldASCII(tok, "close") && !equalFoldASCII(tok, "keep-alive") {
				add(tok)
			}
		}
	}
	return append(b, "\r\n"...)
}

// automaticField reports the fields the server writes itself and never
// copies from a handler.
func automaticField(name string) bool {
	switch len(name) {
	case len("Connection"):
		return equalFoldASCII(name, "Connection")
	case len("Content-Length"):
		return equalFoldASCII(name, "Content-Length")
	}
	return false
}

// errorAnswer is the head and body of an answer the server makes itself:
// its reason must be safe to show the client. It always closes the
// connection, and a HEAD request gets the head alone.
func errorAnswer(b []byte, status int, reason string, head bool) ([]byte, string) {
	msg := wire.StatusText(status)
	if reason != "" {
		msg += ": " + reason
	}
	msg += "\n"
	h := respHead{
		version:     11,
		status:      status,
		contentType: "text/plain; charset=utf-8",
		framing: wire.DecideFraming(wire.FramingInput{
			Version: 11, Head: head, Status: status, Length: int64(len(msg)), Declared: -1,
		}),
	}
	b = appendHead(b, &h)
	if h.framing.Mode == wire.ModeNone {
		msg = ""
	}
	return b, msg
}
