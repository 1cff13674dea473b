package proxyproto

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"v1-TCP4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"},
		{"v1-TCP6", "PROXY TCP6 2001:db8:85a3::8a2e:370:7334 2001:db8::2 56324 443\r\n"},
		{"v2-TCP4", v2(cmdProxy, famTCP4, addrs4)},
		{"v2-TCP6-TLVs-CRC32C", signed(v2(cmdProxy, famTCP6, addrs6, crcTLV, tlv(TypeALPN, "h2"), tlv(TypeAuthority, "example.com"), sslTLV), 52)},
		{"v2-AWS", awsCapture},
	} {
		buf := []byte(bc.in + httpRequest)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				if _, _, err := Parse(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
