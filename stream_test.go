package httpserver

// End-to-end tests of what a Stream may do besides writing a body: decide
// the head at its first write (StreamWriter.Header, WriteHeader), send
// interim 1xx answers and trailers, open tunnels and take the connection
// (Hijack), set its own deadlines, read the request body as it writes
// (full duplex); and of the request side that goes with it (body limits,
// the shutdown notice). Each runs in every mode unless it says why not;
// the pure decisions (isTunnel, appendHead's kinds) are tested without
// sockets at the end.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver/internal/bridge"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// pastDeadline is a deadline already in the past: whatever it
// bounds fails at once, whatever the machine's load.
var pastDeadline = time.Unix(1, 0)

// readHeadBytes reads one response head as it is on the wire, up to and
// including the blank line.
func readHeadBytes(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" {
			return b.String(), nil
		}
	}
}

// readChunkedTrailers reads a chunked body and the trailer section after
// it (readRawBody refuses trailers): the body and the trailer lines as
// they were on the wire.
func readChunkedTrailers(br *bufio.Reader) (body string, trailers []string, err error) {
	var b strings.Builder
	for {
		line, err := readCRLF(br)
		if err != nil {
			return b.String(), nil, err
		}
		n, err := strconv.ParseInt(line, 16, 64)
		if err != nil || n < 0 {
			return b.String(), nil, fmt.Errorf("malformed chunk size line %q", line)
		}
		if n == 0 {
			break
		}
		if _, err := io.CopyN(&b, br, n); err != nil {
			return b.String(), nil, err
		}
		if line, err := readCRLF(br); err != nil || line != "" {
			return b.String(), nil, fmt.Errorf("chunk data not followed by CRLF (%q, %v)", line, err)
		}
	}
	for {
		line, err := readCRLF(br)
		if err != nil {
			return b.String(), trailers, err
		}
		if line == "" {
			return b.String(), trailers, nil
		}
		trailers = append(trailers, line)
	}
}

// chunked returns a chunked body of n chunks of size bytes each.
func chunked(n, size int) string {
	var b strings.Builder
	for range n {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", size, strings.Repeat("c", size))
	}
	return b.String() + "0\r\n\r\n"
}

// streamServer serves the Streams of this file's tests by path, with a
// small write window so that "longer than the window" is cheap.
func streamServer(t *testing.T, m mode, srv *Server, streams map[string]func(req *Request, w *StreamWriter) error) *e2eServer {
	t.Helper()
	if srv.WriteBufferSize == 0 {
		srv.WriteBufferSize = framingWindow
	}
	if srv.Handler == nil {
		srv.Handler = HandlerFunc(func(req *Request) *Response {
			f, ok := streams[req.Path]
			if !ok {
				return &Response{StatusCode: 404}
			}
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return f(req, w) }}
		})
	}
	return m.start(t, srv)
}

// TestStreamHeadAtFirstWrite: a Stream may change the status and fields
// until its first write that cannot be held back; they are checked then,
// and a fault is answered with 500 and logged.
func TestStreamHeadAtFirstWrite(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		sentEarly := make(chan bool, 1)
		ts := streamServer(t, m, &Server{}, map[string]func(*Request, *StreamWriter) error{
			"/created-short": func(_ *Request, w *StreamWriter) error {
				w.WriteHeader(201)
				w.Header().Set("X-Late", "yes")
				if _, err := w.WriteString("short"); err != nil {
					return err
				}
				sentEarly <- w.HeadSent()
				return nil
			},
			"/created-long": func(_ *Request, w *StreamWriter) error {
				w.WriteHeader(201)
				w.Header().Set("X-Late", "yes")
				return writeParts(w, framingLong, 1000, false)
			},
			"/after-flush": func(_ *Request, w *StreamWriter) error {
				w.WriteString("a")
				if err := w.Flush(); err != nil {
					return err
				}
				w.WriteHeader(404)
				w.Header().Set("X-After", "flush")
				_, err := w.WriteString("b")
				return err
			},
			"/bad-name": func(_ *Request, w *StreamWriter) error {
				w.Header().Set("Bad Name", "v")
				_, err := w.WriteString("x")
				return err
			},
			"/bad-value": func(_ *Request, w *StreamWriter) error {
				w.Header().Set("X-Bad", "a\r\nInjected: yes")
				return w.Flush()
			},
			"/status-99": func(_ *Request, w *StreamWriter) error {
				w.WriteHeader(99)
				_, err := w.WriteString("x")
				return err
			},
			"/status-600": func(_ *Request, w *StreamWriter) error {
				w.WriteHeader(600)
				return nil
			},
			"/declared": func(_ *Request, w *StreamWriter) error {
				w.Header().Set("Content-Length", "5")
				w.WriteHeader(202)
				_, err := w.WriteString("12345")
				return err
			},
			"/declared-flush": func(_ *Request, w *StreamWriter) error {
				w.Header().Set("Content-Length", "5")
				w.WriteString("12")
				if err := w.Flush(); err != nil {
					return err
				}
				_, err := w.WriteString("345")
				return err
			},
			"/fault-ignored": func(_ *Request, w *StreamWriter) error {
				// A Stream that ignores the fault its Flush reports, as
				// fmt.Fprintf users do, and writes on.
				w.Header().Set("Bad Name", "v")
				w.Flush()
				w.WriteString("more")
				return nil
			},
		})
		tests := []struct {
			path        string
			wantStatus  int
			wantField   string // "Name: value" that must be there, or ""
			wantFraming string
			wantBody    string
			wantFault   string // the fault logged, or ""
		}{
			{"/created-short", 201, "X-Late: yes", "length", "short", ""},
			{"/created-long", 201, "X-Late: yes", "chunked", framingLong, ""},
			{"/after-flush", 200, "", "chunked", "ab", ""},
			{"/declared", 202, "", "length", "12345", ""},
			{"/declared-flush", 200, "", "length", "12345", ""},
			{"/bad-name", 500, "", "length", "Internal Server Error\n", `invalid header name \"Bad Name\"`},
			{"/bad-value", 500, "", "length", "Internal Server Error\n", "invalid value for header X-Bad"},
			{"/status-99", 500, "", "length", "Internal Server Error\n", "status code 99 outside 100..599"},
			{"/status-600", 500, "", "length", "Internal Server Error\n", "status code 600 outside 100..599"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
				if r.Status != tt.wantStatus || r.Framing != tt.wantFraming || string(r.Body) != tt.wantBody {
					t.Errorf("got %d, %s, %q; want %d, %s, %q", r.Status, r.Framing, abbrev(string(r.Body)), tt.wantStatus, tt.wantFraming, abbrev(tt.wantBody))
				}
				if tt.wantField != "" {
					name, value, _ := strings.Cut(tt.wantField, ": ")
					if got, _ := r.get(name); got != value {
						t.Errorf("%s: got %q, want %q", name, got, value)
					}
				}
				if r.Headers.Has("X-After") {
					t.Errorf("got X-After, set after the head went; want none")
				}
				if tt.wantFault == "" {
					return
				}
				rc.expectClosed() // after a handler fault, the connection closes
				if logs := ts.logs.String(); !strings.Contains(logs, "invalid response from handler") || !strings.Contains(logs, tt.wantFault) {
					t.Errorf("log: got %q, want the fault %q", logs, tt.wantFault)
				}
			})
		}
		if early := recvWithin(t, sentEarly, "the /created-short Stream"); early {
			t.Errorf("HeadSent after a short write: got true, want false (the head waits for the Stream's return)")
		}

		t.Run("fault ignored by the Stream", func(t *testing.T) {
			// A chunked response first, so that an encoder left in its
			// state would append a last chunk after the 500.
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("GET /created-long HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Framing != "chunked" {
				t.Fatalf("first response: got %s, want chunked", r.Framing)
			}
			r := rc.roundTrip("GET /fault-ignored HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			if r.Status != 500 {
				t.Errorf("got %d, want 500", r.Status)
			}
			rc.expectClosed()
		})

		t.Run("net/http client", func(t *testing.T) {
			resp, err := newHTTPClient(t).Get(ts.url("/created-short"))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 201 || resp.Header.Get("X-Late") != "yes" || resp.ContentLength != 5 || string(body) != "short" {
				t.Errorf("got %d, X-Late %q, Content-Length %d, %q; want 201, yes, 5, \"short\"",
					resp.StatusCode, resp.Header.Get("X-Late"), resp.ContentLength, body)
			}
			<-sentEarly
		})
	})
}

