package h2

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gohttpserver/httpserver"
)

// seen is what a handler saw of its request.
type seen struct {
	proto, version string
	tls            bool
	remoteIP       string
	notice         bool
	host, path     string
}

// echoHandler answers "hello" and reports what it saw.
func echoHandler(got chan<- seen) httpserver.HandlerFunc {
	return func(req *httpserver.Request) *httpserver.Response {
		s := seen{proto: Proto(req), version: req.Version, tls: req.TLS != nil, remoteIP: req.RemoteIP,
			notice: req.ShutdownNotice() != nil, host: req.Host, path: req.Path + "?" + req.QueryStr}
		select {
		case got <- s:
		default:
		}
		return &httpserver.Response{StatusCode: 200, Message: "hello"}
	}
}

// TestProtocols: the same Handler answers HTTP/2 and HTTP/1.1, over TLS
// (h2 by ALPN) and in cleartext (h2c with prior knowledge), and sees the
// same request either way.
func TestProtocols(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		for _, http1 := range []bool{false, true} {
			t.Run(fmt.Sprintf("tls=%v http1=%v", useTLS, http1), func(t *testing.T) {
				got := make(chan seen, 1)
				ts := start(t, &httpserver.Server{Handler: echoHandler(got)}, &Config{H2C: true}, useTLS)
				resp, body := get(t, ts.client(t, http1), ts.url("/p?q=1"))
				wantMajor, wantProto := 2, "HTTP/2.0"
				if http1 {
					wantMajor, wantProto = 1, "HTTP/1.1"
				}
				if resp.ProtoMajor != wantMajor || resp.StatusCode != 200 || body != "hello" {
					t.Errorf("got %s %d %q, want HTTP/%d 200 \"hello\"", resp.Proto, resp.StatusCode, body, wantMajor)
				}
				s := <-got
				want := seen{proto: wantProto, version: "1.1", tls: useTLS, remoteIP: "127.0.0.1", notice: true, host: ts.addr, path: "/p?q=1"}
				if s != want {
					t.Errorf("handler saw %+v, want %+v", s, want)
				}
			})
		}
	}
}

// TestOff: without Configure a server offers only http/1.1, even with h2
// in its TLSConfig's NextProtos, and the HTTP/2 preface is answered 505;
// with Configure but without H2C, cleartext is HTTP/1 only.
func TestOff(t *testing.T) {
	c, pool := testCert(t)
	srv := &httpserver.Server{
		Handler:   echoHandler(nil),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{c}, NextProtos: []string{"h2", "http/1.1"}},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeTLS(l, "", "")
	t.Cleanup(func() { srv.Close() })
	tc, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if p := tc.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
		t.Errorf("negotiated %q without Configure, want http/1.1", p)
	}

	ts := start(t, &httpserver.Server{Handler: echoHandler(nil)}, nil, false)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(hangGuard))
	io.WriteString(nc, http2.ClientPreface)
	line, _ := bufio.NewReader(nc).ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.1 505 ") {
		t.Errorf("preface without H2C: got %q, want a 505", line)
	}
	if _, err := get(t, ts.client(t, true), ts.url("/")); err != "hello" {
		t.Errorf("HTTP/1.1 without H2C: got %q", err)
	}
}

// TestConfigureTwice: a second Configure is refused.
func TestConfigureTwice(t *testing.T) {
	srv := &httpserver.Server{}
	if err := Configure(srv, nil); err != nil {
		t.Fatal(err)
	}
	if err := Configure(srv, nil); !errors.Is(err, ErrConfigured) {
		t.Errorf("second Configure: %v, want ErrConfigured", err)
	}
}

