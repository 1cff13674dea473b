package h2

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
)

// hangGuard bounds every wait in these tests: it is not a timing
// assertion, only how long a broken test takes to fail instead of
// hanging.
const hangGuard = 20 * time.Second

var (
	certOnce sync.Once
	cert     tls.Certificate
	certPool *x509.CertPool
	certErr  error
)

// testCert returns a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			certErr = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "h2 test"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
			DNSNames:              []string{"localhost"},
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			certErr = err
			return
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			certErr = err
			return
		}
		cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
		certPool = x509.NewCertPool()
		certPool.AddCert(leaf)
	})
	if certErr != nil {
		t.Fatal(certErr)
	}
	return cert, certPool
}

// logSink collects a server's log.
type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a Server configured for HTTP/2, serving on a loopback
// port until the test ends.
type testServer struct {
	srv  *httpserver.Server
	addr string
	tls  bool
	logs *logSink
	done chan error
}

// start configures srv for HTTP/2 with conf and serves it, over TLS when
// useTLS (with the test certificate) and in cleartext otherwise.
func start(t *testing.T, srv *httpserver.Server, conf *Config, useTLS bool) *testServer {
	t.Helper()
	ts := &testServer{srv: srv, tls: useTLS, logs: &logSink{}, done: make(chan error, 1)}
	if srv.ErrorLog == nil {
		srv.ErrorLog = slog.New(slog.NewTextHandler(ts.logs, nil))
	}
	if err := Configure(srv, conf); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	if useTLS {
		c, _ := testCert(t)
		if srv.TLSConfig == nil {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{c}}
		}
		go func() { ts.done <- srv.ServeTLS(l, "", "") }()
	} else {
		go func() { ts.done <- srv.Serve(l) }()
	}
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-ts.done:
			if !errors.Is(err, httpserver.ErrServerClosed) {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(hangGuard):
			t.Error("Serve did not return")
		}
	})
	return ts
}

// url is the URL of path on ts.
func (ts *testServer) url(path string) string {
	if ts.tls {
		return "https://" + ts.addr + path
	}
	return "http://" + ts.addr + path
}

// client returns an HTTP client for ts: HTTP/2 over TLS (h2 offered by
// ALPN, with HTTP/1.1), or h2c with prior knowledge; http1 makes it
// offer HTTP/1.1 only.
func (ts *testServer) client(t *testing.T, http1 bool) *http.Client {
	_, pool := testCert(t)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	tr.Protocols = new(http.Protocols)
	switch {
	case http1:
		tr.Protocols.SetHTTP1(true)
	case ts.tls:
		tr.Protocols.SetHTTP2(true)
		tr.Protocols.SetHTTP1(true)
	default:
		tr.Protocols.SetUnencryptedHTTP2(true)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hangGuard}
}

// get fetches path and returns the response with its body read.
func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// dialH2 opens a raw HTTP/2 connection to ts over TLS (h2 by ALPN), sends
// the client preface and returns the connection, with hangGuard as its
// deadline and closed when the test ends, and a framer on it. The caller
// sends its SETTINGS.
func dialH2(t *testing.T, ts *testServer) (*tls.Conn, *http2.Framer) {
	t.Helper()
	_, pool := testCert(t)
	tc, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close() })
	tc.SetDeadline(time.Now().Add(hangGuard))
	io.WriteString(tc, http2.ClientPreface)
	return tc, http2.NewFramer(tc, tc)
}