// earlyHints is the head of the 103 the /early Stream sends, byte for
// byte: no Date, no framing.
const earlyHints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"

// TestStreamInterim: WriteHeader(1xx) sends an interim answer at once
// with the fields as they are, to HTTP/1.1 clients only; 100 Continue
// goes once, whoever sends it.
func TestStreamInterim(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := streamServer(t, m, &Server{}, map[string]func(*Request, *StreamWriter) error{
			"/early": func(_ *Request, w *StreamWriter) error {
				w.Header().Set("Link", "</style.css>; rel=preload")
				w.WriteHeader(103)
				_, err := w.WriteString("body")
				return err
			},
			"/continue": func(req *Request, w *StreamWriter) error {
				w.WriteHeader(100)
				w.WriteHeader(100)
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				_, err = w.Write(b)
				return err
			},
		})

		t.Run("raw bytes", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("GET /early HTTP/1.1\r\nHost: h\r\n\r\n")
			head, err := readHeadBytes(rc.br)
			if err != nil || head != earlyHints {
				t.Fatalf("interim head: got %q (%v), want %q", head, err, earlyHints)
			}
			r := rc.response("GET")
			if link, _ := r.get("Link"); r.Status != 200 || link != "</style.css>; rel=preload" || r.Framing != "length" || string(r.Body) != "body" {
				t.Errorf("final response: got %d, Link %q, %s, %q; want 200 with the Link field, length, \"body\"", r.Status, link, r.Framing, r.Body)
			}
		})

		t.Run("HTTP/1.0 gets no 1xx", func(t *testing.T) {
			rc := ts.dialRaw(t)
			r := rc.roundTrip("GET /early HTTP/1.0\r\n\r\n", "GET")
			if r.Status != 200 || string(r.Body) != "body" {
				t.Errorf("first response: got %d %q, want the final 200 \"body\"", r.Status, r.Body)
			}
		})

		t.Run("net/http client", func(t *testing.T) {
			var got []string
			trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
				got = append(got, strconv.Itoa(code)+" "+h.Get("Link"))
				return nil
			}}
			req, _ := http.NewRequest("GET", ts.url("/early"), nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			resp, err := newHTTPClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "103 </style.css>; rel=preload"; len(got) != 1 || got[0] != want {
				t.Errorf("interim responses: got %q, want [%q]", got, want)
			}
			if resp.StatusCode != 200 || string(body) != "body" {
				t.Errorf("got %d %q, want 200 \"body\"", resp.StatusCode, body)
			}
		})

		t.Run("100 Continue once", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /continue HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
			if head, err := readHeadBytes(rc.br); err != nil || head != continueLine {
				t.Fatalf("interim head: got %q (%v), want %q", head, err, continueLine)
			}
			rc.send("data")
			// A second 100 (from the second WriteHeader, or from the
			// body's first read) would be the next head.
			r := rc.response("POST")
			if r.Status != 200 || string(r.Body) != "data" {
				t.Errorf("got %d %q, want 200 \"data\" right after the only 100", r.Status, r.Body)
			}
			// The Stream read the whole body before its head went: the
			// connection is kept, though the handler had returned
			// without reading it.
			if c, _ := r.get("Connection"); c != "" {
				t.Errorf("Connection: got %q, want none (kept alive)", c)
			}
			rc.send("POST /continue HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok")
			if head, err := readHeadBytes(rc.br); err != nil || head != continueLine {
				t.Fatalf("next request's interim head: got %q (%v), want %q", head, err, continueLine)
			}
			if r := rc.response("POST"); string(r.Body) != "ok" {
				t.Errorf("next request: got %q, want \"ok\"", r.Body)
			}
		})
	})
}

