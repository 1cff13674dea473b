package compress

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
)

// serve runs h on a Server on 127.0.0.1:0 until the test ends and
// returns its address.
func serve(t *testing.T, h httpserver.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpserver.Server{Handler: h}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return l.Addr().String()
}

// open sends a GET for path with Accept-Encoding accept on a new
// connection and returns the response, its body not yet read. The
// connection has a deadline, so that a test that goes wrong fails
// instead of hanging; nothing waits for it to pass.
func open(t *testing.T, addr, path, accept string) (*http.Response, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nAccept-Encoding: %s\r\n\r\n", path, accept)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp, conn
}

// events is a server-sent event stream that writes event i, flushes,
// and writes event i+1 only once the client has said (on ack) that it
// decoded event i: a client that gets each event proves it was
// decodable on its own, before anything after it existed.
func events(n int, ack <-chan struct{}) httpserver.Handler {
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
			for i := range n {
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", i, event(i))
				if err := w.Flush(); err != nil {
					return err
				}
				select {
				case <-ack:
				case <-req.Context().Done():
					return req.Context().Err()
				}
			}
			return nil
		}}
		r.Headers.Set("Content-Type", "text/event-stream")
		r.Headers.Set("Cache-Control", "no-cache")
		return r
	})
}

func event(i int) string { return fmt.Sprintf("event number %d says %s", i, strings.Repeat("ha", i%7)) }

// readEvents decodes the body event by event, acknowledging each, and
// returns the decoded rest.
func readEvents(t *testing.T, resp *http.Response, n int, ack chan<- struct{}) io.Reader {
	t.Helper()
	coding := resp.Header.Get("Content-Encoding")
	dec, err := decoder(coding, resp.Body)
	if err != nil {
		t.Fatalf("%s decoder: %v", coding, err)
	}
	lines := bufio.NewReader(dec)
	for i := range n {
		var got string
		for !strings.HasSuffix(got, "\n\n") {
			line, err := lines.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: event %d: %v after %q", coding, i, err, got+line)
			}
			got += line
		}
		if want := fmt.Sprintf("id: %d\ndata: %s\n\n", i, event(i)); got != want {
			t.Fatalf("%s: event %d is %q, want %q", coding, i, got, want)
		}
		ack <- struct{}{}
	}
	return lines
}

// TestEventStream: an Endless Stream's events reach the client one by
// one, each decodable before the next is written, for each coding.
func TestEventStream(t *testing.T) {
	for _, coding := range codings {
		t.Run(coding, func(t *testing.T) {
			ack := make(chan struct{})
			addr := serve(t, Handler(events(20, ack), nil))
			resp, _ := open(t, addr, "/events", coding)
			if resp.Header.Get("Content-Encoding") != coding || resp.Header.Get("Vary") != "Accept-Encoding" ||
				resp.ContentLength != -1 || resp.TransferEncoding == nil {
				t.Fatalf("head: %v %v (length %d, %v)", resp.Status, resp.Header, resp.ContentLength, resp.TransferEncoding)
			}
			rest := readEvents(t, resp, 20, ack)
			// The end: the encoder's last block, then the last chunk.
			if b, err := io.ReadAll(rest); err != nil || len(b) != 0 {
				t.Errorf("after the events: %q, %v", b, err)
			}
		})
	}
}

// TestEventStreamFromHTTP: the same through a net/http handler that
// flushes (nethttp.FromHTTP), whose head is judged at its first Flush.
func TestEventStreamFromHTTP(t *testing.T) {
	for _, coding := range codings {
		t.Run(coding, func(t *testing.T) {
			ack := make(chan struct{})
			sse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				for i := range 10 {
					fmt.Fprintf(w, "id: %d\ndata: %s\n\n", i, event(i))
					w.(http.Flusher).Flush()
					select {
					case <-ack:
					case <-r.Context().Done():
						return
					}
				}
			})
			addr := serve(t, Handler(nethttp.FromHTTP(sse), nil))
			resp, _ := open(t, addr, "/", coding)
			if resp.Header.Get("Content-Encoding") != coding || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("head: %v %v", resp.Status, resp.Header)
			}
			readEvents(t, resp, 10, ack)
		})
	}
}

