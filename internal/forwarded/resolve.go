package forwarded

import (
	"net/netip"
	"strings"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// maxHops bounds the list entries one walk reads, the client's included.
// A chain of more than a few proxies is a misconfiguration or an attack;
// the bound keeps the work per request small whatever the fields hold.
const maxHops = 64

// Header is what Resolve reads of a request's header. Values returns the
// values of the field lines named name, matched case-insensitively, in
// the order they arrived; nil when there is none. Resolve asks for the
// canonical spellings ("Forwarded", "X-Forwarded-For",
// "X-Forwarded-Proto", "X-Forwarded-Host"), so net/http's http.Header
// serves as well as *httpserver.Header.
//
// Resolve only reads the slice, asks for each name at most once, and is
// done with one slice before it asks for the next name: an implementation
// may return the same scratch storage every time, which is how a caller
// avoids allocating for it.
type Header interface {
	Values(name string) []string
}

// Client is who a request came from, as Resolve decided.
type Client struct {
	// Addr is the client's address: the peer's, or one a trusted proxy
	// reported. Its port is 0 when the proxy gave none or obfuscated it.
	// An IPv4-mapped address is returned as IPv4.
	Addr netip.AddrPort

	// Proto is the scheme the client used, "http" or "https": the
	// connection's, unless a trusted proxy said otherwise.
	Proto string

	// Host is the host the client asked for, as a trusted proxy reported
	// it (Forwarded's host=, X-Forwarded-Host), with its port if it had
	// one; "" when none did. It is syntactically a host, nothing more:
	// whether the server serves it is the caller's decision.
	Host string
}

// Resolve decides who the client of a request is (see the package
// documentation for the rules): from the peer's address (the zero
// AddrPort when the connection has no IP address, as over a Unix
// socket: never trusted), whether the connection is TLS, and the
// request's header h, which is read only if the peer is trusted. It does
// no I/O, and reads at most 64 list entries whatever h holds. It does not
// allocate unless h does, or an entry it reads is an oddity: a
// quoted-string with quoted-pairs, or a malformed address (netip's error
// allocates).
func (t *Trusted) Resolve(peer netip.AddrPort, tls bool, h Header) Client {
	c := Client{Addr: unmap(peer), Proto: "http"}
	if tls {
		c.Proto = "https"
	}
	if h == nil || !t.Contains(peer.Addr()) {
		return c
	}
	if t.UseForwarded {
		t.walkForwarded(&c, h.Values("Forwarded"))
		return c
	}
	t.walkXForwardedFor(&c, h.Values("X-Forwarded-For"))
	if p, ok := scheme(rightmost(h.Values("X-Forwarded-Proto"))); ok {
		c.Proto = p
	}
	if host := rightmost(h.Values("X-Forwarded-Host")); validHost(host) {
		c.Host = host
	}
	return c
}

// walkXForwardedFor walks the X-Forwarded-For lines from the right,
// setting c.Addr to each address read until one is not trusted.
func (t *Trusted) walkXForwardedFor(c *Client, lines []string) {
	hops := 0
	for i := len(lines) - 1; i >= 0; i-- {
		v := lines[i]
		for {
			comma := strings.LastIndexByte(v, ',')
			if entry := trimOWS(v[comma+1:]); entry != "" {
				a, ok := parseXForwardedFor(entry)
				if !ok {
					return
				}
				c.Addr = a
				if hops++; hops == maxHops || !t.Contains(a.Addr()) {
					return
				}
			}
			if comma < 0 {
				break
			}
			v = v[:comma]
		}
	}
}

// parseXForwardedFor parses one X-Forwarded-For entry: "192.0.2.1",
// "2001:db8::1", "[2001:db8::1]", "192.0.2.1:4711" or
// "[2001:db8::1]:4711". The form is chosen by its shape before parsing,
// so that the common bare address is parsed once and a failed attempt
// (whose error allocates) is never made on the way; an entry with a
// character no address has ("unknown", a name, a zone) is refused before
// any.
func parseXForwardedFor(s string) (netip.AddrPort, bool) {
	if !addrChars(s) {
		return netip.AddrPort{}, false
	}
	switch {
	case s[0] == '[' && s[len(s)-1] == ']':
		a, err := netip.ParseAddr(s[1 : len(s)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.AddrPort{}, false
		}
		return netip.AddrPortFrom(a.Unmap(), 0), true
	case s[0] == '[' || strings.Count(s, ":") == 1:
		ap, err := netip.ParseAddrPort(s)
		if err != nil || ap.Addr().Zone() != "" {
			return netip.AddrPort{}, false
		}
		return unmap(ap), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.Unmap(), 0), true
}

// addrChars reports whether s holds only characters of IP addresses
// and ports: hexadecimal digits, '.', ':', '[' and ']'.
func addrChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

// rightmost returns the last non-empty entry of a comma-separated list
// held in several lines, without its surrounding whitespace; "" if there
// is none.
func rightmost(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		v := lines[i]
		for {
			comma := strings.LastIndexByte(v, ',')
			if entry := trimOWS(v[comma+1:]); entry != "" {
				return entry
			}
			if comma < 0 {
				break
			}
			v = v[:comma]
		}
	}
	return ""
}

// scheme returns "http" or "https" for s in any case.
func scheme(s string) (string, bool) {
	switch {
	case wire.EqualFoldASCII(s, "http"):
		return "http", true
	case wire.EqualFoldASCII(s, "https"):
		return "https", true
	}
	return "", false
}

// validHost reports whether s is a host as the Host field has it (RFC
// 9110 §7.2), within reason: a name of letters, digits, '-', '.' and '_',
// an IPv4 address, or an IPv6 address in brackets, then optionally ':'
// and a port of 1 to 5 digits. The other characters RFC 3986 allows in
// a reg-name (percent escapes, sub-delims) appear in no host a proxy
// reports, and would only let a header smuggle ',' or ';' through.
func validHost(s string) bool {
	if s == "" || len(s) > 255+6 {
		return false
	}
	name, port := s, ""
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		name, port = "", s[end+1:]
	} else if colon := strings.IndexByte(s, ':'); colon >= 0 {
		name, port = s[:colon], s[colon:]
		if name == "" {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	if port == "" {
		return true
	}
	if port[0] != ':' {
		return false
	}
	_, ok := parsePort(port[1:])
	return ok
}

// parsePort parses 1 to 5 decimal digits up to 65535.
func parsePort(s string) (uint16, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

// unmap returns ap with an IPv4-mapped IPv6 address turned into IPv4.
func unmap(ap netip.AddrPort) netip.AddrPort {
	if !ap.Addr().Is4In6() {
		return ap
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// trimOWS removes the optional whitespace (spaces and tabs) around s.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
