package forwarded

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want string // the prefixes, space-separated
	}{
		{"", ""},
		{"  ", ""},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.0.0.0/8,fd00::/8", "10.0.0.0/8 fd00::/8"},
		{" 10.0.0.0/8 , 172.16.0.0/12,\t192.168.0.0/16 ", "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16"},
		{"192.0.2.1", "192.0.2.1/32"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"192.0.2.1/32", "192.0.2.1/32"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"::/0", "::/0"},
		{"2001:DB8::/32", "2001:db8::/32"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"::ffff:192.0.2.1", "192.0.2.1/32"},
		{"::ffff:0:0/96", "0.0.0.0/0"},
		{"10.0.0.0/8,10.0.0.0/8", "10.0.0.0/8 10.0.0.0/8"},
	}
	for _, tt := range tests {
		ps, err := ParsePrefixes(tt.in)
		if err != nil {
			t.Errorf("ParsePrefixes(%q) = error %v, want %q", tt.in, err, tt.want)
			continue
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("ParsePrefixes(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want == "" && ps != nil {
			t.Errorf("ParsePrefixes(%q) = %#v, want nil", tt.in, ps)
		}
	}
}

func TestParsePrefixesErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // the error message
	}{
		{",", `forwarded: empty entry in the trusted proxy list (a stray comma?)`},
		{"10.0.0.0/8,", `forwarded: empty entry in the trusted proxy list (a stray comma?)`},
		{"10.0.0.0/8, ,fd00::/8", `forwarded: empty entry in the trusted proxy list (a stray comma?)`},
		{"localhost", `forwarded: trusted proxy "localhost": "localhost" is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)`},
		{"10.0.0.0/8 192.168.0.0/16", `forwarded: trusted proxy "10.0.0.0/8 192.168.0.0/16": separate entries with commas`},
		{"10.0.0/8", `forwarded: trusted proxy "10.0.0/8": "10.0.0" is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)`},
		{"010.0.0.0/8", `forwarded: trusted proxy "010.0.0.0/8": "010.0.0.0" is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)`},
		{"/8", `forwarded: trusted proxy "/8": "" is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)`},
		{"10.0.0.0/33", `forwarded: trusted proxy "10.0.0.0/33": prefix length "33" is not a number from 0 to 32`},
		{"fd00::/129", `forwarded: trusted proxy "fd00::/129": prefix length "129" is not a number from 0 to 128`},
		{"10.0.0.0/", `forwarded: trusted proxy "10.0.0.0/": prefix length "" is not a number from 0 to 32`},
		{"10.0.0.0/-1", `forwarded: trusted proxy "10.0.0.0/-1": prefix length "-1" is not a number from 0 to 32`},
		{"10.0.0.0/+8", `forwarded: trusted proxy "10.0.0.0/+8": prefix length "+8" is not a number from 0 to 32`},
		{"10.0.0.0/8/9", `forwarded: trusted proxy "10.0.0.0/8/9": prefix length "8/9" is not a number from 0 to 32`},
		{"10.0.0.0/0x8", `forwarded: trusted proxy "10.0.0.0/0x8": prefix length "0x8" is not a number from 0 to 32`},
		{"10.1.2.3/8", `forwarded: trusted proxy "10.1.2.3/8" has address bits set beyond its /8 prefix: write 10.0.0.0/8 for the network, or the address alone for one host`},
		{"fd00::1/64", `forwarded: trusted proxy "fd00::1/64" has address bits set beyond its /64 prefix: write fd00::/64 for the network, or the address alone for one host`},
		{"fe80::1%eth0", `forwarded: trusted proxy "fe80::1%eth0": an IPv6 zone has no place in a prefix`},
		{"fe80::%eth0/64", `forwarded: trusted proxy "fe80::%eth0/64": an IPv6 zone has no place in a prefix`},
		{"10.0.0.0/8,garbage", `forwarded: trusted proxy "garbage": "garbage" is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)`},
	}
	for _, tt := range tests {
		ps, err := ParsePrefixes(tt.in)
		if err == nil {
			t.Errorf("ParsePrefixes(%q) = %v, want error %q", tt.in, ps, tt.want)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("ParsePrefixes(%q) error\n got %s\nwant %s", tt.in, got, tt.want)
		}
		if ps != nil {
			t.Errorf("ParsePrefixes(%q) = %v with its error, want nil", tt.in, ps)
		}
	}
}

func TestContains(t *testing.T) {
	tr, err := ParsePrefixes("10.0.0.0/8, fd00::/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	trusted := &Trusted{Prefixes: append(tr, netip.MustParsePrefix("::ffff:198.18.0.0/111"))}
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"11.0.0.0", false},
		{"192.0.2.1", true},
		{"192.0.2.2", false},
		{"fd00::1", true},
		{"fd00::1%eth0", true},
		{"fe00::1", false},
		{"::ffff:10.0.0.1", true},
		{"::ffff:11.0.0.1", false},
		{"198.19.255.255", true},
		{"::ffff:198.18.0.1", true},
		{"198.20.0.0", false},
		{"::", false},
		{"", false}, // the invalid Addr
	}
	for _, tt := range tests {
		var a netip.Addr
		if tt.addr != "" {
			a = netip.MustParseAddr(tt.addr)
		}
		if got := trusted.Contains(a); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", a, got, tt.want)
		}
	}
	var none *Trusted
	if none.Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Error("a nil *Trusted contains 10.0.0.1, want nothing")
	}
}

