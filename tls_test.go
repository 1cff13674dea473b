package httpserver

// Tests of TLS in the library: Server.TLSConfig, ServeTLS,
// ListenAndServeTLS and Request.TLS. The certificate is the test run's
// (testCert in helpers_test.go), written to PEM files where a test needs
// files.

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeCertFiles writes the test certificate and its key as PEM files in
// a fresh directory and returns their paths.
func writeCertFiles(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	cert := mustTestCert(t)
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", cert.Certificate[0])
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func writePEM(t *testing.T, name, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsTestClientConfig trusts the test certificate and asks for it by the
// name "localhost" (a client sends no SNI for an IP address, RFC 6066
// §3), offering h2 before http/1.1 as browsers do.
func tlsTestClientConfig(t *testing.T) *tls.Config {
	cfg := testTLSClientConfig(t)
	cfg.ServerName = "localhost"
	cfg.NextProtos = []string{"h2", "http/1.1"}
	return cfg
}

// loopback returns a fresh 127.0.0.1 listener, closed at cleanup.
func loopback(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// startServeTLS runs srv.ServeTLS on l until the test ends, and returns
// l's address. At cleanup the server is closed, and ServeTLS must have
// returned ErrServerClosed and the server must have logged no error.
func startServeTLS(t *testing.T, srv *Server, l net.Listener, certFile, keyFile string) string {
	t.Helper()
	logs := &logSink{}
	srv.ErrorLog = slog.New(slog.NewTextHandler(logs, nil))
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(l, certFile, keyFile) }()
	t.Cleanup(func() {
		srv.Close()
		if err := recvWithin(t, errc, "ServeTLS to return"); !errors.Is(err, ErrServerClosed) {
			t.Errorf("ServeTLS returned %v, want ErrServerClosed", err)
		}
		if n := logs.errorCount(); n > 0 {
			t.Errorf("got %d errors logged, want none:\n%s", n, logs)
		}
	})
	return l.Addr().String()
}

// dialTLS connects to addr with cfg and completes the handshake.
func dialTLS(t *testing.T, addr string, cfg *tls.Config) (*tls.Conn, error) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(hangGuard))
	tc := tls.Client(nc, cfg)
	return tc, tc.Handshake()
}

// getOver sends a GET on nc and checks that it is answered 200 "ok".
func getOver(t *testing.T, nc net.Conn, br *bufio.Reader) {
	t.Helper()
	rc := &rawClient{t: t, nc: nc, br: br}
	if r := rc.roundTrip("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET"); r.Status != 200 || string(r.Body) != "ok" {
		t.Fatalf("got %d %q, want 200 \"ok\"", r.Status, r.Body)
	}
}

// okHandler answers "ok".
func okHandler(*Request) *Response { return &Response{StatusCode: 200, Message: "ok"} }

// TestServeTLSCertificateSources serves through ServeTLS with the
// certificate from each place it may come from, and checks that a client
// verifying the test certificate is served.
func TestServeTLSCertificateSources(t *testing.T) {
	cert := mustTestCert(t)
	tests := []struct {
		name  string
		cfg   *tls.Config
		files bool // give ServeTLS the certificate files
	}{
		{"files, no TLSConfig", nil, true},
		{"files, TLSConfig without certificates", &tls.Config{MinVersion: tls.VersionTLS13}, true},
		{"TLSConfig.Certificates", &tls.Config{Certificates: []tls.Certificate{cert}}, false},
		{"TLSConfig.GetCertificate", &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }}, false},
		{"TLSConfig.GetConfigForClient", &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
		}}, false},
		// A handshake with the empty certificate would fail: the files
		// must have replaced it.
		{"files replace TLSConfig.Certificates", &tls.Config{Certificates: []tls.Certificate{{}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var certFile, keyFile string
			if tt.files {
				certFile, keyFile = writeCertFiles(t)
			}
			var before tls.Config
			if tt.cfg != nil {
				before = *tt.cfg.Clone()
			}
			srv := &Server{Handler: HandlerFunc(okHandler), TLSConfig: tt.cfg}
			addr := startServeTLS(t, srv, loopback(t), certFile, keyFile)
			tc, err := dialTLS(t, addr, tlsTestClientConfig(t))
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			getOver(t, tc, bufio.NewReader(tc))
			if tt.cfg != nil && (len(tt.cfg.Certificates) != len(before.Certificates) || !slices.Equal(tt.cfg.NextProtos, before.NextProtos)) {
				t.Errorf("TLSConfig changed: got %d certificates, NextProtos %q; want %d, %q",
					len(tt.cfg.Certificates), tt.cfg.NextProtos, len(before.Certificates), before.NextProtos)
			}
		})
	}
}