// TestStreamTrailers: a "Trailer" field makes the body chunked to an
// HTTP/1.1 client, so that the trailers set after it can follow;
// disallowed ones are dropped; an HTTP/1.0 client gets none.
func TestStreamTrailers(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		stream := func(flush bool) func(*StreamWriter) error {
			return func(w *StreamWriter) error {
				if _, err := w.WriteString("abc"); err != nil {
					return err
				}
				if flush {
					if err := w.Flush(); err != nil {
						return err
					}
				}
				w.Trailer().Set("X-Sum", "sum-of-abc")
				w.Trailer().Set("Content-Length", "3")
				return nil
			}
		}
		ts := m.start(t, &Server{Handler: HandlerFunc(func(req *Request) *Response {
			resp := &Response{StatusCode: 200, Stream: stream(req.Path == "/flush")}
			resp.Headers.Set("Trailer", "X-Sum")
			return resp
		})})

		t.Run("raw bytes", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			r, err := readRawHead(rc.br)
			if err != nil {
				t.Fatal(err)
			}
			if te, _ := r.get("Transfer-Encoding"); te != "chunked" || r.Headers.Has("Content-Length") {
				t.Errorf("framing: got Transfer-Encoding %q, Content-Length %v; want chunked, none", te, r.Headers.Has("Content-Length"))
			}
			if tr, _ := r.get("Trailer"); tr != "X-Sum" {
				t.Errorf("Trailer: got %q, want \"X-Sum\"", tr)
			}
			body, trailers, err := readChunkedTrailers(rc.br)
			if err != nil || body != "abc" || strings.Join(trailers, "|") != "X-Sum: sum-of-abc" {
				t.Errorf("got %q, trailers %q (%v); want \"abc\", [X-Sum: sum-of-abc]", body, trailers, err)
			}
			if logs := ts.logs.String(); !strings.Contains(logs, "trailer field dropped") || !strings.Contains(logs, "field=Content-Length") {
				t.Errorf("log: got %q, want the dropped Content-Length trailer", logs)
			}
			// The connection is kept: the trailer section ended the
			// response where its framing said.
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			if r, err := readRawHead(rc.br); err != nil || r.Status != 200 {
				t.Fatalf("next request: got %v (%v), want 200", r, err)
			}
			if body, _, err := readChunkedTrailers(rc.br); err != nil || body != "abc" {
				t.Errorf("next request: got %q (%v), want \"abc\"", body, err)
			}
		})

		t.Run("net/http client", func(t *testing.T) {
			resp, err := newHTTPClient(t).Get(ts.url("/"))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(body) != "abc" {
				t.Fatalf("got %q (%v), want \"abc\"", body, err)
			}
			if got := resp.Trailer.Get("X-Sum"); got != "sum-of-abc" || resp.Trailer.Get("Content-Length") != "" {
				t.Errorf("trailers: got %v, want X-Sum: sum-of-abc alone", resp.Trailer)
			}
		})

		t.Run("HTTP/1.0", func(t *testing.T) {
			tests := []struct {
				path        string
				wantFraming string
			}{
				// A body whose length is unknown goes close-delimited,
				// one that fits with a Content-Length: no trailers either
				// way, and no reason to give up the length.
				{"/flush", "close"},
				{"/", "length"},
			}
			for _, tt := range tests {
				t.Run(tt.path, func(t *testing.T) {
					rc := ts.dialRaw(t)
					r := rc.roundTrip("GET "+tt.path+" HTTP/1.0\r\n\r\n", "GET")
					if r.Proto != "HTTP/1.0" || r.Framing != tt.wantFraming || string(r.Body) != "abc" {
						t.Errorf("got %s, %s, %q; want HTTP/1.0, %s, \"abc\" without trailers", r.Proto, r.Framing, r.Body, tt.wantFraming)
					}
				})
			}
		})
	})
}

// hijackReport is what a Stream saw after Hijack.
type hijackReport struct {
	rest                         string
	writeErr, flushErr, bodyErr  error
	deadlineErr, secondHijackErr error
	headSent                     bool
}

// echoHijacked writes "rest=" and the bytes Hijack returned, then echoes
// what the client sends until it closes.
func echoHijacked(nc net.Conn, rest []byte) error {
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(hangGuard))
	if _, err := fmt.Fprintf(nc, "rest=%s\n", rest); err != nil {
		return err
	}
	_, err := io.Copy(nc, nc)
	return err
}

// upgradeRequest asks to switch to the "echo" protocol, and pipelines
// bytes of it behind its head.
const upgradeRequest = "GET /echo HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly"

// checkEcho checks that rc, hijacked by echoHijacked, echoes.
func checkEcho(t *testing.T, rc *rawClient, wantRest string) {
	t.Helper()
	if line, err := rc.br.ReadString('\n'); err != nil || line != "rest="+wantRest+"\n" {
		t.Fatalf("first tunnel line: got %q (%v), want %q", line, err, "rest="+wantRest+"\n")
	}
	rc.send("ping\n")
	if line, err := rc.br.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo: got %q (%v), want \"ping\\n\"", line, err)
	}
	if err := closeWrite(rc.nc); err != nil {
		t.Fatal(err)
	}
	rc.expectClosed()
}

