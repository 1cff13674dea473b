package httpserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echoHandler answers with the method, path, query and body it got.
func echoHandler(req *Request) *Response {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return &Response{StatusCode: 500, Message: err.Error()}
	}
	return &Response{StatusCode: 200, Message: req.Verb + " " + req.Path + "?" + req.QueryStr + " " + string(body)}
}

// TestE2ENetHTTPClient drives the server with Go's own client.
func TestE2ENetHTTPClient(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		long := bodyPattern(3*DefaultWriteBufferSize + 5) // longer than the default window
		ts := m.serve(t, func(req *Request) *Response {
			switch req.Path {
			case "/stream":
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error { return writeParts(w, framingShort, 5, true) }}
			case "/long":
				return &Response{StatusCode: 200, Body: lenlessReader{strings.NewReader(long)}}
			case "/missing":
				return &Response{StatusCode: 404, Message: "no such thing"}
			}
			return echoHandler(req)
		})
		client := newHTTPClient(t)
		tests := []struct {
			name       string
			method     string
			path       string
			body       io.Reader
			header     string // "Name: value" to add
			wantStatus int
			wantBody   string
			wantCL     int64    // resp.ContentLength
			wantTE     []string // resp.TransferEncoding
		}{
			{"GET", "GET", "/hello?x=1", nil, "", 200, "GET /hello?x=1 ", 15, nil},
			{"POST with Content-Length", "POST", "/p", strings.NewReader("payload"), "", 200, "POST /p? payload", 16, nil},
			{"POST chunked", "POST", "/c", lenlessReader{strings.NewReader("chunked payload")}, "", 200, "POST /c? chunked payload", 24, nil},
			{"POST with Expect: 100-continue", "POST", "/e", strings.NewReader("expected"), "Expect: 100-continue", 200, "POST /e? expected", 17, nil},
			{"HEAD", "HEAD", "/h", nil, "", 200, "", 9, nil},
			{"Stream with Flush", "GET", "/stream", nil, "", 200, framingShort, -1, []string{"chunked"}},
			{"long body of unknown length", "GET", "/long", nil, "", 200, long, -1, []string{"chunked"}},
			{"404", "GET", "/missing", nil, "", 404, "no such thing", 13, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequest(tt.method, ts.url(tt.path), tt.body)
				if err != nil {
					t.Fatal(err)
				}
				if tt.header != "" {
					name, value, _ := strings.Cut(tt.header, ": ")
					req.Header.Set(name, value)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
					t.Errorf("got %d %q, want %d %q", resp.StatusCode, abbrev(string(body)), tt.wantStatus, abbrev(tt.wantBody))
				}
				if resp.ContentLength != tt.wantCL || !reflect.DeepEqual(resp.TransferEncoding, tt.wantTE) {
					t.Errorf("framing: got Content-Length %d, Transfer-Encoding %q; want %d, %q",
						resp.ContentLength, resp.TransferEncoding, tt.wantCL, tt.wantTE)
				}
			})
		}

		t.Run("keep-alive reuses one connection", func(t *testing.T) {
			client := newHTTPClient(t)
			reused := 0
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			}}
			for i := range 5 {
				req, _ := http.NewRequest("GET", ts.url(fmt.Sprintf("/k%d", i)), nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if reused != 4 {
				t.Errorf("reused connections: got %d, want 4 of 5 requests", reused)
			}
		})
	})
}

// reqSnapshot is what a handler saw of a Request.
type reqSnapshot struct {
	Verb, Path, QueryStr, Version, Host string
	Query                               Query
	Headers                             []HeaderField
	ContentLength                       int64
	Body                                string
	RemoteIP                            string
	RemotePort                          int
	ListenerID                          ListenerID
}

func snapshot(req *Request) reqSnapshot {
	s := reqSnapshot{
		Verb: req.Verb, Path: req.Path, QueryStr: req.QueryStr, Version: req.Version, Host: req.Host,
		Query: req.QueryDict, ContentLength: req.ContentLength,
		RemoteIP: req.RemoteIP, RemotePort: req.RemotePort, ListenerID: req.ListenerID,
	}
	for name, value := range req.Headers.All() {
		s.Headers = append(s.Headers, HeaderField{name, value})
	}
	if req.Body == nil {
		s.Body = "<nil Body>"
	} else if b, err := io.ReadAll(req.Body); err != nil {
		s.Body = "<error " + err.Error() + ">"
	} else {
		s.Body = string(b)
	}
	return s
}