// TestNextProtos checks the ALPN list ServeTLS serves with for each
// kind of list the caller may configure, with and without protocols of
// its own (TLSNextProto), and that the caller's list is left as it was.
func TestNextProtos(t *testing.T) {
	h := ConnHandler(func(context.Context, net.Conn) {})
	h2 := map[string]ConnHandler{"h2": h}
	tests := []struct {
		in   []string
		next map[string]ConnHandler
		want []string
	}{
		{nil, nil, []string{"http/1.1"}},
		{[]string{}, nil, []string{"http/1.1"}},
		{[]string{"http/1.1"}, nil, []string{"http/1.1"}},
		{[]string{"h2"}, nil, []string{"http/1.1"}},
		{[]string{"h2", "http/1.1"}, nil, []string{"http/1.1"}},
		{[]string{"http/1.1", "h2"}, nil, []string{"http/1.1"}},
		{[]string{"acme-tls/1"}, nil, []string{"acme-tls/1", "http/1.1"}},
		{[]string{"http/1.0", "h2", "acme-tls/1"}, nil, []string{"http/1.0", "acme-tls/1", "http/1.1"}},
		{nil, h2, []string{"h2", "http/1.1"}},
		{[]string{"http/1.1"}, h2, []string{"h2", "http/1.1"}},
		{[]string{"http/1.1", "h2"}, h2, []string{"http/1.1", "h2"}},
		{[]string{"h2"}, h2, []string{"h2", "http/1.1"}},
		{nil, map[string]ConnHandler{"h2": nil}, []string{"http/1.1"}},
		{nil, map[string]ConnHandler{"x-b": h, "h2": h, "x-a": h}, []string{"h2", "x-a", "x-b", "http/1.1"}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		got := nextProtos(in, tt.next)
		if !slices.Equal(got, tt.want) {
			t.Errorf("nextProtos(%q, %d handlers) = %q, want %q", tt.in, len(tt.next), got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("nextProtos(%q) changed its argument to %q", tt.in, in)
		}
	}
}

// TestServeTLSALPN checks over a socket what ServeTLS negotiates: HTTP/1.1
// for a client that offers it, whatever the configured list says about
// h2, and a failed handshake for a client that offers only h2.
func TestServeTLSALPN(t *testing.T) {
	tests := []struct {
		name        string
		server      []string // TLSConfig.NextProtos
		client      []string
		want        string // the protocol negotiated
		wantFailure bool   // the handshake fails
	}{
		{"none configured", nil, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"h2 configured", []string{"h2", "http/1.1"}, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"only h2 configured", []string{"h2"}, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"another protocol configured", []string{"acme-tls/1"}, []string{"h2", "http/1.1"}, "http/1.1", false},
		{"client without ALPN", nil, nil, "", false},
		{"client offering only h2", nil, []string{"h2"}, "", true},
	}
	cert := mustTestCert(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: tt.server}
			srv := &Server{Handler: HandlerFunc(okHandler), TLSConfig: cfg}
			addr := startServeTLS(t, srv, loopback(t), "", "")
			ccfg := tlsTestClientConfig(t)
			ccfg.NextProtos = tt.client
			tc, err := dialTLS(t, addr, ccfg)
			if tt.wantFailure {
				if err == nil {
					t.Fatalf("handshake succeeded with %q, want it to fail", tc.ConnectionState().NegotiatedProtocol)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if got := tc.ConnectionState().NegotiatedProtocol; got != tt.want {
				t.Errorf("negotiated %q, want %q", got, tt.want)
			}
			getOver(t, tc, bufio.NewReader(tc))
		})
	}
}

// TestServeTLSErrors gives ServeTLS and ListenAndServeTLS certificates
// they cannot use: each must return an error with the package prefix,
// not panic; ServeTLS must close its listener, and ListenAndServeTLS
// must fail before it binds its address (it is given one that is taken,
// so that binding first would fail differently).
func TestServeTLSErrors(t *testing.T) {
	certFile, keyFile := writeCertFiles(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherKeyDER, err := x509.MarshalPKCS8PrivateKey(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	otherKeyFile := filepath.Join(dir, "other-key.pem")
	writePEM(t, otherKeyFile, "PRIVATE KEY", otherKeyDER)
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name              string
		cfg               *tls.Config
		certFile, keyFile string
		wantIs            error // errors.Is(err, wantIs), when not nil
	}{
		{"no certificate, no TLSConfig", nil, "", "", errTLSNoCert},
		{"no certificate, TLSConfig without one", &tls.Config{NextProtos: []string{"http/1.1"}}, "", "", errTLSNoCert},
		{"certFile without keyFile", nil, certFile, "", errTLSHalfPair},
		{"keyFile without certFile", nil, "", keyFile, errTLSHalfPair},
		{"missing certFile", nil, missing, keyFile, fs.ErrNotExist},
		{"missing keyFile", nil, certFile, missing, fs.ErrNotExist},
		{"certFile not PEM", nil, garbage, keyFile, nil},
		{"keyFile of another certificate", nil, certFile, otherKeyFile, nil},
	}
	for _, tt := range tests {
		check := func(t *testing.T, fn string, err error) {
			t.Helper()
			switch {
			case err == nil:
				t.Fatalf("%s returned nil, want an error", fn)
			case !strings.HasPrefix(err.Error(), "httpserver: "):
				t.Errorf("%s: got %q, want the prefix \"httpserver: \"", fn, err)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("%s: got %v, want an error that is %v", fn, err, tt.wantIs)
			}
		}
		t.Run(tt.name+"/ServeTLS", func(t *testing.T) {
			l := loopback(t)
			srv := &Server{TLSConfig: tt.cfg}
			check(t, "ServeTLS", srv.ServeTLS(l, tt.certFile, tt.keyFile))
			if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Accept after ServeTLS returned: got %v, want net.ErrClosed (ServeTLS closes its listener)", err)
			}
		})
		t.Run(tt.name+"/ListenAndServeTLS", func(t *testing.T) {
			busy := loopback(t)
			srv := &Server{Addr: busy.Addr().String(), TLSConfig: tt.cfg}
			check(t, "ListenAndServeTLS", srv.ListenAndServeTLS(tt.certFile, tt.keyFile))
		})
	}
}

// TestServeTLSAfterClose checks that a closed server's ServeTLS and
// ListenAndServeTLS return ErrServerClosed at once, before looking at the
// certificate (a missing file here).
func TestServeTLSAfterClose(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name  string
		serve func(srv *Server) error
	}{
		{"ServeTLS", func(srv *Server) error {
			l := loopback(t)
			err := srv.ServeTLS(l, missing, missing)
			if _, aerr := l.Accept(); !errors.Is(aerr, net.ErrClosed) {
				t.Errorf("Accept after ServeTLS returned: got %v, want net.ErrClosed", aerr)
			}
			return err
		}},
		{"ListenAndServeTLS", func(srv *Server) error {
			srv.Addr = loopback(t).Addr().String() // taken: binding would fail differently
			return srv.ListenAndServeTLS(missing, missing)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{}
			srv.Close()
			if err := tt.serve(srv); !errors.Is(err, ErrServerClosed) {
				t.Errorf("got %v, want ErrServerClosed", err)
			}
		})
	}
}

