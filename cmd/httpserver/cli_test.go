package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeFiles creates files (name to content; a name ending in '/' is a
// directory) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// get fetches url with c and returns the response with its body read.
func get(t *testing.T, c *http.Client, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// TestCLI runs the command on a directory, fetches from it, reads its
// access log, and stops it with Ctrl-C.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hello.txt":    "hello, world\n",
		"sub/a.txt":    "a",
		".secret":      "do not serve",
		"numbers.txt":  "0123456789",
		"sub/.keep/x":  "",
		"empty.txt":    "",
		"page.html":    "<!doctype html><title>t</title>",
		"query dir/ok": "ok",
	})
	p := startCLI(t, "-addr", "127.0.0.1:0", dir)
	if !strings.HasPrefix(p.addr, "127.0.0.1:") || p.scheme != "http" {
		t.Fatalf("banner says %s://%s, want http on 127.0.0.1", p.scheme, p.addr)
	}
	c := newClient(t)

	// The line for each request, in the order sent: [host port regexp].
	clf := func(request, status, bytes string) *regexp.Regexp {
		return regexp.MustCompile(`^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "` +
			regexp.QuoteMeta(request) + `" ` + status + ` ` + bytes + ` \d+\.\d{3}$`)
	}
	tests := []struct {
		path   string
		hdr    []string
		status int
		body   string
		log    *regexp.Regexp
	}{
		{"/hello.txt", nil, 200, "hello, world\n", clf("GET /hello.txt HTTP/1.1", "200", "13")},
		{"/numbers.txt", []string{"Range", "bytes=2-4"}, 206, "234", clf("GET /numbers.txt HTTP/1.1", "206", "3")},
		{"/empty.txt", nil, 200, "", clf("GET /empty.txt HTTP/1.1", "200", "-")},
		{"/.secret", nil, 404, "Not Found\n", clf("GET /.secret HTTP/1.1", "404", "10")},
		{"/sub/a.txt?v=1", nil, 200, "a", clf("GET /sub/a.txt?v=1 HTTP/1.1", "200", "1")},
	}
	for _, tt := range tests {
		resp, body := get(t, c, p.base+tt.path, tt.hdr...)
		if resp.StatusCode != tt.status || body != tt.body {
			t.Errorf("GET %s: got %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
		p.waitLine(t, 10*time.Second, tt.log.MatchString)
	}

	// The listing, with the entries the test wrote and no dotfile.
	resp, body := get(t, c, p.base+"/", "Accept", "application/json")
	var entries []struct{ Name string }
	if err := json.Unmarshal([]byte(body), &entries); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET / as JSON: %d %q: %v", resp.StatusCode, body, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, " "), "query dir sub empty.txt hello.txt numbers.txt page.html"; got != want {
		t.Errorf("listing: got %q, want %q", got, want)
	}

	// Bytes that are no request are logged with what is known.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "NOT HTTP\r\n\r\n")
	reply, _ := io.ReadAll(conn)
	conn.Close()
	if !strings.HasPrefix(string(reply), "HTTP/1.1 400 ") {
		t.Errorf("garbage got %q, want a 400", reply)
	}
	// The reason, when the server gives one, is quoted after the duration.
	refused := regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "-" 400 \d+ \d+\.\d{3}( "[^"]+")?$`)
	p.waitLine(t, 10*time.Second, refused.MatchString)

	c.CloseIdleConnections()
	if code := p.stop(t, os.Interrupt, 15*time.Second); code != 0 {
		t.Errorf("exit status after Ctrl-C: %d, want 0", code)
	}
	out := strings.Join(p.output(), "\n")
	for _, want := range []string{"Shutting down", "Stopped."} {
		if !strings.Contains(out, want) {
			t.Errorf("standard error lacks %q", want)
		}
	}
}