// TestStreamUpgrade: a 101 to a request with Upgrade goes out without
// framing, with the handler's Connection field; the Stream takes the
// connection with Hijack, with the bytes the client pipelined.
func TestStreamUpgrade(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		reports := make(chan hijackReport, 1)
		ts := m.start(t, &Server{Handler: HandlerFunc(func(req *Request) *Response {
			switch req.Path {
			case "/no-stream":
				return &Response{StatusCode: 101}
			case "/switch":
				resp := &Response{StatusCode: 101, Stream: func(w *StreamWriter) error {
					nc, rest, err := w.Hijack()
					if err != nil {
						return err
					}
					return echoHijacked(nc, rest)
				}}
				for _, f := range [][2]string{{"Upgrade", req.Headers.Get("X-Up")}, {"Connection", req.Headers.Get("X-Conn")}} {
					if f[1] != "-" {
						resp.Headers.Set(f[0], f[1])
					}
				}
				return resp
			case "/returned-101":
				resp := &Response{StatusCode: 101, Stream: func(w *StreamWriter) error {
					nc, rest, err := w.Hijack()
					if err != nil {
						return err
					}
					return echoHijacked(nc, rest)
				}}
				resp.Headers.Set("Upgrade", "echo")
				resp.Headers.Set("Connection", "Upgrade")
				return resp
			case "/not-taken":
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					w.Header().Set("Upgrade", "echo")
					w.Header().Set("Connection", "Upgrade")
					w.WriteHeader(101)
					return nil
				}}
			}
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
				w.Header().Set("Upgrade", "echo")
				w.Header().Set("Connection", "Upgrade")
				w.WriteHeader(101)
				nc, rest, err := w.Hijack()
				if err != nil {
					return err
				}
				var rep hijackReport
				rep.rest = string(rest)
				_, rep.writeErr = w.WriteString("x")
				rep.flushErr = w.Flush()
				_, rep.bodyErr = req.Body.Read(make([]byte, 1))
				rep.deadlineErr = w.SetReadDeadline(pastDeadline)
				_, _, rep.secondHijackErr = w.Hijack()
				rep.headSent = w.HeadSent()
				reports <- rep
				return echoHijacked(nc, rest)
			}}
		})})

		t.Run("WriteHeader(101) and Hijack", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send(upgradeRequest)
			r, err := readRawHead(rc.br)
			if err != nil {
				t.Fatal(err)
			}
			conn, _ := r.get("Connection")
			up, _ := r.get("Upgrade")
			if r.Status != 101 || r.Reason != "Switching Protocols" || conn != "Upgrade" || up != "echo" || !r.Headers.Has("Date") {
				t.Errorf("head: got %d %s, Connection %q, Upgrade %q, Date %v; want 101 Switching Protocols, Upgrade, echo, a Date",
					r.Status, r.Reason, conn, up, r.Headers.Has("Date"))
			}
			if r.Headers.Has("Content-Length") || r.Headers.Has("Transfer-Encoding") {
				t.Errorf("head: got framing fields %q, want none", fieldsDump(&r.Headers))
			}
			rep := recvWithin(t, reports, "the Stream")
			if rep.rest != "early" {
				t.Errorf("Hijack's bytes: got %q, want the pipelined \"early\"", rep.rest)
			}
			for _, e := range []struct {
				what string
				err  error
			}{
				{"Write", rep.writeErr}, {"Flush", rep.flushErr}, {"Body.Read", rep.bodyErr},
				{"SetReadDeadline", rep.deadlineErr}, {"a second Hijack", rep.secondHijackErr},
			} {
				if !errors.Is(e.err, ErrHijacked) {
					t.Errorf("%s after Hijack: got %v, want ErrHijacked", e.what, e.err)
				}
			}
			if !rep.headSent {
				t.Errorf("HeadSent after Hijack: got false, want true")
			}
			checkEcho(t, rc, "early")
		})

		t.Run("Response with StatusCode 101", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send(strings.Replace(upgradeRequest, "/echo", "/returned-101", 1))
			if r, err := readRawHead(rc.br); err != nil || r.Status != 101 {
				t.Fatalf("head: got %v (%v), want 101", r, err)
			}
			checkEcho(t, rc, "early")
		})

		t.Run("tunnel not taken", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send(strings.Replace(upgradeRequest, "/echo", "/not-taken", 1))
			if r, err := readRawHead(rc.br); err != nil || r.Status != 101 {
				t.Fatalf("head: got %v (%v), want 101", r, err)
			}
			rc.expectClosed()
		})

		faults := []struct {
			name      string
			req       string
			wantFault string
		}{
			{"101 to a request without Upgrade", "GET /echo HTTP/1.1\r\nHost: h\r\n\r\n", "101 to a request without Upgrade"},
			{"101 to HTTP/1.0", "GET /echo HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n", "101 to a request without Upgrade"},
			{"Response 101 to a request without Upgrade", "GET /returned-101 HTTP/1.1\r\nHost: h\r\n\r\n", "101 to a request without Upgrade"},
			{"Response 101 without a Stream", strings.Replace(upgradeRequest, "/echo", "/no-stream", 1), "tunnel (101, or 2xx to CONNECT) without a Stream"},
			// The 101's own fields (switchFault): Upgrade and
			// Connection as the handler of /switch sets them from the
			// request's X-Up and X-Conn ("-" for none).
			{"101 without Upgrade", switchRequest("echo", "-", "Upgrade"), "101 without an Upgrade field naming the protocol"},
			{"101 with an empty Upgrade", switchRequest("echo", " , ", "Upgrade"), "101 without an Upgrade field naming the protocol"},
			{"101 to a protocol not offered", switchRequest("echo", "websocket", "Upgrade"), "101 to a protocol the request's Upgrade did not offer"},
			{"101 to one offered and one not", switchRequest("echo", "echo, websocket", "Upgrade"), "101 to a protocol the request's Upgrade did not offer"},
			{"101 without Connection", switchRequest("echo", "echo", "-"), "101 without the upgrade option in its Connection field"},
			{"101 with Connection but no upgrade", switchRequest("echo", "echo", "keep-alive"), "101 without the upgrade option in its Connection field"},
		}
		for _, tt := range faults {
			t.Run(tt.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "GET")
				if r.Status != 500 {
					t.Errorf("got %d, want 500", r.Status)
				}
				rc.expectClosed()
				if logs := ts.logs.String(); !strings.Contains(logs, tt.wantFault) {
					t.Errorf("log: got %q, want the fault %q", logs, tt.wantFault)
				}
			})
		}
	})
}

// switchRequest is an upgrade request to /switch (TestStreamUpgrade) that
// offers the protocols offer and asks the handler to answer 101 with
// Upgrade up and Connection conn ("-" for no field).
func switchRequest(offer, up, conn string) string {
	return "GET /switch HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: " + offer +
		"\r\nX-Up: " + up + "\r\nX-Conn: " + conn + "\r\n\r\n"
}

// TestStreamConnect: a 2xx to CONNECT opens a tunnel: a head without
// framing fields, then the connection is the Stream's.
func TestStreamConnect(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := m.serve(t, func(req *Request) *Response {
			if req.Verb != "CONNECT" || req.Host != "example.com:443" {
				return &Response{StatusCode: 400}
			}
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
				nc, rest, err := w.Hijack()
				if err != nil {
					return err
				}
				return echoHijacked(nc, rest)
			}}
		})
		rc := ts.dialRaw(t)
		rc.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nearly")
		r, err := readRawHead(rc.br)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != 200 {
			t.Errorf("got %d, want 200", r.Status)
		}
		for _, name := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
			if r.Headers.Has(name) {
				t.Errorf("head: got %s (%q), want no framing or Connection field in a tunnel's head", name, fieldsDump(&r.Headers))
			}
		}
		checkEcho(t, rc, "early")
	})
}