// TestListenAndServeTLS serves through ListenAndServeTLS on port 0,
// learning the port from BaseContext, which is given the listener.
func TestListenAndServeTLS(t *testing.T) {
	certFile, keyFile := writeCertFiles(t)
	addrc := make(chan string, 1)
	srv := &Server{
		Addr:     "127.0.0.1:0",
		Handler:  HandlerFunc(okHandler),
		ErrorLog: slog.New(slog.DiscardHandler),
		BaseContext: func(l net.Listener) context.Context {
			addrc <- l.Addr().String()
			return context.Background()
		},
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServeTLS(certFile, keyFile) }()
	addr := recvWithin(t, addrc, "the listener's address")
	tc, err := dialTLS(t, addr, tlsTestClientConfig(t))
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if got := tc.ConnectionState().NegotiatedProtocol; got != "http/1.1" {
		t.Errorf("negotiated %q, want \"http/1.1\"", got)
	}
	getOver(t, tc, bufio.NewReader(tc))
	srv.Close()
	if err := recvWithin(t, errc, "ListenAndServeTLS to return"); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServeTLS returned %v, want ErrServerClosed", err)
	}
}

// TestListenAddrDefaults checks the addresses the ListenAndServe methods
// use for each Addr.
func TestListenAddrDefaults(t *testing.T) {
	tests := []struct {
		addr, def, want string
	}{
		{"", defaultAddr, ":8000"},
		{"", defaultTLSAddr, ":8443"},
		{"127.0.0.1:9000", defaultTLSAddr, "127.0.0.1:9000"},
		{":https", defaultTLSAddr, ":https"},
	}
	for _, tt := range tests {
		s := &Server{Addr: tt.addr}
		if got := s.listenAddr(tt.def); got != tt.want {
			t.Errorf("Addr %q, default %q: got %q, want %q", tt.addr, tt.def, got, tt.want)
		}
	}
}