// TestCLIJSONLog checks the JSON access log, including a refused request.
func TestCLIJSONLog(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"v.bin": strings.Repeat("x", 1000)})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-log", "json", "-cache", "assets=1h", dir)
	c := newClient(t)
	resp, body := get(t, c, p.base+"/v.bin?t=1", "Range", "bytes=900-")
	if resp.StatusCode != 206 || len(body) != 100 || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("range: got %d, %d bytes, Cache-Control %q", resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
	}

	type logLine struct {
		Time     time.Time
		Level    string
		Msg      string
		Method   string
		Path     string
		Query    string
		Proto    string
		Status   int
		Bytes    int64
		Duration time.Duration
		Remote   string
	}
	parse := func(line string) (logLine, bool) {
		var l logLine
		return l, json.Unmarshal([]byte(line), &l) == nil
	}
	line := p.waitLine(t, 10*time.Second, func(s string) bool {
		l, ok := parse(s)
		return ok && l.Msg == "request"
	})
	got, _ := parse(line)
	if got.Method != "GET" || got.Path != "/v.bin" || got.Query != "t=1" || got.Proto != "HTTP/1.1" ||
		got.Status != 206 || got.Bytes != 100 || got.Duration <= 0 || got.Time.IsZero() || got.Level != "INFO" ||
		!strings.HasPrefix(got.Remote, "127.0.0.1:") {
		t.Errorf("log line %s", line)
	}

	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
	io.ReadAll(conn)
	conn.Close()
	line = p.waitLine(t, 10*time.Second, func(s string) bool {
		l, ok := parse(s)
		return ok && l.Msg == "refused"
	})
	if got, _ := parse(line); got.Status != 400 || got.Method != "" || !strings.HasPrefix(got.Remote, "127.0.0.1:") {
		t.Errorf("refused: log line %s", line)
	}

	c.CloseIdleConnections()
	if code := p.stop(t, syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("exit status after SIGTERM: %d, want 0", code)
	}
}

// TestCLIDrainsOnInterrupt interrupts the command in the middle of a large
// response: the response is completed, then the command exits 0.
func TestCLIDrainsOnInterrupt(t *testing.T) {
	p, body := startBigDownload(t, nil, "-log", "off")
	first := make([]byte, 4096)
	if _, err := io.ReadFull(body, first); err != nil {
		t.Fatal(err)
	}
	// The response is in flight (the client has not read most of it).
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.waitLine(t, 10*time.Second, func(s string) bool { return strings.HasPrefix(s, "Shutting down") })
	if p.hasExited() {
		t.Fatal("the command exited before the response was read")
	}
	n, err := io.Copy(io.Discard, body)
	if err != nil || int64(len(first))+n != bigSize {
		t.Fatalf("after Ctrl-C the rest of the body: %d bytes, %v; want %d", n, err, bigSize-len(first))
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("exit status: %d, want 0", code)
	}
}

// startBigDownload serves a large file and begins to download it over a
// raw connection, reading only its head: the response stays in flight
// until the client reads the rest from the returned reader. wrap is as
// for startWrappedCLI.
func startBigDownload(t *testing.T, wrap []string, args ...string) (*proc, io.Reader) {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(bigSize); err != nil { // sparse: quick to make
		t.Fatal(err)
	}
	f.Close()
	p := startWrappedCLI(t, wrap, append(append([]string{"-addr", "127.0.0.1:0"}, args...), dir)...)
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != bigSize {
		t.Fatalf("got %d with length %d", resp.StatusCode, resp.ContentLength)
	}
	return p, resp.Body
}

// bigSize is more than loopback's socket buffers hold, so that a response
// of this size stays in flight while the client does not read.
const bigSize = 64 << 20

// TestCLISecondInterrupt: a second Ctrl-C ends the command at once, with
// exit status 130, even with a response in flight, and also when the
// command was started with SIGINT ignored (as nohup and "cmd &" in a
// non-interactive shell start it; signal.Notify lifts the ignoring, and
// the command must not restore it after the first signal). The first
// Ctrl-C's 10-second grace cannot end the command in time: the client does
// not read, so the response never finishes.
func TestCLISecondInterrupt(t *testing.T) {
	for _, ignored := range []bool{false, true} {
		t.Run(fmt.Sprintf("SIGINT ignored at start %v", ignored), func(t *testing.T) {
			var wrap []string
			if ignored {
				// sh's trap '' ignores the signal, and exec keeps it ignored.
				wrap = []string{"sh", "-c", `trap '' INT && exec "$0" "$@"`}
			}
			p, _ := startBigDownload(t, wrap, "-log", "off")
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			p.waitLine(t, 10*time.Second, func(s string) bool { return strings.HasPrefix(s, "Shutting down") })
			if code := p.stop(t, os.Interrupt, 5*time.Second); code != 130 {
				t.Errorf("exit status after a second Ctrl-C: %d, want 130", code)
			}
			p.waitLine(t, time.Second, func(s string) bool {
				return s == "httpserver: interrupt again: quit at once, cutting off requests in flight"
			})
		})
	}
}