// TestStreamHijackForgotten: a hijacked connection is no longer the
// server's: it gives back its MaxConns slot, Shutdown does not wait for
// it, and the Stream's deadlines are cleared.
func TestStreamHijackForgotten(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		hijacked := make(chan struct{})
		release := make(chan struct{})
		streamDone := make(chan error, 1)
		srv := &Server{MaxConns: 1, Handler: HandlerFunc(func(req *Request) *Response {
			if req.Path != "/hijack" {
				return &Response{StatusCode: 200, Message: req.Path}
			}
			return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
				// Deadlines in the past: Hijack must clear them.
				w.SetReadDeadline(pastDeadline)
				w.SetWriteDeadline(pastDeadline)
				nc, _, err := w.Hijack()
				if err != nil {
					streamDone <- err
					return err
				}
				close(hijacked)
				<-release
				// The caller's own raw answer on the taken connection.
				_, err = io.WriteString(nc, "HTTP/1.1 299 Mine\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye")
				nc.Close()
				streamDone <- err
				return nil
			}}
		})}
		onShutdown := make(chan struct{})
		srv.RegisterOnShutdown(func() { close(onShutdown) })
		ts := m.start(t, srv)

		first := ts.dialRaw(t)
		first.send("GET /hijack HTTP/1.1\r\nHost: h\r\n\r\n")
		select {
		case <-hijacked:
		case err := <-streamDone:
			t.Fatalf("Hijack: %v", err)
		case <-time.After(hangGuard):
			t.Fatalf("timed out waiting for the Stream to hijack")
		}

		// The only MaxConns slot was given back at Hijack.
		second := ts.dialRaw(t)
		if r := second.roundTrip("GET /second HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); string(r.Body) != "/second" {
			t.Errorf("second connection: got %q, want \"/second\"", r.Body)
		}

		// Shutdown does not wait for the hijacked connection.
		shut := make(chan error, 1)
		go func() { shut <- srv.Shutdown(context.Background()) }()
		if err := recvWithin(t, shut, "Shutdown"); err != nil {
			t.Errorf("Shutdown: got %v, want nil", err)
		}
		recvWithin(t, onShutdown, "the RegisterOnShutdown function")

		// The connection is still the Stream's, its deadlines cleared.
		close(release)
		if err := recvWithin(t, streamDone, "the Stream"); err != nil {
			t.Errorf("writing on the hijacked connection: %v", err)
		}
		r := first.response("GET")
		if r.Status != 299 || string(r.Body) != "bye" {
			t.Errorf("got %d %q, want the Stream's own 299 \"bye\"", r.Status, r.Body)
		}
		first.expectClosed()
	})
}

// TestStreamHijackAfterWrite: Hijack sends what the Stream had written,
// head and all, before it hands the connection over.
func TestStreamHijackAfterWrite(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := streamServer(t, m, &Server{}, map[string]func(*Request, *StreamWriter) error{
			"/": func(_ *Request, w *StreamWriter) error {
				w.WriteString("abc")
				nc, _, err := w.Hijack()
				if err != nil {
					return err
				}
				defer nc.Close()
				_, err = io.WriteString(nc, "0\r\n\r\n") // the caller ends the chunked body
				return err
			},
		})
		rc := ts.dialRaw(t)
		r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
		if r.Status != 200 || r.Framing != "chunked" || string(r.Body) != "abc" {
			t.Errorf("got %d, %s, %q; want 200, chunked, \"abc\"", r.Status, r.Framing, r.Body)
		}
		rc.expectClosed()
	})
}

// TestStreamDeadlines: a Stream's own deadlines replace the server's
// timeouts for its request, and are reset when its response ends.
// Deadlines already in the past make every step deterministic.
func TestStreamDeadlines(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		errs := make(chan error, 1)
		started := make(chan struct{}, 1)
		ts := streamServer(t, m, &Server{}, map[string]func(*Request, *StreamWriter) error{
			"/write-deadline": func(_ *Request, w *StreamWriter) error {
				w.SetWriteDeadline(pastDeadline)
				w.WriteString("x")
				err := w.Flush()
				errs <- err
				return err
			},
			"/read-deadline": func(req *Request, w *StreamWriter) error {
				w.SetReadDeadline(pastDeadline)
				_, err := io.ReadAll(req.Body) // the client has not sent it
				errs <- err
				_, werr := w.WriteString("read failed")
				return werr
			},
			"/both-unused": func(_ *Request, w *StreamWriter) error {
				w.SetReadDeadline(pastDeadline)
				w.SetWriteDeadline(pastDeadline)
				_, err := w.WriteString("one") // held in the window: no socket write yet
				return err
			},
			"/restored": func(req *Request, w *StreamWriter) error {
				// The zero time gives the server's timeouts back.
				w.SetReadDeadline(pastDeadline)
				w.SetWriteDeadline(pastDeadline)
				w.SetReadDeadline(time.Time{})
				w.SetWriteDeadline(time.Time{})
				started <- struct{}{}
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				w.Write(b)
				return w.Flush()
			},
			"/read-body": func(req *Request, w *StreamWriter) error {
				started <- struct{}{}
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				_, err = w.Write(b)
				return err
			},
		})

		t.Run("write deadline in the past", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("GET /write-deadline HTTP/1.1\r\nHost: h\r\n\r\n")
			if err := recvWithin(t, errs, "the Stream"); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("Flush: got %v, want a timeout (os.ErrDeadlineExceeded)", err)
			}
			rc.expectClosed()
		})

		t.Run("read deadline in the past", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /read-deadline HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n")
			if err := recvWithin(t, errs, "the Stream"); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("Body read: got %v, want a timeout (os.ErrDeadlineExceeded)", err)
			}
			r := rc.response("POST")
			if c, _ := r.get("Connection"); r.Status != 200 || string(r.Body) != "read failed" || c != "close" {
				t.Errorf("got %d %q, Connection %q; want the Stream's 200 \"read failed\", close (the body cannot be resynchronised)", r.Status, r.Body, c)
			}
			rc.expectClosed()
		})

		t.Run("zero time restores the timeouts", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /restored HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")
			recvWithin(t, started, "the Stream")
			rc.send("abc") // read from the socket, after the Stream started
			if r := rc.response("POST"); r.Status != 200 || r.Framing != "chunked" || string(r.Body) != "abc" {
				t.Errorf("got %d, %s, %q; want 200, chunked, \"abc\"", r.Status, r.Framing, r.Body)
			}
		})

		t.Run("reset for the next request", func(t *testing.T) {
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("GET /both-unused HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 200 || string(r.Body) != "one" {
				t.Fatalf("first response: got %d %q, want 200 \"one\"", r.Status, r.Body)
			}
			// The next request's body is read from the socket, after its
			// Stream has started: a read deadline left in the past would
			// fail it.
			rc.send("POST /read-body HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")
			recvWithin(t, started, "the second Stream")
			rc.send("two")
			if r := rc.response("POST"); r.Status != 200 || string(r.Body) != "two" {
				t.Errorf("second response: got %d %q, want 200 \"two\"", r.Status, r.Body)
			}
		})
	})
}