// TestRequestTLS checks Request.TLS on each kind of connection: nil
// without TLS (and with TLS hidden by a wrapper, as documented), the
// handshake's state with it; and, on a TLS connection, one
// ConnectionState shared by the requests of a keep-alive connection and
// another for the next connection.
func TestRequestTLS(t *testing.T) {
	cert := mustTestCert(t)
	serverCfg := func() *tls.Config { return &tls.Config{Certificates: []tls.Certificate{cert}} }
	tests := []struct {
		name  string
		tls   bool // the client speaks TLS
		start func(t *testing.T, srv *Server) string
		want  bool   // Request.TLS is set
		proto string // its NegotiatedProtocol
	}{
		{"plain", false, func(t *testing.T, srv *Server) string {
			return startE2EOn(t, srv, loopback(t)).addr
		}, false, ""},
		{"plain, wrapped", false, func(t *testing.T, srv *Server) string {
			return startE2EOn(t, srv, waitingListener{loopback(t)}).addr
		}, false, ""},
		{"Serve on a tls.NewListener", true, func(t *testing.T, srv *Server) string {
			return startE2EOn(t, srv, tls.NewListener(loopback(t), serverCfg())).addr
		}, true, ""},
		{"TLS hidden by a wrapper", true, func(t *testing.T, srv *Server) string {
			return startE2EOn(t, srv, waitingListener{tls.NewListener(loopback(t), serverCfg())}).addr
		}, false, ""},
		{"ServeTLS", true, func(t *testing.T, srv *Server) string {
			srv.TLSConfig = serverCfg()
			return startServeTLS(t, srv, loopback(t), "", "")
		}, true, "http/1.1"},
		{"ServeTLS, ReuseRequests", true, func(t *testing.T, srv *Server) string {
			srv.TLSConfig = serverCfg()
			srv.ReuseRequests = true
			return startServeTLS(t, srv, loopback(t), "", "")
		}, true, "http/1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := make(chan *tls.ConnectionState, 3)
			srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
				states <- req.TLS
				return okHandler(req)
			})}
			addr := tt.start(t, srv)
			connect := func() (net.Conn, *bufio.Reader) {
				if !tt.tls {
					nc := dialRaw(t, addr).nc
					return nc, bufio.NewReader(nc)
				}
				tc, err := dialTLS(t, addr, tlsTestClientConfig(t))
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				return tc, bufio.NewReader(tc)
			}
			nc, br := connect()
			getOver(t, nc, br)
			getOver(t, nc, br) // the same connection, kept alive
			nc2, br2 := connect()
			getOver(t, nc2, br2)
			first, second, other := <-states, <-states, <-states

			if !tt.want {
				if first != nil || second != nil || other != nil {
					t.Fatalf("Request.TLS: got %p, %p, %p, want nil", first, second, other)
				}
				return
			}
			if first == nil || second == nil || other == nil {
				t.Fatalf("Request.TLS: got %p, %p, %p, want it set on every request", first, second, other)
			}
			if second != first {
				t.Errorf("Request.TLS of the second request on the connection: got %p, want %p, the first's", second, first)
			}
			if other == first {
				t.Errorf("Request.TLS of another connection: got %p, the first connection's, want its own", other)
			}
			client := nc.(*tls.Conn).ConnectionState()
			for _, st := range []*tls.ConnectionState{first, other} {
				if !st.HandshakeComplete || st.ServerName != "localhost" || st.NegotiatedProtocol != tt.proto || st.Version != client.Version || st.Version != tls.VersionTLS13 {
					t.Errorf("Request.TLS: got HandshakeComplete %v, ServerName %q, NegotiatedProtocol %q, Version %s; want true, \"localhost\", %q, %s",
						st.HandshakeComplete, st.ServerName, st.NegotiatedProtocol, tls.VersionName(st.Version), tt.proto, tls.VersionName(tls.VersionTLS13))
				}
			}
		})
	}
}

// TestTLSHandshakeTimeout: a client that connects to a TLS listener and
// never sends its hello is cut off after ReadHeaderTimeout, not after
// IdleTimeout (an hour here). The client's read deadline only bounds the
// test's failure.
func TestTLSHandshakeTimeout(t *testing.T) {
	srv := &Server{ReadHeaderTimeout: 50 * time.Millisecond, IdleTimeout: time.Hour}
	ts := modeTLS.start(t, srv)
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var b [1]byte
	_, err = c.Read(b[:])
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server held a connection without a TLS hello for 30 s (ReadHeaderTimeout 50ms)")
	}
	if err == nil {
		t.Fatalf("got a byte from the server before any hello, want the connection closed")
	}
}