// TestE2ERequestFields checks every Request field a handler sees.
func TestE2ERequestFields(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		seen := make(chan reqSnapshot, 1)
		ctxOK := make(chan bool, 1)
		ts := m.serve(t, func(req *Request) *Response {
			ctxOK <- req.Context() != nil && req.Context().Err() == nil
			seen <- snapshot(req)
			return &Response{StatusCode: 200, Message: "ok"}
		})
		tests := []struct {
			name string
			req  string
			want reqSnapshot // RemoteIP and RemotePort are filled in
		}{
			{"everything",
				"POST /a%20b/c?x=1&bare&empty=&x=2&sp=a+b%21 HTTP/1.1\r\nHost: example.com:8080\r\nX-Multi: one\r\nx-lower:  v \r\nX-MULTI: two\r\nContent-Length: 5\r\n\r\nhello",
				reqSnapshot{Verb: "POST", Path: "/a%20b/c", QueryStr: "x=1&bare&empty=&x=2&sp=a+b%21", Version: "1.1", Host: "example.com:8080",
					Query:         Query{"x": {{Value: "1"}, {Value: "2"}}, "bare": {{Bare: true}}, "empty": {{Value: ""}}, "sp": {{Value: "a b!"}}},
					Headers:       []HeaderField{{"Host", "example.com:8080"}, {"X-Multi", "one"}, {"x-lower", "v"}, {"X-MULTI", "two"}, {"Content-Length", "5"}},
					ContentLength: 5, Body: "hello"}},
			{"HTTP/1.0 without Host, empty query",
				"GET /p? HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
				reqSnapshot{Verb: "GET", Path: "/p", Version: "1.0",
					Headers: []HeaderField{{"Connection", "keep-alive"}}}},
			{"absolute form",
				"GET http://Example.org/abs?q HTTP/1.1\r\nHost: Example.org\r\n\r\n",
				reqSnapshot{Verb: "GET", Path: "/abs", QueryStr: "q", Version: "1.1", Host: "Example.org",
					Query: Query{"q": {{Bare: true}}}, Headers: []HeaderField{{"Host", "Example.org"}}}},
			{"chunked body",
				"PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n",
				reqSnapshot{Verb: "PUT", Path: "/up", Version: "1.1", Host: "h",
					Headers:       []HeaderField{{"Host", "h"}, {"Transfer-Encoding", "chunked"}},
					ContentLength: -1, Body: "abcdefg"}},
			{"OPTIONS *",
				"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
				reqSnapshot{Verb: "OPTIONS", Path: "*", Version: "1.1", Host: "h", Headers: []HeaderField{{"Host", "h"}}}},
			{"higher 1.x minor version",
				"GET / HTTP/1.7\r\nHost: h\r\n\r\n",
				reqSnapshot{Verb: "GET", Path: "/", Version: "1.1", Host: "h", Headers: []HeaderField{{"Host", "h"}}}},
			{"HTTP/0.9",
				"GET /nine\r\n",
				reqSnapshot{Verb: "GET", Path: "/nine", Version: "0.9"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				rc.send(tt.req)
				if !recvWithin(t, ctxOK, "the handler") {
					t.Errorf("Context(): nil or already done")
				}
				got := recvWithin(t, seen, "the handler")
				local := rc.nc.LocalAddr().(*net.TCPAddr)
				want := tt.want
				want.RemoteIP, want.RemotePort = local.IP.String(), local.Port
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got  %+v\nwant %+v", got, want)
				}
			})
		}
		t.Run("Headers lookups", func(t *testing.T) {
			got := make(chan [3]string, 1)
			ts := m.serve(t, func(req *Request) *Response {
				got <- [3]string{req.Headers.Get("x-multi"), strings.Join(req.Headers.Values("X-MULTI"), ","), strconv.FormatBool(req.Headers.Has("x-empty"))}
				return &Response{StatusCode: 204}
			})
			ts.dialRaw(t).send("GET / HTTP/1.1\r\nHost: h\r\nX-Multi: one\r\nX-Empty:\r\nx-multi: two\r\n\r\n")
			if g, want := recvWithin(t, got, "the handler"), [3]string{"one", "one,two", "true"}; g != want {
				t.Errorf("Get, Values, Has: got %q, want %q", g, want)
			}
		})
	})
}

