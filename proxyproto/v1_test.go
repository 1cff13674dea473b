package proxyproto

import (
	"strings"
	"testing"
)

type validCase struct {
	name string
	in   string
	want view // N is filled in as len(in)
}

type invalidCase struct {
	name string
	in   string
	want error
}

const full6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

var validV1 = []validCase{
	{"spec example", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP4", Src: "192.168.0.1:56324", Dst: "192.168.0.11:443"}},
	{"TCP4 longest", "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP4", Src: "255.255.255.255:65535", Dst: "255.255.255.255:65535"}},
	{"TCP4 zeros", "PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP4", Src: "0.0.0.0:0", Dst: "0.0.0.0:0"}},
	{"TCP4 ten and hundred", "PROXY TCP4 10.100.0.1 1.20.0.255 10 100\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP4", Src: "10.100.0.1:10", Dst: "1.20.0.255:100"}},
	{"TCP6 compressed", "PROXY TCP6 2001:db8::1 2001:db8::2 51234 443\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[2001:db8::1]:51234", Dst: "[2001:db8::2]:443"}},
	{"TCP6 longest (104 bytes)", "PROXY TCP6 " + full6 + " " + full6 + " 65535 65535\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[" + full6 + "]:65535", Dst: "[" + full6 + "]:65535"}},
	{"TCP6 all zeros and loopback", "PROXY TCP6 :: ::1 1 2\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[::]:1", Dst: "[::1]:2"}},
	{"TCP6 upper-case hex and 4-digit groups", "PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:000A 2001:DB8::B 80 8080\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[2001:db8::a]:80", Dst: "[2001:db8::b]:8080"}},
	{"TCP6 trailing ellipsis", "PROXY TCP6 fe80:: 1:2:3:4:5:6:7:: 1 1\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[fe80::]:1", Dst: "[1:2:3:4:5:6:7:0]:1"}},
	{"TCP6 ellipsis for one group", "PROXY TCP6 1::3:4:5:6:7:8 1:2:3:4:5:6::8 1 1\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[1:0:3:4:5:6:7:8]:1", Dst: "[1:2:3:4:5:6:0:8]:1"}},
	// As inet_ntop writes the IPv4-mapped addresses of a dual-stack
	// socket (nginx and HAProxy send them so): the IPv4 address.
	{"TCP6 IPv4-mapped dotted, unmapped", "PROXY TCP6 ::ffff:192.0.2.1 ::ffff:198.51.100.7 5000 80\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "192.0.2.1:5000", Dst: "198.51.100.7:80"}},
	{"TCP6 IPv4-mapped in hex, unmapped", "PROXY TCP6 ::ffff:c000:201 0:0:0:0:0:ffff:c633:6407 5000 80\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "192.0.2.1:5000", Dst: "198.51.100.7:80"}},
	{"TCP6 dotted quad after six groups", "PROXY TCP6 1:2:3:4:5:6:1.2.3.4 64:ff9b::203.0.113.9 1 1\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[1:2:3:4:5:6:102:304]:1", Dst: "[64:ff9b::cb00:7109]:1"}},
	{"TCP6 IPv4-compatible stays IPv6", "PROXY TCP6 ::192.0.2.1 ::1.2.3.4 1 1\r\n",
		view{Version: 1, Command: "PROXY", Transport: "TCP6", Src: "[::c000:201]:1", Dst: "[::102:304]:1"}},
	{"UNKNOWN short form", "PROXY UNKNOWN\r\n",
		view{Version: 1, Command: "LOCAL", Transport: "UNSPEC"}},
	{"UNKNOWN with addresses", "PROXY UNKNOWN 2001:db8::1 2001:db8::2 1 2\r\n",
		view{Version: 1, Command: "LOCAL", Transport: "UNSPEC"}},
	{"UNKNOWN longest (107 bytes)", "PROXY UNKNOWN " + full6 + " " + full6 + " 65535 65535\r\n",
		view{Version: 1, Command: "LOCAL", Transport: "UNSPEC"}},
	{"UNKNOWN ignores anything but CR and LF", "PROXY UNKNOWN  TCP4  \x00\xff\tgarbage \r\n",
		view{Version: 1, Command: "LOCAL", Transport: "UNSPEC"}},
	{"UNKNOWN space then CRLF", "PROXY UNKNOWN \r\n",
		view{Version: 1, Command: "LOCAL", Transport: "UNSPEC"}},
}

