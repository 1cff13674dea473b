package nethttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// noteFunc records what a handler saw (a write's error, say), for the
// comparison.
type noteFunc func(format string, args ...any)

// responseCase is a handler run under net/http's server and under
// FromHTTP, whose answers must agree.
type responseCase struct {
	name   string
	method string // "" is GET
	h      func(w http.ResponseWriter, r *http.Request, note noteFunc)
}

var responseCases = []responseCase{
	{name: "hello", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "hello")
	}},
	{name: "nothing written", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {}},
	{name: "sniffed html", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "<html><body>hi</body></html>")
	}},
	{name: "sniffed over two writes", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "<ht")
		io.WriteString(w, "ml>hello")
	}},
	{name: "sniffed png", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Write([]byte("\x89PNG\x0D\x0A\x1A\x0A rest"))
	}},
	{name: "sniffing suppressed", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>")
	}},
	{name: "content-encoding: no sniffing", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Encoding", "x-custom")
		io.WriteString(w, "<html>")
	}},
	{name: "explicit type", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	}},
	{name: "status and repeated fields", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Add("X-A", "1")
		w.Header().Add("X-A", "2")
		w.Header()["x-lower"] = []string{"kept as given"}
		w.WriteHeader(201)
		io.WriteString(w, "made")
	}},
	{name: "fields set after the head are not sent", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(200)
		w.Header().Set("X-After", "1")
		io.WriteString(w, "x")
	}},
	{name: "204 refuses a body", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "7")
		w.WriteHeader(204)
		_, err := io.WriteString(w, "x")
		note("write: %v", err)
	}},
	{name: "304 drops body fields", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "10")
		w.Header().Set("Etag", `"v1"`)
		w.WriteHeader(304)
		_, err := io.WriteString(w, "x")
		note("write: %v", err)
	}},
	{name: "declared length", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hel")
		io.WriteString(w, "lo")
	}},
	{name: "write past the declared length", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "3")
		_, err := io.WriteString(w, "hello")
		note("write: %v", err)
	}},
	{name: "invalid declared length", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "-1")
		io.WriteString(w, "hello")
	}},
	{name: "superfluous WriteHeader", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.WriteHeader(202)
		w.WriteHeader(203)
	}},
	{name: "WriteHeader after Write", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "a")
		w.WriteHeader(500)
	}},
	{name: "flush makes it chunked", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	}},
	{name: "flush before writing", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		note("flush: %v", http.NewResponseController(w).Flush())
	}},
	{name: "declared trailer", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "abc")
		w.Header().Set("X-Sum", "42")
	}},
	{name: "prefixed trailer after a short body is dropped", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "abc")
		w.Header().Set(http.TrailerPrefix+"X-Late", "1")
	}},
	{name: "prefixed trailer before the head", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set(http.TrailerPrefix+"X-Late", "0")
		io.WriteString(w, "abc")
		w.Header().Set(http.TrailerPrefix+"X-Late", "1")
	}},
	{name: "prefixed trailer after a flush", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "abc")
		w.(http.Flusher).Flush()
		w.Header().Set(http.TrailerPrefix+"X-Late", "1")
	}},
	{name: "declared and prefixed trailers", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Add("Trailer", "X-A")
		w.Header().Add("Trailer", "X-B, Host")
		io.WriteString(w, "abc")
		w.Header().Set("X-A", "a")
		w.Header().Add("X-B", "b1")
		w.Header().Add("X-B", "b2")
		w.Header().Set(http.TrailerPrefix+"X-C", "c")
	}},
	{name: "handler's chunked transfer-encoding", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Transfer-Encoding", "chunked")
		io.WriteString(w, "abc")
	}},
	{name: "date suppressed", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header()["Date"] = nil
		io.WriteString(w, "x")
	}},
	{name: "newlines in a value", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("X-Bad", "a\r\nb\nc ")
		w.Header()["Bad Name"] = []string{"dropped"}
		io.WriteString(w, "x")
	}},
	{name: "connection close", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	}},
	{name: "large body", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Write(bytes.Repeat([]byte("0123456789abcdef"), 40<<10/16))
	}},
	{name: "http.ServeContent large", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.ServeContent(w, r, "a.bin", time.Unix(1e9, 0), bytes.NewReader(make([]byte, 40<<10)))
	}},
	{name: "declared length, large body", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "40960")
		w.Write(make([]byte, 40960))
	}},
	{name: "declared length, flushed", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	}},
	{name: "http.Error", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.Error(w, "nope", 404)
	}},
	{name: "http.Redirect", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}},
	{name: "http.ServeContent", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.ServeContent(w, r, "a.txt", time.Unix(1e9, 0), strings.NewReader("served content"))
	}},
	{name: "HEAD hello", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		n, err := io.WriteString(w, "hello")
		note("write: %d %v", n, err)
	}},
	{name: "HEAD nothing written", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {}},
	{name: "HEAD declared length", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		w.Header().Set("Content-Length", "1000")
		w.Header().Set("X-Method", r.Method)
	}},
	{name: "HEAD flushed", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		io.WriteString(w, "<html>")
		w.(http.Flusher).Flush()
	}},
	{name: "HEAD ServeContent", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.ServeContent(w, r, "a.txt", time.Unix(1e9, 0), strings.NewReader("served content"))
	}},
	{name: "HEAD 404", method: "HEAD", h: func(w http.ResponseWriter, r *http.Request, note noteFunc) {
		http.NotFound(w, r)
	}},
}