// TestE2ERequestContextAfterResponse checks the contract in the doc of
// Request.Context: the context is the connection's, canceled when the
// connection ends.
func TestE2ERequestContextAfterResponse(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ctxs := make(chan context.Context, 1)
		ts := m.serve(t, func(req *Request) *Response {
			ctxs <- req.Context()
			return &Response{StatusCode: 200, Message: "ok"}
		})
		rc := ts.dialRaw(t)
		rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET") // the connection stays open
		ctx := recvWithin(t, ctxs, "the handler")
		if err := ctx.Err(); err != nil {
			t.Fatalf("context of a request on a live connection: got %v, want not canceled", err)
		}
		rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET")
		recvWithin(t, ctxs, "the handler")
		recvWithin(t, ctx.Done(), "the request's context to be canceled when its connection ends")
	})
}

// TestE2EKeepAlive: several requests on one connection, and the ways a
// client ends it.
func TestE2EKeepAlive(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := m.start(t, &Server{MaxRequestsPerConn: 3, Handler: HandlerFunc(func(req *Request) *Response {
			return &Response{StatusCode: 200, Message: req.Path}
		})})
		t.Run("HTTP/1.1", func(t *testing.T) {
			rc := ts.dialRaw(t)
			for i := range 2 {
				r := rc.roundTrip(fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i), "GET")
				if c, _ := r.get("Connection"); string(r.Body) != fmt.Sprintf("/%d", i) || c != "" {
					t.Errorf("request %d: got %q, Connection %q; want %q, none", i, r.Body, c, fmt.Sprintf("/%d", i))
				}
			}
		})
		t.Run("Connection: close from the client", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
			r := rc.roundTrip("GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET")
			if c, _ := r.get("Connection"); c != "close" || string(r.Body) != "/b" {
				t.Errorf("got %q, Connection %q; want \"/b\", close", r.Body, c)
			}
			rc.expectClosed()
		})
		t.Run("HTTP/1.0 keep-alive", func(t *testing.T) {
			rc := ts.dialRaw(t)
			for i := range 2 {
				r := rc.roundTrip(fmt.Sprintf("GET /%d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", i), "GET")
				if c, _ := r.get("Connection"); r.Proto != "HTTP/1.0" || c != "keep-alive" {
					t.Errorf("request %d: got %s, Connection %q; want HTTP/1.0, keep-alive", i, r.Proto, c)
				}
			}
			r := rc.roundTrip("GET /last HTTP/1.0\r\n\r\n", "GET")
			if c, _ := r.get("Connection"); c != "close" {
				t.Errorf("HTTP/1.0 without keep-alive: got Connection %q, want close", c)
			}
			rc.expectClosed()
		})
		t.Run("MaxRequestsPerConn", func(t *testing.T) {
			rc := ts.dialRaw(t)
			for i := 1; i <= 3; i++ {
				r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
				c, _ := r.get("Connection")
				if want := map[bool]string{true: "close", false: ""}[i == 3]; c != want {
					t.Errorf("request %d of 3: got Connection %q, want %q", i, c, want)
				}
			}
			rc.expectClosed()
		})
	})
}

// pipelineRequests returns requests of every body kind, with the response
// body each gets from pipelineHandler.
func pipelineRequests() (reqs []string, wants []string, methods []string) {
	add := func(req, want, method string) {
		reqs, wants, methods = append(reqs, req), append(wants, want), append(methods, method)
	}
	for i := range 3 {
		add(fmt.Sprintf("GET /get/%d HTTP/1.1\r\nHost: h\r\n\r\n", i), fmt.Sprintf("/get/%d:", i), "GET")
		body := fmt.Sprintf("length body %d", i)
		add(fmt.Sprintf("POST /cl/%d HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n%s", i, len(body), body),
			fmt.Sprintf("/cl/%d:%s", i, body), "POST")
		add(fmt.Sprintf("POST /chunked/%d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n3\r\ned%d\r\n0\r\nX-T: 1\r\n\r\n", i, i),
			fmt.Sprintf("/chunked/%d:chunked%d", i, i), "POST")
		add(fmt.Sprintf("POST /unread/cl/%d HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n%s", i, strings.Repeat("u", 100)),
			fmt.Sprintf("/unread/cl/%d", i), "POST")
		add(fmt.Sprintf("POST /unread/chunked/%d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", i),
			fmt.Sprintf("/unread/chunked/%d", i), "POST")
		add(fmt.Sprintf("HEAD /head/%d HTTP/1.1\r\nHost: h\r\n\r\n", i), "", "HEAD")
		// An extra CRLF after a body (RFC 9112 §2.2).
		add(fmt.Sprintf("POST /crlf/%d HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi\r\n", i),
			fmt.Sprintf("/crlf/%d:hi", i), "POST")
	}
	return reqs, wants, methods
}