var invalidV1 = []invalidCase{
	// Not a PROXY header at all.
	{"HTTP request", "GET / HTTP/1.1\r\n", errNoSignature},
	{"POST", "POST / HTTP/1.1\r\n", errNoSignature},
	{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", errNoSignature},
	{"lower-case proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", errNoSignature},
	{"PROXY without space", "PROXY\r\n", errNoSignature},
	{"PROXY then tab", "PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n", errNoSignature},
	{"TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", errNoSignature},
	{"empty line", "\r\nGET / HTTP/1.1\r\n", errNoSignature},

	// The protocol word.
	{"two spaces before protocol", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", errV1Protocol},
	{"lower-case protocol", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", errV1Protocol},
	{"TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", errV1Protocol},
	{"UDP4", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", errV1Protocol},
	{"TCP4 without addresses", "PROXY TCP4\r\n", errV1Protocol},
	{"TCP4 tab", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", errV1Protocol},
	{"UNKNOWNX", "PROXY UNKNOWNX\r\n", errV1Protocol},
	{"UNKNOWN tab", "PROXY UNKNOWN\tx\r\n", errV1Protocol},
	{"UNKNOW", "PROXY UNKNOW\r\n", errV1Protocol},

	// Line ends (§2.1: "The receiver must not tolerate a single CR or LF
	// character to end the line").
	{"LF only", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", errV1CRLF},
	{"CR only", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rGET", errV1CRLF},
	{"CR CR LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", errV1CRLF},
	{"UNKNOWN LF only", "PROXY UNKNOWN\n", errV1Protocol},
	{"UNKNOWN CR only", "PROXY UNKNOWN\rx", errV1CRLF},
	{"UNKNOWN with LF inside", "PROXY UNKNOWN a\nb\r\n", errV1CRLF},
	{"UNKNOWN with CR inside", "PROXY UNKNOWN a\rb\r\n", errV1CRLF},
	{"line ends after the source", "PROXY TCP4 1.2.3.4\r\n", errV1Short},
	{"line ends after the source port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", errV1Short},
	{"empty destination port", "PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", errV1Short},
	{"LF inside an address", "PROXY TCP4 1.2\n.3.4 5.6.7.8 1 2\r\n", errV1CRLF},

	// Spaces.
	{"two spaces between addresses", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", errV1Dest},
	{"space before CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", errV1DstPort},
	{"an extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", errV1DstPort},
	{"tab between ports", "PROXY TCP4 1.2.3.4 5.6.7.8 1\t2\r\n", errV1SrcPort},

	// IPv4 (§2.1: exactly 4 decimal numbers 0-255, no leading zeros).
	{"IPv4 leading zero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 leading zero last", "PROXY TCP4 1.2.3.4 5.6.7.08 1 2\r\n", errV1Dest},
	{"IPv4 00", "PROXY TCP4 1.2.00.4 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 256", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 three parts", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 five parts", "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 empty part", "PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 trailing dot", "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 leading dot", "PROXY TCP4 .1.2.3.4 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 four digits", "PROXY TCP4 1.2.3.1000 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 too long", "PROXY TCP4 1.2.3.4567890123456 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 hex", "PROXY TCP4 0x1.2.3.4 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv4 as one number", "PROXY TCP4 16909060 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv6 in TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", errV1Source},
	{"IPv6 mapped in TCP4", "PROXY TCP4 1.2.3.4 ::ffff:5.6.7.8 1 2\r\n", errV1Dest},
	{"host name", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", errV1Source},

	// IPv6 (§2.1: hex groups, one "::", 128 bits).
	{"IPv4 in TCP6", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", errV1Source},
	{"IPv6 zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", errV1Source},
	{"IPv6 brackets", "PROXY TCP6 [::1] ::1 1 2\r\n", errV1Source},
	{"IPv6 nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", errV1Source},
	{"IPv6 seven groups", "PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", errV1Source},
	{"IPv6 two ellipses", "PROXY TCP6 1::2::3 ::1 1 2\r\n", errV1Source},
	{"IPv6 triple colon", "PROXY TCP6 1:::2 ::1 1 2\r\n", errV1Source},
	{"IPv6 leading single colon", "PROXY TCP6 :1::2 ::1 1 2\r\n", errV1Source},
	{"IPv6 trailing single colon", "PROXY TCP6 1::2: ::1 1 2\r\n", errV1Source},
	{"IPv6 lone colon", "PROXY TCP6 : ::1 1 2\r\n", errV1Source},
	{"IPv6 five hex digits", "PROXY TCP6 12345::1 ::1 1 2\r\n", errV1Source},
	{"IPv6 ellipsis for no group", "PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n", errV1Source},
	{"IPv6 ellipsis inside eight groups", "PROXY TCP6 1:2:3:4::5:6:7:8 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad too early", "PROXY TCP6 1:2:3:4:5:1.2.3.4 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad too late", "PROXY TCP6 1:2:3:4:5:6:7:1.2.3.4 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad then group", "PROXY TCP6 ::1.2.3.4:5 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad leading zero", "PROXY TCP6 ::ffff:1.2.3.04 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad short", "PROXY TCP6 ::ffff:1.2.3 ::1 1 2\r\n", errV1Source},
	{"IPv6 dotted quad first", "PROXY TCP6 1.2.3.4:: ::1 1 2\r\n", errV1Source},
	{"IPv6 too long", "PROXY TCP6 0000:0000:0000:0000:0000:0000:0000:0000:0000 ::1 1 2\r\n", errV1Source},
	{"IPv6 bad destination", "PROXY TCP6 ::1 ::g 1 2\r\n", errV1Dest},

	// Ports (§2.1: decimal 0-65535, no leading zeros).
	{"port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", errV1SrcPort},
	{"port 00", "PROXY TCP4 1.2.3.4 5.6.7.8 1 00\r\n", errV1DstPort},
	{"port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", errV1SrcPort},
	{"port 99999", "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", errV1DstPort},
	{"port six digits", "PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n", errV1SrcPort},
	{"port sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", errV1SrcPort},
	{"port negative", "PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n", errV1DstPort},
	{"port hex", "PROXY TCP4 1.2.3.4 5.6.7.8 0x50 2\r\n", errV1SrcPort},
	{"port missing", "PROXY TCP4 1.2.3.4 5.6.7.8  2\r\n", errV1SrcPort},

	// Length (§2.1: "If the CRLF sequence is not found in the first 107
	// characters, the receiver should declare the line invalid").
	{"UNKNOWN of 108 bytes", "PROXY UNKNOWN " + strings.Repeat("x", 92) + "\r\n", errV1TooLong},
	{"UNKNOWN without end", "PROXY UNKNOWN " + strings.Repeat("x", 200), errV1TooLong},
	{"UNKNOWN with CRLF at 108", "PROXY UNKNOWN " + strings.Repeat("x", 92) + "\r\nGET / HTTP/1.1\r\n", errV1TooLong},
	{"TCP6 with long dotted forms", "PROXY TCP6 0000:0000:0000:0000:0000:ffff:255.255.255.255 0000:0000:0000:0000:0000:ffff:255.255.255.255 65535 65535\r\n", errV1TooLong},
}

func TestParseV1(t *testing.T) {
	for _, tc := range validV1 {
		tc.want.N = len(tc.in)
		if got, want := parse([]byte(tc.in)), (outcome{view: tc.want}); !got.equal(want) {
			t.Errorf("%s: Parse(%q)\n got %v\nwant %v", tc.name, tc.in, got, want)
		}
	}
	for _, tc := range invalidV1 {
		if got := parse([]byte(tc.in)); got.err != tc.want {
			t.Errorf("%s: Parse(%q)\n got %v\nwant %v", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestV1Lengths checks the spec's line lengths: up to 107 bytes, CRLF
// included, are accepted, 108 are not.
func TestV1Lengths(t *testing.T) {
	for n := len("PROXY UNKNOWN \r\n"); n <= 120; n++ {
		in := "PROXY UNKNOWN " + strings.Repeat("x", n-len("PROXY UNKNOWN \r\n")) + "\r\n"
		got := parse([]byte(in))
		want := outcome{view: view{Version: 1, Command: "LOCAL", Transport: "UNSPEC", N: n}}
		if n > V1MaxBytes {
			want = outcome{err: errV1TooLong}
		}
		if !got.equal(want) {
			t.Errorf("Parse of a %d-byte UNKNOWN line:\n got %v\nwant %v", n, got, want)
		}
	}
}
