package httpservertest_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// fields renders a Header as "Name: value" lines, in order.
func fields(h *httpserver.Header) string {
	var b strings.Builder
	for name, value := range h.All() {
		fmt.Fprintf(&b, "%s: %s\n", name, value)
	}
	return b.String()
}

// query renders a Query with its keys in the order given.
func query(q httpserver.Query, keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q ", k, q.Values(k))
	}
	return b.String()
}

func TestNewRequest(t *testing.T) {
	tests := []struct {
		name           string
		method, target string
		body           io.Reader

		verb, path, queryStr, host, headers string
		contentLength                       int64
		bodyText                            string
	}{
		{name: "origin form", method: "GET", target: "/a/b",
			verb: "GET", path: "/a/b", host: "example.com", headers: "Host: example.com\n"},
		{name: "empty method is GET", method: "", target: "/",
			verb: "GET", path: "/", host: "example.com", headers: "Host: example.com\n"},
		{name: "percent-encoding kept", method: "GET", target: "/files/a%2Fb%20c",
			verb: "GET", path: "/files/a%2Fb%20c", host: "example.com", headers: "Host: example.com\n"},
		{name: "query", method: "GET", target: "/search?q=a+b&debug",
			verb: "GET", path: "/search", queryStr: "q=a+b&debug", host: "example.com", headers: "Host: example.com\n"},
		{name: "empty query", method: "GET", target: "/p?",
			verb: "GET", path: "/p", host: "example.com", headers: "Host: example.com\n"},
		{name: "absolute form", method: "GET", target: "http://api.test:8080/v1?x=1",
			verb: "GET", path: "/v1", queryStr: "x=1", host: "api.test:8080", headers: "Host: api.test:8080\n"},
		{name: "absolute form without path", method: "GET", target: "https://api.test",
			verb: "GET", path: "/", host: "api.test", headers: "Host: api.test\n"},
		{name: "authority form", method: "CONNECT", target: "db.test:5432",
			verb: "CONNECT", path: "db.test:5432", host: "db.test:5432", headers: "Host: db.test:5432\n"},
		{name: "asterisk form", method: "OPTIONS", target: "*",
			verb: "OPTIONS", path: "*", host: "example.com", headers: "Host: example.com\n"},
		{name: "strings.Reader", method: "POST", target: "/", body: strings.NewReader("hello"),
			verb: "POST", path: "/", host: "example.com", headers: "Host: example.com\nContent-Length: 5\n",
			contentLength: 5, bodyText: "hello"},
		{name: "bytes.Buffer", method: "PUT", target: "/", body: bytes.NewBufferString("abc"),
			verb: "PUT", path: "/", host: "example.com", headers: "Host: example.com\nContent-Length: 3\n",
			contentLength: 3, bodyText: "abc"},
		{name: "bytes.Reader", method: "PUT", target: "/", body: bytes.NewReader([]byte("ab")),
			verb: "PUT", path: "/", host: "example.com", headers: "Host: example.com\nContent-Length: 2\n",
			contentLength: 2, bodyText: "ab"},
		{name: "empty sized reader", method: "POST", target: "/", body: strings.NewReader(""),
			verb: "POST", path: "/", host: "example.com", headers: "Host: example.com\n"},
		{name: "reader of unknown length", method: "POST", target: "/", body: io.MultiReader(strings.NewReader("x"), strings.NewReader("y")),
			verb: "POST", path: "/", host: "example.com", headers: "Host: example.com\nTransfer-Encoding: chunked\n",
			contentLength: -1, bodyText: "xy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httpservertest.NewRequest(tt.method, tt.target, tt.body)
			if req.Verb != tt.verb || req.Path != tt.path || req.QueryStr != tt.queryStr || req.Host != tt.host {
				t.Errorf("Verb, Path, QueryStr, Host = %q, %q, %q, %q; want %q, %q, %q, %q",
					req.Verb, req.Path, req.QueryStr, req.Host, tt.verb, tt.path, tt.queryStr, tt.host)
			}
			if got := fields(&req.Headers); got != tt.headers {
				t.Errorf("Headers = %q; want %q", got, tt.headers)
			}
			if req.Version != "1.1" || req.RemoteIP != "192.0.2.1" || req.RemotePort != 1234 {
				t.Errorf("Version, RemoteIP, RemotePort = %q, %q, %d; want \"1.1\", \"192.0.2.1\", 1234",
					req.Version, req.RemoteIP, req.RemotePort)
			}
			if req.ContentLength != tt.contentLength {
				t.Errorf("ContentLength = %d; want %d", req.ContentLength, tt.contentLength)
			}
			if req.Body == nil {
				t.Fatal("Body is nil")
			}
			if b, err := io.ReadAll(req.Body); string(b) != tt.bodyText || err != nil {
				t.Errorf("Body reads %q, %v; want %q, nil", b, err, tt.bodyText)
			}
			if req.Context() == nil {
				t.Error("Context() is nil")
			}
		})
	}
}