func pipelineHandler(req *Request) *Response {
	if strings.HasPrefix(req.Path, "/unread/") {
		return &Response{StatusCode: 200, Message: req.Path}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return &Response{StatusCode: 500, Message: err.Error()}
	}
	return &Response{StatusCode: 200, Message: req.Path + ":" + string(body)}
}

// TestE2EPipelining: requests sent back to back, whole or in any split,
// are answered in order, bodies read or not.
func TestE2EPipelining(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := m.serve(t, pipelineHandler)
		reqs, wants, methods := pipelineRequests()
		all := strings.Join(reqs, "")
		splits := map[string]func(string) []string{
			"one write": func(s string) []string { return []string{s} },
			"byte by byte": func(s string) []string {
				parts := make([]string, len(s))
				for i := range s {
					parts[i] = s[i : i+1]
				}
				return parts
			},
		}
		for seed := int64(1); seed <= 5; seed++ {
			splits[fmt.Sprintf("random splits %d", seed)] = func(s string) []string {
				rng := rand.New(rand.NewSource(seed))
				var parts []string
				for s != "" {
					k := min(1+rng.Intn(64), len(s))
					parts, s = append(parts, s[:k]), s[k:]
				}
				return parts
			}
		}
		for name, split := range splits {
			t.Run(name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				for _, p := range split(all) {
					rc.send(p)
				}
				for i := range reqs {
					r := rc.response(methods[i])
					if r.Status != 200 || string(r.Body) != wants[i] {
						t.Fatalf("response %d: got %d %q, want 200 %q", i, r.Status, r.Body, wants[i])
					}
					if c, _ := r.get("Connection"); c != "" {
						t.Fatalf("response %d: got Connection %q, want none", i, c)
					}
				}
				// Still in step afterwards.
				if r := rc.roundTrip("GET /end HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); string(r.Body) != "/end:" {
					t.Errorf("after the pipeline: got %q, want \"/end:\"", r.Body)
				}
			})
		}
	})
}

// TestE2ERequestBodyStreaming: the handler reads the first bytes of a body
// before the client has sent the rest.
func TestE2ERequestBodyStreaming(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		tests := []struct {
			name        string
			head, first string
			rest        string
		}{
			{"Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", "hello", " world"},
			{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nhello\r\n", "6\r\n world\r\n0\r\n\r\n"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				gotFirst := make(chan string, 1)
				ts := m.serve(t, func(req *Request) *Response {
					first := make([]byte, 5)
					if _, err := io.ReadFull(req.Body, first); err != nil {
						gotFirst <- err.Error()
						return &Response{StatusCode: 500}
					}
					gotFirst <- string(first)
					rest, err := io.ReadAll(req.Body)
					if err != nil {
						return &Response{StatusCode: 500, Message: err.Error()}
					}
					return &Response{StatusCode: 200, Message: string(first) + "|" + string(rest)}
				})
				rc := ts.dialRaw(t)
				rc.send(tt.head + tt.first)
				if got := recvWithin(t, gotFirst, "the handler's first read"); got != "hello" {
					t.Fatalf("first read: got %q, want \"hello\"", got)
				}
				rc.send(tt.rest)
				if r := rc.response("POST"); r.Status != 200 || string(r.Body) != "hello| world" {
					t.Errorf("got %d %q, want 200 \"hello| world\"", r.Status, r.Body)
				}
			})
		}
	})
}

