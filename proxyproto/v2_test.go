package proxyproto

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Version and command bytes, family and protocol bytes (§2.2).
const (
	cmdLocal = 0x20
	cmdProxy = 0x21

	famUnspec = 0x00
	famTCP4   = 0x11
	famUDP4   = 0x12
	famTCP6   = 0x21
	famUDP6   = 0x22
	famUnixS  = 0x31
	famUnixD  = 0x32
)

var (
	addrs4 = ip4("192.0.2.1", "198.51.100.7", 51234, 443)
	addrs6 = ip6("2001:db8::1", "2001:db8::2", 51234, 443)
)

// awsCapture is a header an AWS network load balancer sent for a
// PrivateLink connection (from the compatibility tests of AWS's
// elastic-load-balancing-tools, proprot): TCP4, a CRC32C, the VPC
// endpoint ID and NOOP padding. Its checksum is a real sender's.
var awsCapture = func() string {
	b, err := hex.DecodeString("0d0a0d0a000d0a515549540a21110054ac1f0771ac1f0a1fc8f20050030004e8d6892d" +
		"ea001701" + hex.EncodeToString([]byte("vpce-08d2bf15fac5001c9")) + "040024" + strings.Repeat("00", 36))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

var (
	sslTLV = tlv(TypeSSL, ssl(ClientSSL|ClientCertConn, 0,
		tlv(SubtypeSSLVersion, "TLSv1.3"), tlv(SubtypeSSLCN, "client.example"),
		tlv(SubtypeSSLCipher, "TLS_AES_128_GCM_SHA256"), tlv(SubtypeSSLSigAlg, "RSA-SHA256"),
		tlv(SubtypeSSLKeyAlg, "RSA2048"), tlv(SubtypeSSLGroup, "x25519"),
		tlv(SubtypeSSLSigScheme, "rsa_pss_rsae_sha256"), tlv(SubtypeSSLClientCert, "\x30\x82\x01\x0a"),
		tlv(0x29, "unregistered sub-type")))
	sslWant = `0x20="\x03\x00\x00\x00\x00!\x00\x07TLSv1.3\"\x00\x0eclient.example#\x00\x16TLS_AES_128_GCM_SHA256$\x00\x0aRSA-SHA256%\x00\x07RSA2048&\x00\x06x25519'\x00\x13rsa_pss_rsae_sha256(\x00\x040\x82\x01\x0a)\x00\x15unregistered sub-type"`

	uniqueID128 = strings.Repeat("u", 128)
	host255     = strings.Repeat("h", 255)
	// bigTLV makes a TCP4 header exactly DefaultMaxV2Bytes long.
	bigTLV = tlv(0xe0, strings.Repeat("b", DefaultMaxV2Bytes-16-12-3))
)

var validV2 = []validCase{
	{"PROXY TCP4", v2(cmdProxy, famTCP4, addrs4),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443"}},
	{"PROXY UDP4", v2(cmdProxy, famUDP4, ip4("10.0.0.1", "10.0.0.2", 53, 5353)),
		view{Version: 2, Command: "PROXY", Transport: "UDP4", Src: "10.0.0.1:53", Dst: "10.0.0.2:5353"}},
	{"PROXY TCP6", v2(cmdProxy, famTCP6, addrs6),
		view{Version: 2, Command: "PROXY", Transport: "TCP6", Src: "[2001:db8::1]:51234", Dst: "[2001:db8::2]:443"}},
	{"PROXY UDP6", v2(cmdProxy, famUDP6, ip6("::1", "fe80::1", 0, 65535)),
		view{Version: 2, Command: "PROXY", Transport: "UDP6", Src: "[::1]:0", Dst: "[fe80::1]:65535"}},
	{"PROXY TCP6 IPv4-mapped, unmapped", v2(cmdProxy, famTCP6, ip6("::ffff:192.0.2.1", "::ffff:10.1.2.3", 1, 2)),
		view{Version: 2, Command: "PROXY", Transport: "TCP6", Src: "192.0.2.1:1", Dst: "10.1.2.3:2"}},
	{"PROXY UNIX stream", v2(cmdProxy, famUnixS, unixAddrs("/run/client.sock", "/run/haproxy.sock")),
		view{Version: 2, Command: "PROXY", Transport: "UNIX-STREAM", SrcUnix: "/run/client.sock", DstUnix: "/run/haproxy.sock"}},
	{"PROXY UNIX datagram, abstract, with a TLV", v2(cmdProxy, famUnixD, unixAddrs("\x00abstract", strings.Repeat("p", 108)), tlv(TypeALPN, "h2")),
		view{Version: 2, Command: "PROXY", Transport: "UNIX-DGRAM", SrcUnix: "@abstract", DstUnix: strings.Repeat("p", 108), TLVs: []string{`0x01="h2"`}}},
	// §2.2: for UNSPEC "the receiver is free to accept the connection
	// anyway and use the real endpoint addresses".
	{"PROXY UNSPEC", v2(cmdProxy, famUnspec, ""),
		view{Version: 2, Command: "PROXY", Transport: "UNSPEC"}},
	{"PROXY UNSPEC with TLVs", v2(cmdProxy, famUnspec, "", tlv(TypeUniqueID, "id-1")),
		view{Version: 2, Command: "PROXY", Transport: "UNSPEC", TLVs: []string{`0x05="id-1"`}}},

	// LOCAL: the block, family and TLVs are ignored.
	{"LOCAL UNSPEC", v2(cmdLocal, famUnspec, ""),
		view{Version: 2, Command: "LOCAL", Transport: "UNSPEC"}},
	{"LOCAL TCP4 with addresses", v2(cmdLocal, famTCP4, addrs4),
		view{Version: 2, Command: "LOCAL", Transport: "UNSPEC"}},
	{"LOCAL TCP6 shorter than its family", v2(cmdLocal, famTCP6, "abc"),
		view{Version: 2, Command: "LOCAL", Transport: "UNSPEC"}},
	{"LOCAL with a truncated TLV and a bad CRC, unread", v2(cmdLocal, famTCP4, addrs4, crcTLV, "\x01\x00"),
		view{Version: 2, Command: "LOCAL", Transport: "UNSPEC"}},

	// TLVs (§2.2.1-2.2.8).
	{"ALPN AUTHORITY UNIQUE_ID NETNS", v2(cmdProxy, famTCP4, addrs4, tlv(TypeALPN, "h2"), tlv(TypeAuthority, "example.com"), tlv(TypeUniqueID, "\x00\x01\x02"), tlv(TypeNetNS, "blue")),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443",
			TLVs: []string{`0x01="h2"`, `0x02="example.com"`, `0x05="\x00\x01\x02"`, `0x30="blue"`}}},
	{"NOOP padding, any number", v2(cmdProxy, famTCP4, addrs4, tlv(TypeNoop, ""), tlv(TypeNoop, "\x00\x00\x00"), tlv(TypeNoop, "")),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443",
			TLVs: []string{`0x04=""`, `0x04="\x00\x00\x00"`, `0x04=""`}}},
	{"unregistered and custom types, repeated", v2(cmdProxy, famTCP6, addrs6, tlv(0xe0, "gcp"), tlv(0xe0, ""), tlv(0x06, "?"), tlv(0xff, "future")),
		view{Version: 2, Command: "PROXY", Transport: "TCP6", Src: "[2001:db8::1]:51234", Dst: "[2001:db8::2]:443",
			TLVs: []string{`0xe0="gcp"`, `0xe0=""`, `0x06="?"`, `0xff="future"`}}},
	{"UNIQUE_ID of 128 bytes, AUTHORITY of 255", v2(cmdProxy, famTCP4, addrs4, tlv(TypeUniqueID, uniqueID128), tlv(TypeAuthority, host255)),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443",
			TLVs: []string{`0x05="` + uniqueID128 + `"`, `0x02="` + host255 + `"`}}},
	{"SSL with every sub-type", v2(cmdProxy, famTCP4, addrs4, sslTLV),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443", TLVs: []string{sslWant}}},
	{"SSL without sub-TLVs", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(0, 1))),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443", TLVs: []string{`0x20="\x00\x00\x00\x00\x01"`}}},
	{"CRC32C first", signed(v2(cmdProxy, famTCP4, addrs4, crcTLV, tlv(TypeALPN, "http/1.1")), 28),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443",
			TLVs: []string{`0x03="\xcf\x8d\xda\xc1"`, `0x01="http/1.1"`}}},
	{"CRC32C last, IPv6", signed(v2(cmdProxy, famTCP6, addrs6, tlv(TypeAuthority, "a"), tlv(TypeNoop, "pad"), crcTLV), 52),
		view{Version: 2, Command: "PROXY", Transport: "TCP6", Src: "[2001:db8::1]:51234", Dst: "[2001:db8::2]:443",
			TLVs: []string{`0x02="a"`, `0x04="pad"`, "0x03=\"o\\xd0`\\xc7\""}}},
	{"AWS PrivateLink capture", awsCapture,
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "172.31.7.113:51442", Dst: "172.31.10.31:80",
			TLVs: []string{`0x03="\xe8\xd6\x89-"`, `0xea="\x01vpce-08d2bf15fac5001c9"`, `0x04="` + strings.Repeat(`\x00`, 36) + `"`}}},
	{"exactly DefaultMaxV2Bytes", v2(cmdProxy, famTCP4, addrs4, bigTLV),
		view{Version: 2, Command: "PROXY", Transport: "TCP4", Src: "192.0.2.1:51234", Dst: "198.51.100.7:443",
			TLVs: []string{`0xe0="` + strings.Repeat("b", DefaultMaxV2Bytes-16-12-3) + `"`}}},
}