// TestCLITLS serves HTTPS with a certificate made for the test.
func TestCLITLS(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"site/index.html": "<!doctype html><p>secure</p>"})
	certFile, keyFile, pool := makeCert(t, t.TempDir())
	p := startCLI(t, "-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile, filepath.Join(dir, "site"))
	if p.scheme != "https" || !strings.HasPrefix(p.output()[0], "Serving HTTPS on 127.0.0.1 port ") {
		t.Fatalf("banner: %q", p.output()[0])
	}
	// HTTP/2 by default, for a client that offers it; HTTP/1.1 for one
	// that does not.
	for _, tt := range []struct {
		h2        bool
		wantProto string
		wantALPN  string
	}{
		{true, "HTTP/2.0", "h2"},
		{false, "HTTP/1.1", "http/1.1"},
	} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: tt.h2}
		if !tt.h2 {
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		resp, body := get(t, c, p.base+"/")
		if resp.StatusCode != 200 || body != "<!doctype html><p>secure</p>" {
			t.Errorf("GET / over TLS: %d %q", resp.StatusCode, body)
		}
		if resp.Proto != tt.wantProto || resp.TLS == nil || resp.TLS.NegotiatedProtocol != tt.wantALPN {
			t.Errorf("protocol %s, ALPN %q; want %s negotiated as %s", resp.Proto, resp.TLS.NegotiatedProtocol, tt.wantProto, tt.wantALPN)
		}
		p.waitLine(t, 10*time.Second, func(s string) bool { return strings.Contains(s, `"GET / `+tt.wantProto+`" 200 28 `) })
		tr.CloseIdleConnections()
	}
	if code := p.stop(t, os.Interrupt, 15*time.Second); code != 0 {
		t.Errorf("exit status: %d, want 0", code)
	}
}

// TestCLIHTTP2Flags: -h2=false offers HTTP/1.1 only over TLS; -h2c
// serves cleartext HTTP/2 with prior knowledge.
func TestCLIHTTP2Flags(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"site/index.html": "hi"})
	certFile, keyFile, pool := makeCert(t, t.TempDir())
	t.Run("-h2=false", func(t *testing.T) {
		p := startCLI(t, "-addr", "127.0.0.1:0", "-h2=false", "-tls-cert", certFile, "-tls-key", keyFile, filepath.Join(dir, "site"))
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		resp, _ := get(t, &http.Client{Transport: tr, Timeout: 30 * time.Second}, p.base+"/")
		if resp.Proto != "HTTP/1.1" {
			t.Errorf("protocol %s, want HTTP/1.1", resp.Proto)
		}
	})
	t.Run("-h2c", func(t *testing.T) {
		p := startCLI(t, "-addr", "127.0.0.1:0", "-h2c", filepath.Join(dir, "site"))
		tr := &http.Transport{Protocols: new(http.Protocols)}
		tr.Protocols.SetUnencryptedHTTP2(true)
		defer tr.CloseIdleConnections()
		resp, body := get(t, &http.Client{Transport: tr, Timeout: 30 * time.Second}, p.base+"/")
		if resp.Proto != "HTTP/2.0" || body != "hi" {
			t.Errorf("got %s %q, want HTTP/2.0 \"hi\"", resp.Proto, body)
		}
		p.waitLine(t, 10*time.Second, func(s string) bool { return strings.Contains(s, `"GET / HTTP/2.0" 200 2 `) })
	})
}

// makeCert writes a self-signed certificate for 127.0.0.1 and its key
// into dir as PEM files, and returns their paths and a pool trusting it.
func makeCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "httpserver test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// dialRaw connects to addr, with a deadline of 30 seconds for
// everything, for requests written by hand; the connection closes when
// the test ends.
func dialRaw(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return nc, bufio.NewReader(nc)
}

