// Package wire is the pure HTTP/1.x codec of httpserver: it parses request
// heads, decodes chunked bodies and encodes response heads and chunks. It
// does no I/O, starts no goroutines and keeps no global state, so it can be
// driven by any connection loop and tested on bytes alone.
//
// Everything here is strict on purpose. Where RFC 9112 lets a recipient be
// lenient (bare LF line ends, whitespace between a field name and its
// colon, obs-fold, several Content-Length values), a lenient parser behind
// a stricter or differently lenient proxy is how request smuggling happens,
// so this package rejects the message instead and says so in a comment at
// each check.
package wire

import "strconv"

// Error is a request the server must refuse: Status is the response status
// to send (400, 414, 417, 431, 501 or 505) and Reason a short explanation
// that is safe to show the client. After an Error the connection's byte
// stream can no longer be trusted, so the server closes it.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string {
	return "httpserver: " + strconv.Itoa(e.Status) + " " + e.Reason
}

func errorf(status int, reason string) *Error { return &Error{Status: status, Reason: reason} }

// Span locates a piece of the buffer given to Parse: buf[Start:End]. Spans
// stay meaningful for as long as the caller keeps the same bytes at the
// same offsets; they never point into memory of this package's own.
type Span struct{ Start, End int }

// Len reports the span's length.
func (s Span) Len() int { return s.End - s.Start }

// In returns the bytes of s within buf.
func (s Span) In(buf []byte) []byte { return buf[s.Start:s.End] }

// tchar reports whether c may appear in a token (RFC 9110 §5.6.2).
var tchar = [256]bool{}

// fieldValueChar reports whether c may appear in a field value: VCHAR,
// obs-text, SP and HTAB (RFC 9110 §5.5). Every other control byte, NUL,
// CR and LF included, is refused wherever it appears.
var fieldValueChar = [256]bool{}

// targetChar reports whether c may appear in a request-target: visible
// ASCII only (RFC 9112 §3.2 and RFC 3986). Fragments ('#') are refused
// separately.
var targetChar = [256]bool{}

// authorityChar: what RFC 3986 allows in host and port (unreserved,
// sub-delims, ':', '[' and ']'); notably no '@', '/', '?', and no '%'.
// RFC 3986 §3.2.2 lets a reg-name hold pct-encoded octets, but an http
// host is a DNS name or an IP address (RFC 9110 §4.2.1), and neither ever
// contains one: IDNs travel as A-labels, and an IPv6 zone id ("%25eth0",
// RFC 6874) is not part of the RFC 3986 IP-literal that RFC 9110 uses.
// Refusing '%' also means no two hops can decode a host to different
// names.
var authorityChar = [256]bool{}

func init() {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			tchar[c] = true
			authorityChar[c] = true
		}
		if c > 0x20 && c < 0x7f {
			targetChar[c] = true
			fieldValueChar[c] = true
		}
		if c >= 0x80 || c == ' ' || c == '\t' {
			fieldValueChar[c] = true
		}
	}
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		tchar[c] = true
	}
	for _, c := range []byte("-._~!$&'()*+,;=:[]") {
		authorityChar[c] = true
	}
}

// IsToken reports whether s is a non-empty RFC 9110 token.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// IsFieldValue reports whether s may be sent as a field value: no CR, LF,
// NUL or other control byte except HTAB.
func IsFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if !fieldValueChar[s[i]] {
			return false
		}
	}
	return true
}

// equalFold reports whether b equals the lower-case ASCII string lower,
// ignoring ASCII case in b.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// trimOWS removes optional whitespace (SP and HTAB) from both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