// TestH2CUpgradeDecision checks which requests are upgraded, on heads
// alone.
func TestH2CUpgradeDecision(t *testing.T) {
	const settings = "AAMAAABkAARAAAAAAAIAAAAA" // three settings, 18 bytes
	tests := []struct {
		name    string
		version string
		fields  [][2]string
		length  int64
		want    bool
	}{
		{"curl's", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}}, 0, true},
		{"case and spaces", "1.1", [][2]string{{"connection", "upgrade ,http2-settings"}, {"upgrade", "H2C"}, {"http2-settings", " " + settings + " "}}, 0, true},
		{"two Connection lines", "1.1", [][2]string{{"Connection", "Upgrade"}, {"Connection", "HTTP2-Settings"}, {"Upgrade", "websocket, h2c"}, {"HTTP2-Settings", settings}}, 0, true},
		{"padded settings", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", "AAMAAABk"}}, 0, true},
		{"empty settings", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", ""}}, 0, true},
		{"HTTP/1.0", "1.0", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}}, 0, false},
		{"a body", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}}, 5, false},
		{"chunked body", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}, {"Transfer-Encoding", "chunked"}}, -1, false},
		{"no HTTP2-Settings in Connection", "1.1", [][2]string{{"Connection", "Upgrade"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}}, 0, false},
		{"no Upgrade in Connection", "1.1", [][2]string{{"Connection", "HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}}, 0, false},
		{"no HTTP2-Settings", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}}, 0, false},
		{"two HTTP2-Settings", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", settings}, {"HTTP2-Settings", settings}}, 0, false},
		{"bad base64", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", "!!!"}}, 0, false},
		{"partial setting", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", "AAMA"}}, 0, false},
		{"h2 over cleartext", "1.1", [][2]string{{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2"}, {"HTTP2-Settings", settings}}, 0, false},
		{"websocket", "1.1", [][2]string{{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &httpserver.Request{Version: tt.version, ContentLength: tt.length}
			for _, f := range tt.fields {
				req.Headers.Add(f[0], f[1])
			}
			if _, got := h2cUpgrade(req); got != tt.want {
				t.Errorf("h2cUpgrade = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestUpgradeH2C: an HTTP/1.1 request with "Upgrade: h2c" gets 101, and
// its answer comes as HTTP/2 stream 1; a second request goes on the
// same connection as stream 3. The server counts the connection until it
// ends.
func TestUpgradeH2C(t *testing.T) {
	got := make(chan seen, 2)
	ts := start(t, &httpserver.Server{Handler: echoHandler(got)}, &Config{H2C: true}, false)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(hangGuard))
	io.WriteString(nc, "GET /up?x HTTP/1.1\r\nHost: example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "h2c" {
		t.Fatalf("got %d, Upgrade %q; want 101 to h2c", resp.StatusCode, resp.Header.Get("Upgrade"))
	}
	// The client's side of HTTP/2: preface, SETTINGS, then read.
	io.WriteString(nc, http2.ClientPreface)
	fr := http2.NewFramer(nc, br)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	status, body := readStream(t, fr, 1)
	if status != "200" || body != "hello" {
		t.Errorf("stream 1: %s %q, want 200 \"hello\"", status, body)
	}
	if s := <-got; s.proto != "HTTP/2.0" || s.path != "/up?x" || s.host != "example" {
		t.Errorf("upgraded request seen as %+v", s)
	}

	// Another request on the upgraded connection.
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "example"}, {":path", "/second"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	status, body = readStream(t, fr, 3)
	if status != "200" || body != "hello" {
		t.Errorf("stream 3: %s %q, want 200 \"hello\"", status, body)
	}
}

// readStream reads frames until stream id ends, answering SETTINGS and
// PINGs, and returns its :status and body.
func readStream(t *testing.T, fr *http2.Framer, id uint32) (status, body string) {
	t.Helper()
	var b strings.Builder
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading stream %d: %v", id, err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			if f.StreamID == id {
				status = f.PseudoValue("status")
				if f.StreamEnded() {
					return status, b.String()
				}
			}
		case *http2.DataFrame:
			if f.StreamID == id {
				b.Write(f.Data())
				if f.StreamEnded() {
					return status, b.String()
				}
			}
		case *http2.RSTStreamFrame:
			if f.StreamID == id {
				t.Fatalf("stream %d reset: %v", id, f.ErrCode)
			}
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY before stream %d ended: %v", id, f.ErrCode)
		}
	}
}

// TestLimits: the Server's request limits apply to HTTP/2 requests, with
// the answers HTTP/1 gets.
func TestLimits(t *testing.T) {
	srv := &httpserver.Server{
		MaxRequestLineBytes: 100,
		MaxHeaderCount:      5,
		MaxHeaderBytes:      4 << 10,
		MaxBodyBytes:        10,
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			if req.Path == "/raised" {
				req.SetBodyLimit(100)
			}
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return &httpserver.Response{StatusCode: 400, Message: err.Error()}
			}
			return &httpserver.Response{StatusCode: 200, Message: fmt.Sprint(len(b))}
		}),
	}
	ts := start(t, srv, nil, true)
	c := ts.client(t, false)
	do := func(method, path string, hdr map[string]string, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.url(path), strings.NewReader(body))
		if body == "" {
			req.Body = nil
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("answered over %s, want HTTP/2", resp.Proto)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	many := map[string]string{}
	for i := range 6 {
		many[fmt.Sprintf("X-F%d", i)] = "v"
	}
	tests := []struct {
		name       string
		method     string
		path       string
		hdr        map[string]string
		body       string
		wantStatus int
	}{
		{"small", "GET", "/", nil, "", 200},
		{"long path", "GET", "/" + strings.Repeat("a", 100), nil, "", 414},
		{"too many fields", "GET", "/", many, "", 431},
		{"body at the limit", "POST", "/", nil, "0123456789", 200},
		{"body over the limit", "POST", "/", nil, "0123456789a", 413},
		{"limit raised by the handler", "POST", "/raised", nil, strings.Repeat("x", 50), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, body := do(tt.method, tt.path, tt.hdr, tt.body); got != tt.wantStatus {
				t.Errorf("got %d (%q), want %d", got, body, tt.wantStatus)
			}
		})
	}
}

// TestShutdown: Shutdown sends GOAWAY, lets a stream that watches the
// shutdown notice finish, waits for the connection, and returns nil; the
// client reads the whole stream.
func TestShutdown(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			var handlers atomic.Int32
			srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
				return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
					handlers.Add(1)
					defer handlers.Add(-1)
					w.WriteString("data: first\n\n")
					if err := w.Flush(); err != nil {
						return err
					}
					select {
					case <-req.ShutdownNotice():
					case <-req.Context().Done():
						return req.Context().Err()
					}
					w.WriteString("data: bye\n\n")
					return nil
				}}
			})}
			ts := start(t, srv, &Config{H2C: true}, useTLS)
			resp, err := ts.client(t, false).Get(ts.url("/events"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			if line, err := br.ReadString('\n'); line != "data: first\n" || err != nil {
				t.Fatalf("first event: %q (%v)", line, err)
			}
			shut := make(chan error, 1)
			go func() { shut <- srv.Shutdown(context.Background()) }()
			rest, err := io.ReadAll(br)
			if string(rest) != "\ndata: bye\n\n" || err != nil {
				t.Errorf("rest of the stream: %q (%v), want the last event and a clean end", rest, err)
			}
			select {
			case err := <-shut:
				if err != nil {
					t.Errorf("Shutdown = %v", err)
				}
			case <-time.After(hangGuard):
				t.Fatal("Shutdown did not return")
			}
			if n := handlers.Load(); n != 0 {
				t.Errorf("%d handlers still running after Shutdown returned", n)
			}
		})
	}
}

