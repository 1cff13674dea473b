package nethttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// serveToHTTP serves h through ToHTTP on httptest's server, with the
// adapter's log going to the returned server's logs.
func serveToHTTP(t *testing.T, h httpserver.Handler) *testServer {
	t.Helper()
	logs := &logSink{}
	ts := serveNetHTTP(t, toHTTP{h: h, log: logs.logger()})
	ts.logs = logs
	return ts
}

func get(t *testing.T, ts *testServer, method, path string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.url()+path, body)
	resp, err := ts.client(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp, "read error: " + err.Error()
	}
	return resp, string(b)
}

type ctxKey struct{}

// TestToHTTPRequest: the engine's Request built from a *http.Request.
func TestToHTTPRequest(t *testing.T) {
	got := make(chan string, 1)
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		body, _ := io.ReadAll(req.Body)
		var fields []string
		for name, value := range req.Headers.All() {
			if name != "Accept-Encoding" && name != "User-Agent" {
				fields = append(fields, name+": "+value)
			}
		}
		got <- fmt.Sprintf("%s %s ? %s %v v%s host=%s fields=%q body=%q len=%d remote=%v ctx=%v",
			req.Verb, req.Path, req.QueryStr, req.QueryDict, req.Version, req.Host, fields, body,
			req.ContentLength, req.RemoteIP == "127.0.0.1" && req.RemotePort > 0, req.Context().Value(ctxKey{}))
		return &httpserver.Response{StatusCode: 204}
	})
	ts := serveNetHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ToHTTP(h).ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "passed")))
	}))
	tests := []struct {
		name, method, path string
		body               io.Reader
		want               string
	}{
		{"get", "GET", "/a%20b/c?x=1&y&x=%32", nil,
			`GET /a%20b/c ? x=1&y&x=%32 map[x:[{1 false} {2 false}] y:[{ true}]] v1.1 host=HOST fields=["Host: HOST"] body="" len=0 remote=true ctx=passed`},
		{"post", "POST", "/up", strings.NewReader("hello"),
			`POST /up ?  map[] v1.1 host=HOST fields=["Host: HOST" "Content-Length: 5"] body="hello" len=5 remote=true ctx=passed`},
		{"chunked", "POST", "/up", io.MultiReader(strings.NewReader("hel"), strings.NewReader("lo")),
			`POST /up ?  map[] v1.1 host=HOST fields=["Host: HOST" "Transfer-Encoding: chunked"] body="hello" len=-1 remote=true ctx=passed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := get(t, ts, tt.method, tt.path, tt.body)
			if resp.StatusCode != 204 {
				t.Errorf("status %d", resp.StatusCode)
			}
			want := strings.ReplaceAll(tt.want, "HOST", ts.addr)
			if g := <-got; g != want {
				t.Errorf("request:\n got %s\nwant %s", g, want)
			}
		})
	}
}

// closeCounter is a body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed chan struct{}
}

func (c *closeCounter) Close() error { close(c.closed); return nil }

// TestToHTTPResponses: each kind of Response written through net/http.
func TestToHTTPResponses(t *testing.T) {
	type result struct {
		status   int
		length   int64
		chunked  bool
		fields   string
		body     string
		trailers string
	}
	var fields httpserver.Header
	fields.Add("X-Two", "1")
	fields.Add("X-Two", "2")
	noDate := httpserver.Header{}
	noDate.Set("Date", "")
	tests := []struct {
		name   string
		method string
		resp   func() *httpserver.Response
		want   result
	}{
		{"message", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 201, Headers: fields.Clone(), Message: "made"}
		}, result{201, 4, false, `Content-Length=["4"];X-Two=["1" "2"];`, "made", ""}},
		{"long message has its length", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: strings.Repeat("m", 5000)}
		}, result{200, 5000, false, `Content-Length=["5000"];`, strings.Repeat("m", 5000), ""}},
		{"date suppressed", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Headers: noDate.Clone(), Message: "x"}
		}, result{200, 1, false, `Content-Length=["1"];`, "x", ""}},
		{"sized body", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Body: strings.NewReader(strings.Repeat("b", 5000))}
		}, result{200, 5000, false, `Content-Length=["5000"];`, strings.Repeat("b", 5000), ""}},
		{"body length cuts the reader", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Body: io.MultiReader(strings.NewReader("abcdef")), BodyLength: 3}
		}, result{200, 3, false, `Content-Length=["3"];`, "abc", ""}},
		{"unsized body", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Body: io.MultiReader(strings.NewReader(strings.Repeat("u", 5000)))}
		}, result{200, -1, true, ``, strings.Repeat("u", 5000), ""}},
		{"stream decides late", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				w.Header().Set("Trailer", "X-Sum")
				w.Header().Set("Content-Type", "text/csv")
				w.WriteHeader(202)
				io.WriteString(w, "a,b\n")
				w.Trailer().Set("X-Sum", "2")
				w.Trailer().Set("Content-Length", "dropped")
				return nil
			}}
		}, result{202, -1, true, `Content-Type=["text/csv"];`, "a,b\n", `X-Sum=["2"];`}},
		{"HEAD runs no stream", "HEAD", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				panic("a Stream must not run for HEAD")
			}}
		}, result{200, -1, false, ``, "", ""}},
		{"HEAD has the message's length", "HEAD", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: "twelve bytes"}
		}, result{200, 12, false, `Content-Length=["12"];`, "", ""}},
		{"204", "GET", func() *httpserver.Response {
			return &httpserver.Response{StatusCode: 204, Message: "dropped"}
		}, result{204, 0, false, ``, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { return tt.resp() }))
			resp, body := get(t, ts, tt.method, "/", nil)
			h := resp.Header.Clone()
			delete(h, "Date")
			got := result{resp.StatusCode, resp.ContentLength, resp.TransferEncoding != nil, headerString(h), body, headerString(resp.Trailer)}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if strings.Contains(ts.logs.String(), "level=ERROR") {
				t.Errorf("logged: %s", ts.logs)
			}
		})
	}
}

// TestToHTTPBodyClosed: a Body that is an io.Closer is closed, even
// when it is not read (HEAD).
func TestToHTTPBodyClosed(t *testing.T) {
	for _, method := range []string{"GET", "HEAD"} {
		t.Run(method, func(t *testing.T) {
			body := &closeCounter{Reader: strings.NewReader("x"), closed: make(chan struct{})}
			ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
				return &httpserver.Response{StatusCode: 200, Body: body}
			}))
			get(t, ts, method, "/", nil)
			<-body.closed
		})
	}
}

// TestToHTTPFaults: what the engine answers with 500 is answered with 500,
// and logged.
func TestToHTTPFaults(t *testing.T) {
	te := httpserver.Header{}
	te.Set("Transfer-Encoding", "chunked")
	badName := httpserver.Header{}
	badName.Set("Bad Name", "x")
	tests := []struct {
		name string
		resp *httpserver.Response
	}{
		{"nil", nil},
		{"status 700", &httpserver.Response{StatusCode: 700}},
		{"final 1xx", &httpserver.Response{StatusCode: 103}},
		{"101 without upgrade", &httpserver.Response{StatusCode: 101, Stream: func(*httpserver.StreamWriter) error { return nil }}},
		{"transfer-encoding", &httpserver.Response{StatusCode: 200, Headers: te}},
		{"bad field name", &httpserver.Response{StatusCode: 200, Headers: badName}},
		{"reason with CR", &httpserver.Response{StatusCode: 200, StatusMsg: "a\rb"}},
		{"stream fails first", &httpserver.Response{StatusCode: 200, Stream: func(*httpserver.StreamWriter) error { return errors.New("broken") }}},
		{"stream sets a bad field", &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("X", "a\x00b")
			_, err := io.WriteString(w, "never sent")
			return err
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { return tt.resp }))
			resp, body := get(t, ts, "GET", "/", nil)
			if resp.StatusCode != 500 || body != "Internal Server Error\n" || !resp.Close {
				t.Errorf("got %d %q (close %v), want the engine's 500", resp.StatusCode, body, resp.Close)
			}
			if !strings.Contains(ts.logs.String(), "level=ERROR") {
				t.Errorf("not logged")
			}
		})
	}
}

// TestToHTTPStreamAborts: a Stream that fails after its head was sent
// leaves the client with a truncated body; ErrAbortResponse is not logged.
func TestToHTTPStreamAborts(t *testing.T) {
	for _, err := range []error{errors.New("broken"), httpserver.ErrAbortResponse} {
		t.Run(err.Error(), func(t *testing.T) {
			ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
				return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
					io.WriteString(w, "partial")
					w.Flush()
					return err
				}}
			}))
			resp, body := get(t, ts, "GET", "/", nil)
			if resp.StatusCode != 200 || !strings.HasPrefix(body, "read error") {
				t.Errorf("got %d %q, want 200 and a truncated body", resp.StatusCode, body)
			}
			if logged := strings.Contains(ts.logs.String(), "broken"); logged != (err != httpserver.ErrAbortResponse) {
				t.Errorf("log: %q", ts.logs)
			}
		})
	}
}

// TestToHTTPInterim: a Stream's 103 reaches the client before the final
// answer, with the fields set so far, which stay.
func TestToHTTPInterim(t *testing.T) {
	ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(103)
			_, err := io.WriteString(w, "final")
			return err
		}}
	}))
	var interim []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		interim = append(interim, fmt.Sprint(code, h["Link"]))
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", ts.url(), nil)
	resp, err := ts.client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if fmt.Sprint(interim) != "[103 [</a.css>; rel=preload]]" || string(body) != "final" || resp.Header.Get("Link") == "" {
		t.Errorf("interim %v, final %q with %v", interim, body, resp.Header)
	}
}

// TestToHTTPEndless: an Endless Stream's head goes at once, and its parts
// reach the client as they are flushed, paced by the client.
func TestToHTTPEndless(t *testing.T) {
	next := make(chan struct{})
	ts := serveToHTTP(t, httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
			<-next // the client has the head before any part
			for i := range 3 {
				fmt.Fprintf(w, "event %d\n", i)
				if err := w.Flush(); err != nil {
					return err
				}
				<-next
			}
			return nil
		}}
	}))
	resp, err := ts.client(t).Get(ts.url())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	next <- struct{}{}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		if line, err := br.ReadString('\n'); line != fmt.Sprintf("event %d\n", i) {
			t.Fatalf("read %q (%v)", line, err)
		}
		next <- struct{}{}
	}
}

// TestToHTTPHijack: a 101 Response's Stream takes the connection; the
// bytes net/http had read past the request come with it.
func TestToHTTPHijack(t *testing.T) {
	ts := serveToHTTP(t, httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		h := httpserver.Header{}
		h.Set("Connection", "Upgrade")
		h.Set("Upgrade", "echo")
		return &httpserver.Response{StatusCode: 101, Headers: h, Stream: func(w *httpserver.StreamWriter) error {
			conn, rest, err := w.Hijack()
			if err != nil {
				return err
			}
			defer conn.Close()
			br := bufio.NewReader(io.MultiReader(strings.NewReader(string(rest)), conn))
			for range 2 {
				line, err := br.ReadString('\n')
				if err != nil {
					return nil
				}
				io.WriteString(conn, "echo: "+line)
			}
			return nil
		}}
	}))
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("response %v, %v", resp, err)
	}
	io.WriteString(c, "later\n")
	for _, want := range []string{"echo: early\n", "echo: later\n"} {
		if got, err := br.ReadString('\n'); got != want {
			t.Errorf("read %q (%v), want %q", got, err, want)
		}
	}
}

// handlerPtr is a comparable http.Handler and httpserver.Handler.
type handlerPtr struct{ _ int }

func (*handlerPtr) ServeHTTP(http.ResponseWriter, *http.Request)    {}
func (*handlerPtr) Handle(*httpserver.Request) *httpserver.Response { return nil }

// TestRoundTripUnwraps: each direction undoes the other.
func TestRoundTripUnwraps(t *testing.T) {
	h := &handlerPtr{}
	if got := FromHTTP(ToHTTP(h)); got != httpserver.Handler(h) {
		t.Errorf("FromHTTP(ToHTTP(h)) = %T, want h", got)
	}
	if got := ToHTTP(FromHTTP(h)); got != http.Handler(h) {
		t.Errorf("ToHTTP(FromHTTP(h)) = %T, want h", got)
	}
}

// TestToHTTPUnderHTTPTest: httptest's recorder is a host too (it cannot
// hijack or set deadlines).
func TestToHTTPUnderHTTPTest(t *testing.T) {
	h := ToHTTP(httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			if _, _, err := w.Hijack(); !errors.Is(err, http.ErrNotSupported) {
				t.Errorf("Hijack: %v, want http.ErrNotSupported", err)
			}
			_, err := io.WriteString(w, "recorded "+req.Path)
			return err
		}}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/p", nil))
	if rec.Code != 200 || rec.Body.String() != "recorded /p" {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}