// TestLastElement shows the backward parse on its own: the element that
// ends a line, and what precedes it.
func TestLastElement(t *testing.T) {
	tests := []struct {
		in   string
		want string // node|proto|host|rest, or "malformed"
	}{
		{"for=a", "for=a|||"},
		{"for=a;proto=b;host=c", "for=a|b|c|"},
		{"x=1, for=a", "for=a|||x=1"},
		{"x=1 , for=a", "for=a|||x=1 "},
		{"x=1,,for=a", "for=a|||x=1,"},
		{";;for=a;", "for=a|||"},
		{";", "|||"},
		{` for="a, b"`, `for="a, b"|||`},
		{`for="a\"b"`, `for="a\"b"|||`},
		{`for="a\\";by=x`, `for="a\\"|||`},
		{`for="\\"`, `for="\\"|||`},
		{`for=""`, `for=""|||`},
		{`x="y, for=z"`, "|||"},
		{`for="a" ,x="b\", c"`, `|||for="a" `},
		{`garbage "", for=a`, `for=a|||garbage ""`},
		{`for="x, for=a`, "for=a|||for=\"x"},
		{"for=a;x", "malformed"},
		{"for=a; x=1", "malformed"},
		{"for =a", "malformed"},
		{"x for=a", "malformed"},
		{`for="a`, "malformed"},
		{`for=a"`, "malformed"},
		{`for="a\"`, "malformed"},
		{`for=""a"`, "malformed"},
		{`for=\"a"`, "malformed"},
		{`for=x\\"a"`, "malformed"},
		{"for=a=b", "malformed"},
		{"=a", "malformed"},
		{"for=", "malformed"},
		{"for=[::1]", "malformed"},
		{"for=a;For=b", "malformed"},
		{"for=\"a\x7f\"", "malformed"},
		{"for=\"a\\\x00\"", "malformed"},
		{"for=\"a\tb\"", "for=\"a\tb\"|||"},
		{"for=\"\x80\xff\"", "for=\"\x80\xff\"|||"},
	}
	for _, tt := range tests {
		e, rest, ok := lastElement(tt.in)
		got := "malformed"
		if ok {
			got = fmt.Sprintf("%s|%s|%s|%s", ifSet("for=", e.node), e.proto, e.host, rest)
		}
		if got != tt.want {
			t.Errorf("lastElement(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ifSet(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func TestParseNode(t *testing.T) {
	tests := []struct {
		in   string
		want string // the address, or "-" for none
	}{
		{"192.0.2.43", "192.0.2.43:0"},
		{"192.0.2.43:4711", "192.0.2.43:4711"},
		{"192.0.2.43:00080", "192.0.2.43:80"},
		{"192.0.2.43:_x", "192.0.2.43:0"},
		{"[2001:db8::1]", "[2001:db8::1]:0"},
		{"[2001:db8::1]:4711", "[2001:db8::1]:4711"},
		{"[::ffff:192.0.2.43]:1", "192.0.2.43:1"},
		{"", "-"},
		{"unknown", "-"},
		{"Unknown:80", "-"},
		{"_hidden", "-"},
		{"_", "-"},
		{"2001:db8::1", "-"},
		{"[192.0.2.43]", "-"},
		{"[2001:db8::1", "-"},
		{"[2001:db8::1]4711", "-"},
		{"[fe80::1%eth0]", "-"},
		{"192.0.2.43:", "-"},
		{"192.0.2.43:123456", "-"},
		{"192.0.2.43:65536", "-"},
		{"192.0.2.43:_", "-"},
		{"192.0.2.43:_a/b", "-"},
		{"192.0.2.43:+80", "-"},
		{"192.0.2.43:80:80", "-"},
		{"192.0.2.043", "-"},
		{"host.example", "-"},
	}
	for _, tt := range tests {
		a, ok := parseNode(tt.in)
		got := "-"
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("parseNode(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestValidHost(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"EXAMPLE.com", true},
		{"a_b-c.example", true},
		{"example.com:8443", true},
		{"192.0.2.1:80", true},
		{"[2001:db8::1]", true},
		{"[2001:db8::1]:443", true},
		{"", false},
		{":80", false},
		{"example.com:", false},
		{"example.com:65536", false},
		{"example.com:8o", false},
		{"a b", false},
		{"a,b", false},
		{"a;b", false},
		{"a%41", false},
		{"user@example.com", false},
		{"example.com/", false},
		{"[2001:db8::1", false},
		{"[192.0.2.1]", false},
		{"[fe80::1%eth0]", false},
		{"[2001:db8::1]x", false},
		{"é.example", false},
		{strings.Repeat("a", 261), true},
		{strings.Repeat("a", 262), false},
	}
	for _, tt := range tests {
		if got := validHost(tt.in); got != tt.want {
			t.Errorf("validHost(%.20q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