// TestShutdownCutsOff: a Shutdown whose context ends first returns its
// error and closes the HTTP/2 connection under a stream that ignores the
// notice: the server waited for it.
func TestShutdownCutsOff(t *testing.T) {
	entered := make(chan struct{})
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
			w.WriteString("x")
			w.Flush()
			close(entered)
			<-req.Context().Done()
			return req.Context().Err()
		}}
	})}
	ts := start(t, srv, nil, true)
	resp, err := ts.client(t, false).Get(ts.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled: an HTTP/2 stream was running", err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the stream ended cleanly, want it cut off")
	}
}

// TestStreamFlushes: each Flush of a Stream reaches an HTTP/2 client
// before the next part is written.
func TestStreamFlushes(t *testing.T) {
	next := make(chan struct{})
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
			for i := range 3 {
				fmt.Fprintf(w, "event %d\n", i)
				if err := w.Flush(); err != nil {
					return err
				}
				<-next
			}
			return nil
		}}
	})}
	ts := start(t, srv, nil, true)
	resp, err := ts.client(t, false).Get(ts.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if want := fmt.Sprintf("event %d\n", i); line != want || err != nil {
			t.Fatalf("got %q (%v), want %q", line, err, want)
		}
		next <- struct{}{}
	}
}

// TestAccessLog: HTTP/2 requests are reported to Server.AccessLog like
// HTTP/1 ones, with Proto telling them apart.
func TestAccessLog(t *testing.T) {
	var mu sync.Mutex
	var entries []string
	var bytesIn []int64
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			io.Copy(io.Discard, req.Body)
			return &httpserver.Response{StatusCode: 200, Message: "hello"}
		}),
		AccessLog: func(e httpserver.AccessEntry) {
			mu.Lock()
			defer mu.Unlock()
			entries = append(entries, fmt.Sprintf("%s %s %s %d %d %s", Proto(e.Request), e.Request.Verb, e.Request.Path, e.Status, e.Bytes, e.RemoteIP))
			bytesIn = append(bytesIn, e.BytesIn)
		},
	}
	ts := start(t, srv, nil, true)
	h2c := ts.client(t, false)
	get(t, h2c, ts.url("/a"))
	get(t, ts.client(t, true), ts.url("/b"))
	resp, err := h2c.Post(ts.url("/c"), "text/plain", strings.NewReader("hello world"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ts.srv.Shutdown(context.Background()) // every entry is in
	mu.Lock()
	defer mu.Unlock()
	want := []string{"HTTP/2.0 GET /a 200 5 127.0.0.1", "HTTP/1.1 GET /b 200 5 127.0.0.1", "HTTP/2.0 POST /c 200 5 127.0.0.1"}
	// Go's HTTP/2 client sends :authority, :method, :path, :scheme,
	// accept-encoding and user-agent (and for the POST content-type and
	// content-length); each field counts 32 octets more (RFC 9113
	// section 6.5.2), and the body read counts as it is.
	common := len(":authority"+ts.addr) + len(":scheme"+"https") + len("accept-encoding"+"gzip") + len("user-agent"+"Go-http-client/2.0")
	wantIn := []int64{
		int64(common + len(":method"+"GET") + len(":path"+"/a") + 6*32),
		int64(common + len(":method"+"POST") + len(":path"+"/c") + len("content-type"+"text/plain") + len("content-length"+"11") + 8*32 + len("hello world")),
	}
	if len(bytesIn) == 3 && (bytesIn[0] != wantIn[0] || bytesIn[2] != wantIn[1]) {
		t.Errorf("HTTP/2 BytesIn = %d and %d, want the header list's size (and the body), %d and %d", bytesIn[0], bytesIn[2], wantIn[0], wantIn[1])
	}
	if strings.Join(entries, "\n") != strings.Join(want, "\n") {
		t.Errorf("access log:\n%s\nwant:\n%s", strings.Join(entries, "\n"), strings.Join(want, "\n"))
	}
}

// TestRapidReset (CVE-2023-44487): a client that opens streams and
// resets them at once, a thousand times, never has more handlers running
// than MaxConcurrentStreams, and the server keeps serving others.
func TestRapidReset(t *testing.T) {
	const maxStreams = 10
	var running, peak atomic.Int32
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		if req.Path == "/ok" {
			return &httpserver.Response{StatusCode: 200, Message: "ok"}
		}
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-req.Context().Done() // canceled by the reset
		return &httpserver.Response{StatusCode: 200}
	})}
	ts := start(t, srv, &Config{MaxConcurrentStreams: maxStreams}, true)
	tc, fr := dialH2(t, ts)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", ts.addr}, {":path", "/slow"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	// Read (and discard) what the server sends while we flood it, so
	// that its writes never block on us.
	readDone := make(chan error, 1)
	go func() {
		for {
			if _, err := fr.ReadFrame(); err != nil {
				readDone <- err
				return
			}
		}
	}()
	for i := uint32(0); i < 1000; i++ {
		id := 2*i + 1
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
			break // the server may end the connection (ENHANCE_YOUR_CALM)
		}
		if err := fr.WriteRSTStream(id, http2.ErrCodeCancel); err != nil {
			break
		}
	}
	tc.Close()
	<-readDone
	if p := peak.Load(); p > maxStreams {
		t.Errorf("%d handlers ran at once, want at most MaxConcurrentStreams (%d)", p, maxStreams)
	}
	if _, body := get(t, ts.client(t, false), ts.url("/ok")); body != "ok" {
		t.Errorf("after the flood: got %q, want \"ok\"", body)
	}
}