// TestStreamBodyLimit: a handler may raise or lower its request's body
// limit before the first read of the body, on its own or through the
// BodyLimit middleware.
func TestStreamBodyLimit(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		lateErr := make(chan error, 1)
		readLen := func(req *Request) *Response {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return &Response{StatusCode: 500, Message: err.Error()}
			}
			return &Response{StatusCode: 200, Message: strconv.Itoa(len(b))}
		}
		mux := NewMux()
		mux.RouteFunc("POST /raise", func(req *Request) *Response {
			if err := req.SetBodyLimit(100); err != nil {
				return &Response{StatusCode: 500, Message: err.Error()}
			}
			return readLen(req)
		})
		mux.RouteFunc("POST /lower", func(req *Request) *Response {
			req.SetBodyLimit(5)
			return readLen(req)
		})
		mux.RouteFunc("POST /late", func(req *Request) *Response {
			var one [1]byte
			if _, err := io.ReadFull(req.Body, one[:]); err != nil {
				return &Response{StatusCode: 500, Message: err.Error()}
			}
			lateErr <- req.SetBodyLimit(2)
			rest := readLen(req)
			rest.Message = "1+" + rest.Message
			return rest
		})
		mux.Route("POST /upload", BodyLimit(100, HandlerFunc(readLen)))
		mux.Route("POST /unlimited", BodyLimit(Unlimited, HandlerFunc(readLen)))
		mux.RouteFunc("POST /default", readLen)
		mux.RouteFunc("POST /ignore", func(req *Request) *Response {
			return &Response{StatusCode: 200, Message: "ignored"}
		})
		ts := m.start(t, &Server{MaxBodyBytes: 10, Handler: mux})

		body := func(n int) string { return strings.Repeat("b", n) }
		tests := []struct {
			name       string
			req        string
			wantStatus int
			wantBody   string // "" for the server's own answers
			wantClose  bool
		}{
			{"raised above MaxBodyBytes", "POST /raise HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n" + body(50), 200, "50", false},
			{"raised, chunked", "POST /raise HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(5, 10), 200, "50", false},
			{"raised, still over", "POST /raise HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413, "", true},
			{"lowered below MaxBodyBytes", "POST /lower HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\n" + body(8), 413, "", true},
			{"lowered, chunked", "POST /lower HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(2, 4), 413, "", true},
			{"lowered, at the limit", "POST /lower HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n" + body(5), 200, "5", false},
			{"after the first read", "POST /late HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(4, 2), 200, "1+7", false},
			{"BodyLimit route", "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n" + body(50), 200, "50", false},
			{"BodyLimit route, over", "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413, "", true},
			{"BodyLimit Unlimited", "POST /unlimited HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n" + body(50), 200, "50", false},
			{"server default", "POST /default HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n" + body(50), 413, "", true},
			// A body over the limit that the handler does not read is
			// not drained: the connection closes.
			{"over the limit, unread", "POST /ignore HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n" + body(20), 200, "ignored", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "POST")
				c, _ := r.get("Connection")
				if r.Status != tt.wantStatus || (tt.wantBody != "" && string(r.Body) != tt.wantBody) || (c == "close") != tt.wantClose {
					t.Errorf("got %d %q, Connection %q; want %d %q, closing %v", r.Status, r.Body, c, tt.wantStatus, tt.wantBody, tt.wantClose)
				}
				if tt.wantClose {
					rc.expectClosed()
				}
			})
		}
		if err := recvWithin(t, lateErr, "the /late handler"); err == nil {
			t.Errorf("SetBodyLimit after the first read: got nil, want an error")
		}

		t.Run("Expect: 100-continue over the limit", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /default HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
			r := rc.response("POST") // the first head: a 100 would be this one
			if c, _ := r.get("Connection"); r.Status != 413 || c != "close" {
				t.Errorf("got %d, Connection %q; want 413, close, and no 100 Continue before it", r.Status, c)
			}
			rc.expectClosed()
		})
	})
}

// TestSetBodyLimitWithoutConn: a Request built by hand (a test's, or
// another host's) has its Body cut off at the limit.
func TestSetBodyLimitWithoutConn(t *testing.T) {
	tests := []struct {
		body    string
		limits  []int64 // SetBodyLimit calls, in order
		want    string
		wantErr error
		limit   int64 // the limit in force at the end (bridge.BodyLimit)
	}{
		{"0123456789", []int64{5}, "01234", ErrBodyTooLarge, 5},
		{"01234", []int64{5}, "01234", nil, 5},
		{"0123456789", []int64{Unlimited}, "0123456789", nil, -1},
		{"0123456789", []int64{0}, "0123456789", nil, -1},
		// A later limit replaces the first (a host's), above or below
		// it; 0 restores the first; Unlimited removes it.
		{"0123456789", []int64{5, 8}, "01234567", ErrBodyTooLarge, 8},
		{"0123456789", []int64{5, 20}, "0123456789", nil, 20},
		{"0123456789", []int64{5, 3}, "012", ErrBodyTooLarge, 3},
		{"0123456789", []int64{5, 8, 0}, "01234", ErrBodyTooLarge, 5},
		{"0123456789", []int64{5, Unlimited}, "0123456789", nil, -1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q limits %d", tt.body, tt.limits), func(t *testing.T) {
			req := &Request{Body: lenlessReader{strings.NewReader(tt.body)}}
			for _, n := range tt.limits {
				if err := req.SetBodyLimit(n); err != nil {
					t.Fatalf("SetBodyLimit(%d): %v", n, err)
				}
			}
			if got := bridge.BodyLimit(req); got != tt.limit {
				t.Errorf("BodyLimit = %d, want %d", got, tt.limit)
			}
			got, err := io.ReadAll(req.Body)
			if string(got) != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if tripped := bridge.BodyTooLarge(req); tripped != (tt.wantErr != nil) {
				t.Errorf("BodyTooLarge = %v, want %v", tripped, tt.wantErr != nil)
			}
			if len(tt.limits) == 1 && tt.limits[0] > 0 {
				if err := req.SetBodyLimit(100); !errors.Is(err, errLimitTooLate) {
					t.Errorf("SetBodyLimit after a read: %v, want errLimitTooLate", err)
				}
			}
		})
	}
	if ch := (&Request{}).ShutdownNotice(); ch != nil {
		t.Errorf("ShutdownNotice without a server: got %v, want nil", ch)
	}
}