// TestE2EMaxBodyBytes: bodies over the limit get 413, by Content-Length
// at the handler's first read (before any 100 Continue), chunked as the
// handler reads past the limit.
func TestE2EMaxBodyBytes(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		var handled atomic.Int32
		sawTooLarge := make(chan bool, 1)
		ts := m.start(t, &Server{MaxBodyBytes: 100, Handler: HandlerFunc(func(req *Request) *Response {
			handled.Add(1)
			b, err := io.ReadAll(req.Body)
			if req.ContentLength < 0 || req.ContentLength > 100 {
				sawTooLarge <- errors.Is(err, ErrBodyTooLarge)
			}
			return &Response{StatusCode: 200, Message: strconv.Itoa(len(b))}
		})})
		chunks := func(n, size int) string {
			var b strings.Builder
			for range n {
				fmt.Fprintf(&b, "%x\r\n%s\r\n", size, strings.Repeat("c", size))
			}
			return b.String() + "0\r\n\r\n"
		}
		tests := []struct {
			name        string
			req         string
			wantStatus  int
			wantRun     bool // the handler ran
			wantTooBig  bool // the handler saw ErrBodyTooLarge
			wantClosed  bool
			wantMessage string
		}{
			{"Content-Length over the limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413, true, true, true, ""},
			{"Content-Length over the limit, Expect: 100-continue", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n", 413, true, true, true, ""},
			{"Content-Length at the limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("b", 100), 200, true, false, false, "100"},
			{"chunked over the limit", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks(3, 60), 413, true, true, true, ""},
			{"chunked at the limit", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks(4, 25), 200, true, false, false, "100"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := handled.Load()
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "POST")
				if r.Status != tt.wantStatus {
					t.Errorf("status: got %d %q, want %d", r.Status, r.Body, tt.wantStatus)
				}
				if ran := handled.Load() != before; ran != tt.wantRun {
					t.Errorf("handler ran: got %v, want %v", ran, tt.wantRun)
				}
				if tt.wantRun && (strings.Contains(tt.req, "chunked") || tt.wantTooBig) {
					if got := recvWithin(t, sawTooLarge, "the handler"); got != tt.wantTooBig {
						t.Errorf("handler saw ErrBodyTooLarge: got %v, want %v", got, tt.wantTooBig)
					}
				}
				if tt.wantMessage != "" && string(r.Body) != tt.wantMessage {
					t.Errorf("body: got %q, want %q", r.Body, tt.wantMessage)
				}
				if c, _ := r.get("Connection"); (c == "close") != tt.wantClosed {
					t.Errorf("Connection: got %q, want closed %v", c, tt.wantClosed)
				}
				if tt.wantClosed {
					rc.expectClosed()
				}
			})
		}
		t.Run("Unlimited", func(t *testing.T) {
			ts := m.start(t, &Server{MaxBodyBytes: Unlimited, Handler: HandlerFunc(echoHandler)})
			body := strings.Repeat("z", 2<<20) // twice the default limit
			client := newHTTPClient(t)
			resp, err := client.Post(ts.url("/big"), "text/plain", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(got) != "POST /big? "+body {
				t.Errorf("got %d and %d bytes, want 200 and the %d bytes echoed", resp.StatusCode, len(got), len(body))
			}
		})
	})
}

// TestE2EUnreadBody: a body the handler leaves unread is drained when it
// is short, so the connection lives on; a long one closes it.
func TestE2EUnreadBody(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		ts := m.start(t, &Server{MaxDrainBytes: 1024, Handler: HandlerFunc(func(req *Request) *Response {
			if req.Path == "/partial" {
				io.ReadFull(req.Body, make([]byte, 10))
			}
			return &Response{StatusCode: 200, Message: req.Path}
		})})
		tests := []struct {
			name      string
			req       string
			wantClose bool
		}{
			{"short Content-Length body", "POST /cl HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + strings.Repeat("x", 1000), false},
			{"short chunked body", "POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + strings.Repeat("x", 1000) + "\r\n0\r\n\r\n", false},
			{"partly read body", "POST /partial HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + strings.Repeat("x", 1000), false},
			// Only the head is sent: the server decides from the length alone.
			{"long Content-Length body", "POST /long HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "POST")
				if c, _ := r.get("Connection"); r.Status != 200 || (c == "close") != tt.wantClose {
					t.Errorf("got %d, Connection %q; want 200, close %v", r.Status, c, tt.wantClose)
				}
				if tt.wantClose {
					rc.expectClosed()
					return
				}
				if r := rc.roundTrip("GET /next HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); string(r.Body) != "/next" {
					t.Errorf("next request: got %d %q, want \"/next\"", r.Status, r.Body)
				}
			})
		}
	})
}

