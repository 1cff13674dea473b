package proxyproto

import "testing"

// The budget: a header with nothing to keep beyond its fixed-size fields
// (every v1 header, a v2 header over TCP or UDP without TLVs, LOCAL, and
// every refusal) costs no allocation; one that has AF_UNIX addresses or
// TLVs costs exactly one, the copy the Header owns.
func TestParseAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, tc := range []struct {
		name   string
		in     string
		allocs float64
	}{
		{"v1 TCP4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", 0},
		{"v1 TCP6", "PROXY TCP6 " + full6 + " ::ffff:192.0.2.1 65535 65535\r\n", 0},
		{"v1 UNKNOWN", "PROXY UNKNOWN ::1 ::1 1 2\r\n", 0},
		{"v2 TCP4", v2(cmdProxy, famTCP4, addrs4), 0},
		{"v2 UDP6", v2(cmdProxy, famUDP6, addrs6), 0},
		{"v2 UNSPEC", v2(cmdProxy, famUnspec, ""), 0},
		{"v2 LOCAL with TLVs", v2(cmdLocal, famTCP4, addrs4, tlv(TypeALPN, "h2")), 0},
		{"v2 TLVs", signed(v2(cmdProxy, famTCP6, addrs6, crcTLV, tlv(TypeALPN, "h2"), sslTLV, tlv(TypeNoop, "pad")), 52), 1},
		{"v2 UNIX with TLVs", v2(cmdProxy, famUnixS, unixAddrs("/a", "/b"), tlv(TypeAuthority, "a")), 1},
		{"v2 AWS", awsCapture, 1},
		{"refused: not a header", httpRequest, 0},
		{"refused: v1", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", 0},
		{"refused: v2 checksum", v2(cmdProxy, famTCP4, addrs4, crcTLV), 0},
		{"incomplete", "PROXY TCP6 2001:db8::", 0},
	} {
		b := []byte(tc.in + httpRequest)
		if tc.name == "incomplete" {
			b = []byte(tc.in)
		}
		allocs := testing.AllocsPerRun(100, func() { _, _, _ = Parse(b) })
		if allocs != tc.allocs {
			t.Errorf("Parse of %s: %v allocations, want %v", tc.name, allocs, tc.allocs)
		}
	}

	// Reading the TLVs costs nothing more.
	h, _, err := Parse([]byte(awsCapture))
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for range h.TLVs() {
		}
		_, _ = h.TLV(TypeNoop)
		_, _ = h.SSL()
		_, _ = h.AWSVPCEndpointID()
	})
	if allocs != 0 {
		t.Errorf("reading the TLVs: %v allocations, want 0", allocs)
	}
}