// TestStreamShutdownNotice: an endless Stream that watches the shutdown
// notice ends cleanly when Shutdown begins, so that Shutdown returns nil
// without waiting for its context.
func TestStreamShutdownNotice(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		srv := &Server{Handler: HandlerFunc(func(req *Request) *Response {
			return &Response{StatusCode: 200, Endless: true, Stream: func(w *StreamWriter) error {
				if _, err := w.WriteString("data: hello\n\n"); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
				select {
				case <-req.ShutdownNotice():
				case <-req.Context().Done():
					return req.Context().Err()
				}
				_, err := w.WriteString("data: bye\n\n")
				return err
			}}
		})}
		registered := make(chan struct{})
		srv.RegisterOnShutdown(func() { close(registered) })
		ts := m.start(t, srv)
		rc := ts.dialRaw(t)
		rc.send("GET /events HTTP/1.1\r\nHost: h\r\n\r\n")
		r, err := readRawHead(rc.br)
		if err != nil {
			t.Fatal(err)
		}
		if te, _ := r.get("Transfer-Encoding"); r.Status != 200 || te != "chunked" {
			t.Fatalf("head: got %d, Transfer-Encoding %q; want 200, chunked", r.Status, te)
		}
		var events strings.Builder
		if _, _, err := readRawChunk(rc.br, &events); err != nil || events.String() != "data: hello\n\n" {
			t.Fatalf("first event: got %q (%v), want \"data: hello\\n\\n\"", events.String(), err)
		}

		shut := make(chan error, 1)
		go func() { shut <- srv.Shutdown(context.Background()) }()
		for {
			_, last, err := readRawChunk(rc.br, &events)
			if err != nil {
				t.Fatalf("after %q: %v", events.String(), err)
			}
			if last {
				break
			}
		}
		if got, want := events.String(), "data: hello\n\ndata: bye\n\n"; got != want {
			t.Errorf("events: got %q, want %q", got, want)
		}
		if err := recvWithin(t, shut, "Shutdown"); err != nil {
			t.Errorf("Shutdown: got %v, want nil", err)
		}
		recvWithin(t, registered, "the RegisterOnShutdown function")
		rc.expectClosed()
	})
}

// TestStreamFullDuplex: a Stream echoes the request body as it reads it,
// to a client that sends a part only once it has read the last one back.
func TestStreamFullDuplex(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := streamServer(t, m, &Server{}, map[string]func(*Request, *StreamWriter) error{
			"/echo": func(req *Request, w *StreamWriter) error {
				buf := make([]byte, 1024)
				for {
					n, err := req.Body.Read(buf)
					if n > 0 {
						if _, err := w.Write(buf[:n]); err != nil {
							return err
						}
						if err := w.Flush(); err != nil {
							return err
						}
					}
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return err
					}
				}
			},
		})
		parts := []string{"first part", "second", "the third and last part"}

		t.Run("raw", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
			for i, part := range parts {
				rc.send(fmt.Sprintf("%x\r\n%s\r\n", len(part), part))
				if i == 0 {
					r, err := readRawHead(rc.br)
					if err != nil {
						t.Fatal(err)
					}
					if te, _ := r.get("Transfer-Encoding"); r.Status != 200 || te != "chunked" {
						t.Fatalf("head: got %d, Transfer-Encoding %q; want 200, chunked", r.Status, te)
					}
				}
				// The echo may come in more than one chunk.
				var echo strings.Builder
				for echo.Len() < len(part) {
					if _, last, err := readRawChunk(rc.br, &echo); err != nil || last {
						t.Fatalf("echo of part %d: got %q, last %v (%v)", i, echo.String(), last, err)
					}
				}
				if echo.String() != part {
					t.Fatalf("echo of part %d: got %q, want %q", i, echo.String(), part)
				}
			}
			rc.send("0\r\n\r\n")
			if _, last, err := readRawChunk(rc.br, io.Discard); err != nil || !last {
				t.Fatalf("end of the echo: got last %v (%v), want the last chunk", last, err)
			}
			if r := rc.roundTrip("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok", "POST"); string(r.Body) != "ok" {
				t.Errorf("next request: got %q, want \"ok\"", r.Body)
			}
		})

		t.Run("net/http client", func(t *testing.T) {
			pr, pw := io.Pipe()
			req, _ := http.NewRequest("POST", ts.url("/echo"), pr)
			resps := make(chan *http.Response, 1)
			errs := make(chan error, 1)
			go func() {
				resp, err := newHTTPClient(t).Do(req)
				if err != nil {
					errs <- err
					return
				}
				resps <- resp
			}()
			if _, err := io.WriteString(pw, parts[0]); err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			select {
			case resp = <-resps:
			case err := <-errs:
				t.Fatal(err)
			case <-time.After(hangGuard):
				t.Fatal("timed out waiting for the response head")
			}
			defer resp.Body.Close()
			for i, part := range parts {
				if i > 0 {
					if _, err := io.WriteString(pw, part); err != nil {
						t.Fatal(err)
					}
				}
				got := make([]byte, len(part))
				if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != part {
					t.Fatalf("echo of part %d: got %q (%v), want %q", i, got, err, part)
				}
			}
			pw.Close()
			if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
				t.Errorf("after the last part: got %q (%v), want the end of the body", rest, err)
			}
		})
	})
}

// TestIsTunnel: which answers open a tunnel.
func TestIsTunnel(t *testing.T) {
	tests := []struct {
		verb   string
		status int
		want   bool
	}{
		{"GET", 101, true},
		{"CONNECT", 101, true},
		{"CONNECT", 200, true},
		{"CONNECT", 204, true},
		{"CONNECT", 299, true},
		{"CONNECT", 300, false},
		{"CONNECT", 407, false},
		{"CONNECT", 199, false},
		{"GET", 200, false},
		{"POST", 100, false},
		{"connect", 200, false}, // methods are case-sensitive (RFC 9110 §9.1)
	}
	for _, tt := range tests {
		if got := isTunnel(tt.verb, tt.status); got != tt.want {
			t.Errorf("isTunnel(%q, %d): got %v, want %v", tt.verb, tt.status, got, tt.want)
		}
	}
}