func TestNewRequestQuery(t *testing.T) {
	req := httpservertest.NewRequest("GET", "/s?q=a+b&q=%C3%A9&debug&bad=%zz", nil)
	if got, want := query(req.QueryDict, "q", "debug", "bad"), `q=["a b" "é"] debug=[""] bad=[] `; got != want {
		t.Errorf("QueryDict = %s; want %s", got, want)
	}
	if !req.QueryDict["debug"][0].Bare {
		t.Error(`QueryDict["debug"] is not Bare`)
	}
	if req.QueryErr == nil {
		t.Error("QueryErr = nil; want the error for %zz")
	}
	if req := httpservertest.NewRequest("GET", "/", nil); req.QueryDict != nil || req.QueryErr != nil {
		t.Errorf("without a query: QueryDict, QueryErr = %v, %v; want nil, nil", req.QueryDict, req.QueryErr)
	}
}

func TestNewRequestPanics(t *testing.T) {
	tests := []struct{ name, method, target string }{
		{"space in target", "GET", "/a b"},
		{"fragment", "GET", "/a#b"},
		{"other scheme", "GET", "ftp://host/a"},
		{"relative path", "GET", "a/b"},
		{"empty target", "GET", ""},
		{"asterisk for GET", "GET", "*"},
		{"CONNECT without port", "CONNECT", "host"},
		{"method not a token", "GE(T", "/"},
		{"line break in target", "GET", "/ HTTP/1.1\r\nX-Injected: 1"},
		{"line break in method", "GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "httpservertest: NewRequest(") {
					t.Errorf("NewRequest(%q, %q) panicked with %v; want a panic naming NewRequest", tt.method, tt.target, r)
				}
			}()
			req := httpservertest.NewRequest(tt.method, tt.target, nil)
			t.Errorf("NewRequest(%q, %q) = {Verb %q, Path %q, Headers %q}; want a panic", tt.method, tt.target, req.Verb, req.Path, fields(&req.Headers))
		})
	}
}

// trailerBody is a body with a trailer, for TestNewRequestTrailer.
type trailerBody struct {
	io.Reader
	trailer httpserver.Header
}

func (b trailerBody) Trailer() httpserver.Header { return b.trailer }

// TestNewRequestTrailer: a body with a Trailer method gives the handler
// its trailer through Request.Trailer.
func TestNewRequestTrailer(t *testing.T) {
	var tr httpserver.Header
	tr.Add("X-Checksum", "abc")
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		body, _ := io.ReadAll(req.Body)
		return &httpserver.Response{StatusCode: 200, Message: string(body) + " " + req.Trailer().Get("X-Checksum")}
	})
	res := httpservertest.Do(h, httpservertest.NewRequest("PUT", "/f", trailerBody{strings.NewReader("data"), tr}))
	if got, want := string(res.Body), "data abc"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