// getRaw sends "GET / HTTP/1.1" on nc, kept alive, and reads the
// response from br, its body read to the end.
func getRaw(t *testing.T, nc net.Conn, br *bufio.Reader) *http.Response {
	t.Helper()
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestCLIDrain: with -drain, after SIGTERM the command still answers a
// request that arrives on a connection opened before, and one on a new
// connection, each with "Connection: close"; a second SIGTERM quits at
// once (the drain of an hour would not end otherwise: the listener stays
// open through it).
func TestCLIDrain(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "hi"})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-drain", "1h", "-log", "off", dir)
	addr := strings.TrimPrefix(p.base, "http://")
	nc, br := dialRaw(t, addr)
	if resp := getRaw(t, nc, br); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("before SIGTERM: %d, close %v; want 200 kept alive", resp.StatusCode, resp.Close)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLine(t, 10*time.Second, func(s string) bool {
		return strings.HasPrefix(s, "Shutting down: serving for 1h0m0s more")
	})
	if resp := getRaw(t, nc, br); resp.StatusCode != 200 || !resp.Close {
		t.Errorf("during the drain: %d, close %v; want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	nc2, br2 := dialRaw(t, addr)
	if resp := getRaw(t, nc2, br2); resp.StatusCode != 200 || !resp.Close {
		t.Errorf("new connection during the drain: %d, close %v; want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 143 {
		t.Errorf("exit status after a second SIGTERM: %d, want 143", code)
	}
}

// TestCLIDrainEnds: once -drain has passed, the command closes its idle
// connections, stops accepting and exits 0.
func TestCLIDrainEnds(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "hi"})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-drain", "100ms", "-log", "off", dir)
	addr := strings.TrimPrefix(p.base, "http://")
	nc, br := dialRaw(t, addr)
	if resp := getRaw(t, nc, br); resp.StatusCode != 200 {
		t.Fatalf("before SIGTERM: %d, want 200", resp.StatusCode)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("exit status: %d, want 0", code)
	}
	if b, err := io.ReadAll(br); len(b) > 0 || err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("idle connection after the drain: read %q, %v; want it closed", b, err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("a connection was accepted after the command exited")
	}
}

// TestCLIMaxConnsPerIP: -max-conns-per-ip reaches the server: with 1, a
// second connection from the same address gets 503 while the first is
// open.
func TestCLIMaxConnsPerIP(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "hi"})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-max-conns-per-ip", "1", "-log", "off", dir)
	addr := strings.TrimPrefix(p.base, "http://")
	nc1, br1 := dialRaw(t, addr)
	if resp := getRaw(t, nc1, br1); resp.StatusCode != 200 {
		t.Fatalf("first connection: %d, want 200", resp.StatusCode)
	}
	nc2, br2 := dialRaw(t, addr)
	if resp := getRaw(t, nc2, br2); resp.StatusCode != 503 {
		t.Errorf("second connection from the same address: %d, want 503", resp.StatusCode)
	}
}

// TestCLIProxyProtocol: with -proxy-protocol the access log shows the
// client the PROXY header names.
func TestCLIProxyProtocol(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "hi"})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-proxy-protocol", "-trusted-proxies", "127.0.0.1", dir)
	nc, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(nc, "PROXY TCP4 203.0.113.7 192.0.2.1 4711 80\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v, %v; want 200", resp, err)
	}
	p.waitLine(t, 10*time.Second, func(s string) bool { return strings.HasPrefix(s, "203.0.113.7 - - [") })
}

// TestCLITrustedProxies: with -trusted-proxies naming the peer, the
// access log shows the client its X-Forwarded-For names; without it, a
// forged X-Forwarded-For is ignored.
func TestCLITrustedProxies(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "hi"})
	for _, tt := range []struct {
		args     []string
		wantHost string
	}{
		{[]string{"-trusted-proxies", "127.0.0.1/32"}, "203.0.113.7"},
		{nil, "127.0.0.1"},
	} {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			args := append([]string{"-addr", "127.0.0.1:0"}, tt.args...)
			p := startCLI(t, append(args, dir)...)
			req, _ := http.NewRequest("GET", p.base+"/", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			resp, err := newClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			p.waitLine(t, 10*time.Second, func(s string) bool { return strings.HasPrefix(s, tt.wantHost+" - - [") })
		})
	}
}