// TestSlowReader: a client that grants no flow-control window and so
// never takes the body holds its stream only for WriteTimeout: the
// handler's write fails, and nothing beyond the window is buffered.
func TestSlowReader(t *testing.T) {
	writeErr := make(chan error, 1)
	var written atomic.Int64
	srv := &httpserver.Server{
		WriteTimeout: 100 * time.Millisecond, // how long the stuck write waits; no assertion on time
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
				chunk := make([]byte, 1<<10)
				for {
					if _, err := w.Write(chunk); err != nil {
						writeErr <- err
						return err
					}
					if err := w.Flush(); err != nil {
						writeErr <- err
						return err
					}
					written.Add(int64(len(chunk)))
				}
			}}
		}),
	}
	ts := start(t, srv, nil, true)
	_, fr := dialH2(t, ts)
	fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 4 << 10})
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", ts.addr}, {":path", "/"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	go func() {
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
				fr.WriteSettingsAck()
			}
		}
	}()
	select {
	case err := <-writeErr:
		if err == nil {
			t.Error("write succeeded")
		}
	case <-time.After(hangGuard):
		t.Fatalf("the handler's write never failed (%d bytes written)", written.Load())
	}
	// The stream window (4 KiB) and the writer's buffer: not the body.
	if n := written.Load(); n > 64<<10 {
		t.Errorf("%d bytes written for a client that takes none, want at most the window and a buffer", n)
	}
}

