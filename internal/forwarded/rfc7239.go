package forwarded

import (
	"net/netip"
	"strings"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// walkForwarded walks the Forwarded lines from the right, one
// forwarded-element at a time, setting c.Addr to each for= address read
// until one is not trusted, and c.Proto and c.Host to each element's
// valid proto= and host= (so the leftmost element read has the last
// word).
func (t *Trusted) walkForwarded(c *Client, lines []string) {
	hops := 0
	for i := len(lines) - 1; i >= 0; i-- {
		v := lines[i]
		for {
			v = trimEmptyTail(v)
			if v == "" {
				break
			}
			e, rest, ok := lastElement(v)
			if !ok {
				return
			}
			v = rest
			if p, ok := scheme(unquote(e.proto)); ok {
				c.Proto = p
			}
			if e.host != "" {
				if host := unquote(e.host); validHost(host) {
					c.Host = host
				}
			}
			a, ok := parseNode(unquote(e.node))
			if !ok {
				return // no for=, "unknown", obfuscated, or malformed
			}
			c.Addr = a
			if hops++; hops == maxHops || !t.Contains(a.Addr()) {
				return
			}
		}
	}
}

// element holds the parameters of one forwarded-element that Resolve
// reads, each as it appeared on the wire (a token, or a quoted-string
// with its quotes); "" for one the element lacks, which a present value
// never is.
type element struct {
	node, proto, host string
}

// lastElement parses the last forwarded-element of v backwards (RFC 7239
// §4), v having no trailing whitespace or comma. It returns the element,
// what of v precedes it (without the comma that separated them), and
// whether the element is well-formed.
//
// Parsing from the right lets a proxy's appended element be read however
// malformed the part a client wrote before it is. It agrees with a
// parse from the left wherever that succeeds: a token has no quote, and a
// quote inside a quoted-string is escaped by an odd run of backslashes,
// so the rightmost unescaped quote before a closing one is its opening.
func lastElement(v string) (e element, rest string, ok bool) {
	var seen [4]bool // for, by, proto, host: each at most once (RFC 7239 §4)
	pos := len(v)
	for pos > 0 {
		switch v[pos-1] {
		case ';': // between pairs, or an empty pair
			pos--
			continue
		case ',', ' ', '\t': // the element's start
			before := strings.TrimRight(v[:pos], " \t")
			if before == "" {
				return e, "", true
			}
			if before[len(before)-1] != ',' {
				return e, "", false // whitespace inside the element
			}
			return e, before[:len(before)-1], true
		}
		name, value, start, ok := lastPair(v[:pos])
		if !ok {
			return e, "", false
		}
		pos = start
		var param int
		switch {
		case wire.EqualFoldASCII(name, "for"):
			param, e.node = 0, value
		case wire.EqualFoldASCII(name, "by"):
			param = 1
		case wire.EqualFoldASCII(name, "proto"):
			param, e.proto = 2, value
		case wire.EqualFoldASCII(name, "host"):
			param, e.host = 3, value
		default:
			continue // an extension (RFC 7239 §5.5)
		}
		if seen[param] {
			return e, "", false
		}
		seen[param] = true
	}
	return e, "", true
}

// lastPair parses the forwarded-pair (token "=" value) that ends v,
// returning its name, its value as on the wire and where it starts. The
// pair must be preceded by nothing, ';', ',' or whitespace.
func lastPair(v string) (name, value string, start int, ok bool) {
	i := len(v)
	if v[i-1] == '"' {
		i = quotedStart(v)
		if i < 0 {
			return "", "", 0, false
		}
	} else {
		for i > 0 && tchar(v[i-1]) {
			i--
		}
		if i == len(v) {
			return "", "", 0, false
		}
	}
	value = v[i:]
	if i == 0 || v[i-1] != '=' {
		return "", "", 0, false
	}
	end := i - 1
	i = end
	for i > 0 && tchar(v[i-1]) {
		i--
	}
	if i == end {
		return "", "", 0, false
	}
	if i > 0 {
		switch v[i-1] {
		case ';', ',', ' ', '\t':
		default:
			return "", "", 0, false
		}
	}
	return v[i:end], value, i, true
}

// quotedStart returns where the quoted-string that ends v starts, or -1
// if v does not end with a well-formed one (RFC 9110 §5.6.4). A quote
// preceded by an odd run of backslashes is escaped; the closing one must
// not be.
func quotedStart(v string) int {
	end := len(v) - 1
	if backslashesBefore(v, end)%2 != 0 {
		return -1
	}
	for j := end; ; {
		q := strings.LastIndexByte(v[:j], '"')
		if q < 0 {
			return -1
		}
		if backslashesBefore(v, q)%2 == 0 {
			if !validQuoted(v[q+1 : end]) {
				return -1
			}
			return q
		}
		j = q
	}
}

// backslashesBefore counts the backslashes just before v[i].
func backslashesBefore(v string, i int) int {
	n := 0
	for i-n > 0 && v[i-n-1] == '\\' {
		n++
	}
	return n
}

// validQuoted reports whether s is the inside of a quoted-string:
// qdtext, and quoted-pairs of a backslash and a tab, space, visible
// character or obs-text (RFC 9110 §5.6.4).
func validQuoted(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			i++
			if i == len(s) || !quotable(s[i]) {
				return false
			}
			continue
		}
		if c == '"' || !quotable(c) {
			return false
		}
	}
	return true
}