// TestResponseMatchesNetHTTP runs each responseCase under net/http's
// server and under FromHTTP and compares what a Go client got: status,
// fields (Date aside), framing, body, trailers, and what the handler
// noted.
func TestResponseMatchesNetHTTP(t *testing.T) {
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantLog := runResponseCase(t, tc, serveNetHTTP)
			got, gotLog := runResponseCase(t, tc, func(t testing.TB, h http.Handler) *testServer {
				return serveEngine(t, h)
			})
			if got != want {
				t.Errorf("FromHTTP's answer:\n got %s\nwant %s (net/http's)", got, want)
			}
			if g, w := logCallers(gotLog), logCallers(wantLog); !slices.Equal(g, w) {
				t.Errorf("logged:\n got %q\nwant %q (net/http's)\nwhole log: %s", g, w, gotLog)
			}
		})
	}
}

// runResponseCase serves tc on a server that serve starts and returns a
// summary of the answer and the server's log.
func runResponseCase(t *testing.T, tc responseCase, serve func(testing.TB, http.Handler) *testServer) (string, string) {
	var mu sync.Mutex
	var notes []string
	ts := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tc.h(w, r, func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			notes = append(notes, fmt.Sprintf(format, args...))
		})
	}))
	method := tc.method
	if method == "" {
		method = "GET"
	}
	req, _ := http.NewRequest(method, ts.url()+"/x", nil)
	resp, err := ts.client(t).Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	return summarize(resp, body, err, notes), ts.logs.String()
}

// summarize is resp as a comparable string.
func summarize(resp *http.Response, body []byte, bodyErr error, notes []string) string {
	h := resp.Header.Clone()
	_, hasDate := h["Date"]
	delete(h, "Date")
	if len(body) > 64 {
		body = append(body[:64:64], fmt.Sprintf("...(%d bytes)", len(body))...)
	}
	return fmt.Sprintf("status=%d length=%d te=%q close=%v date=%v fields=%s body=%q bodyErr=%v trailer=%s notes=%q",
		resp.StatusCode, resp.ContentLength, resp.TransferEncoding, resp.Close, hasDate,
		headerString(h), body, bodyErr != nil, headerString(resp.Trailer), notes)
}

var callerRE = regexp.MustCompile(`http: [^"\n]*? from [^ ]+ \([^)]*\)`)

// logCallers is the net/http-style messages naming the handler's code
// ("http: superfluous response.WriteHeader call from F (file:line)") in a
// log, in order.
func logCallers(log string) []string {
	return callerRE.FindAllString(log, -1)
}