// TestSettings: the server advertises the limits of its Config and of
// the Server (the header list from MaxHeaderBytes) in its SETTINGS, and
// refuses a header block over the list size.
func TestSettings(t *testing.T) {
	srv := &httpserver.Server{MaxHeaderBytes: 4 << 10, Handler: echoHandler(nil)}
	ts := start(t, srv, nil, true)
	_, fr := dialH2(t, ts)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	f, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	sf, ok := f.(*http2.SettingsFrame)
	if !ok {
		t.Fatalf("first frame %v, want SETTINGS", f)
	}
	got := map[http2.SettingID]uint32{}
	sf.ForeachSetting(func(s http2.Setting) error { got[s.ID] = s.Val; return nil })
	want := map[http2.SettingID]uint32{
		http2.SettingMaxConcurrentStreams: DefaultMaxConcurrentStreams,
		http2.SettingMaxFrameSize:         DefaultMaxReadFrameSize,
		http2.SettingInitialWindowSize:    DefaultMaxUploadBufferPerStream,
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%v = %d, want %d", id, got[id], v)
		}
	}
	// x/net/http2 adds room for the per-field overhead of 32 bytes
	// (RFC 9113 §6.5.2) to the head's bytes.
	if l := got[http2.SettingMaxHeaderListSize]; l < 4<<10 || l > 8<<10 {
		t.Errorf("MAX_HEADER_LIST_SIZE = %d, want MaxHeaderBytes (4096) plus field overhead", l)
	}

	// A header block larger than that is refused: 431, or the stream or
	// the connection ended.
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", ts.addr}, {":path", "/"}, {"x-big", strings.Repeat("b", 12<<10)}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteSettingsAck()
	block := hb.Bytes()
	first := block[:8<<10]
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: first, EndStream: true})
	for rest := block[len(first):]; len(rest) > 0; {
		n := min(len(rest), 8<<10)
		fr.WriteContinuation(1, n == len(rest), rest[:n])
		rest = rest[n:]
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return // the connection ended
		}
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			if s := f.PseudoValue("status"); s != "431" {
				t.Errorf("status %s for a header list over the limit, want 431", s)
			}
			return
		case *http2.RSTStreamFrame, *http2.GoAwayFrame:
			return
		}
	}
}

// TestTrustedProxies: HTTP/2 requests from a trusted proxy get the
// client its X-Forwarded-For names, as HTTP/1 ones do; from an untrusted
// one, the field is ignored.
func TestTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		trusted    string
		wantClient string
	}{
		{"127.0.0.0/8", "203.0.113.7"},
		{"10.0.0.0/8", "127.0.0.1"},
	} {
		t.Run(tt.trusted, func(t *testing.T) {
			got := make(chan string, 1)
			srv := &httpserver.Server{
				TrustedProxies: []netip.Prefix{netip.MustParsePrefix(tt.trusted)},
				Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
					ip, _ := req.Client()
					got <- ip + " " + req.Scheme()
					return &httpserver.Response{StatusCode: 200}
				}),
			}
			ts := start(t, srv, nil, true)
			req, _ := http.NewRequest("GET", ts.url("/"), nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			resp, err := ts.client(t, false).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				t.Fatalf("answered over %s", resp.Proto)
			}
			if s, want := <-got, tt.wantClient+" https"; s != want {
				t.Errorf("handler saw %q, want %q", s, want)
			}
		})
	}
}