// TestE2EMalformedChunkedBody: the client gets 400 and the connection
// closes, whatever the handler answered.
func TestE2EMalformedChunkedBody(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		sawMalformed := make(chan bool, 1)
		ts := m.serve(t, func(req *Request) *Response {
			_, err := io.ReadAll(req.Body)
			sawMalformed <- errors.Is(err, ErrMalformedBody)
			return &Response{StatusCode: 200, Message: "ignored"}
		})
		for name, body := range map[string]string{
			"bad size":            "zz\r\nhello\r\n0\r\n\r\n",
			"data without CRLF":   "5\r\nhelloXX0\r\n\r\n",
			"bare LF after size":  "5\nhello\r\n0\r\n\r\n",
			"size with a sign":    "+5\r\nhello\r\n0\r\n\r\n",
			"malformed extension": "5;=x\r\nhello\r\n0\r\n\r\n",
		} {
			t.Run(name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"+body, "POST")
				if !recvWithin(t, sawMalformed, "the handler") {
					t.Errorf("the handler's Read did not return ErrMalformedBody")
				}
				if c, _ := r.get("Connection"); r.Status != 400 || c != "close" {
					t.Errorf("got %d, Connection %q; want 400, close", r.Status, c)
				}
				rc.expectClosed()
			})
		}
	})
}

// nothingPending reports whether no byte from the server has arrived.
// Loopback delivers what the server wrote before its write returns, so a
// byte written before an event the test waited for is seen here.
func (rc *rawClient) nothingPending() bool {
	rc.t.Helper()
	if rc.br.Buffered() > 0 {
		return false
	}
	rc.nc.SetReadDeadline(time.Now())
	_, err := rc.br.Peek(1)
	rc.nc.SetReadDeadline(time.Now().Add(hangGuard))
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestE2EExpectContinue: "100 Continue" goes out when the handler first
// reads the body, and only then.
func TestE2EExpectContinue(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		entered := make(chan struct{}, 1)
		proceed := make(chan struct{})
		ts := m.start(t, &Server{MaxBodyBytes: 100, Handler: HandlerFunc(func(req *Request) *Response {
			if req.Path == "/noread" {
				return &Response{StatusCode: 200, Message: "answered without reading"}
			}
			entered <- struct{}{}
			<-proceed
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return &Response{StatusCode: 500, Message: err.Error()}
			}
			return &Response{StatusCode: 200, Message: string(b)}
		})})

		t.Run("handler reads", func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.send("POST /read HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
			recvWithin(t, entered, "the handler")
			if !rc.nothingPending() {
				t.Fatalf("the server answered before the handler read the body")
			}
			close(proceed)
			if r := rc.response("POST"); r.Status != 100 || r.Proto != "HTTP/1.1" {
				t.Fatalf("interim response: got %s %d, want HTTP/1.1 100", r.Proto, r.Status)
			}
			rc.send("hello")
			r := rc.response("POST")
			if c, _ := r.get("Connection"); r.Status != 200 || string(r.Body) != "hello" || c != "" {
				t.Errorf("got %d %q, Connection %q; want 200 \"hello\", none", r.Status, r.Body, c)
			}
			if r := rc.roundTrip("POST /noread HTTP/1.1\r\nHost: h\r\n\r\n", "POST"); r.Status != 200 {
				t.Errorf("next request: got %d, want 200", r.Status)
			}
		})
		t.Run("handler does not read", func(t *testing.T) {
			rc := ts.dialRaw(t)
			r := rc.roundTrip("POST /noread HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", "POST")
			// The first response is the final one: no 100 went out.
			if c, _ := r.get("Connection"); r.Status != 200 || c != "close" {
				t.Errorf("got %d, Connection %q; want 200 without a 100 before it, close", r.Status, c)
			}
			rc.expectClosed()
		})
		t.Run("body too large", func(t *testing.T) {
			rc := ts.dialRaw(t)
			r := rc.roundTrip("POST /read HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\nExpect: 100-continue\r\n\r\n", "POST")
			if c, _ := r.get("Connection"); r.Status != 413 || c != "close" {
				t.Errorf("got %d, Connection %q; want 413 without a 100 before it, close", r.Status, c)
			}
			rc.expectClosed()
		})
	})
}

