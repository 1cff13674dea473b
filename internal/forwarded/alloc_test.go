package forwarded

import (
	"net/http"
	"net/netip"
	"testing"
)

// Resolve's allocation budget is zero for a Header that does not
// allocate itself (net/http's, with the canonical names Resolve asks
// for): the common requests, one proxy or a short chain, cost nothing.
func TestResolveAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	tests := []struct {
		name   string
		peer   string
		std    bool
		header http.Header
	}{
		{"one proxy, X-Forwarded-For", proxy, false, http.Header{
			"X-Forwarded-For": {"192.0.2.1"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"example.com"}}},
		{"one proxy, IPv6 with a port", proxy6, false, http.Header{"X-Forwarded-For": {"[2001:db8::1]:4711"}}},
		{"a chain over two lines", proxy, false, http.Header{
			"X-Forwarded-For": {"203.0.113.66, 192.0.2.1, 10.0.0.3", "10.0.0.2"}}},
		{"one proxy, Forwarded", proxy, true, http.Header{
			"Forwarded": {`for="[2001:db8::1]:4711";proto=https;host=example.com`}}},
		{"a chain, Forwarded", proxy, true, http.Header{
			"Forwarded": {`for=192.0.2.43;proto=https, for=10.0.0.2;by=_a`, "for=10.0.0.3"}}},
		{"untrusted peer", direct, false, http.Header{"X-Forwarded-For": {"192.0.2.1"}}},
		{"unknown", proxy, false, http.Header{"X-Forwarded-For": {"192.0.2.1, unknown"}}},
		{"obfuscated", proxy, true, http.Header{"Forwarded": {"for=_hidden, for=client.example;proto=https"}}},
	}
	for _, tt := range tests {
		peer := netip.MustParseAddrPort(tt.peer)
		tr := *testTrusted
		tr.UseForwarded = tt.std
		var c Client
		allocs := testing.AllocsPerRun(100, func() { c = tr.Resolve(peer, false, tt.header) })
		if allocs != 0 {
			t.Errorf("%s: Resolve (= %s) made %v allocations, want 0", tt.name, show(c), allocs)
		}
	}
}

func BenchmarkResolveXForwardedFor(b *testing.B) {
	h := http.Header{"X-Forwarded-For": {"192.0.2.1"}, "X-Forwarded-Proto": {"https"}}
	peer := netip.MustParseAddrPort(proxy)
	for b.Loop() {
		testTrusted.Resolve(peer, false, h)
	}
}

func BenchmarkResolveForwarded(b *testing.B) {
	h := http.Header{"Forwarded": {"for=192.0.2.43;proto=https, for=10.0.0.2"}}
	peer := netip.MustParseAddrPort(proxy)
	tr := *testTrusted
	tr.UseForwarded = true
	for b.Loop() {
		tr.Resolve(peer, false, h)
	}
}