var invalidV2 = []invalidCase{
	// The signature.
	{"signature with CR for LF", "\r\n\r\n\x00\r\nQUIT\r\x21\x11\x00\x0c", errNoSignature},
	{"signature without NUL", "\r\n\r\n\r\nQUIT\n", errNoSignature},
	{"CRLF then HTTP", "\r\nGET / HTTP/1.1\r\n\r\n", errNoSignature},

	// §2.2: "the receiver must only accept" version 2, "must drop
	// connections presenting unexpected" commands, and "must reject"
	// undefined families and protocols.
	{"version 1", v2(0x11, famTCP4, addrs4), errV2Version},
	{"version 0", v2(0x01, famTCP4, addrs4), errV2Version},
	{"version 3", v2(0x31, famTCP4, addrs4), errV2Version},
	{"version 15", v2(0xf1, famTCP4, addrs4), errV2Version},
	{"command 2", v2(0x22, famTCP4, addrs4), errV2Command},
	{"command 15", v2(0x2f, famTCP4, addrs4), errV2Command},
	{"family 4", v2(cmdProxy, 0x41, addrs4), errV2Family},
	{"protocol 3", v2(cmdProxy, 0x13, addrs4), errV2Family},
	{"IPv4 without protocol", v2(cmdProxy, 0x10, addrs4), errV2Family},
	{"protocol without family", v2(cmdProxy, 0x01, addrs4), errV2Family},
	{"UNIX protocol 3", v2(cmdProxy, 0x33, unixAddrs("a", "b")), errV2Family},
	{"LOCAL with an undefined family", v2(cmdLocal, 0x13, ""), errV2Family},
	{"LOCAL with family 0xff", v2(cmdLocal, 0xff, ""), errV2Family},

	// The length.
	{"TCP4 length 11", v2len(cmdProxy, famTCP4, 11, addrs4[:11]), errV2Short},
	{"TCP4 length 0", v2len(cmdProxy, famTCP4, 0, ""), errV2Short},
	{"UDP6 length 35", v2len(cmdProxy, famUDP6, 35, addrs6[:35]), errV2Short},
	{"UNIX length 215", v2len(cmdProxy, famUnixS, 215, unixAddrs("a", "b")[:215]), errV2Short},
	{"longer than DefaultMaxV2Bytes", v2(cmdProxy, famTCP4, addrs4, bigTLV+"x"), errV2TooLong},
	{"length 65535", v2len(cmdProxy, famTCP4, 0xffff, addrs4), errV2TooLong},
	{"LOCAL longer than the limit", v2len(cmdLocal, famUnspec, 4081, ""), errV2TooLong},

	// TLV framing (§2.2).
	{"one byte after the addresses", v2(cmdProxy, famTCP4, addrs4, "\x01"), errTLVOverrun},
	{"two bytes after the addresses", v2(cmdProxy, famTCP4, addrs4, "\x01\x00"), errTLVOverrun},
	{"TLV value overruns by one", v2(cmdProxy, famTCP4, addrs4, "\x01\x00\x03h2"), errTLVOverrun},
	{"TLV length 0xffff", v2(cmdProxy, famTCP6, addrs6, "\xe0\xff\xffabc"), errTLVOverrun},
	{"second TLV overruns", v2(cmdProxy, famTCP4, addrs4, tlv(TypeALPN, "h2"), "\x02\x00"), errTLVOverrun},
	{"UNSPEC with a truncated TLV", v2(cmdProxy, famUnspec, "", "\x04"), errTLVOverrun},
	{"UNIX with a truncated TLV", v2(cmdProxy, famUnixS, unixAddrs("a", "b"), "\x04\x00\x01"), errTLVOverrun},

	// One value or a refusal: never a choice between two.
	{"ALPN twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeALPN, "h2"), tlv(TypeALPN, "http/1.1")), errTLVRepeated},
	{"AUTHORITY twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeAuthority, "a"), tlv(TypeNoop, ""), tlv(TypeAuthority, "b")), errTLVRepeated},
	{"UNIQUE_ID twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeUniqueID, "1"), tlv(TypeUniqueID, "1")), errTLVRepeated},
	{"SSL twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(0, 0)), tlv(TypeSSL, ssl(0, 0))), errTLVRepeated},
	{"NETNS twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeNetNS, "a"), tlv(TypeNetNS, "b")), errTLVRepeated},
	{"CRC32C twice", signed(v2(cmdProxy, famTCP4, addrs4, crcTLV, crcTLV), 28), errTLVRepeated},

	// CRC32C (§2.2.3: the receiver "MUST treat the TCP connection
	// providing the header as invalid" when it does not match).
	{"CRC32C wrong", v2(cmdProxy, famTCP4, addrs4, tlv(TypeCRC32C, "\x12\x34\x56\x78")), ErrChecksum},
	{"CRC32C zero", v2(cmdProxy, famTCP4, addrs4, crcTLV), ErrChecksum},
	{"CRC32C of another header", strings.Replace(signed(v2(cmdProxy, famTCP4, addrs4, crcTLV), 28), "\xc0\x00\x02\x01", "\xc0\x00\x02\x02", 1), ErrChecksum},
	{"AWS capture with a port changed", strings.Replace(awsCapture, "\xc8\xf2", "\xc8\xf3", 1), ErrChecksum},
	{"CRC32C of 3 bytes", v2(cmdProxy, famTCP4, addrs4, tlv(TypeCRC32C, "\x00\x00\x00")), errCRCLength},
	{"CRC32C of 5 bytes", v2(cmdProxy, famTCP4, addrs4, tlv(TypeCRC32C, "\x00\x00\x00\x00\x00")), errCRCLength},

	// Lengths of registered types.
	{"UNIQUE_ID of 129 bytes", v2(cmdProxy, famTCP4, addrs4, tlv(TypeUniqueID, uniqueID128+"u")), errUniqueID},
	{"AUTHORITY of 256 bytes", v2(cmdProxy, famTCP4, addrs4, tlv(TypeAuthority, host255+"h")), errAuthority},

	// SSL (§2.2.6).
	{"SSL of 4 bytes", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, "\x01\x00\x00\x00")), errSSLShort},
	{"SSL empty", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, "")), errSSLShort},
	{"SSL sub-TLV truncated", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(1, 0, "\x21\x00"))), errSSLOverrun},
	{"SSL sub-TLV overruns", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(1, 0, "\x21\x00\x08TLSv1.3"))), errSSLOverrun},
	{"SSL sub-TLV overruns into the next TLV", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(1, 0, "\x21\x00\x09")), tlv(TypeALPN, "h2xxxx")), errSSLOverrun},
	{"SSL CN twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(1, 0, tlv(SubtypeSSLCN, "a"), tlv(SubtypeSSLVersion, "TLSv1.2"), tlv(SubtypeSSLCN, "b")))), errSSLRepeated},
	{"SSL client certificate twice", v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(3, 0, tlv(SubtypeSSLClientCert, "x"), tlv(SubtypeSSLClientCert, "x")))), errSSLRepeated},
}

