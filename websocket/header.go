package websocket

// The handshake's header fields, parsed and negotiated by pure functions
// (no connection, no Request): tested by table and fuzzed on strings
// alone (header_test.go).

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
)

// acceptGUID is the string RFC 6455 §1.3 appends to the client's key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey returns the Sec-WebSocket-Accept answer to a client's
// Sec-WebSocket-Key (RFC 6455 §4.2.2 item 5.4): the base64 of the SHA-1
// of the key and acceptGUID.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// validKey reports whether key is a Sec-WebSocket-Key as RFC 6455 §4.1
// item 7 has it: the base64 (with padding) of 16 bytes, which is 24
// characters.
func validKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(key)
	return err == nil && len(b) == 16
}

// listElements returns the elements of a comma-separated list field
// (RFC 9110 §5.6.1) given as the values of all its fields, in order,
// with optional whitespace trimmed and empty elements dropped. It does
// not look into quoted strings: the fields it reads (Connection,
// Upgrade, Sec-WebSocket-Protocol) have none.
func listElements(values []string) []string {
	var out []string
	for _, v := range values {
		for e := range strings.SplitSeq(v, ",") {
			if e = strings.Trim(e, " \t"); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// hasToken reports whether the list fields values hold token, compared
// ASCII case-insensitively ("Connection: keep-alive, Upgrade" holds
// "upgrade").
func hasToken(values []string, token string) bool {
	for _, e := range listElements(values) {
		if strings.EqualFold(e, token) {
			return true
		}
	}
	return false
}

// isTokenChar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken reports whether s is a non-empty token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// selectSubprotocol returns the subprotocol to answer with: the first
// that the client lists in its Sec-WebSocket-Protocol fields (offered,
// their values) that the server supports, compared exactly; "" when they
// have none in common. The client's order decides because RFC 6455
// §4.1 item 10 has the client list them "ordered by preference", and
// because gorilla/websocket and coder/websocket choose so too: a server
// moved from them to this package answers the same. A server that wants
// its own order lists only the one it prefers.
func selectSubprotocol(offered []string, supported []string) string {
	if len(supported) == 0 {
		return ""
	}
	for _, p := range listElements(offered) {
		if !isToken(p) {
			continue
		}
		for _, s := range supported {
			if p == s {
				return s
			}
		}
	}
	return ""
}

// An extension is one element of a Sec-WebSocket-Extensions field: its
// name and parameters, in the order given.
type extension struct {
	name   string
	params []extParam
}

// An extParam is a parameter of an extension: "name" or "name=value",
// the value unquoted when it came as a quoted-string.
type extParam struct {
	name, value string
	hasValue    bool
}

// parseExtensions parses the values of Sec-WebSocket-Extensions fields
// (RFC 6455 §9.1):
//
//	extension-list = 1#extension
//	extension      = extension-token *( ";" extension-param )
//	extension-param = token [ "=" ( token | quoted-string ) ]
//
// where a quoted-string's value, unescaped, must be a token too. It
// returns the extensions of every field in order, and false (with no
// extensions) when a field is malformed: the server then negotiates no
// extension, as for an offer it cannot read.
func parseExtensions(values []string) ([]extension, bool) {
	var out []extension
	for _, v := range values {
		p := extParser{s: v}
		for {
			p.skipSpace()
			if p.done() {
				break
			}
			if p.peek() == ',' { // an empty element (RFC 9110 §5.6.1)
				p.i++
				continue
			}
			e, ok := p.extension()
			if !ok {
				return nil, false
			}
			out = append(out, e)
			p.skipSpace()
			if p.done() {
				break
			}
			if p.peek() != ',' {
				return nil, false
			}
			p.i++
		}
	}
	return out, true
}

// extParser reads one Sec-WebSocket-Extensions field value.
type extParser struct {
	s string
	i int
}

func (p *extParser) done() bool { return p.i >= len(p.s) }
func (p *extParser) peek() byte { return p.s[p.i] }

func (p *extParser) skipSpace() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t') {
		p.i++
	}
}

// token reads a token, or returns "" if there is none here.
func (p *extParser) token() string {
	start := p.i
	for !p.done() && isTokenChar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

// extension reads an extension-token and its parameters, up to the comma
// or the end that follows.
func (p *extParser) extension() (extension, bool) {
	e := extension{name: p.token()}
	if e.name == "" {
		return e, false
	}
	for {
		p.skipSpace()
		if p.done() || p.peek() == ',' {
			return e, true
		}
		if p.peek() != ';' {
			return e, false
		}
		p.i++
		p.skipSpace()
		prm := extParam{name: p.token()}
		if prm.name == "" {
			return e, false
		}
		p.skipSpace()
		if !p.done() && p.peek() == '=' {
			p.i++
			p.skipSpace()
			v, ok := p.value()
			if !ok {
				return e, false
			}
			prm.value, prm.hasValue = v, true
		}
		e.params = append(e.params, prm)
	}
}

// value reads a parameter's value: a token, or a quoted-string whose
// unescaped content is a token.
func (p *extParser) value() (string, bool) {
	if p.done() {
		return "", false
	}
	if p.peek() != '"' {
		v := p.token()
		return v, v != ""
	}
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.peek()
		p.i++
		switch c {
		case '"':
			v := b.String()
			return v, isToken(v)
		case '\\':
			if p.done() {
				return "", false
			}
			c = p.peek()
			p.i++
		}
		b.WriteByte(c)
	}
	return "", false // unterminated
}

// deflateParams are the permessage-deflate parameters in force on a
// connection (RFC 7692 §7.1.1).
type deflateParams struct {
	// serverNoContext: the server compresses each message afresh, with
	// no window of the messages before it (server_no_context_takeover).
	serverNoContext bool
	// clientNoContext: so does the client, and the server keeps no
	// window of what the client sent (client_no_context_takeover).
	clientNoContext bool
}

// negotiateDeflate answers the permessage-deflate offers among
// extensions, in the client's order of preference (RFC 7692 §5): the
// first offer the server can accept in mode decides, and its answer is
// the Sec-WebSocket-Extensions value to send. ok is false when mode is
// CompressionOff or no offer can be accepted; the connection then runs
// without compression.
//
// An offer is declined (RFC 7692 §5, §7.1) for a parameter that is
// unknown, repeated, or has a value it may not have, and for
// server_max_window_bits below 15: compress/flate always uses a 32 KiB
// window, which a smaller limit would overrun. client_max_window_bits is
// never answered: the server's inflater takes any window up to 32 KiB,
// so the client may use what it likes.
//
// In CompressionNoContext the answer always carries both
// no_context_takeover parameters, which RFC 7692 §7.1.1 lets a server
// add to any offer; in CompressionContextTakeover it carries those the
// client asked for, and the server keeps the windows the others allow.
func negotiateDeflate(extensions []extension, mode Compression) (params deflateParams, answer string, ok bool) {
	if mode != CompressionNoContext && mode != CompressionContextTakeover {
		return deflateParams{}, "", false
	}
	for _, e := range extensions {
		if !strings.EqualFold(e.name, "permessage-deflate") {
			continue
		}
		if params, answer, ok = acceptDeflate(e.params, mode); ok {
			return params, answer, true
		}
	}
	return deflateParams{}, "", false
}

// acceptDeflate answers one permessage-deflate offer: see negotiateDeflate.
func acceptDeflate(offer []extParam, mode Compression) (deflateParams, string, bool) {
	var p deflateParams
	var seen [4]bool
	serverBits := false
	for _, prm := range offer {
		var k int
		switch strings.ToLower(prm.name) {
		case "server_no_context_takeover":
			k = 0
			if prm.hasValue {
				return p, "", false
			}
			p.serverNoContext = true
		case "client_no_context_takeover":
			k = 1
			if prm.hasValue {
				return p, "", false
			}
			p.clientNoContext = true
		case "server_max_window_bits":
			k = 2
			if !prm.hasValue || !windowBits(prm.value) || prm.value != "15" {
				return p, "", false
			}
			// RFC 7692 §7.1.2.1: accepted by answering with the same
			// value or a smaller one.
			serverBits = true
		case "client_max_window_bits":
			k = 3
			if prm.hasValue && !windowBits(prm.value) {
				return p, "", false
			}
		default:
			return p, "", false
		}
		if seen[k] {
			return p, "", false
		}
		seen[k] = true
	}
	if mode == CompressionNoContext {
		p.serverNoContext, p.clientNoContext = true, true
	}
	answer := "permessage-deflate"
	if p.serverNoContext {
		answer += "; server_no_context_takeover"
	}
	if p.clientNoContext {
		answer += "; client_no_context_takeover"
	}
	if serverBits {
		answer += "; server_max_window_bits=15"
	}
	return p, answer, true
}

// windowBits reports whether v is a window size parameter's value: 8 to
// 15, in decimal without leading zeros (RFC 7692 §7.1.2.1).
func windowBits(v string) bool {
	switch v {
	case "8", "9", "10", "11", "12", "13", "14", "15":
		return true
	}
	return false
}