// TestFromHTTP: net/http handlers through nethttp.FromHTTP, compressed,
// with net/http's own conditional requests (ServeContent).
func TestFromHTTP(t *testing.T) {
	body := page(20000)
	mod := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "[%q", body)
		fmt.Fprint(w, "]")
	})
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"c1"`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "", mod, strings.NewReader(body))
	})
	addr := serve(t, Handler(nethttp.FromHTTP(mux), nil))

	for _, coding := range codings {
		resp, _ := open(t, addr, "/json", coding)
		got, err := io.ReadAll(must(decoder(coding, resp.Body)))
		if err != nil || string(got) != fmt.Sprintf("[%q]", body) || resp.Header.Get("Content-Encoding") != coding {
			t.Errorf("/json, %s: %s %v, %d bytes, %v", coding, resp.Status, resp.Header, len(got), err)
		}
		resp, _ = open(t, addr, "/content", coding)
		got, err = io.ReadAll(must(decoder(coding, resp.Body)))
		if err != nil || string(got) != body || resp.Header.Get("ETag") != `"c1-`+coding+`"` || resp.Header.Get("Accept-Ranges") != "" {
			t.Errorf("/content, %s: %s %v, %d bytes, %v", coding, resp.Status, resp.Header, len(got), err)
		}
	}

	// net/http's 304, with the compressed tag.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprint(conn, "GET /content HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: \"c1-gzip\"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 304 || resp.Header.Get("ETag") != `"c1-gzip"` || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("If-None-Match \"c1-gzip\": %s %v", resp.Status, resp.Header)
	}
}

func must(r io.Reader, err error) io.Reader {
	if err != nil {
		panic(err)
	}
	return r
}

// TestHijackThrough: a 101 and a hijack through compress on a real
// server: the bytes after the head are the Stream's, as written.
func TestHijackThrough(t *testing.T) {
	h := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Upgrade", "echo")
			w.Header().Set("Connection", "upgrade")
			w.WriteHeader(101)
			conn, rw, err := w.Hijack()
			if err != nil {
				return err
			}
			defer conn.Close()
			if len(rw) > 0 {
				conn.Write(rw)
			}
			io.Copy(conn, conn)
			return nil
		}}
	})
	addr := serve(t, Handler(h, nil))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
		t.Fatalf("head: %s %v", resp.Status, resp.Header)
	}
	const msg = "raw bytes, not gzip\n"
	fmt.Fprint(conn, msg)
	if got, err := br.ReadString('\n'); got != msg || err != nil {
		t.Errorf("echo: %q, %v; want %q", got, err, msg)
	}
}

// TestBoundedMemory streams a large body that compresses little
// (base64 of random bytes) through a real server to a client that
// decodes it as it comes, and checks, halfway through, that the heap
// holds nowhere near the body: the encoder, the windows, and no more.
func TestBoundedMemory(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("slow under the race detector; -short")
	}
	const total, part = 32 << 20, 32 << 10
	chunk := make([]byte, part*3/4)
	rand.Read(chunk)
	text := base64.StdEncoding.EncodeToString(chunk)[:part-1] + "\n"
	var before, mid runtime.MemStats
	h := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			for n := 0; n < total; n += part {
				if _, err := w.WriteString(text); err != nil {
					return err
				}
				if n == total/2 {
					runtime.GC()
					runtime.ReadMemStats(&mid)
				}
			}
			return nil
		}}
		r.Headers.Set("Content-Type", "text/plain")
		return r
	})
	addr := serve(t, Handler(h, nil))
	for _, coding := range codings {
		runtime.GC()
		runtime.ReadMemStats(&before)
		resp, _ := open(t, addr, "/", coding)
		n, err := io.Copy(io.Discard, must(decoder(coding, resp.Body)))
		if err != nil || n != total {
			t.Fatalf("%s: decoded %d bytes, %v; want %d", coding, n, err, total)
		}
		grown := int64(mid.HeapAlloc) - int64(before.HeapAlloc)
		t.Logf("%s: heap %+d KB halfway through a %d MB body", coding, grown>>10, total>>20)
		if grown > 8<<20 {
			t.Errorf("%s: heap grew by %d MB halfway through a %d MB body", coding, grown>>20, total>>20)
		}
	}
}

// TestEventStreamBody: an Endless Body (a live feed read from a pipe)
// reaches the client part by part too: each read is flushed through the
// encoder.
func TestEventStreamBody(t *testing.T) {
	for _, coding := range codings {
		t.Run(coding, func(t *testing.T) {
			ack := make(chan struct{})
			h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
				pr, pw := io.Pipe()
				go func() {
					for i := range 10 {
						fmt.Fprintf(pw, "id: %d\ndata: %s\n\n", i, event(i))
						select {
						case <-ack:
						case <-req.Context().Done():
							pw.CloseWithError(req.Context().Err())
							return
						}
					}
					pw.Close()
				}()
				r := &httpserver.Response{StatusCode: 200, Endless: true, Body: pr}
				r.Headers.Set("Content-Type", "text/event-stream")
				return r
			})
			addr := serve(t, Handler(h, nil))
			resp, _ := open(t, addr, "/", coding)
			if resp.Header.Get("Content-Encoding") != coding {
				t.Fatalf("head: %v %v", resp.Status, resp.Header)
			}
			rest := readEvents(t, resp, 10, ack)
			if b, err := io.ReadAll(rest); err != nil || len(b) != 0 {
				t.Errorf("after the events: %q, %v", b, err)
			}
		})
	}
}
