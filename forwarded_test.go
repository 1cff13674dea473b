package httpserver

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestClientBehindProxies: forwarding fields are believed only from
// TrustedProxies, and Client and Scheme say what they say; RemoteIP stays
// the peer's.
func TestClientBehindProxies(t *testing.T) {
	type seen struct {
		remote, client, scheme string
	}
	got := make(chan seen, 1)
	h := HandlerFunc(func(req *Request) *Response {
		ip, port := req.Client()
		got <- seen{req.RemoteIP, fmt.Sprintf("%s:%d", ip, port), req.Scheme()}
		return &Response{StatusCode: 200}
	})
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	other := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name         string
		trusted      []netip.Prefix
		useForwarded bool
		fields       string
		wantClient   string // ":port" means the peer's own
		wantScheme   string
	}{
		{"no trusted proxies: fields ignored", nil, false, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n", "peer", "http"},
		{"untrusted peer: forged fields ignored", other, false, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n", "peer", "http"},
		{"trusted peer, X-Forwarded-For", loopback, false, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n", "203.0.113.7:0", "https"},
		{"trusted peer, a chain and a forged start", loopback, false, "X-Forwarded-For: 198.51.100.1, 203.0.113.7, 127.0.0.9\r\n", "203.0.113.7:0", "http"},
		{"trusted peer, no fields", loopback, false, "", "peer", "http"},
		{"Forwarded ignored by default", loopback, false, "Forwarded: for=203.0.113.7;proto=https\r\n", "peer", "http"},
		{"Forwarded with UseForwarded", loopback, true, "Forwarded: for=\"[2001:db8::1]:4711\";proto=https\r\n", "2001:db8::1:4711", "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startE2E(t, &Server{Handler: h, TrustedProxies: tt.trusted, UseForwarded: tt.useForwarded})
			rc := ts.dialRaw(t)
			rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n"+tt.fields+"\r\n", "GET")
			s := <-got
			want := tt.wantClient
			if want == "peer" {
				want = rc.nc.LocalAddr().String()
			}
			if s.remote != "127.0.0.1" || s.client != want || s.scheme != tt.wantScheme {
				t.Errorf("got RemoteIP %s, Client %s, Scheme %s; want 127.0.0.1, %s, %s", s.remote, s.client, s.scheme, want, tt.wantScheme)
			}
		})
	}
}

// TestTrustedProxiesNotCountedPerIP: connections from a trusted proxy do
// not count toward MaxConnsPerIP.
func TestTrustedProxiesNotCountedPerIP(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			srv := &Server{MaxConnsPerIP: 1, Handler: HandlerFunc(func(req *Request) *Response { return &Response{StatusCode: 200} })}
			if trusted {
				srv.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
			}
			ts := startE2E(t, srv)
			first := ts.dialRaw(t)
			first.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			second := ts.dialRaw(t)
			r := second.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			want := 503
			if trusted {
				want = 200
			}
			if r.Status != want {
				t.Errorf("second connection: %d, want %d", r.Status, want)
			}
		})
	}
}