func TestParseV2(t *testing.T) {
	for _, tc := range validV2 {
		tc.want.N = len(tc.in)
		if got, want := parse([]byte(tc.in)), (outcome{view: tc.want}); !got.equal(want) {
			t.Errorf("%s: Parse(%q)\n got %v\nwant %v", tc.name, tc.in, got, want)
		}
	}
	for _, tc := range invalidV2 {
		if got := parse([]byte(tc.in)); got.err != tc.want {
			t.Errorf("%s: Parse(%q)\n got %v\nwant %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestV2Limits(t *testing.T) {
	huge := v2(cmdProxy, famTCP4, addrs4, tlv(0xe0, strings.Repeat("x", 0xffff-12-3)))
	for _, tc := range []struct {
		lim  Limits
		in   string
		want error
	}{
		{Limits{}, huge, errV2TooLong},
		{Limits{MaxV2Bytes: -1}, huge, errV2TooLong},
		{Limits{MaxV2Bytes: V2MaxBytes}, huge, nil},
		{Limits{MaxV2Bytes: 1 << 30}, huge, nil},
		{Limits{MaxV2Bytes: V2MaxBytes - 1}, huge, errV2TooLong},
		{Limits{MaxV2Bytes: 16 + 12}, v2(cmdProxy, famTCP4, addrs4), nil},
		{Limits{MaxV2Bytes: 16 + 12}, v2(cmdProxy, famTCP4, addrs4, tlv(TypeNoop, "")), errV2TooLong},
		{Limits{MaxV2Bytes: 16}, v2(cmdLocal, famUnspec, ""), nil},
		{Limits{MaxV2Bytes: 16}, v2(cmdProxy, famTCP4, addrs4), errV2TooLong},
		{Limits{MaxV2Bytes: 1}, v2(cmdLocal, famUnspec, ""), errV2TooLong},
		// The limit is v2's only.
		{Limits{MaxV2Bytes: 1}, "PROXY UNKNOWN\r\n", nil},
	} {
		got := parseWith([]byte(tc.in), tc.lim)
		if got.err != tc.want || (tc.want == nil && got.view.N != len(tc.in)) {
			t.Errorf("%+v: Parse of a %d-byte header: got %v, want %v", tc.lim, len(tc.in), got, tc.want)
		}
	}
}
