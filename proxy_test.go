package httpserver

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver/proxyproto"
)

// v2Header builds a v2 PROXY header for TCP over IPv4 from src to dst,
// with the TLVs given as type, value pairs.
func v2Header(src, dst netip.AddrPort, tlvs ...any) []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x00")
	s4, d4 := src.Addr().As4(), dst.Addr().As4()
	b = append(b, s4[:]...)
	b = append(b, d4[:]...)
	b = binary.BigEndian.AppendUint16(b, src.Port())
	b = binary.BigEndian.AppendUint16(b, dst.Port())
	for i := 0; i+1 < len(tlvs); i += 2 {
		v := tlvs[i+1].(string)
		b = append(b, byte(tlvs[i].(int)))
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	binary.BigEndian.PutUint16(b[14:], uint16(len(b)-16))
	return b
}

// proxySeen is what a handler saw of its request behind a PROXY header.
type proxySeen struct {
	remoteIP   string
	remotePort int
	remoteAddr string
	version    int
	alpn       string
}

func proxyServer(t *testing.T, m mode, trusted string) (*e2eServer, chan proxySeen, chan AccessEntry) {
	got := make(chan proxySeen, 4)
	entries := make(chan AccessEntry, 4)
	srv := &Server{
		ProxyProtocol:  true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix(trusted)},
		Handler: HandlerFunc(func(req *Request) *Response {
			s := proxySeen{remoteIP: req.RemoteIP, remotePort: req.RemotePort, remoteAddr: req.RemoteAddr()}
			if h := req.ProxyHeader(); h != nil {
				s.version = h.Version
				if v, ok := h.TLV(proxyproto.TypeALPN); ok {
					s.alpn = string(v)
				}
			}
			got <- s
			return &Response{StatusCode: 200, Message: "ok"}
		}),
		AccessLog: func(e AccessEntry) {
			if e.Request == nil {
				entries <- e
			}
		},
	}
	return m.start(t, srv), got, entries
}

// TestProxyProtocol: a trusted peer's v1 or v2 header, however split and
// with the request behind it in the same write or not, gives the
// request the client's address and the header.
func TestProxyProtocol(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts, got, _ := proxyServer(t, m, "127.0.0.0/8")
		v1 := "PROXY TCP4 203.0.113.7 192.0.2.1 4711 80\r\n"
		v2 := string(v2Header(netip.MustParseAddrPort("198.51.100.9:5000"), netip.MustParseAddrPort("192.0.2.1:443"), 0x01, "h2"))
		const req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
		tests := []struct {
			name   string
			header string
			want   proxySeen
		}{
			{"v1", v1, proxySeen{"203.0.113.7", 4711, "203.0.113.7:4711", 1, ""}},
			{"v1 IPv6", "PROXY TCP6 2001:db8::7 2001:db8::1 4711 80\r\n", proxySeen{"2001:db8::7", 4711, "[2001:db8::7]:4711", 1, ""}},
			{"v2 with ALPN", v2, proxySeen{"198.51.100.9", 5000, "198.51.100.9:5000", 2, "h2"}},
		}
		for _, tt := range tests {
			for _, split := range []int{0, 1, 5, len(tt.header) - 1, len(tt.header), len(tt.header) + 3} {
				t.Run(fmt.Sprintf("%s split at %d", tt.name, split), func(t *testing.T) {
					rc := ts.dialRaw(t)
					msg := tt.header + req
					if split > 0 {
						rc.send(msg[:split])
					}
					r := rc.roundTrip(msg[split:], "GET")
					if r.Status != 200 {
						t.Fatalf("status %d, want 200", r.Status)
					}
					if s := <-got; s != tt.want {
						t.Errorf("handler saw %+v, want %+v", s, tt.want)
					}
					// The next request on the connection has it too.
					rc.roundTrip(req, "GET")
					if s := <-got; s != tt.want {
						t.Errorf("second request saw %+v, want %+v", s, tt.want)
					}
				})
			}
		}
		t.Run("LOCAL keeps the peer", func(t *testing.T) {
			rc := ts.dialRaw(t)
			local := "\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"
			rc.roundTrip(local+req, "GET")
			s := <-got
			if s.remoteAddr != rc.nc.LocalAddr().String() || s.version != 2 {
				t.Errorf("handler saw %+v, want the peer %s and a v2 header", s, rc.nc.LocalAddr())
			}
		})
	}, modeParked, modeWaiting) // over TLS the header would precede the handshake: see TestProxyProtocolTLS
}