// quotable reports whether c may appear in a quoted-string, escaped or
// not (a quote and a backslash only escaped).
func quotable(c byte) bool {
	return c == '\t' || c >= 0x20 && c != 0x7f
}

// unquote returns the value of a token or well-formed quoted-string,
// allocating only when it holds quoted-pairs.
func unquote(v string) string {
	if v == "" || v[0] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// trimEmptyTail removes the whitespace and empty list elements that end
// v (RFC 9110 §5.6.1: a recipient ignores empty elements).
func trimEmptyTail(v string) string {
	return strings.TrimRight(v, " \t,")
}

// parseNode parses a for= node (RFC 7239 §6): nodename [":" node-port],
// the nodename an IPv4 address or a bracketed IPv6 address; an obfuscated
// port is 0. It reports false for a node that names no address
// ("unknown", an obfuscated identifier), for a missing one and for a
// malformed one: the walk stops at each the same way.
func parseNode(s string) (netip.AddrPort, bool) {
	var name, port string
	if s != "" && s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.AddrPort{}, false
		}
		name, port = s[1:end], s[end+1:]
	} else {
		name, _, _ = strings.Cut(s, ":")
		port = s[len(name):] // with its ':'
		if name == "" || wire.EqualFoldASCII(name, "unknown") || name[0] == '_' {
			return netip.AddrPort{}, false
		}
	}
	if !addrChars(name) {
		return netip.AddrPort{}, false // a name, a zone: refused before ParseAddr's error allocates
	}
	a, err := netip.ParseAddr(name)
	if err != nil || a.Zone() != "" || a.Is4() != (s[0] != '[') {
		return netip.AddrPort{}, false
	}
	var n uint16
	if port != "" {
		if port[0] != ':' || len(port) == 1 {
			return netip.AddrPort{}, false
		}
		var ok bool
		if port[1] == '_' {
			ok = obfuscated(port[1:])
		} else {
			n, ok = parsePort(port[1:])
		}
		if !ok {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(a.Unmap(), n), true
}

// obfuscated reports whether s is an obfuscated identifier (RFC 7239
// §6.3): "_" followed by letters, digits, '.', '_' and '-'.
func obfuscated(s string) bool {
	if len(s) < 2 || s[0] != '_' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// tchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func tchar(c byte) bool {
	if isAlnum(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