// TestAppendHeadKinds: the interim and tunnel heads, byte for byte.
func TestAppendHeadKinds(t *testing.T) {
	fields := func(kv ...string) *Header {
		h := new(Header)
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name string
		head respHead
		want string
	}{
		{"103 with Link", respHead{version: 11, status: 103, kind: headInterim,
			fields: fields("Link", "</a.css>; rel=preload", "Content-Length", "9")},
			"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"},
		{"100 without fields", respHead{version: 11, status: 100, kind: headInterim},
			"HTTP/1.1 100 Continue\r\n\r\n"},
		{"interim ignores the framing", respHead{version: 11, status: 103, kind: headInterim,
			framing: wire.Framing{Mode: wire.ModeChunked, ContentLength: 5}},
			"HTTP/1.1 103 Early Hints\r\n\r\n"},
		{"101 with Connection: Upgrade", respHead{version: 11, status: 101, kind: headTunnel, ownDate: true,
			fields:  fields("Date", "Tue, 01 Dec 2026 22:23:26 GMT", "Upgrade", "websocket", "Connection", "Upgrade", "Content-Length", "0"),
			framing: wire.Framing{Mode: wire.ModeNone, ContentLength: -1}},
			"HTTP/1.1 101 Switching Protocols\r\nDate: Tue, 01 Dec 2026 22:23:26 GMT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{"200 to CONNECT", respHead{version: 11, status: 200, kind: headTunnel, ownDate: true,
			fields: fields("Date", ""), framing: wire.Framing{Mode: wire.ModeNone, ContentLength: -1}},
			"HTTP/1.1 200 OK\r\n\r\n"},
		{"final head for contrast", respHead{version: 11, status: 200, ownDate: true,
			fields: fields("Date", "", "Connection", "Upgrade"), framing: wire.Framing{Mode: wire.ModeLength, ContentLength: 2}},
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"},
		{"426 offering an upgrade, closing", respHead{version: 11, status: 426, ownDate: true, connTokens: true,
			fields:  fields("Date", "", "Upgrade", "websocket", "Connection", "Upgrade, close"),
			framing: wire.Framing{Mode: wire.ModeLength, ContentLength: 0}},
			"HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nContent-Length: 0\r\nConnection: close, Upgrade\r\n\r\n"},
		{"426 offering an upgrade, kept alive", respHead{version: 11, status: 426, ownDate: true, connTokens: true,
			fields:  fields("Date", "", "Upgrade", "websocket", "connection", "keep-alive ,upgrade", "Connection", "X-Hop"),
			framing: wire.Framing{Mode: wire.ModeLength, ContentLength: 0, KeepAlive: true}},
			"HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nContent-Length: 0\r\nConnection: upgrade, X-Hop\r\n\r\n"},
		{"Connection options to HTTP/1.0, kept alive", respHead{version: 10, status: 200, ownDate: true, connTokens: true,
			fields:  fields("Date", "", "Connection", "X-Hop"),
			framing: wire.Framing{Mode: wire.ModeLength, ContentLength: 0, KeepAlive: true}},
			"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive, X-Hop\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendHead(nil, &tt.head)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// Without a Date of its own a tunnel's head has the automatic one; an
	// interim head never has one.
	tunnel := respHead{version: 11, status: 101, kind: headTunnel}
	if got := string(appendHead(nil, &tunnel)); !strings.Contains(got, "\r\nDate: ") {
		t.Errorf("tunnel head: got %q, want an automatic Date", got)
	}
	interim := respHead{version: 11, status: 103, kind: headInterim}
	if got := string(appendHead(nil, &interim)); strings.Contains(got, "Date") {
		t.Errorf("interim head: got %q, want no Date", got)
	}
}

// TestSwitchFault: the pure check of a 101's Upgrade and Connection
// fields against the request's Upgrade (RFC 9110 §7.8, §15.2.2).
func TestSwitchFault(t *testing.T) {
	const (
		noUpgrade   = "101 without an Upgrade field naming the protocol"
		notOffered  = "101 to a protocol the request's Upgrade did not offer"
		noOption    = "101 without the upgrade option in its Connection field"
		switchingOK = ""
	)
	tests := []struct {
		name    string
		offered []string // the request's Upgrade fields
		upgrade []string // the 101's Upgrade fields
		conn    []string // the 101's Connection fields
		want    string
	}{
		{"websocket", []string{"websocket"}, []string{"websocket"}, []string{"Upgrade"}, switchingOK},
		{"names compared without case", []string{"WebSocket"}, []string{"websocket"}, []string{"upgrade"}, switchingOK},
		{"one of several offered", []string{"h2c, websocket"}, []string{"websocket"}, []string{"Upgrade"}, switchingOK},
		{"offered over two fields", []string{"h2c", "echo/2"}, []string{"echo/2"}, []string{"Upgrade"}, switchingOK},
		{"upgrade among other options", []string{"echo"}, []string{"echo"}, []string{"keep-alive, Upgrade"}, switchingOK},
		{"upgrade in a second Connection field", []string{"echo"}, []string{"echo"}, []string{"x-hop", "upgrade"}, switchingOK},
		{"no Upgrade", []string{"echo"}, nil, []string{"Upgrade"}, noUpgrade},
		{"empty Upgrade", []string{"echo"}, []string{" , "}, []string{"Upgrade"}, noUpgrade},
		{"not offered", []string{"echo"}, []string{"websocket"}, []string{"Upgrade"}, notOffered},
		{"another version than offered", []string{"echo/1"}, []string{"echo/2"}, []string{"Upgrade"}, notOffered},
		{"one of two not offered", []string{"echo"}, []string{"echo, websocket"}, []string{"Upgrade"}, notOffered},
		{"no Connection", []string{"echo"}, []string{"echo"}, nil, noOption},
		{"Connection without upgrade", []string{"echo"}, []string{"echo"}, []string{"keep-alive"}, noOption},
		{"upgrade only as part of a token", []string{"echo"}, []string{"echo"}, []string{"upgrades"}, noOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req, resp Header
			for _, v := range tt.offered {
				req.Add("Upgrade", v)
			}
			for _, v := range tt.upgrade {
				resp.Add("Upgrade", v)
			}
			for _, v := range tt.conn {
				resp.Add("Connection", v)
			}
			if got := switchFault(&req, &resp); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