// TestE2EParseErrors: requests the server refuses get the status the
// wire codec chose, "Connection: close" and a closed connection; the
// handler never runs.
func TestE2EParseErrors(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		var handled atomic.Int32
		ts := m.start(t, &Server{
			MaxRequestLineBytes: 256,
			MaxHeaderBytes:      2048,
			MaxHeaderCount:      10,
			Handler: HandlerFunc(func(*Request) *Response {
				handled.Add(1)
				return &Response{StatusCode: 200}
			}),
		})
		many := strings.Repeat("X-F: v\r\n", 11)
		big := "X-Big: " + strings.Repeat("b", 2100) + "\r\n"
		tests := []struct {
			name   string
			req    string
			status int
		}{
			{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400},
			{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
			{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
			{"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
			{"Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
			{"conflicting Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
			{"Transfer-Encoding gzip, chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
			{"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
			{"unknown expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n", 417},
			{"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
			{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n", 400},
			{"bare LF", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400},
			{"NUL in a value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n", 400},
			{"fragment", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
			{"invalid method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
			{"request line too long", "GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414},
			{"too many fields", "GET / HTTP/1.1\r\nHost: h\r\n" + many + "\r\n", 431},
			{"head too large", "GET / HTTP/1.1\r\nHost: h\r\n" + big + "\r\n", 431},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rc := ts.dialRaw(t)
				r := rc.roundTrip(tt.req, "GET")
				if r.Status != tt.status {
					t.Errorf("status: got %d %q, want %d", r.Status, r.Body, tt.status)
				}
				if c, _ := r.get("Connection"); c != "close" {
					t.Errorf("Connection: got %q, want close", c)
				}
				if !bytes.HasPrefix(r.Body, []byte(statusTextFor(tt.status))) {
					t.Errorf("body: got %q, want it to start with the reason phrase", r.Body)
				}
				rc.expectClosed()
			})
		}
		if n := handled.Load(); n != 0 {
			t.Errorf("the handler ran %d times for refused requests", n)
		}
	})
}

func statusTextFor(code int) string {
	return map[int]string{400: "Bad Request", 413: "Content Too Large", 414: "URI Too Long", 417: "Expectation Failed",
		431: "Request Header Fields Too Large", 501: "Not Implemented", 505: "HTTP Version Not Supported"}[code]
}

// TestE2ETimeouts: a head that stalls gets 408; an idle connection is
// closed without a word.
//
// In TLS mode the handshake gets hangGuard (Server.handshakeTimeout)
// where the timeouts tested are about requests: at 50 ms it could miss
// its deadline on a loaded machine, which is not what these test.
func TestE2ETimeouts(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		t.Run("ReadHeaderTimeout", func(t *testing.T) {
			var handled atomic.Int32
			ts := m.start(t, &Server{ReadHeaderTimeout: 50 * time.Millisecond, handshakeTimeout: hangGuard, Handler: HandlerFunc(func(*Request) *Response {
				handled.Add(1)
				return &Response{StatusCode: 200}
			})})
			rc := ts.dialRaw(t)
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n") // and nothing more
			r := rc.response("GET")
			if c, _ := r.get("Connection"); r.Status != 408 || c != "close" {
				t.Errorf("got %d, Connection %q; want 408, close", r.Status, c)
			}
			rc.expectClosed()
			if handled.Load() != 0 {
				t.Errorf("the handler ran")
			}
		})
		t.Run("IdleTimeout on a new connection", func(t *testing.T) {
			ts := m.start(t, &Server{IdleTimeout: 50 * time.Millisecond})
			// Plain TCP in every mode: a client that sends nothing, not
			// even a TLS ClientHello (a handshake could not finish before
			// so short a timeout on a busy machine).
			rc := dialRaw(t, ts.addr)
			rc.expectClosed()
		})
		t.Run("IdleTimeout after a body and an extra CRLF", func(t *testing.T) {
			// RFC 9112 §2.2: the CRLF some clients send after a body is not
			// the start of a request that stalls, so no 408 follows.
			// IdleTimeout also bounds the wait for a new connection's first
			// request: it is generous, so that the request arrives in time
			// however busy the machine; the test waits for the close, not
			// for the time.
			ts := m.start(t, &Server{ReadHeaderTimeout: 50 * time.Millisecond, IdleTimeout: generousTimeout, handshakeTimeout: hangGuard, Handler: HandlerFunc(echoHandler)})
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi\r\n", "POST"); string(r.Body) != "POST /? hi" {
				t.Fatalf("got %d %q, want 200 \"POST /? hi\"", r.Status, r.Body)
			}
			rc.expectClosed()
		})
		t.Run("ReadTimeout on a stalled body", func(t *testing.T) {
			bodyErr := make(chan error, 1)
			ts := m.start(t, &Server{ReadTimeout: 50 * time.Millisecond, Handler: HandlerFunc(func(req *Request) *Response {
				_, err := io.ReadAll(req.Body)
				bodyErr <- err
				return &Response{StatusCode: 200, Message: "read what came"}
			})})
			rc := ts.dialRaw(t)
			rc.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello") // and the rest never
			if err := recvWithin(t, bodyErr, "the handler"); err == nil {
				t.Errorf("Body read of a stalled upload: got no error")
			}
			r := rc.response("POST")
			if c, _ := r.get("Connection"); c != "close" {
				t.Errorf("Connection: got %q, want close after a failed body", c)
			}
			rc.expectClosed()
		})
		t.Run("WriteTimeout on a client that stopped reading", func(t *testing.T) {
			writeErr := make(chan error, 1)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ts := m.startOn(t, &Server{WriteTimeout: 100 * time.Millisecond, Handler: HandlerFunc(func(*Request) *Response {
				return &Response{StatusCode: 200, Stream: func(w *StreamWriter) error {
					buf := make([]byte, 64<<10)
					for {
						if _, err := w.Write(buf); err != nil {
							writeErr <- err
							return err
						}
					}
				}}
			})}, smallSendBufferListener{l.(*net.TCPListener)})
			rc := ts.dialRaw(t)
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n") // and never read
			if err := recvWithin(t, writeErr, "the stream's Write to fail"); !isTimeout(err) {
				t.Errorf("Write to a client that stopped reading: got %v, want a timeout", err)
			}
		})
		t.Run("IdleTimeout after a request", func(t *testing.T) {
			// IdleTimeout also bounds the wait for the first request: it
			// is generous, so that the request arrives in time however
			// busy the machine; the test waits for the close, not for the
			// time.
			ts := m.start(t, &Server{IdleTimeout: generousTimeout})
			rc := ts.dialRaw(t)
			if r := rc.roundTrip("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); r.Status != 404 {
				t.Fatalf("got %d, want 404", r.Status)
			}
			rc.expectClosed()
		})
	})
}

// TestE2EMaxConns: at the limit the server stops accepting; a waiting
// connection is served once another one closes.
func TestE2EMaxConns(t *testing.T) {
	// Not over TLS: the second client's handshake would wait for the
	// accept that the test checks does not happen.
	runModes(t, func(t *testing.T, m mode) {
		checkNoGoroutineLeak(t)
		ts := m.start(t, &Server{MaxConns: 1, Handler: HandlerFunc(func(req *Request) *Response {
			return &Response{StatusCode: 200, Message: req.Path}
		})})
		first := ts.dialRaw(t)
		if r := first.roundTrip("GET /first HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); string(r.Body) != "/first" {
			t.Fatalf("got %q, want \"/first\"", r.Body)
		}
		second := ts.dialRaw(t) // the kernel completes the handshake
		second.send("GET /second HTTP/1.1\r\nHost: h\r\n\r\n")
		if !second.nothingPending() {
			t.Fatalf("the second connection was answered while the first held the only slot")
		}
		first.nc.Close()
		if r := second.response("GET"); string(r.Body) != "/second" {
			t.Errorf("got %q, want \"/second\"", r.Body)
		}
	}, modeParked, modeWaiting)
}

// TestE2EZeroServer: a zero Server answers 404 to everything.
func TestE2EZeroServer(t *testing.T) {
	runModes(t, func(t *testing.T, m mode) {
		var srv Server
		ts := m.start(t, &srv)
		resp, err := newHTTPClient(t).Get(ts.url("/anything"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 404 || string(body) != "Not Found\n" {
			t.Errorf("got %d %q, want 404 \"Not Found\\n\"", resp.StatusCode, body)
		}
	})
}