// TestProxyProtocolRefused: from a trusted peer, a malformed header or
// none at all closes the connection without an answer; from an untrusted
// peer the header is not believed (it is a malformed request).
func TestProxyProtocolRefused(t *testing.T) {
	const req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	t.Run("trusted", func(t *testing.T) {
		ts, _, entries := proxyServer(t, modeParked, "127.0.0.0/8")
		for _, in := range []string{
			req, // no header
			"PROXY TCP4 203.0.113.7 192.0.2.1 4711 80\n" + req, // bare LF
			"PROXY TCP4 999.0.113.7 192.0.2.1 4711 80\r\n" + req,
			"PROXY TCP9 203.0.113.7 192.0.2.1 4711 80\r\n" + req,
		} {
			rc := ts.dialRaw(t)
			rc.send(in)
			if b, _ := io.ReadAll(rc.br); len(b) != 0 {
				t.Errorf("%q: got %q, want the connection closed without an answer", in, b)
			}
			e := recvWithin(t, entries, "the refusal's access log entry")
			if e.Status != 0 || e.Err == nil {
				t.Errorf("%q: entry status %d, err %v; want 0 and the reason", in, e.Status, e.Err)
			}
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		ts, got, _ := proxyServer(t, modeParked, "10.0.0.0/8")
		rc := ts.dialRaw(t)
		r := rc.roundTrip("PROXY TCP4 203.0.113.7 192.0.2.1 4711 80\r\n"+req, "GET")
		if r.Status != 400 {
			t.Errorf("a PROXY header from an untrusted peer: %d, want 400", r.Status)
		}
		select {
		case s := <-got:
			t.Errorf("the handler ran, with %+v", s)
		default:
		}
	})
}

// TestProxyProtocolTimeout: a trusted peer whose header does not come
// whole within ReadHeaderTimeout is closed, without an answer.
func TestProxyProtocolTimeout(t *testing.T) {
	entries := make(chan AccessEntry, 1)
	srv := &Server{
		ProxyProtocol:     true,
		TrustedProxies:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ReadHeaderTimeout: 50 * time.Millisecond, // the test waits for the close, however late
		AccessLog:         func(e AccessEntry) { entries <- e },
	}
	ts := startE2E(t, srv)
	rc := ts.dialRaw(t)
	rc.send("PROXY TCP4 203.0.113.7 ")
	if b, _ := io.ReadAll(rc.br); len(b) != 0 {
		t.Errorf("got %q, want the connection closed without an answer", b)
	}
	if e := recvWithin(t, entries, "the entry"); !errors.Is(e.Err, errProxyTimeout) {
		t.Errorf("entry error %v, want errProxyTimeout", e.Err)
	}
}

// TestProxyProtocolTLS: over ServeTLS the header comes before the TLS
// handshake and is read before it; the request has the client's address
// and the TLS state. A malformed header fails the handshake.
func TestProxyProtocolTLS(t *testing.T) {
	got := make(chan proxySeen, 2)
	srv := &Server{
		ProxyProtocol:  true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		TLSConfig:      testTLSServerConfig(t),
		Handler: HandlerFunc(func(req *Request) *Response {
			s := proxySeen{remoteIP: req.RemoteIP, remotePort: req.RemotePort, remoteAddr: req.RemoteAddr()}
			if h := req.ProxyHeader(); h != nil && req.TLS != nil {
				s.version = h.Version
			}
			got <- s
			return &Response{StatusCode: 200}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("ServeTLS = %v", err)
		}
	})
	dial := func(header string) (*tls.Conn, error) {
		nc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(hangGuard))
		io.WriteString(nc, header)
		tc := tls.Client(nc, testTLSClientConfig(t))
		return tc, tc.Handshake()
	}
	tc, err := dial("PROXY TCP4 203.0.113.7 192.0.2.1 4711 443\r\n")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(tc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if line, err := bufio.NewReader(tc).ReadString('\n'); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("got %q (%v)", line, err)
	}
	want := proxySeen{"203.0.113.7", 4711, "203.0.113.7:4711", 1, ""}
	if s := <-got; s != want {
		t.Errorf("handler saw %+v, want %+v", s, want)
	}
	if _, err := dial("PROXY TCP4 nonsense\r\n"); err == nil {
		t.Error("the handshake succeeded after a malformed PROXY header")
	}
}

// TestProxyProtocolPerIP: behind a PROXY header, MaxConnsPerIP counts
// the client the header names (the trusted proxy itself is not counted),
// and the count ends with the connection.
func TestProxyProtocolPerIP(t *testing.T) {
	srv := &Server{
		ProxyProtocol:  true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		MaxConnsPerIP:  1,
		Handler:        HandlerFunc(func(req *Request) *Response { return &Response{StatusCode: 200} }),
	}
	ts := startE2E(t, srv)
	const req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	from := func(ip string) *rawClient {
		rc := ts.dialRaw(t)
		rc.send("PROXY TCP4 " + ip + " 192.0.2.1 4711 80\r\n")
		return rc
	}
	first := from("203.0.113.7")
	if r := first.roundTrip(req, "GET"); r.Status != 200 {
		t.Fatalf("first client: %d", r.Status)
	}
	if r := from("203.0.113.7").roundTrip(req, "GET"); r.Status != 503 {
		t.Errorf("a second connection of the same client: %d, want 503", r.Status)
	}
	if r := from("203.0.113.8").roundTrip(req, "GET"); r.Status != 200 {
		t.Errorf("another client: %d, want 200", r.Status)
	}
	first.roundTrip("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET")
	first.expectClosed()
	// Once the server has let the first connection go, the client may
	// connect again.
	deadline := time.Now().Add(hangGuard)
	for srv.Stats().Conns > 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if r := from("203.0.113.7").roundTrip(req, "GET"); r.Status != 200 {
		t.Errorf("the first client again, after its connection closed: %d, want 200", r.Status)
	}
}
