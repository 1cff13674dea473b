package httpserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/gohttpserver/httpserver/proxyproto"
)

// ServeTLS is Serve over TLS: it makes every connection accepted on l a
// TLS server connection, configured by a clone of s.TLSConfig (see that
// field for what the clone gets), and serves it as Serve does. Each
// handler sees the connection's TLS state in Request.TLS.
//
// certFile and keyFile name PEM files: the certificate, followed by its
// intermediates (leaf first), and its private key. They load into the
// clone's Certificates, replacing what it had. Both may be "" when
// s.TLSConfig has Certificates, GetCertificate or GetConfigForClient;
// otherwise, or when only one of them is "", ServeTLS fails, and a file
// that cannot be read or parsed fails it too (with an error that wraps
// the file's: errors.Is(err, fs.ErrNotExist) for a missing one).
//
// Like Serve, ServeTLS closes l before it returns, also when the
// certificate cannot be loaded, and returns ErrServerClosed after
// Shutdown or Close. It may be called for several listeners at once,
// with different certificates.
func (s *Server) ServeTLS(l net.Listener, certFile, keyFile string) error {
	if s.shutting.Load() {
		l.Close()
		return ErrServerClosed
	}
	cfg, err := s.serverTLSConfig(certFile, keyFile)
	if err != nil {
		l.Close()
		return err
	}
	return s.Serve(tls.NewListener(s.proxyListener(l), cfg))
}

// ListenAndServeTLS listens on s.Addr (":8443" if empty) and serves TLS
// on it as ServeTLS does, until Shutdown or Close, when it returns
// ErrServerClosed. The certificate is loaded before the address is
// bound, so that a missing or bad file fails without taking the port.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	if s.shutting.Load() {
		return ErrServerClosed
	}
	cfg, err := s.serverTLSConfig(certFile, keyFile)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", s.listenAddr(defaultTLSAddr))
	if err != nil {
		return err
	}
	return s.Serve(tls.NewListener(s.proxyListener(l), cfg))
}

// errTLSNoCert and errTLSHalfPair are ServeTLS's errors for a
// certificate that was not given.
var (
	errTLSNoCert   = errors.New("httpserver: TLS needs a certificate: certFile and keyFile, or TLSConfig.Certificates, GetCertificate or GetConfigForClient")
	errTLSHalfPair = errors.New("httpserver: TLS needs certFile and keyFile together")
)

// serverTLSConfig is the configuration ServeTLS serves with: a clone of
// s.TLSConfig, with the ALPN protocols adjusted and the certificate files,
// if given, loaded (see Server.TLSConfig).
func (s *Server) serverTLSConfig(certFile, keyFile string) (*tls.Config, error) {
	cfg := s.TLSConfig.Clone()
	if cfg == nil {
		cfg = new(tls.Config)
	}
	cfg.NextProtos = nextProtos(cfg.NextProtos, s.TLSNextProto)
	switch {
	case (certFile == "") != (keyFile == ""):
		return nil, errTLSHalfPair
	case certFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("httpserver: loading the TLS certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil:
		return nil, errTLSNoCert
	}
	return cfg, nil
}

// nextProtos returns the ALPN list protos adjusted to what the server
// serves: the protocols of next (TLSNextProto) that protos lacks go in
// front ("h2" first, the others sorted), "h2" is removed when next has no
// handler for it (a client offered h2 would use it, and get nothing it
// understands, as net/http adjusts it for a server without HTTP/2), and
// "http/1.1" is appended if it is not there. Other protocols (acme-tls/1,
// say) stay where they are. protos is not modified: Clone shares it with
// the caller's config.
func nextProtos(protos []string, next map[string]ConnHandler) []string {
	var front []string
	for p, h := range next {
		if h != nil && !slices.Contains(protos, p) {
			front = append(front, p)
		}
	}
	slices.SortFunc(front, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "h2":
			return -1
		case b == "h2":
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]string, 0, len(front)+len(protos)+1)
	out = append(out, front...)
	for _, p := range protos {
		if p != "h2" || next[p] != nil {
			out = append(out, p)
		}
	}
	if !slices.Contains(out, "http/1.1") {
		out = append(out, "http/1.1")
	}
	return out
}

// tlsConnState returns the TLS state of the connection, for Request.TLS:
// nil if it is not a *tls.Conn. The state is computed on the first
// request and shared by every later one, so that it costs one allocation
// per connection, none per request. By the first request the handshake
// is complete: crypto/tls runs it in the first Read, the one that brought
// the request's first bytes.
func (c *conn) tlsConnState() *tls.ConnectionState {
	if c.tlsState == nil {
		if tc, ok := c.rwc.(*tls.Conn); ok {
			st := tc.ConnectionState()
			c.tlsState = &st
		}
	}
	return c.tlsState
}

// isTLS reports whether the connection is a TLS one.
func (c *conn) isTLS() bool {
	_, ok := c.rwc.(*tls.Conn)
	return ok
}

// proxyListener is l, with the connections of trusted peers reading
// their PROXY protocol header first, when Server.ProxyProtocol is set:
// over TLS the header precedes the handshake, so it is read below
// crypto/tls (proxyConn), where plain connections read it in the engine
// (readProxyHeader).
func (s *Server) proxyListener(l net.Listener) net.Listener {
	if !s.ProxyProtocol {
		return l
	}
	return &proxyTLSListener{Listener: l, s: s}
}

type proxyTLSListener struct {
	net.Listener
	s *Server
}

func (l *proxyTLSListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || !l.s.trustedPeer(c.RemoteAddr()) {
		return c, err
	}
	return &proxyConn{Conn: c}, nil
}

// proxyConn is a trusted peer's connection under TLS: its first Read
// reads and parses the PROXY header, under the deadline the handshake
// runs with, and later ones return what followed the header, then the
// connection's own bytes. A header that fails fails the handshake, and
// the connection closes without an answer. Only crypto/tls reads it, on
// the connection's goroutine; RemoteAddr is the header's source once it
// has been read.
type proxyConn struct {
	net.Conn
	read bool
	hdr  *proxyproto.Header
	rest []byte
	err  error
}

func (p *proxyConn) Read(b []byte) (int, error) {
	if !p.read {
		p.read = true
		p.readHeader()
	}
	if p.err != nil {
		return 0, p.err
	}
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

func (p *proxyConn) readHeader() {
	buf := make([]byte, 0, proxyproto.DefaultMaxV2Bytes)
	for {
		n, err := p.Conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		h, m, perr := proxyproto.Parse(buf)
		switch {
		case perr == nil:
			p.hdr = &h
			p.rest = buf[m:]
			return
		case perr != proxyproto.ErrIncomplete:
			p.err = perr
			return
		case err != nil:
			p.err = err
			return
		}
	}
}

func (p *proxyConn) RemoteAddr() net.Addr {
	if p.hdr != nil && p.hdr.Source.IsValid() {
		return net.TCPAddrFromAddrPort(p.hdr.Source)
	}
	return p.Conn.RemoteAddr()
}

// proxyHeaderUnderTLS returns the PROXY header read below the TLS
// connection tc, or nil.
func proxyHeaderUnderTLS(tc *tls.Conn) *proxyproto.Header {
	if p, ok := tc.NetConn().(*proxyConn); ok {
		return p.hdr
	}
	return nil
}
