package proxyproto

import (
	"fmt"
	"testing"
)

func mustParse(t *testing.T, in string) Header {
	t.Helper()
	h, n, err := Parse([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Parse(%q) = n %d, %v", in, n, err)
	}
	return h
}

func TestTLV(t *testing.T) {
	h := mustParse(t, v2(cmdProxy, famTCP4, addrs4, tlv(TypeNoop, ""), tlv(0xe0, "first"), tlv(TypeAuthority, "example.com"), tlv(0xe0, "second")))
	for _, tc := range []struct {
		t    TLVType
		want string
		ok   bool
	}{
		{TypeAuthority, "example.com", true},
		{0xe0, "first", true},
		{TypeNoop, "", true},
		{TypeALPN, "", false},
	} {
		v, ok := h.TLV(tc.t)
		if string(v) != tc.want || ok != tc.ok {
			t.Errorf("TLV(0x%02x) = %q, %v; want %q, %v", byte(tc.t), v, ok, tc.want, tc.ok)
		}
	}
	// Stopping early.
	var got []TLVType
	for typ := range h.TLVs() {
		got = append(got, typ)
		if typ == TypeAuthority {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint([]TLVType{TypeNoop, 0xe0, TypeAuthority}) {
		t.Errorf("TLVs() until AUTHORITY: %v", got)
	}
	// A value cannot be grown into the next one.
	v, _ := h.TLV(0xe0)
	if cap(v) != len(v) {
		t.Errorf("TLV value has capacity %d beyond its length %d", cap(v), len(v))
	}

	for _, in := range []string{"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", v2(cmdLocal, famTCP4, addrs4, tlv(TypeALPN, "h2")), v2(cmdProxy, famTCP6, addrs6)} {
		h := mustParse(t, in)
		for typ, v := range h.TLVs() {
			t.Errorf("Parse(%q): TLV 0x%02x=%q, want none", in, byte(typ), v)
		}
		if _, ok := h.SSL(); ok {
			t.Errorf("Parse(%q): SSL present", in)
		}
	}
}

func TestSSL(t *testing.T) {
	h := mustParse(t, v2(cmdProxy, famTCP4, addrs4, tlv(TypeALPN, "h2"), sslTLV))
	s, ok := h.SSL()
	if !ok {
		t.Fatal("no SSL")
	}
	got := fmt.Sprintf("client=%d verify=%d %q %q %q %q %q %q %q %q", s.Client, s.Verify,
		s.Version, s.CN, s.Cipher, s.SigAlg, s.KeyAlg, s.Group, s.SigScheme, s.ClientCert)
	want := `client=3 verify=0 "TLSv1.3" "client.example" "TLS_AES_128_GCM_SHA256" "RSA-SHA256" "RSA2048" "x25519" "rsa_pss_rsae_sha256" "0\x82\x01\n"`
	if got != want {
		t.Errorf("SSL():\n got %s\nwant %s", got, want)
	}

	h = mustParse(t, v2(cmdProxy, famTCP4, addrs4, tlv(TypeSSL, ssl(0, 0x01020304))))
	s, ok = h.SSL()
	if !ok || s.Client != 0 || s.Verify != 0x01020304 || s.Version != nil || s.CN != nil || s.ClientCert != nil {
		t.Errorf("SSL() of a bare SSL TLV = %+v, %v", s, ok)
	}
}

func TestAWSVPCEndpointID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{awsCapture, "vpce-08d2bf15fac5001c9", true},
		{v2(cmdProxy, famTCP4, addrs4, tlv(TypeAWS, "\x02other"), tlv(TypeAWS, "\x01vpce-1")), "vpce-1", true},
		{v2(cmdProxy, famTCP4, addrs4, tlv(TypeAWS, "")), "", false},
		{v2(cmdProxy, famTCP4, addrs4, tlv(TypeAWS, "\x02vpce-1")), "", false},
		{v2(cmdProxy, famTCP4, addrs4), "", false},
	} {
		h := mustParse(t, tc.in)
		if id, ok := h.AWSVPCEndpointID(); string(id) != tc.want || ok != tc.ok {
			t.Errorf("AWSVPCEndpointID() of %q = %q, %v; want %q, %v", tc.in, id, ok, tc.want, tc.ok)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Local.String(), "LOCAL"}, {Proxy.String(), "PROXY"}, {Command(7).String(), "Command(7)"},
		{Unspec.String(), "UNSPEC"}, {TCP4.String(), "TCP4"}, {UDP4.String(), "UDP4"}, {TCP6.String(), "TCP6"},
		{UDP6.String(), "UDP6"}, {UnixStream.String(), "UNIX-STREAM"}, {UnixDatagram.String(), "UNIX-DGRAM"},
		{Transport(0x13).String(), "Transport(0x13)"},
	} {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
}
