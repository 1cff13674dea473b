package forwarded

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// resolveTest is one row of the Resolve tables: a request from peer
// (over TLS if tls) with header, resolved with testTrusted (reading
// Forwarded if std), and the Client expected, written as show writes it.
type resolveTest struct {
	name   string
	peer   string
	tls    bool
	std    bool
	header header
	want   string
}

const (
	proxy  = "10.0.0.1:4000"  // a trusted peer
	proxy6 = "[fd00::1]:4000" // a trusted peer, IPv6
	direct = "192.0.2.9:5000" // a peer outside the trusted networks
)

var untrustedPeerTests = []resolveTest{
	{"untrusted peer, forged X-Forwarded-For ignored", direct, false, false,
		header{"X-Forwarded-For: 203.0.113.5", "X-Forwarded-Proto: https", "X-Forwarded-Host: forged.example"},
		"192.0.2.9:5000 http "},
	{"untrusted peer, forged trusted-looking X-Forwarded-For ignored", direct, false, false,
		header{"X-Forwarded-For: 10.0.0.2"}, "192.0.2.9:5000 http "},
	{"untrusted peer over TLS, forged X-Forwarded-Proto ignored", direct, true, false,
		header{"X-Forwarded-Proto: http"}, "192.0.2.9:5000 https "},
	{"untrusted peer, forged Forwarded ignored", direct, false, true,
		header{"Forwarded: for=203.0.113.5;proto=https;host=forged.example"}, "192.0.2.9:5000 http "},
	{"untrusted IPv4-mapped peer is returned as IPv4", "[::ffff:192.0.2.9]:5000", false, false,
		header{"X-Forwarded-For: 203.0.113.5"}, "192.0.2.9:5000 http "},
	{"a peer without an IP address is never trusted", "", false, false,
		header{"X-Forwarded-For: 203.0.113.5"}, "invalid AddrPort http "},
	{"trusted peer without forwarding fields is the client", proxy, true, false,
		header{"Host: example.com"}, "10.0.0.1:4000 https "},
	{"trusted IPv4-mapped peer", "[::ffff:10.0.0.1]:4000", false, false,
		header{"X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"trusted through a mapped prefix", "198.19.0.1:4000", false, false,
		header{"X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"trusted IPv6 peer with a zone", "[fd00::1%eth0]:4000", false, false,
		header{"X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
}

var xForwardedTests = []resolveTest{
	{"one proxy", proxy, false, false, header{"X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"one proxy, name in lower case", proxy, false, false, header{"x-forwarded-for: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"the client's forged entries to the left are never reached", proxy, false, false,
		header{"X-Forwarded-For: 203.0.113.66, 10.0.0.9, 192.0.2.1"}, "192.0.2.1:0 http "},
	{"chain: trusted hops skipped", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, 10.0.0.3, 10.0.0.2"}, "192.0.2.1:0 http "},
	{"chain: the first untrusted from the right wins", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, 203.0.113.7, 10.0.0.2"}, "203.0.113.7:0 http "},
	{"every hop trusted: the leftmost", proxy, false, false,
		header{"X-Forwarded-For: 10.0.0.5, 10.0.0.3, 10.0.0.2"}, "10.0.0.5:0 http "},
	{"several lines are one list", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1", "Host: a", "X-Forwarded-For: 10.0.0.2"}, "192.0.2.1:0 http "},
	{"several lines: the last line is the right end", proxy, false, false,
		header{"X-Forwarded-For: 203.0.113.66", "X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"several lines, trusted hops across them", proxy, false, false,
		header{"X-Forwarded-For: 203.0.113.66, 192.0.2.1", "X-Forwarded-For: 10.0.0.3, 10.0.0.2"}, "192.0.2.1:0 http "},
	{"empty entries and lines skipped", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, , ,\t10.0.0.2 ,", "X-Forwarded-For: ", "X-Forwarded-For: ,"}, "192.0.2.1:0 http "},
	{"empty field: the peer", proxy, false, false, header{"X-Forwarded-For: "}, "10.0.0.1:4000 http "},
	{"IPv6", proxy, false, false, header{"X-Forwarded-For: 2001:db8::1"}, "[2001:db8::1]:0 http "},
	{"IPv6 in brackets", proxy, false, false, header{"X-Forwarded-For: [2001:db8::1]"}, "[2001:db8::1]:0 http "},
	{"IPv6 with a port", proxy, false, false, header{"X-Forwarded-For: [2001:db8::1]:4711"}, "[2001:db8::1]:4711 http "},
	{"IPv4 with a port", proxy, false, false, header{"X-Forwarded-For: 192.0.2.1:4711"}, "192.0.2.1:4711 http "},
	{"IPv6 with what looks like a port is an address", proxy, false, false,
		header{"X-Forwarded-For: 2001:db8::1:4711"}, "[2001:db8::1:4711]:0 http "},
	{"IPv4-mapped client returned as IPv4", proxy, false, false,
		header{"X-Forwarded-For: ::ffff:192.0.2.1"}, "192.0.2.1:0 http "},
	{"IPv4-mapped trusted hop skipped", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, ::ffff:10.0.0.2"}, "192.0.2.1:0 http "},
	{"IPv6 peer and hops", proxy6, false, false,
		header{"X-Forwarded-For: 2001:db8::1, fd00::2"}, "[2001:db8::1]:0 http "},
	{"unknown right after the peer: the peer", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, unknown"}, "10.0.0.1:4000 http "},
	{"unknown further left: the last trusted hop", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1, unknown, 10.0.0.2"}, "10.0.0.2:0 http "},
	{"malformed: the peer", proxy, false, false, header{"X-Forwarded-For: 192.0.2.1, not-an-address"}, "10.0.0.1:4000 http "},
	{"malformed after a trusted hop: that hop", proxy, false, false,
		header{"X-Forwarded-For: 1.2.3, 10.0.0.2"}, "10.0.0.2:0 http "},
	{"malformed: leading zeros", proxy, false, false, header{"X-Forwarded-For: 192.0.2.01"}, "10.0.0.1:4000 http "},
	{"malformed: a zone", proxy, false, false, header{"X-Forwarded-For: fe80::1%eth0"}, "10.0.0.1:4000 http "},
	{"malformed: a zone with a port", proxy, false, false, header{"X-Forwarded-For: [fe80::1%eth0]:80"}, "10.0.0.1:4000 http "},
	{"malformed: IPv4 in brackets", proxy, false, false, header{"X-Forwarded-For: [192.0.2.1]:80"}, "10.0.0.1:4000 http "},
	{"malformed: IPv4 alone in brackets", proxy, false, false, header{"X-Forwarded-For: [192.0.2.1]"}, "10.0.0.1:4000 http "},
	{"malformed: a port out of range", proxy, false, false, header{"X-Forwarded-For: 192.0.2.1:65536"}, "10.0.0.1:4000 http "},
	{"malformed: Forwarded syntax", proxy, false, false, header{"X-Forwarded-For: for=192.0.2.1"}, "10.0.0.1:4000 http "},
	{"malformed: quoted", proxy, false, false, header{`X-Forwarded-For: "192.0.2.1"`}, "10.0.0.1:4000 http "},

	{"proto https", proxy, false, false,
		header{"X-Forwarded-For: 192.0.2.1", "X-Forwarded-Proto: https"}, "192.0.2.1:0 https "},
	{"proto in any case", proxy, false, false, header{"X-Forwarded-Proto: HTTPS"}, "10.0.0.1:4000 https "},
	{"proto http over a TLS hop", proxy, true, false, header{"X-Forwarded-Proto: http"}, "10.0.0.1:4000 http "},
	{"proto not http(s) ignored", proxy, true, false, header{"X-Forwarded-Proto: ftp"}, "10.0.0.1:4000 https "},
	{"proto: the rightmost entry", proxy, false, false, header{"X-Forwarded-Proto: https, http"}, "10.0.0.1:4000 http "},
	{"proto: the rightmost line", proxy, false, false, header{"X-Forwarded-Proto: http", "X-Forwarded-Proto: https ,"}, "10.0.0.1:4000 https "},
	{"proto: a bad rightmost entry is not replaced by one further left", proxy, false, false,
		header{"X-Forwarded-Proto: https, wss"}, "10.0.0.1:4000 http "},
	{"proto counts without X-Forwarded-For", proxy, false, false, header{"X-Forwarded-Proto: https"}, "10.0.0.1:4000 https "},
	{"proto counts when the walk stops at the peer", proxy, false, false,
		header{"X-Forwarded-For: unknown", "X-Forwarded-Proto: https"}, "10.0.0.1:4000 https "},

	{"host", proxy, false, false, header{"X-Forwarded-Host: example.com"}, "10.0.0.1:4000 http example.com"},
	{"host with a port", proxy, false, false, header{"X-Forwarded-Host: example.com:8443"}, "10.0.0.1:4000 http example.com:8443"},
	{"host IPv6", proxy, false, false, header{"X-Forwarded-Host: [2001:db8::1]:8443"}, "10.0.0.1:4000 http [2001:db8::1]:8443"},
	{"host: the rightmost entry", proxy, false, false, header{"X-Forwarded-Host: a.example, b.example"}, "10.0.0.1:4000 http b.example"},
	{"host malformed ignored", proxy, false, false, header{"X-Forwarded-Host: a b"}, "10.0.0.1:4000 http "},
	{"host with a bad port ignored", proxy, false, false, header{"X-Forwarded-Host: example.com:http"}, "10.0.0.1:4000 http "},
	{"host with a path ignored", proxy, false, false, header{"X-Forwarded-Host: example.com/x"}, "10.0.0.1:4000 http "},

	{"both present: Forwarded ignored by default", proxy, false, false,
		header{"Forwarded: for=203.0.113.66;proto=https;host=forged.example", "X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0 http "},
	{"Forwarded alone ignored by default", proxy, false, false,
		header{"Forwarded: for=203.0.113.66;proto=https"}, "10.0.0.1:4000 http "},
}

var forwardedTests = []resolveTest{
	{"one proxy", proxy, false, true, header{"Forwarded: for=192.0.2.43"}, "192.0.2.43:0 http "},
	{"names in any case", proxy, false, true, header{"forwarded: For=192.0.2.43;PROTO=HTTPS;hOsT=example.com"}, "192.0.2.43:0 https example.com"},
	{"quoted IPv4", proxy, false, true, header{`Forwarded: for="192.0.2.43"`}, "192.0.2.43:0 http "},
	{"quoted IPv6 with a port", proxy, false, true, header{`Forwarded: for="[2001:db8:cafe::17]:4711"`}, "[2001:db8:cafe::17]:4711 http "},
	{"quoted IPv6", proxy, false, true, header{`Forwarded: for="[2001:db8:cafe::17]"`}, "[2001:db8:cafe::17]:0 http "},
	{"quoted IPv4 with a port", proxy, false, true, header{`Forwarded: for="192.0.2.43:4711"`}, "192.0.2.43:4711 http "},
	{"IPv4-mapped returned as IPv4", proxy, false, true, header{`Forwarded: for="[::ffff:192.0.2.43]"`}, "192.0.2.43:0 http "},
	{"RFC 7239 example", proxy, false, true,
		header{"Forwarded: for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com"},
		"198.51.100.17:0 http example.com"},
	{"chain: proto and host of the client's element", proxy, true, true,
		header{"Forwarded: for=192.0.2.43;proto=https;host=example.com, for=10.0.0.2;proto=http;host=backend"},
		"192.0.2.43:0 https example.com"},
	{"chain: proto from the nearest element that has one", proxy, false, true,
		header{"Forwarded: for=192.0.2.43, for=10.0.0.2;proto=https"}, "192.0.2.43:0 https "},
	{"the client's forged elements to the left are never reached", proxy, false, true,
		header{"Forwarded: for=203.0.113.66;proto=https;host=forged.example, for=192.0.2.43;proto=http"},
		"192.0.2.43:0 http "},
	{"several lines are one list", proxy, false, true,
		header{"Forwarded: for=192.0.2.43;proto=https", "Forwarded: for=10.0.0.2"}, "192.0.2.43:0 https "},
	{"several lines: the last line is the right end", proxy, false, true,
		header{"Forwarded: for=203.0.113.66", "Forwarded: for=192.0.2.43"}, "192.0.2.43:0 http "},
	{"every hop trusted: the leftmost", proxy, false, true,
		header{`Forwarded: for=10.0.0.5;proto=https, for="[fd00::3]:80"`}, "10.0.0.5:0 https "},
	{"empty elements and pairs", proxy, false, true,
		header{"Forwarded: , ;for=192.0.2.43;;proto=https; ,, for=10.0.0.2 ,", "Forwarded: ,"}, "192.0.2.43:0 https "},
	{"extension parameters", proxy, false, true,
		header{`Forwarded: for=192.0.2.43;ext=1;secret="a, b; c=d"`}, "192.0.2.43:0 http "},
	{"a quoted-pair in a node", proxy, false, true, header{`Forwarded: for="192.0.2.\43"`}, "192.0.2.43:0 http "},
	{"an escaped quote hides no element", proxy, false, true,
		header{`Forwarded: for="x\", for=192.0.2.43"`}, "10.0.0.1:4000 http "},
	{"an escaped backslash before the closing quote", proxy, false, true,
		header{`Forwarded: for=192.0.2.43;ext="a\\", for=10.0.0.2`}, "192.0.2.43:0 http "},
	{"a client's unterminated quote does not hide the proxy's element", proxy, false, true,
		header{`Forwarded: for="203.0.113.66, for=192.0.2.43`}, "192.0.2.43:0 http "},
	{"a client's garbage line does not hide the proxy's line", proxy, false, true,
		header{`Forwarded: for="[`, "Forwarded: for=192.0.2.43"}, "192.0.2.43:0 http "},

	{"unknown: the peer, with its element's proto and host", proxy, false, true,
		header{"Forwarded: for=unknown;proto=https;host=example.com"}, "10.0.0.1:4000 https example.com"},
	{"unknown in any case", proxy, false, true, header{"Forwarded: for=UNKNOWN"}, "10.0.0.1:4000 http "},
	{"unknown with a port", proxy, false, true, header{`Forwarded: for="unknown:4711"`}, "10.0.0.1:4000 http "},
	{"unknown further left: the last trusted hop", proxy, false, true,
		header{"Forwarded: for=192.0.2.43, for=unknown, for=10.0.0.2"}, "10.0.0.2:0 http "},
	{"obfuscated node", proxy, false, true, header{"Forwarded: for=_hidden;proto=https"}, "10.0.0.1:4000 https "},
	{"obfuscated node, quoted", proxy, false, true, header{`Forwarded: for="_SEVKISEK:_p1"`}, "10.0.0.1:4000 http "},
	{"obfuscated port", proxy, false, true, header{`Forwarded: for="192.0.2.43:_p-1.x"`}, "192.0.2.43:0 http "},
	{"obfuscated IPv6 port", proxy, false, true, header{`Forwarded: for="[2001:db8::1]:_x"`}, "[2001:db8::1]:0 http "},
	{"no for=: the peer, with the element's proto", proxy, false, true,
		header{"Forwarded: proto=https;by=10.0.0.1"}, "10.0.0.1:4000 https "},

	{"malformed: unquoted IPv6", proxy, false, true, header{"Forwarded: for=[2001:db8::1]"}, "10.0.0.1:4000 http "},
	{"malformed: unquoted port", proxy, false, true, header{"Forwarded: for=192.0.2.43:80;proto=https"}, "10.0.0.1:4000 http "},
	{"malformed node: IPv6 without brackets", proxy, false, true, header{`Forwarded: for="2001:db8::1"`}, "10.0.0.1:4000 http "},
	{"malformed node: IPv4 in brackets", proxy, false, true, header{`Forwarded: for="[192.0.2.43]"`}, "10.0.0.1:4000 http "},
	{"malformed node: a zone", proxy, false, true, header{`Forwarded: for="[fe80::1%25eth0]"`}, "10.0.0.1:4000 http "},
	{"malformed node: empty port", proxy, false, true, header{`Forwarded: for="192.0.2.43:"`}, "10.0.0.1:4000 http "},
	{"malformed node: port out of range", proxy, false, true, header{`Forwarded: for="192.0.2.43:65536"`}, "10.0.0.1:4000 http "},
	{"malformed node: bare obfuscated port", proxy, false, true, header{`Forwarded: for="192.0.2.43:_"`}, "10.0.0.1:4000 http "},
	{"malformed node: empty", proxy, false, true, header{`Forwarded: for=""`}, "10.0.0.1:4000 http "},
	{"malformed node: a host name", proxy, false, true, header{`Forwarded: for=client.example`}, "10.0.0.1:4000 http "},
	{"malformed node keeps its element's proto", proxy, false, true,
		header{`Forwarded: for="1.2.3";proto=https`}, "10.0.0.1:4000 https "},
	{"malformed: space after ';'", proxy, false, true, header{"Forwarded: for=192.0.2.43; proto=https"}, "10.0.0.1:4000 http "},
	{"malformed: space around '='", proxy, false, true, header{"Forwarded: for= 192.0.2.43"}, "10.0.0.1:4000 http "},
	{"malformed: no value", proxy, false, true, header{"Forwarded: for"}, "10.0.0.1:4000 http "},
	{"malformed: empty value", proxy, false, true, header{"Forwarded: for="}, "10.0.0.1:4000 http "},
	{"malformed: empty name", proxy, false, true, header{"Forwarded: =192.0.2.43"}, "10.0.0.1:4000 http "},
	{"malformed: unterminated quote", proxy, false, true, header{`Forwarded: for="192.0.2.43`}, "10.0.0.1:4000 http "},
	{"malformed: escaped closing quote", proxy, false, true, header{`Forwarded: for="192.0.2.43\"`}, "10.0.0.1:4000 http "},
	{"malformed: a control byte in a quoted-string", proxy, false, true, header{"Forwarded: for=\"192.0.2.43\x01\""}, "10.0.0.1:4000 http "},
	{"malformed: two values", proxy, false, true, header{"Forwarded: for=a=b"}, "10.0.0.1:4000 http "},
	{"malformed: stray quote after a value", proxy, false, true, header{`Forwarded: ext="x"for=192.0.2.43`}, "10.0.0.1:4000 http "},
	{"malformed: duplicate for", proxy, false, true, header{"Forwarded: for=192.0.2.43;for=192.0.2.44"}, "10.0.0.1:4000 http "},
	{"malformed: duplicate proto, in other cases", proxy, false, true,
		header{"Forwarded: for=192.0.2.43;proto=http;PROTO=https"}, "10.0.0.1:4000 http "},
	{"malformed: duplicate host", proxy, false, true, header{"Forwarded: for=192.0.2.43;host=a;host=b"}, "10.0.0.1:4000 http "},
	{"malformed: duplicate by", proxy, false, true, header{"Forwarded: for=192.0.2.43;by=a;by=b"}, "10.0.0.1:4000 http "},
	{"malformed after a trusted hop: that hop, with its proto", proxy, false, true,
		header{"Forwarded: for=192.0.2.43;;proto=https x, for=10.0.0.2;proto=https"}, "10.0.0.2:0 https "},

	{"TLS and no proto: https", proxy, true, true, header{"Forwarded: for=192.0.2.43"}, "192.0.2.43:0 https "},
	{"proto not http(s) ignored", proxy, true, true, header{"Forwarded: for=192.0.2.43;proto=gopher"}, "192.0.2.43:0 https "},
	{"quoted proto", proxy, false, true, header{`Forwarded: for=192.0.2.43;proto="https"`}, "192.0.2.43:0 https "},
	{"quoted host with a port", proxy, false, true, header{`Forwarded: for=192.0.2.43;host="example.com:8080"`}, "192.0.2.43:0 http example.com:8080"},
	{"malformed: unquoted host with a port", proxy, false, true,
		header{"Forwarded: for=192.0.2.43;host=example.com:8080"}, "10.0.0.1:4000 http "},
	{"host malformed ignored", proxy, false, true, header{`Forwarded: for=192.0.2.43;host="a b"`}, "192.0.2.43:0 http "},
	{"host: the nearest valid one", proxy, false, true,
		header{`Forwarded: for=192.0.2.43;host="a b", for=10.0.0.2;host=example.com`}, "192.0.2.43:0 http example.com"},

	{"both present: X-Forwarded-* ignored", proxy, false, true,
		header{"X-Forwarded-For: 203.0.113.66", "X-Forwarded-Proto: https", "X-Forwarded-Host: forged.example", "Forwarded: for=192.0.2.43"},
		"192.0.2.43:0 http "},
	{"X-Forwarded-For alone ignored", proxy, false, true,
		header{"X-Forwarded-For: 203.0.113.66", "X-Forwarded-Proto: https"}, "10.0.0.1:4000 http "},
}

func runResolveTests(t *testing.T, tests []resolveTest) {
	t.Helper()
	for _, tt := range tests {
		var peer netip.AddrPort
		if tt.peer != "" {
			peer = netip.MustParseAddrPort(tt.peer)
		}
		tr := *testTrusted
		tr.UseForwarded = tt.std
		if got := show(tr.Resolve(peer, tt.tls, tt.header)); got != tt.want {
			t.Errorf("%s: Resolve(%s, tls=%v, %q) with UseForwarded=%v = %q, want %q",
				tt.name, tt.peer, tt.tls, tt.header, tt.std, got, tt.want)
		}
	}
}

func TestResolveUntrustedPeer(t *testing.T) { runResolveTests(t, untrustedPeerTests) }
func TestResolveXForwarded(t *testing.T)    { runResolveTests(t, xForwardedTests) }
func TestResolveForwarded(t *testing.T)     { runResolveTests(t, forwardedTests) }

// TestResolveNoTrust: a nil Trusted, one without prefixes, and a nil
// Header all leave the peer as the client.
func TestResolveNoTrust(t *testing.T) {
	peer := netip.MustParseAddrPort(proxy)
	h := header{"X-Forwarded-For: 192.0.2.1", "X-Forwarded-Proto: https"}
	for _, tt := range []struct {
		name string
		t    *Trusted
		h    Header
	}{
		{"nil Trusted", nil, h},
		{"no prefixes", &Trusted{}, h},
		{"invalid prefix", &Trusted{Prefixes: []netip.Prefix{{}}}, h},
		{"nil Header", testTrusted, nil},
	} {
		if got, want := show(tt.t.Resolve(peer, false, tt.h)), "10.0.0.1:4000 http "; got != want {
			t.Errorf("%s: Resolve = %q, want %q", tt.name, got, want)
		}
	}
}

// TestResolveHopLimit: a walk reads at most maxHops entries, and stops at
// the last trusted one it read.
func TestResolveHopLimit(t *testing.T) {
	for _, std := range []bool{false, true} {
		for _, n := range []int{maxHops - 1, maxHops, maxHops + 1, 1000} {
			// n trusted hops 10.0.a.b to the right of the client.
			entries := []string{"192.0.2.1"}
			for i := range n {
				entries = append(entries, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
			}
			name := "X-Forwarded-For"
			if std {
				name = "Forwarded"
				for i := range entries {
					entries[i] = "for=" + entries[i]
				}
			}
			h := header{name + ": " + strings.Join(entries, ", ")}
			want := "192.0.2.1:0 http " // the client, n trusted hops away
			if n >= maxHops {
				// The maxHops-th entry from the right: a trusted hop.
				i := n - maxHops
				want = fmt.Sprintf("10.0.%d.%d:0 http ", i/256, i%256)
			}
			tr := *testTrusted
			tr.UseForwarded = std
			if got := show(tr.Resolve(netip.MustParseAddrPort(proxy), false, h)); got != want {
				t.Errorf("%s with %d trusted hops: Resolve = %q, want %q", name, n, got, want)
			}
		}
	}
}

// TestResolveManyLines: the walk crosses any number of lines, empty ones
// included, in order.
func TestResolveManyLines(t *testing.T) {
	h := header{"X-Forwarded-For: 192.0.2.1"}
	for range 500 {
		h = append(h, "X-Forwarded-For: ", "X-Forwarded-For: 10.0.0.2")
	}
	if got, want := show(testTrusted.Resolve(netip.MustParseAddrPort(proxy), false, h)), "10.0.0.2:0 http "; got != want {
		t.Errorf("1000 lines of trusted hops: Resolve = %q, want %q (the hop limit)", got, want)
	}
}
